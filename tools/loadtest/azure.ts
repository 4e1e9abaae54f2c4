/**
 * Runs the load test on Azure Load Testing through the az CLI's `load` extension: creates or
 * updates the test from loadtest/azure/ (Locust script + YAML config with the fail criteria),
 * starts a run, then polls it and streams its progress.
 * Argument names: Azure/azure-cli-extensions src/load (load test create/update, test-run create/show).
 */
import * as path from "path";
import { AZURE_TEST_ID, PROFILE_ENV, TARGET_ENV } from "./artifacts";
import { LOADTEST_DIR, LoadTestInputError } from "./profile";
import { RunSummary } from "./verdict";

import type { AzRunner } from "../automation/az";

export const AZURE_TEST_CONFIG = path.join(LOADTEST_DIR, "azure", "loadtest.yaml");

/** Test run states after which nothing changes (data-plane `Status` enum). */
const FINAL_STATES = new Set(["DONE", "FAILED", "CANCELLED", "VALIDATION_FAILURE"]);

export interface LoadTestResource {
    name: string;
    resourceGroup: string;
}

/** Name and resource group from the stack output `loadTestingId`. */
export function parseLoadTestId(id: string): LoadTestResource {
    const match = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.LoadTestService\/loadTests\/([^/]+)$/i.exec(id);
    if (!match) throw new LoadTestInputError(`expected an Azure Load Testing resource id (/subscriptions/.../providers/Microsoft.LoadTestService/loadTests/<name>), got "${id}"`);
    return { resourceGroup: match[1], name: match[2] };
}

/** Test run ids: 2-50 of [a-z0-9_-]. */
export function testRunId(profile: string, now: Date): string {
    const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").toLowerCase();
    return `${profile}-${stamp}`.slice(0, 50);
}

export interface AzureRunOptions {
    resource: LoadTestResource;
    url: string;
    /** A profile name of loadtest/profile.json: the Locust script reads it from LOAD_PROFILE. */
    profile: string;
    az: AzRunner;
    onProgress?: (line: string) => void;
    /** Seconds between polls of the run. Default 20. */
    pollSeconds?: number;
    now?: Date;
}

export interface AzureRunResult {
    testRunId: string;
    status: string;
    /** PASSED | FAILED | NOT_APPLICABLE: the service's verdict on the fail criteria. */
    testResult?: string;
    portalUrl?: string;
    summary: RunSummary;
}

export class AzCommandError extends Error {}

/** The az calls that set up and start a run, in order (after `load test show` decides create or update). */
export function azureRunCommands(options: Omit<AzureRunOptions, "az" | "onProgress">, testExists: boolean, runId: string): string[][] {
    const resource = ["--load-test-resource", options.resource.name, "--resource-group", options.resource.resourceGroup];
    const env = ["--env", `${TARGET_ENV}=${options.url}`, `${PROFILE_ENV}=${options.profile}`];
    return [
        ["load", "test", testExists ? "update" : "create", ...resource, "--test-id", AZURE_TEST_ID, "--load-test-config-file", AZURE_TEST_CONFIG, ...env],
        ["load", "test-run", "create", ...resource, "--test-id", AZURE_TEST_ID, "--test-run-id", runId, "--display-name", `BookStore ${options.profile}`, ...env],
    ];
}

async function az(runner: AzRunner, args: string[]): Promise<string> {
    const outcome = await runner.run([...args, "--output", "json"]);
    if (outcome.exitCode !== 0) throw new AzCommandError(`az ${args.slice(0, 3).join(" ")} failed: ${outcome.stderr.trim() || `exit code ${outcome.exitCode}`}`);
    return outcome.stdout;
}

interface TestRunDocument {
    status?: string;
    testResult?: string;
    virtualUsers?: number;
    portalUrl?: string;
    testRunStatistics?: Record<string, { sampleCount?: number; errorCount?: number; errorPct?: number; pct50ResTime?: number; pct95ResTime?: number; pct99ResTime?: number; throughput?: number }>;
}

/** Our summary from a run document (statistics key `Total`, the aggregate over every request). */
export function summaryFromRun(run: TestRunDocument): RunSummary {
    const total = run.testRunStatistics?.Total ?? {};
    return {
        requests: total.sampleCount ?? 0,
        failed: total.errorCount ?? 0,
        p50Ms: total.pct50ResTime,
        p95Ms: total.pct95ResTime,
        p99Ms: total.pct99ResTime,
        requestsPerSecond: total.throughput ?? 0,
    };
}

const pause = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

export async function runAzure(options: AzureRunOptions): Promise<AzureRunResult> {
    const { resource } = options;
    const where = ["--load-test-resource", resource.name, "--resource-group", resource.resourceGroup];
    const exists = (await options.az.run(["load", "test", "show", ...where, "--test-id", AZURE_TEST_ID, "--output", "json"])).exitCode === 0;
    const runId = testRunId(options.profile, options.now ?? new Date());
    for (const command of azureRunCommands(options, exists, runId)) await az(options.az, command);
    options.onProgress?.(`started test run ${runId} on ${resource.name}`);
    for (;;) {
        const run = JSON.parse(await az(options.az, ["load", "test-run", "show", ...where, "--test-run-id", runId])) as TestRunDocument;
        const summary = summaryFromRun(run);
        const errors = summary.requests === 0 ? 0 : (100 * summary.failed) / summary.requests;
        options.onProgress?.(
            `${run.status ?? "?"} · users ${run.virtualUsers ?? "?"} · ${summary.requestsPerSecond.toFixed(1)} req/s`
            + ` · p95 ${summary.p95Ms === undefined ? "n/a" : `${Math.round(summary.p95Ms)} ms`} · errors ${errors.toFixed(2)}%`,
        );
        if (run.status && FINAL_STATES.has(run.status)) {
            return { testRunId: runId, status: run.status, testResult: run.testResult, portalUrl: run.portalUrl, summary };
        }
        await pause(options.pollSeconds ?? 20);
    }
}
