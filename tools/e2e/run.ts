/**
 * `bookstore-infra e2e run`: one real deployment of a platform, judged and torn down.
 *
 *   stack        render e2e/templates/<platform>.yaml into Pulumi.<e2e stack>.yaml, `pulumi stack init`
 *   registry     where the images go (Azure: `up --target` the stack's registry; AWS: the account's ECR)
 *   images       BookStore built at the pinned commit and pushed, pinned by digest in the stack file
 *   up           the first deployment (Azure: bootstrap; AWS: up), its per-resource durations recorded
 *   health       the app answers /health through the public entry (bounded)
 *   doctor       database health, through the reach into the private network
 *   smoke        the load test's smoke profile against the api; its thresholds must hold
 *   idempotency  a second `up` must change nothing
 *   failover     a planned failover of the database's writer
 *   converged    refresh; preview replaces and deletes nothing; up (what follows the new writer); preview is then empty
 * and then, whatever happened before (a failure, a cancellation), the cleanup: close the reach,
 * lift `protect` and the cloud's deletion protection, `destroy`, `stack rm`, delete the stack file.
 * Every step is a line of progress and an entry of the JSON report.
 */
import * as fs from "fs";
import { parse } from "yaml";
import type { EngineEvent, OpMap } from "@pulumi/pulumi/automation";
import { deployStack, OperationResult, previewStack, refreshStack, stackOutputs, PROJECT_DIR } from "../automation";
import type { CommandRunner } from "../automation/runner";
import { azOf } from "../automation/az";
import type { WaitOptions } from "../automation/failover";
import { initStack } from "../automation/lifecycle";
import { localProcesses, ProcessRunner } from "../automation/processes";
import { plainOutputs } from "../doctor/targets";
import { readDurationTable } from "../offline/criticalPath";
import { CloudContext, driverFor } from "./clouds";
import { resourceTimings, ResourceTiming, typeDurations, TypeDuration, variantInputs } from "./durations";
import { waitForHealth } from "./health";
import { APP_SOURCE, buildImages, imageSteps, PinnedImages } from "./images";
import { e2eNamePrefix, e2eStackName, E2ePlatform, randomSuffix } from "./names";
import { openReach, Reach } from "./reach";
import { teardown } from "./teardown";
import { pinImages, stackFilePath, TEMPLATES_DIR, writeE2eStackFile } from "./template";

export const RUN_STEPS = ["stack", "registry", "images", "up", "health", "doctor", "smoke", "idempotency", "failover", "converged"] as const;
export const CLEANUP_STEPS = ["release", "destroy", "remove"] as const;
export type StepName = (typeof RUN_STEPS)[number] | (typeof CLEANUP_STEPS)[number];

/** An AWS run's own values: its domain and certificates (the template's are placeholders). */
export interface AwsRunOptions {
    /** A DNS domain of the team's: the run's hosts are `<suffix>.<domain>` and `static-<suffix>.<domain>`. */
    domain: string;
    /** ACM certificate in the run's region covering `*.<domain>` (the ALB's). */
    albCertificateArn: string;
    /** ACM certificate in us-east-1 covering `*.<domain>` (CloudFront's); default albCertificateArn (same certificate when the region is us-east-1). */
    cloudFrontCertificateArn?: string;
    /** Region of the cross-region replica; default the template's. */
    replicaRegion?: string;
    /** The deployer's IAM role; default the role of the caller (`aws sts get-caller-identity`). */
    adminRoleArn?: string;
}

