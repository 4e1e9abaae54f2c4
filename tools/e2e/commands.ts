/** The e2e commands: flags checked before anything runs, then tools/e2e, then an exit code. */
import * as fs from "fs";
import * as path from "path";
import { CliExit, CliIo, EXIT, automation } from "../cliSupport";
import { PROJECT_DIR } from "../paths";
import { DURATIONS_FILE, readDurationTable } from "../offline/criticalPath";
import { formatDurationTable, mergeDurations, MergeChange } from "./durations";
import { buildImages, ImageBuildError, ImageRegistry, imageScript, imageSteps, PinnedImages } from "./images";
import { E2ePlatform, parseE2eStackName } from "./names";
import type { E2eReport } from "./run";

const AZURE_LOCATION = /^[a-z]+[a-z0-9]*$/;
const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]+$/;

const usage = (message: string) => new CliExit(EXIT.usage, message);

export interface RunFlags {
    platform: E2ePlatform;
    region: string;
    ttlHours: number;
    report?: string;
    images?: string;
    checkoutDir?: string;
    awsDomain?: string;
    awsCertificateArn?: string;
    awsCloudfrontCertificateArn?: string;
    awsReplicaRegion?: string;
    awsAdminRoleArn?: string;
    secretsProvider?: string;
    healthTimeout: number;
    smokeProfile: string;
    relayImage?: string;
    runId?: string;
    json?: boolean;
}

/** The flags' problems, all of them, before anything runs. */
export function runFlagProblems(flags: RunFlags): string[] {
    const problems: string[] = [];
    const eks = flags.platform === "eks";
    if (!(eks ? AWS_REGION : AZURE_LOCATION).test(flags.region)) problems.push(`--region: expected ${eks ? "an AWS region such as us-east-1" : "an Azure location such as eastus2"}, got "${flags.region}"`);
    if (eks) {
        if (!flags.awsDomain) problems.push("--aws-domain: an eks run needs the team's domain (the ALB and CloudFront serve hosts under it)");
        else if (!/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$/.test(flags.awsDomain)) problems.push(`--aws-domain: expected a lowercase DNS domain, got "${flags.awsDomain}"`);
        const alb = flags.awsCertificateArn ? CERTIFICATE_ARN.exec(flags.awsCertificateArn) : null;
        if (!flags.awsCertificateArn) problems.push("--aws-certificate-arn: an eks run needs an ACM certificate for *.<domain> in --region");
        else if (!alb) problems.push(`--aws-certificate-arn: expected an ACM certificate ARN, got "${flags.awsCertificateArn}"`);
        else if (alb[1] !== flags.region) problems.push(`--aws-certificate-arn: the ALB's certificate must be in ${flags.region}, not ${alb[1]}`);
        const cloudFront = CERTIFICATE_ARN.exec(flags.awsCloudfrontCertificateArn ?? flags.awsCertificateArn ?? "");
        // CloudFront takes certificates from us-east-1 only (CloudFront Developer Guide, "Requirements for using SSL/TLS certificates").
        if (alb && cloudFront && cloudFront[1] !== "us-east-1") problems.push("--aws-cloudfront-certificate-arn: CloudFront needs a certificate in us-east-1 (pass one when --region is not us-east-1)");
        if (flags.awsReplicaRegion && !AWS_REGION.test(flags.awsReplicaRegion)) problems.push(`--aws-replica-region: expected an AWS region, got "${flags.awsReplicaRegion}"`);
    } else {
        for (const flag of ["awsDomain", "awsCertificateArn", "awsCloudfrontCertificateArn", "awsReplicaRegion", "awsAdminRoleArn"] as const) {
            if (flags[flag]) problems.push(`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: only for --platform eks`);
        }
        // The stack's registry is made by the run (a random name): its images are built into it after the registry step.
        if (flags.images) problems.push("--images: only for --platform eks (an Azure run builds into the registry it creates)");
    }
    return problems;
}

function readImages(file: string): PinnedImages {
    let parsed: { images?: unknown };
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw usage(`--images: cannot read ${file}: ${(err as Error).message}`);
    }
    const images = parsed.images as Record<string, unknown> | undefined;
    if (!images || typeof images !== "object" || Object.values(images).some((v) => typeof v !== "string" || !/@sha256:[a-f0-9]{64}$/.test(v))) {
        throw usage(`--images: ${file} has no {"images": {"api": "<repository>@sha256:...", ...}} (write it with \`e2e images --out\`)`);
    }
    return images as PinnedImages;
}

