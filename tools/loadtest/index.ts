/**
 * `bookstore-infra loadtest`: the seed's load test against the api's own entry, run from where
 * this command runs (the local engine) or on Azure Load Testing (az CLI), with a verdict against
 * the thresholds. The CLI loads this module only when the command runs.
 */
import * as fs from "fs";
import { parseLoadTestId, runAzure } from "./azure";
import { AzRunner, installedAz } from "../automation/az";
import { LoadTestTargetError, runLocal } from "./local";
import { LoadProfile, LoadTestInputError, readSpec, resolveProfile, totalSeconds } from "./profile";
import { judge } from "./verdict";

export { LoadTestInputError } from "./profile";
export { LoadTestTargetError } from "./local";
export { AzCommandError } from "./azure";

export interface LoadTestFlags {
    stack?: string;
    /** The api's base URL; default the stack's `apiUrl` output. */
    url?: string;
    /** seed | smoke | a spec file (.json); unset: the seed profile, which is then refused (longer than a minute). */
    profile?: string;
    engine: "local" | "azure";
    /** Azure engine: seconds between polls of the run. */
    pollSeconds?: number;
    /** Local engine: seconds before an unanswered request fails. */
    timeout?: number;
    /** Local engine: a PEM file of CA certificates to trust for an https target. */
    caCert?: string;
}

export interface LoadTestDeps {
    out(line: string): void;
    /** The stack's outputs as plain values (read only when --stack is given). */
    stackOutputs(stack: string): Promise<Record<string, unknown>>;
    az?: AzRunner;
}

/**
 * The base URL to load: --url, else the stack's `apiUrl` output — the api's in-network address,
 * the one the web reaches it at. The api has no public entry on any platform (docs/load-testing.md).
 */
export function targetUrl(flags: Pick<LoadTestFlags, "url" | "stack">, outputs: Record<string, unknown> | undefined): string {
    const url = flags.url ?? outputs?.apiUrl;
    if (typeof url !== "string" || url.length === 0) {
        throw new LoadTestInputError(flags.stack
            ? `stack "${flags.stack}" has no apiUrl output (deploy it first, or pass --url)`
            : "pass --stack <name> (its apiUrl output, the api's entry, is the target) or --url <api base url>");
    }
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        throw new LoadTestInputError(`--url: expected an http(s) URL, got "${url}"`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new LoadTestInputError(`--url: expected an http(s) URL, got "${url}"`);
    return url;
}

/** The profile run when --profile is not given: the seed's, 16 minutes. */
export const DEFAULT_PROFILE = "seed";
/** Longest run that starts without --profile: a load test of minutes against a stack is a decision, not a default. */
export const UNNAMED_RUN_LIMIT_SECONDS = 60;

function refuseLongUnnamedRun(profile: LoadProfile): void {
    const seconds = totalSeconds(profile.stages);
    if (seconds <= UNNAMED_RUN_LIMIT_SECONDS) return;
    const others = Object.entries(readSpec().profiles).filter(([name, stages]) => name !== profile.name && totalSeconds(stages) <= UNNAMED_RUN_LIMIT_SECONDS);
    throw new LoadTestInputError(`the default profile "${profile.name}" runs ${(seconds / 60).toFixed(1)} min with up to ${Math.max(...profile.stages.map((s) => s.target))} users: `
        + `name it to start it (--profile ${profile.name})${others.map(([name, stages]) => `, or try --profile ${name} (${totalSeconds(stages)} s)`).join("")}`);
}

/** Runs the command; resolves true when the run met every threshold. */
export async function loadTestCommand(flags: LoadTestFlags, deps: LoadTestDeps): Promise<boolean> {
    const profile = resolveProfile(flags.profile ?? DEFAULT_PROFILE);
    if (flags.engine === "azure" && !flags.stack) throw new LoadTestInputError("--engine azure needs --stack <name> (its loadTestingId output names the Azure Load Testing resource)");
    if (flags.engine === "azure" && flags.profile?.endsWith(".json")) {
        throw new LoadTestInputError("--engine azure runs the profiles of loadtest/profile.json (the uploaded script holds them): pass --profile seed or smoke");
    }
    // Azure Load Testing's engines run outside the cluster and the Container Apps environment, where the api is not reachable.
    if (flags.engine === "azure" && !flags.url) {
        throw new LoadTestInputError("--engine azure needs --url: an api entry Azure Load Testing's engines can reach (the stack's apiUrl answers only inside its cluster or environment; see docs/load-testing.md)");
    }
    if (!flags.url && !flags.stack) targetUrl(flags, undefined);
    if (flags.profile === undefined) refuseLongUnnamedRun(profile);
    const ca = flags.caCert === undefined ? undefined : readCa(flags.caCert);
    // The local engine with --url needs nothing from the stack.
    const outputs = flags.stack && !(flags.engine === "local" && flags.url) ? await deps.stackOutputs(flags.stack) : undefined;
    const url = targetUrl(flags, outputs);
    const minutes = (totalSeconds(profile.stages) / 60).toFixed(1);
    deps.out(`Load test "${profile.name}" (${minutes} min, up to ${Math.max(...profile.stages.map((s) => s.target))} users) against ${url} on the ${flags.engine} engine`);

    if (flags.engine === "local") {
        const summary = await runLocal(profile, { url, ca, timeoutSeconds: flags.timeout, onProgress: (line) => deps.out(`  ${line}`) }).catch((err: unknown) => {
            if (err instanceof LoadTestTargetError && !flags.url) {
                err.message += ` (the stack's apiUrl answers only inside its cluster or Container Apps environment: run the load test there, see docs/load-testing.md)`;
            }
            throw err;
        });
        return report(judge(summary, profile.thresholds), deps);
    }

    const id = outputs?.loadTestingId;
    if (typeof id !== "string") {
        throw new LoadTestInputError(`stack "${flags.stack}" has no loadTestingId output: turn on bookstore:loadTesting.enabled and deploy, or use --engine local`);
    }
    const result = await runAzure({
        resource: parseLoadTestId(id),
        url,
        profile: profile.name,
        az: deps.az ?? installedAz,
        pollSeconds: flags.pollSeconds,
        onProgress: (line) => deps.out(`  ${line}`),
    });
    const verdict = judge(result.summary, profile.thresholds);
    // The service's fail criteria are the same thresholds (loadtest/azure/loadtest.yaml); its verdict decides.
    const passed = result.status === "DONE" && result.testResult === "PASSED";
    deps.out(`Azure Load Testing: run ${result.testRunId} ${result.status}, result ${result.testResult ?? "none"}${result.portalUrl ? ` (${result.portalUrl})` : ""}`);
    return report({ passed, lines: verdict.lines }, deps);
}

function readCa(file: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new LoadTestInputError(`--ca-cert: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
}

function report(verdict: { passed: boolean; lines: string[] }, deps: LoadTestDeps): boolean {
    deps.out("");
    for (const line of verdict.lines) deps.out(line);
    deps.out(verdict.passed ? "Verdict: PASS (every threshold met)" : "Verdict: FAIL (thresholds missed)");
    return verdict.passed;
}