export interface E2eRunOptions {
    platform: E2ePlatform;
    /** Azure location or AWS region of the run. */
    region: string;
    /** Hours until the janitor may destroy the stack (the expiry in its name and tags). */
    ttlHours: number;
    projectDir?: string;
    templatesDir?: string;
    /** The Pulumi CLI (tests: a stand-in). */
    runner?: CommandRunner;
    /** az, aws, kubectl, dotnet, git, docker (tests: a stand-in). */
    processes?: ProcessRunner;
    envVars?: Record<string, string>;
    /** `pulumi stack init --secrets-provider` (DIY backends: a cloud KMS, so the janitor can decrypt the state elsewhere). */
    secretsProvider?: string;
    policyPacks?: string[];
    /** Images built before (`e2e images`): skips the build. */
    images?: PinnedImages;
    /** Where BookStore's source is checked out for the build. */
    checkoutDir?: string;
    aws?: AwsRunOptions;
    healthTimeoutSeconds?: number;
    healthIntervalSeconds?: number;
    /** The load test profile of the smoke step: `smoke` (loadtest/profile.json) or a spec file. */
    smokeProfile?: string;
    relayImage?: string;
    /** Identifies the run in tags (CI: the workflow run); default a timestamp. */
    runId?: string;
    suffix?: string;
    /** The runner's public address (default: asked of https://checkip.amazonaws.com). */
    publicAddress?: () => Promise<string>;
    now?: () => Date;
    failoverWait?: WaitOptions;
    reachTimeoutMs?: number;
    onProgress?: (line: string) => void;
    /** Cancels the run's steps; the cleanup still runs. */
    signal?: AbortSignal;
    /** Cancels the cleanup too (a second Ctrl-C); the janitor removes what is left once it expires. */
    cleanupSignal?: AbortSignal;
}

export interface StepResult {
    name: StepName;
    status: "passed" | "failed" | "cancelled";
    startedAt: string;
    seconds: number;
    detail?: string;
}

export interface ResourceChange {
    op: string;
    type: string;
    urn: string;
}

export interface E2eReport {
    kind: "bookstore-e2e-report";
    version: 1;
    platform: E2ePlatform;
    stack: string;
    region: string;
    runId: string;
    expiresAt: string;
    app: { repository: string; commit: string; images?: PinnedImages };
    startedAt: string;
    finishedAt?: string;
    ok: boolean;
    /** The first step that failed, and why. */
    failure?: { step: StepName; error: string };
    steps: StepResult[];
    /** Every resource step of the first deployment with its duration (from the engine's events). */
    resources: ResourceTiming[];
    /** Create durations per resource type: what `e2e durations` merges into the critical path's table. */
    types: TypeDuration[];
    /** What the second `up` changed (must be nothing). */
    idempotencyChanges?: ResourceChange[];
    /** What the first preview after the failover would change (what follows the new writer; never a replacement or deletion). */
    convergenceChanges?: ResourceChange[];
    cleanup: { ok: boolean; destroyed: boolean; removed: boolean; errors: string[] };
}

/** A check of the run did not hold (as opposed to a command that failed). */
export class E2eAssertionError extends Error {
    constructor(message: string, readonly changes: ResourceChange[] = []) {
        super(message);
        this.name = "E2eAssertionError";
    }
}

class CancelledError extends Error {
    constructor() {
        super("cancelled (the cleanup runs)");
        this.name = "CancelledError";
    }
}

/** The resource changes an operation made or would make: everything but `same` (and reads, which change nothing). */
export function changesOf(result: Pick<OperationResult, "steps" | "changeSummary">): ResourceChange[] {
    const steps = result.steps.filter((s) => s.op !== "same" && s.op !== "read").map((s) => ({ op: s.op, type: s.type, urn: s.urn }));
    const counted = Object.entries(result.changeSummary as OpMap).filter(([op, n]) => op !== "same" && op !== "read" && (n ?? 0) > 0);
    // A summary that counts changes the steps did not show is still a change.
    if (steps.length === 0 && counted.length > 0) return counted.map(([op, n]) => ({ op, type: `${n} resource(s)`, urn: "" }));
    return steps;
}