/** Ctrl-C: the first cancels the run's steps (the cleanup still runs), the second the cleanup too. */
function interrupts(say: (line: string) => void): { run: AbortController; cleanup: AbortController; dispose(): void } {
    const run = new AbortController();
    const cleanup = new AbortController();
    const onSignal = () => {
        if (!run.signal.aborted) {
            say("e2e: interrupted: stopping the current step; the cleanup destroys the stack (Ctrl-C again to abandon the cleanup)");
            run.abort();
        } else if (!cleanup.signal.aborted) {
            say("e2e: interrupted again: abandoning the cleanup; the janitor destroys the stack once it expires");
            cleanup.abort();
        }
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    return { run, cleanup, dispose: () => { process.off("SIGINT", onSignal); process.off("SIGTERM", onSignal); } };
}

export async function e2eRunCommand(io: CliIo, flags: RunFlags): Promise<number> {
    const problems = runFlagProblems(flags);
    if (problems.length > 0) throw usage(`e2e run:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    const images = flags.images ? readImages(flags.images) : undefined;
    if (!io.runner) automation().requirePulumiCli(process.env, flags.platform === "eks" ? "aws" : "azure");
    const projectDir = io.projectDir ?? PROJECT_DIR;
    const say = flags.json ? io.err : io.out;
    const signals = interrupts(say);
    const { runE2e } = require("./run") as typeof import("./run");
    let report: E2eReport;
    try {
        report = await runE2e({
            platform: flags.platform, region: flags.region, ttlHours: flags.ttlHours, projectDir,
            runner: io.runner, processes: io.processes, secretsProvider: flags.secretsProvider, images,
            checkoutDir: flags.checkoutDir && path.resolve(flags.checkoutDir),
            aws: flags.platform === "eks" ? {
                domain: flags.awsDomain!, albCertificateArn: flags.awsCertificateArn!, cloudFrontCertificateArn: flags.awsCloudfrontCertificateArn,
                replicaRegion: flags.awsReplicaRegion, adminRoleArn: flags.awsAdminRoleArn,
            } : undefined,
            healthTimeoutSeconds: flags.healthTimeout, smokeProfile: flags.smokeProfile, relayImage: flags.relayImage, runId: flags.runId,
            publicAddress: io.publicAddress,
            onProgress: say, signal: signals.run.signal, cleanupSignal: signals.cleanup.signal,
        });
    } finally {
        signals.dispose();
    }
    const file = path.resolve(projectDir, flags.report ?? `out/e2e/report-${flags.platform}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    if (flags.json) io.out(JSON.stringify(report, null, 2));
    say("");
    say(report.ok
        ? `e2e ${report.platform}: every step passed; ${report.stack} destroyed. Report: ${file}`
        : `e2e ${report.platform}: FAILED${report.failure ? ` at ${report.failure.step}: ${report.failure.error.split("\n")[0]}` : ""}`
            + `${report.cleanup.ok ? "" : `; cleanup: ${report.cleanup.errors.join("; ")}`}. Report: ${file}`);
    if (report.ok) return EXIT.ok;
    return signals.run.signal.aborted ? EXIT.interrupted : EXIT.e2eFailed;
}

export interface JanitorFlags {
    dryRun?: boolean;
    yes?: boolean;
    stack?: string;
    confirm?: string;
    now?: string;
    json?: boolean;
}

export async function e2eJanitorCommand(io: CliIo, flags: JanitorFlags): Promise<number> {
    if (flags.dryRun && flags.yes) throw usage("e2e janitor: pass --dry-run or --yes, not both");
    const now = flags.now === undefined ? new Date() : new Date(flags.now);
    if (Number.isNaN(now.getTime())) throw usage(`--now: expected an ISO time such as 2026-12-08T15:30:00Z, got "${flags.now}"`);
    if (flags.stack !== undefined && !parseE2eStackName(flags.stack)) {
        throw usage(`--stack: "${flags.stack}" is not an e2e stack (e2e-<platform>-<suffix>-exp<yyyymmdd>t<hhmm>z); the janitor touches nothing else`);
    }
    // The production guard's style: destroying a named stack, perhaps a run in progress, needs its name typed again.
    if (flags.stack !== undefined && flags.yes && flags.confirm !== flags.stack && flags.confirm !== flags.stack.split("/").pop()) {
        throw new CliExit(EXIT.refused, `Refusing to destroy ${flags.stack} before its expiry without --confirm ${flags.stack.split("/").pop()}: a run may still be using it.`);
    }
    if (!io.runner) automation().requirePulumiCli();
    const { runJanitor } = require("./janitor") as typeof import("./janitor");
    const say = flags.json ? io.err : io.out;
    const result = await runJanitor({
        projectDir: io.projectDir, runner: io.runner, processes: io.processes, now, destroy: Boolean(flags.yes), only: flags.stack, onProgress: say,
    });
    const exitCode = result.failed.length > 0 ? EXIT.failed : EXIT.ok;
    if (flags.json) {
        io.out(JSON.stringify({ dryRun: !flags.yes, now: now.toISOString(), ...result, exitCode }, null, 2));
        return exitCode;
    }
    const action = (stack: string, selected: boolean) => {
        if (!selected) return "kept";
        if (!flags.yes) return "would destroy";
        return result.destroyed.includes(stack) ? "destroyed" : "FAILED";
    };
    if (result.candidates.length === 0) say("No e2e stacks in this project's backend.");
    for (const c of result.candidates) say(`${action(c.stack, c.selected).padEnd(14)} ${c.stack}  (${c.platform}, expiry ${c.expiresAt}, ${c.reason})`);
    for (const f of result.failed) io.err(`${f.stack}: ${f.error}`);
    const selected = result.candidates.filter((c) => c.selected).length;
    if (!flags.yes && selected > 0) say(`Dry run: ${selected} stack(s) would be destroyed. Run again with --yes to destroy them.`);
    return exitCode;
}

export interface ImagesFlags {
    registry: string;
    arch?: "x64" | "arm64";
    checkoutDir?: string;
    tag?: string;
    print?: boolean;
    out?: string;
}

/**
 * The registry a login server names: ACR `<name>.azurecr.io`, or an eks stack's ECR namespace
 * `<account>.dkr.ecr.<region>.amazonaws.com/<namePrefix>-<environment>` (the stack's repositories live under it).
 */
export function registryOf(loginServer: string): ImageRegistry {
    const acr = /^([a-z0-9]{5,50})\.azurecr\.io$/.exec(loginServer);
    if (acr) return { cloud: "azure", name: acr[1], loginServer };
    const ecr = /^(\d{12}\.dkr\.ecr\.([a-z]{2}(-gov)?-[a-z]+-\d)\.amazonaws\.com)\/([a-z0-9]+(?:[._-][a-z0-9]+)*)$/.exec(loginServer);
    if (ecr) return { cloud: "aws", region: ecr[2], loginServer: ecr[1], namespace: ecr[4] };
    throw usage(`--registry: expected <name>.azurecr.io or <account>.dkr.ecr.<region>.amazonaws.com/<namePrefix>-<environment> (the stack's ECR namespace), got "${loginServer}"`);
}

export async function e2eImagesCommand(io: CliIo, flags: ImagesFlags): Promise<number> {
    const registry = registryOf(flags.registry);
    const projectDir = io.projectDir ?? PROJECT_DIR;
    const steps = imageSteps({
        registry,
        architecture: flags.arch ?? (registry.cloud === "aws" ? "arm64" : "x64"),
        checkoutDir: path.resolve(projectDir, flags.checkoutDir ?? "out/e2e/bookstore-src"),
        tag: flags.tag,
    });
    if (flags.print) {
        for (const line of imageScript(steps)) io.out(line);
        return EXIT.ok;
    }
    const { localProcesses } = require("../automation/processes") as typeof import("../automation/processes");
    let images: PinnedImages;
    try {
        images = await buildImages(steps, io.processes ?? localProcesses, io.out);
    } catch (err) {
        if (err instanceof ImageBuildError) throw new CliExit(EXIT.failed, `e2e images: ${err.message}`);
        throw err;
    }
    const pullFrom = registry.cloud === "aws" ? `${registry.loginServer}/${registry.namespace}` : registry.loginServer;
    for (const [service, image] of Object.entries(images)) io.out(`${service}: ${pullFrom}/${image}`);
    if (flags.out) {
        fs.mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true });
        fs.writeFileSync(flags.out, `${JSON.stringify({ registry: pullFrom, images }, null, 2)}\n`);
    }
    return EXIT.ok;
}