/** The IAM role behind an assumed-role caller ARN (`arn:aws:sts::<acct>:assumed-role/<role>/<session>`). */
export function roleArnOf(callerArn: string): string {
    const assumed = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(callerArn);
    if (assumed) return `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}`;
    if (/^arn:aws[a-z-]*:iam::\d{12}:role\//.test(callerArn)) return callerArn;
    throw new Error(`the AWS caller ${callerArn} is not a role: run as the deploy role, or pass --aws-admin-role-arn`);
}

/** The runner's public IPv4 address, as AWS's checkip service sees it. */
export async function checkipAddress(): Promise<string> {
    const response = await fetch("https://checkip.amazonaws.com", { signal: AbortSignal.timeout(10_000) });
    const address = (await response.text()).trim();
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) throw new Error(`checkip.amazonaws.com answered "${address.slice(0, 40)}", not an IPv4 address`);
    return address;
}

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function runE2e(options: E2eRunOptions): Promise<E2eReport> {
    const now = options.now ?? (() => new Date());
    const started = now();
    const suffix = options.suffix ?? randomSuffix();
    const expiresAt = new Date(started.getTime() + options.ttlHours * 3_600_000);
    const stack = e2eStackName(options.platform, suffix, expiresAt);
    const projectDir = options.projectDir ?? PROJECT_DIR;
    const processes = options.processes ?? localProcesses;
    const say = options.onProgress ?? (() => undefined);
    const driver = driverFor(options.platform);
    const runId = options.runId ?? `local-${iso(started).replace(/[-:]/g, "").toLowerCase()}`;
    const report: E2eReport = {
        kind: "bookstore-e2e-report", version: 1, platform: options.platform, stack, region: options.region, runId, expiresAt: iso(expiresAt),
        app: { repository: APP_SOURCE.repository, commit: APP_SOURCE.commit }, startedAt: iso(started), ok: false,
        steps: [], resources: [], types: [], cleanup: { ok: false, destroyed: false, removed: false, errors: [] },
    };
    const events: EngineEvent[] = [];
    let recording = false;
    const operation = {
        stack, projectDir, runner: options.runner, envVars: options.envVars, policyPacks: options.policyPacks, confirm: stack,
        onProgress: (line: string) => say(`    ${line}`),
        onEvent: (event: EngineEvent) => { if (recording) events.push(event); },
        signal: options.signal,
    };
    const namePrefix = e2eNamePrefix(suffix);
    const context: CloudContext = {
        stack, projectDir, baseName: `${namePrefix}-prod`, operation, processes, az: azOf(processes), failoverWait: options.failoverWait,
    };
    const total = RUN_STEPS.length;

    /** Runs one step: progress before and after, its result in the report; a failure or cancellation ends the run. */
    async function step<T>(name: StepName, body: () => Promise<T>, describe?: (value: T) => string | undefined): Promise<T> {
        const index = (RUN_STEPS as readonly string[]).indexOf(name);
        const label = index >= 0 ? `[e2e ${index + 1}/${total}] ${name}` : `[e2e cleanup] ${name}`;
        const at = now();
        const entry: StepResult = { name, status: "passed", startedAt: iso(at), seconds: 0 };
        report.steps.push(entry);
        say(label);
        const signal = (CLEANUP_STEPS as readonly string[]).includes(name) ? options.cleanupSignal : options.signal;
        try {
            if (signal?.aborted) throw new CancelledError();
            const value = await body();
            entry.detail = describe?.(value);
            return value;
        } catch (err) {
            const cancelled = err instanceof CancelledError || (signal?.aborted ?? false);
            entry.status = cancelled ? "cancelled" : "failed";
            entry.detail = errorText(err);
            throw err;
        } finally {
            entry.seconds = Math.round((now().getTime() - at.getTime()) / 1000);
            say(`${label}: ${entry.status}${entry.detail ? ` (${entry.detail.split("\n")[0]})` : ""} in ${entry.seconds} s`);
        }
    }

    let created = false;
    let reach: Reach | undefined;
    const closeReach = async () => {
        const open = reach;
        reach = undefined;
        await open?.close();
    };
    const publicAddress = options.publicAddress ?? checkipAddress;

    try {
        await step("stack", async () => {
            const file = stackFilePath(projectDir, stack);
            if (fs.existsSync(file)) throw new Error(`${file} exists already`);
            const aws = options.platform === "eks" ? await awsSettings(options, processes, suffix, publicAddress) : undefined;
            writeE2eStackFile(projectDir, stack, options.platform, {
                namePrefix, runId, expiresAt, aws, location: options.platform === "eks" ? undefined : options.region,
            }, options.templatesDir ?? TEMPLATES_DIR);
            // Resource names start with `<namePrefix>-<environment>` (the ALB's, which the health check asks for by name).
            context.baseName = `${namePrefix}-${parse(fs.readFileSync(file, "utf8")).config["bookstore:environment"]}`;
            await initStack({ stack, projectDir, runner: options.runner, envVars: options.envVars, secretsProvider: options.secretsProvider });
            created = true;
            return file;
        }, (file) => `${stack} from e2e/templates/${options.platform}.yaml (${file})`);

        recording = true;
        const registry = await step("registry", () => driver.registry(context, options.region), (r) => r.loginServer);
        const images = await step("images", async () => {
            const pinned = options.images ?? await buildImages(imageSteps({
                registry, architecture: driver.architecture, checkoutDir: options.checkoutDir ?? `${projectDir}/out/e2e/bookstore-src`,
            }), processes, (line) => say(`    ${line}`), options.signal);
            pinImages(stackFilePath(projectDir, stack), pinned);
            return pinned;
        }, (pinned) => Object.values(pinned).join(", "));
        report.app.images = images;

        await step("up", () => driver.firstUp(context), (result) => summary(result.changeSummary));
        recording = false;
        report.resources = resourceTimings(events, variantInputs(readDurationTable()));
        report.types = typeDurations(report.resources);

        let outputs: Record<string, unknown> = {};
        await step("health", async () => {
            outputs = plainOutputs(await stackOutputs(operation));
            return waitForHealth(await driver.healthTarget(context, outputs), {
                timeoutMs: (options.healthTimeoutSeconds ?? 1500) * 1000,
                intervalMs: (options.healthIntervalSeconds ?? 15) * 1000,
                onProgress: (line) => say(`    ${line}`),
                signal: options.signal,
            });
        }, (r) => `200 after ${r.attempts} attempt(s)`);

        await step("doctor", async () => {
            reach = await openReach({
                platform: options.platform, suffix, outputs, processes, relayImage: options.relayImage, timeoutMs: options.reachTimeoutMs,
                environmentId: options.platform === "containerapps" ? await driver.environmentId?.(context) : undefined,
                runnerAddress: options.platform === "containerapps" ? await publicAddress() : undefined,
                onProgress: (line) => say(`    ${line}`),
            });
            const { renderReport, runDoctor } = require("../doctor") as typeof import("../doctor");
            const doctor = await runDoctor(reach.doctorTargets);
            for (const line of renderReport(doctor.rows)) say(`    ${line}`);
            const failed = doctor.rows.filter((row) => row.status === "fail");
            if (failed.length > 0) throw new E2eAssertionError(`doctor: ${failed.length} check(s) failed: ${failed.map((r) => `${r.check} on ${r.server} (${r.value})`).join("; ")}`);
            return doctor.rows.length;
        }, (rows) => `${rows} checks healthy`);

        await step("smoke", async () => {
            const { loadTestCommand } = require("../loadtest") as typeof import("../loadtest");
            const profile = options.smokeProfile ?? "smoke";
            const passed = await loadTestCommand({ url: reach!.apiUrl, profile, engine: "local" }, {
                out: (line) => say(`    ${line}`),
                stackOutputs: async () => outputs,
            });
            if (!passed) throw new E2eAssertionError(`the ${profile} profile missed its thresholds (see the verdict above)`);
            return profile;
        }, (profile) => `${profile}: every threshold met`);
        await closeReach();

        await step("idempotency", async () => {
            const second = await deployStack(operation);
            const changes = changesOf(second);
            report.idempotencyChanges = changes;
            if (changes.length > 0) throw new E2eAssertionError(`the second up changed ${changes.length} resource(s): ${listChanges(changes)}`, changes);
        }, () => "the second up changed nothing");

        await step("failover", () => driver.failover(context, outputs), (line) => line);

        await step("converged", async () => {
            // The runbook after a failover (docs/runbooks.md): refresh, preview (what follows the new writer: HA,
            // backups, the endpoint pair's target; nothing replaced or deleted), up; then the program and the cloud agree.
            await refreshStack(operation);
            const following = changesOf(await previewStack(operation));
            report.convergenceChanges = following;
            const destructive = following.filter((c) => /replace|delete/.test(c.op));
            if (destructive.length > 0) throw new E2eAssertionError(`after the failover, preview would replace or delete ${destructive.length} resource(s): ${listChanges(destructive)}`, destructive);
            if (following.length > 0) await deployStack(operation);
            const remaining = following.length > 0 ? changesOf(await previewStack(operation)) : [];
            if (remaining.length > 0) throw new E2eAssertionError(`after the failover${following.length > 0 ? " and an up" : ""}, preview would still change ${remaining.length} resource(s): ${listChanges(remaining)}`, remaining);
            return following.length;
        }, (followed) => `${followed > 0 ? `${followed} resource(s) followed the new writer, then ` : ""}preview is empty`);
        report.ok = true;
    } catch (err) {
        const failed = report.steps.find((s) => s.status !== "passed");
        report.failure = { step: failed?.name ?? "stack", error: errorText(err) };
    } finally {
        recording = false;
        await cleanup();
        report.finishedAt = iso(now());
        report.ok = report.ok && report.cleanup.ok;
    }
    return report;

    async function cleanup(): Promise<void> {
        const cleanupOperation = { ...operation, signal: options.cleanupSignal, onEvent: undefined };
        try {
            await closeReach();
        } catch (err) {
            report.cleanup.errors.push(`reach: ${errorText(err)}`);
        }
        if (!created) {
            // Nothing was made in the cloud; only the rendered stack file (if any) goes.
            fs.rmSync(stackFilePath(projectDir, stack), { force: true });
            report.cleanup.ok = report.cleanup.errors.length === 0;
            return;
        }
        const result = await teardown(options.platform, { ...context, operation: cleanupOperation }, async (name, body) => {
            try {
                await step(name, body, (detail) => detail);
                return true;
            } catch (err) {
                report.cleanup.errors.push(`${name}: ${errorText(err)}`);
                return false;
            }
        });
        report.cleanup.destroyed = result.destroyed;
        report.cleanup.removed = result.removed;
        if (!result.destroyed) {
            say(`cleanup: ${stack} is left in the backend (it expires ${iso(expiresAt)}); retry with \`bookstore-infra e2e janitor --yes\` after that, `
                + `or now with \`bookstore-infra e2e janitor --stack ${stack} --yes --confirm ${stack}\``);
        }
        report.cleanup.ok = report.cleanup.errors.length === 0;
    }
}