export interface DurationsFlags {
    report: string[];
    table?: string;
    write?: boolean;
}

export async function e2eDurationsCommand(io: CliIo, flags: DurationsFlags): Promise<number> {
    const tableFile = flags.table ?? DURATIONS_FILE;
    let table = readDurationTable(tableFile);
    const changes: MergeChange[] = [];
    for (const file of flags.report) {
        let report: E2eReport;
        try {
            report = JSON.parse(fs.readFileSync(file, "utf8"));
        } catch (err) {
            throw usage(`--report: cannot read ${file}: ${(err as Error).message}`);
        }
        if (report.kind !== "bookstore-e2e-report" || !Array.isArray(report.types)) throw usage(`--report: ${file} is not an e2e report`);
        // Only a deployment that finished measures it: a failed first `up` has partial, misleading durations.
        if (!report.steps.some((s) => s.name === "up" && s.status === "passed")) throw usage(`--report: ${file}: its first up did not finish, so its durations measure nothing whole`);
        const merged = mergeDurations(table, report.types, { date: (report.finishedAt ?? report.startedAt).slice(0, 10), region: report.region, platform: report.platform });
        table = merged.table;
        changes.push(...merged.changes);
    }
    for (const change of changes) {
        const before = change.before ? `${change.before.seconds} s (${change.before.basis.slice(0, 60)}${change.before.basis.length > 60 ? "…" : ""})` : "not listed";
        io.out(`${change.type}${change.variant ? ` [${change.variant}]` : ""}: ${before} -> ${change.after} s measured`);
    }
    if (changes.length === 0) io.out("No measured create durations in the report(s).");
    if (flags.write) {
        fs.writeFileSync(tableFile, formatDurationTable(table));
        io.out(`Wrote ${path.relative(process.cwd(), tableFile) || tableFile}.`);
    } else if (changes.length > 0) {
        io.out("Run again with --write to write them into the table.");
    }
    return EXIT.ok;
}