function summary(changes: OpMap | undefined): string {
    const counts = Object.entries(changes ?? {}).filter(([, n]) => (n ?? 0) > 0).map(([op, n]) => `${n} ${op}`);
    return counts.length > 0 ? counts.join(", ") : "no changes";
}

function listChanges(changes: ResourceChange[]): string {
    const shown = changes.slice(0, 10).map((c) => `${c.op} ${c.type}${c.urn ? ` ${c.urn.split("::").pop()}` : ""}`);
    return `${shown.join(", ")}${changes.length > shown.length ? `, and ${changes.length - shown.length} more` : ""}`;
}

/** An eks run's settings: its region, the deployer's role, the runner's address, hosts under the team's domain, certificates. */
async function awsSettings(options: E2eRunOptions, processes: ProcessRunner, suffix: string, publicAddress: () => Promise<string>) {
    const aws = options.aws;
    if (!aws) throw new Error("an eks run needs --aws-domain and --aws-certificate-arn (the ALB's certificate for *.<domain>)");
    let adminRoleArn = aws.adminRoleArn;
    if (!adminRoleArn) {
        const caller = await processes.run("aws", ["sts", "get-caller-identity", "--query", "Arn", "--output", "text"]);
        if (caller.exitCode !== 0) throw new Error(`aws sts get-caller-identity failed: ${caller.stderr.trim()}`);
        adminRoleArn = roleArnOf(caller.stdout.trim());
    }
    return {
        region: options.region,
        replicaRegion: aws.replicaRegion,
        adminRoleArn,
        publicAccessCidr: `${await publicAddress()}/32`,
        webHost: `${suffix}.${aws.domain}`,
        staticHost: `static-${suffix}.${aws.domain}`,
        albCertificateArn: aws.albCertificateArn,
        cloudFrontCertificateArn: aws.cloudFrontCertificateArn ?? aws.albCertificateArn,
    };
}
