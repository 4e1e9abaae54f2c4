/**
 * `bookstore-infra`: the platform team's command line over the Pulumi Automation API.
 *   plan                          offline plan (no Pulumi CLI, no cloud account)
 *   preview | up | destroy | refresh | outputs   the real engine, through tools/automation
 *   scale                         database scale-up: replicas first, then the primary
 *   bootstrap                     first deployment: platform and registry, images, then the rest
 *   doctor                        database health checks against live servers
 *   loadtest                      the seed's load test against a stack, with a verdict (tools/loadtest)
 *   failover                      switch the database's writer role over to its partner, then doctor
 *   diff | cost | prices refresh  pull-request review: plan diff, monthly cost, price table (tools/review)
 * Exit codes (EXIT below) are stable so CI can branch on them.
 */
import * as fs from "fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import type { ConfigMap, OutputMap } from "@pulumi/pulumi/automation";
import type { CommandRunner, Operation, OperationLog, OperationResult } from "./automation";
import { PROJECT_DIR } from "./paths";
import type { AzRunner } from "./automation/az";
import type { PlanOptions } from "./plan";
import { addPlanOptions, PROGRAM_VERSION } from "./planOptions";
import type { LoadTestFlags } from "./loadtest";
import { registerReviewCommands } from "./review/cli";
import type { SslMode } from "./doctor";
import { DoctorInputError } from "./doctor/targets";

// Loaded when a command needs them, so `--help` and usage errors don't pay for the Automation API
// (and the npm tooling it pulls in) or the PostgreSQL client. require, not import(): see plan().
const automation = () => require("./automation") as typeof import("./automation");
const bootstrap = () => require("./automation/bootstrap") as typeof import("./automation/bootstrap");
const doctor = () => require("./doctor") as typeof import("./doctor");
const failover = () => require("./automation/failover") as typeof import("./automation/failover");
const azCli = () => require("./automation/az") as typeof import("./automation/az");
// The stack file's and stack config's error types: their modules load the Pulumi SDK (which `--help`
// must not pay for), and whatever threw one of them has loaded it already.
const isConfigError = (err: unknown): err is Error =>
    err instanceof (require("../stacks/config") as typeof import("../stacks/config")).ConfigError ||
    err instanceof (require("./offline/stackFile") as typeof import("./offline/stackFile")).StackFileError;
const databaseServers = () => require("../components/azure/databaseServers") as typeof import("../components/azure/databaseServers");

/** 0-3 mean what they mean for the offline plan (tools/plan.ts), which `plan` passes through. */
export const EXIT = {
    ok: 0,
    /** The engine or CLI reported an error (or the plan's program failed). */
    failed: 1,
    /** Bad arguments, unknown command, invalid config or stack file. */
    usage: 2,
    /** A mandatory policy of the policy pack was violated. */
    policyViolation: 3,
    /** The Pulumi CLI isn't installed. */
    cliMissing: 4,
    /** Refused by the production guard (or destroy without --yes). */
    refused: 5,
    /** doctor: a check broke its threshold or a server was unreachable. */
    unhealthy: 6,
    /** loadtest: the run missed a threshold (p95 latency or failed requests). */
    loadTestFailed: 7,
} as const;

export interface CliIo {
    out(line: string): void;
    err(line: string): void;
    /** Stands in for the Pulumi CLI (tests); default: the installed one. */
    runner?: CommandRunner;
    /** Stands in for the Azure CLI (tests); default: the installed `az`. */
    az?: AzRunner;
    projectDir?: string;
}

const consoleIo: CliIo = { out: (line) => console.log(line), err: (line) => console.error(line) };

class CliExit extends Error {
    /** `detail`: what the JSON error document says when the message was printed already. */
    constructor(readonly code: number, message?: string, readonly detail?: string) {
        super(message);
    }
}

function collect(value: string, previous: string[] = []): string[] {
    return [...previous, value];
}

function positiveNumber(value: string): number {
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
    return number;
}

function parseConfigPairs(pairs: string[]): ConfigMap {
    const config: ConfigMap = {};
    for (const pair of pairs) {
        const separator = pair.indexOf("=");
        if (separator <= 0) throw new CliExit(EXIT.usage, `--config: expected key=value, got "${pair}"`);
        config[pair.slice(0, separator)] = { value: pair.slice(separator + 1), secret: false };
    }
    return config;
}

interface StackFlags {
    stack: string;
    json?: boolean;
}
interface ChangeFlags extends StackFlags {
    config?: string[];
    configPath?: boolean;
}
interface PolicyFlags extends ChangeFlags {
    policyPack: string[] | false;
    policyPackConfig?: string[];
}
interface GuardFlags {
    yes?: boolean;
    confirm?: string;
}

function maskOutputs(outputs: OutputMap | undefined, showSecrets: boolean): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs ?? {}).map(([key, { value, secret }]) => [key, secret && !showSecrets ? "[secret]" : value]));
}

class Cli {
    constructor(private readonly io: CliIo) {}

    private get projectDir(): string {
        return this.io.projectDir ?? PROJECT_DIR;
    }

    /** Argument errors are reported before the Pulumi CLI is looked for. */
    private checkConfigPairs(flags: ChangeFlags): void {
        if (flags.config) parseConfigPairs(flags.config);
    }

    /** Cloud commands stop before printing anything when there is no CLI to run them. */
    private requireCli(): void {
        if (!this.io.runner) automation().requirePulumiCli();
    }

    /** Progress goes to stdout, or to stderr when stdout carries the JSON document. */
    private progress(json?: boolean): (line: string) => void {
        return json ? (line) => this.io.err(line) : (line) => this.io.out(`  ${line}`);
    }

    private report(operation: Operation, stack: string, json: boolean | undefined, result: OperationLog & Partial<OperationResult>, exitCode: number, error?: string, showSecrets = false): number {
        const dryRun = operation === "preview";
        if (json) {
            this.io.out(
                JSON.stringify(
                    {
                        command: operation,
                        stack,
                        ok: exitCode === EXIT.ok,
                        exitCode,
                        changeSummary: result.changeSummary ?? {},
                        steps: result.steps,
                        failedSteps: result.failedSteps,
                        protectedReplacements: result.protectedReplacements ?? [],
                        policyViolations: result.policyViolations,
                        diagnostics: result.diagnostics,
                        ...(result.outputs ? { outputs: maskOutputs(result.outputs, showSecrets) } : {}),
                        ...(error ? { error } : {}),
                    },
                    null,
                    2,
                ),
            );
            return exitCode;
        }
        const label = { preview: "Preview", up: "Update", destroy: "Destroy", refresh: "Refresh" }[operation];
        this.io.out("");
        this.io.out(`${label} of ${stack}: ${automation().formatChangeSummary(result.changeSummary, dryRun)}${result.durationSeconds ? ` (${result.durationSeconds} s)` : ""}`);
        const violations = result.policyViolations;
        if (violations.length > 0) {
            this.io.out(`Policy: ${automation().mandatoryViolations(result).length} mandatory, ${violations.length - automation().mandatoryViolations(result).length} advisory violation(s)`);
        }
        if (result.failedSteps.length > 0) this.io.out(`Failed: ${result.failedSteps.map((step) => step.name).join(", ")}`);
        if (error) this.io.err(error);
        return exitCode;
    }

    /** Runs a cloud operation and turns every outcome into an exit code. */
    private async operate(operation: Operation, flags: StackFlags, body: () => Promise<OperationResult>): Promise<number> {
        try {
            const result = await body();
            return this.report(operation, flags.stack, flags.json, result, EXIT.ok);
        } catch (err) {
            if (err instanceof automation().OperationFailedError) {
                const code = automation().mandatoryViolations(err.log).length > 0 ? EXIT.policyViolation : EXIT.failed;
                return this.report(operation, flags.stack, flags.json, err.log, code, err.message);
            }
            // With --json, CI reads stdout: a refusal is a document too, listing what would have been replaced.
            if (err instanceof automation().ProductionGuardError && flags.json) {
                const log: OperationLog = { steps: [], failedSteps: [], policyViolations: [], diagnostics: [], cancelled: false };
                return this.report(operation, flags.stack, true, { ...log, protectedReplacements: err.replacements }, EXIT.refused, err.message);
            }
            throw err;
        }
    }

    private changeOptions(flags: ChangeFlags) {
        return {
            stack: flags.stack,
            projectDir: this.projectDir,
            runner: this.io.runner,
            config: flags.config ? parseConfigPairs(flags.config) : undefined,
            configPath: flags.configPath,
            onProgress: this.progress(flags.json),
        };
    }

    private policyOptions(flags: PolicyFlags) {
        return { policyPacks: flags.policyPack === false ? [] : flags.policyPack, policyPackConfigs: flags.policyPackConfig };
    }

    preview(flags: PolicyFlags): Promise<number> {
        this.checkConfigPairs(flags);
        this.requireCli();
        if (!flags.json) this.io.out(`Previewing ${flags.stack}${this.packNote(flags)}`);
        return this.operate("preview", flags, () => automation().previewStack({ ...this.changeOptions(flags), ...this.policyOptions(flags) }));
    }

    up(flags: PolicyFlags & GuardFlags): Promise<number> {
        this.checkConfigPairs(flags);
        this.requireCli();
        if (!flags.json) this.io.out(`Updating ${flags.stack}${this.packNote(flags)}`);
        return this.operate("up", flags, () =>
            automation().deployStack({ ...this.changeOptions(flags), ...this.policyOptions(flags), confirm: flags.yes ? flags.confirm : undefined }),
        );
    }

    /** First deployment (tools/automation/bootstrap.ts); the report is the last step's, the whole stack's `up`. */
    async bootstrap(flags: PolicyFlags & GuardFlags): Promise<number> {
        this.requireCli();
        if (!flags.json) this.io.out(`Bootstrapping ${flags.stack}${this.packNote(flags)}`);
        try {
            return await this.operate("up", flags, async () => (await bootstrap().bootstrapStack({
                ...this.changeOptions(flags), ...this.policyOptions(flags), az: this.io.az, confirm: flags.yes ? flags.confirm : undefined,
            })).stack);
        } catch (err) {
            if (isConfigError(err)) throw new CliExit(EXIT.usage, err.message);
            if (err instanceof bootstrap().MissingImagesError || err instanceof bootstrap().AzCliUnavailableError) throw new CliExit(EXIT.failed, err.message);
            throw err;
        }
    }

    /** A database scale-up in Azure's order: replicas first (targeted update), then the primary. */
    scale(flags: PolicyFlags & GuardFlags): Promise<number> {
        this.requireCli();
        if (!flags.json) this.io.out(`Scaling ${flags.stack}: replicas first, then the primary${this.packNote(flags)}`);
        return this.operate("up", flags, async () => {
            const results = await automation().scaleStack({ ...this.changeOptions(flags), ...this.policyOptions(flags), confirm: flags.yes ? flags.confirm : undefined });
            return results[results.length - 1];
        });
    }

    destroy(flags: StackFlags & GuardFlags): Promise<number> {
        // The guard needs no cloud: it answers before the Pulumi CLI is looked for.
        if (!flags.yes) {
            throw new CliExit(EXIT.refused, `Refusing to destroy "${flags.stack}" without --yes (production stacks also need --confirm <stack>).`);
        }
        if (automation().isProductionStack(flags.stack, this.projectDir) && !automation().isConfirmed(flags.stack, flags)) throw automation().refuseDestroy(flags.stack);
        this.requireCli();
        if (!flags.json) this.io.out(`Destroying ${flags.stack}`);
        return this.operate("destroy", flags, () => automation().destroyStack({ ...this.changeOptions(flags), confirm: flags.confirm }));
    }

    refresh(flags: StackFlags): Promise<number> {
        this.requireCli();
        if (!flags.json) this.io.out(`Refreshing ${flags.stack}`);
        return this.operate("refresh", flags, () => automation().refreshStack(this.changeOptions(flags)));
    }

    async outputs(flags: StackFlags & { showSecrets?: boolean }): Promise<number> {
        this.requireCli();
        const outputs = maskOutputs(await automation().stackOutputs({ stack: flags.stack, projectDir: this.projectDir, runner: this.io.runner }), Boolean(flags.showSecrets));
        if (flags.json) {
            this.io.out(JSON.stringify(outputs, null, 2));
        } else {
            for (const [key, value] of Object.entries(outputs)) this.io.out(`${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
        }
        return EXIT.ok;
    }

    async plan(flags: Omit<PlanOptions, "json"> & { json?: string | boolean }): Promise<number> {
        // Loaded on demand: it pulls in the Pulumi SDK's mock runtime, which the cloud commands never need.
        // require, not import(): the bin's CommonJS loader resolves extensionless .ts paths only through require.
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        // From its prebuilt bundle, with the plan's process settings, as `npm run plan` runs it.
        // Paths from PROJECT_DIR: the CLI runs from its own bundle (.build/cli.js), which must not inline these.
        require(`${PROJECT_DIR}/tools/bin/runtime.js`).prepareRuntime();
        const { plan } = require(require(`${PROJECT_DIR}/tools/bin/build.js`).ensureBuilt("plan")) as typeof import("./plan");
        const toStdout = flags.json === true;
        const errors: string[] = [];
        const result = await plan(
            { ...flags, json: typeof flags.json === "string" ? flags.json : undefined, quiet: flags.quiet || toStdout },
            (line) => this.io.out(line),
            (line) => {
                errors.push(line);
                this.io.err(line);
            },
        );
        if (toStdout && result.document) this.io.out(JSON.stringify(result.document, null, 2));
        else if (toStdout) throw new CliExit(result.exitCode, undefined, errors.join("\n"));
        return result.exitCode;
    }

    async doctor(flags: {
        stack?: string;
        outputsFile?: string;
        primary?: string;
        replica?: string[];
        maxLag: number;
        maxConnections: number;
        maxQuerySeconds: number;
        maxDeadRatio: number;
        sslmode?: string;
        timeout: number;
        json?: boolean;
    }): Promise<number> {
        const sources = [flags.stack, flags.outputsFile, flags.primary ?? flags.replica].filter((source) => source !== undefined);
        if (sources.length !== 1) {
            throw new DoctorInputError("pass exactly one of --stack <name>, --outputs-file <file>, or --primary <url> [--replica <url> ...]");
        }
        const sslMode: SslMode | undefined = flags.sslmode ? doctor().parseSslMode(flags.sslmode) : undefined;
        let targets;
        if (flags.stack) {
            targets = doctor().targetsFromOutputs(doctor().plainOutputs(await automation().stackOutputs({ stack: flags.stack, projectDir: this.projectDir, runner: this.io.runner })), sslMode);
        } else if (flags.outputsFile) {
            targets = doctor().targetsFromOutputs(doctor().plainOutputs(readJsonFile(flags.outputsFile)), sslMode);
        } else {
            targets = doctor().targetsFromUrls(flags.primary, flags.replica ?? [], sslMode);
        }
        const report = await doctor().runDoctor(targets, {
            thresholds: {
                maxLagSeconds: flags.maxLag,
                maxConnectionsPercent: flags.maxConnections,
                maxQuerySeconds: flags.maxQuerySeconds,
                maxDeadTuplePercent: flags.maxDeadRatio,
            },
            timeoutSeconds: flags.timeout,
        });
        const exitCode = report.healthy ? EXIT.ok : EXIT.unhealthy;
        if (flags.json) {
            this.io.out(JSON.stringify({ healthy: report.healthy, exitCode, thresholds: report.thresholds, checks: report.rows }, null, 2));
        } else {
            for (const line of doctor().renderReport(report.rows)) this.io.out(line);
            const failed = report.rows.filter((row) => row.status === "fail").length;
            this.io.out("");
            this.io.out(report.healthy ? "Healthy: every check within its threshold." : `Unhealthy: ${failed} check(s) failed.`);
        }
        return exitCode;
    }

    async loadtest(flags: LoadTestFlags): Promise<number> {
        // Loaded on demand, like plan: autocannon is needed by this command only.
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const loadtest = require("./loadtest") as typeof import("./loadtest");
        try {
            const passed = await loadtest.loadTestCommand(flags, {
                out: (line) => this.io.out(line),
                az: this.io.az,
                stackOutputs: async (stack) => {
                    this.requireCli();
                    return doctor().plainOutputs(await automation().stackOutputs({ stack, projectDir: this.projectDir, runner: this.io.runner }));
                },
            });
            return passed ? EXIT.ok : EXIT.loadTestFailed;
        } catch (err) {
            if (err instanceof loadtest.LoadTestInputError) throw new CliExit(EXIT.usage, `loadtest: ${err.message}`);
            if (err instanceof loadtest.AzCommandError) throw new CliExit(EXIT.failed, `loadtest: ${err.message}`);
            throw err;
        }
    }

    /** `az` switchover to the failover partner, the new roles recorded in the stack file, then doctor on the new topology. */
    async failover(flags: StackFlags & GuardFlags & { to: string; planned?: boolean; forced?: boolean; timeout: number }): Promise<number> {
        if (flags.planned && flags.forced) throw new CliExit(EXIT.usage, "failover: pass one of --planned, --forced");
        const option = flags.forced ? "forced" : "planned";
        // The guard needs no cloud: it answers before the Pulumi CLI is looked for.
        failover().guardFailover(flags.stack, this.projectDir, flags.yes ? { confirm: flags.confirm } : {});
        this.requireCli();
        const outputs = doctor().plainOutputs(await automation().stackOutputs({ stack: flags.stack, projectDir: this.projectDir, runner: this.io.runner }));
        let decision;
        try {
            decision = await failover().failoverStack({
                stack: flags.stack, projectDir: this.projectDir, to: flags.to, option, outputs,
                az: this.io.az ?? azCli().installedAz, confirm: flags.confirm, onProgress: this.progress(flags.json),
            });
        } catch (err) {
            if (err instanceof failover().FailoverInputError || isConfigError(err)) throw new CliExit(EXIT.usage, `failover: ${err.message}`);
            if (err instanceof failover().FailoverFailedError) throw new CliExit(EXIT.failed, `failover: ${err.message}`);
            throw err;
        }
        const servers = outputs.databaseServerNames as string[];
        const report = await doctor().runDoctor(doctor().targetsFromOutputs({
            ...outputs,
            databaseWriteHost: databaseServers().serverFqdn(decision.server),
            databaseReadHosts: servers.filter((name) => name !== decision.server).map((name) => databaseServers().serverFqdn(name)),
        }), { timeoutSeconds: flags.timeout });
        const exitCode = report.healthy ? EXIT.ok : EXIT.unhealthy;
        const steps = failover().nextSteps(flags.stack, option, decision);
        if (flags.json) {
            this.io.out(JSON.stringify({ promoted: decision.server, option, healthy: report.healthy, exitCode, checks: report.rows, next: steps }, null, 2));
        } else {
            this.io.out(`${decision.server} is the primary. doctor on the new topology:`);
            for (const line of doctor().renderReport(report.rows)) this.io.out(line);
            this.io.out("");
            this.io.out("Next:");
            for (const step of steps) this.io.out(`  - ${step}`);
        }
        return exitCode;
    }

    private packNote(flags: PolicyFlags): string {
        return flags.policyPack === false || flags.policyPack.length === 0 ? " (no policy pack)" : ` (policy pack: ${flags.policyPack.join(", ")})`;
    }
}

function readJsonFile(file: string): Record<string, unknown> {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new DoctorInputError(`--outputs-file: cannot read ${file}: ${(err as Error).message}`);
    }
}

function buildProgram(cli: Cli, io: CliIo, setExit: (code: number) => void): Command {
    const program = new Command()
        .name("bookstore-infra")
        .description("Preview, deploy and examine the BookStore platform's stacks (Pulumi Automation API)")
        .version(PROGRAM_VERSION)
        .showHelpAfterError()
        .exitOverride()
        .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) });

    const stackOption = () => new Option("-s, --stack <name>", "stack name (e.g. dev, prod, or org/bookstore/prod)").makeOptionMandatory();
    const jsonOption = () => new Option("--json", "print one JSON document on stdout (progress goes to stderr)");
    const withChangeOptions = (command: Command) =>
        command
            .addOption(stackOption())
            .option("-c, --config <key=value>", "set stack config before running (repeatable; bare keys are bookstore:)", collect)
            .option("--config-path", "treat config keys as paths (app.services.api.minReplicas)")
            .addOption(jsonOption());
    const withPolicyOptions = (command: Command) =>
        command
            .option("--policy-pack <dir>", "policy pack directory, relative to the project (repeatable)", collect)
            .option("--no-policy-pack", "run without the policy pack")
            .option("--policy-pack-config <file>", "policy pack config file (repeatable)", collect);
    const action = <T>(handler: (flags: T) => Promise<number>) => async (flags: T) => setExit(await handler(flags));
    // commander sets a repeatable option with a default to [default, ...given]; default it here instead.
    const withDefaultPack = <T extends PolicyFlags>(flags: T): T => ({ ...flags, policyPack: flags.policyPack === undefined ? ["policy"] : flags.policyPack });

    addPlanOptions(program
        .command("plan")
        .description("offline plan: the program under the SDK's mock monitor; no Pulumi CLI, no cloud account"))
        .option("--json [file]", "write the plan as JSON to a file, or to stdout without one")
        .action(action((flags) => cli.plan(flags as Parameters<Cli["plan"]>[0])));

    withPolicyOptions(withChangeOptions(program.command("preview").description("what would change, checked by the policy pack")))
        .action(action((flags: PolicyFlags) => cli.preview(withDefaultPack(flags))));

    withPolicyOptions(withChangeOptions(program.command("up").alias("deploy").description("deploy the stack (policy pack on); prod: replacing protected resources needs --yes --confirm <stack>")))
        .option("-y, --yes", "confirm a guarded operation")
        .option("--confirm <stack>", "type the stack name again to confirm a guarded operation on production")
        .action(action((flags: PolicyFlags & GuardFlags) => cli.up(withDefaultPack(flags))));

    withPolicyOptions(withChangeOptions(program.command("scale")
        .description("database scale-up in Azure's order: the replicas first, then the primary (scale-downs: plain `up`)")))
        .option("-y, --yes", "confirm a guarded operation")
        .option("--confirm <stack>", "type the stack name again to confirm a guarded operation on production")
        .action(action((flags: PolicyFlags & GuardFlags) => cli.scale(withDefaultPack(flags))));

    withPolicyOptions(withChangeOptions(program.command("bootstrap")
        .description("first deployment: platform and registry (up --target), registry.imports via az acr import, an image check, then up")))
        .option("-y, --yes", "confirm a guarded operation")
        .option("--confirm <stack>", "type the stack name again to confirm a guarded operation on production")
        .action(action((flags: PolicyFlags & GuardFlags) => cli.bootstrap(withDefaultPack(flags))));

    program
        .command("destroy")
        .description("delete every resource of the stack; needs --yes, and on prod --confirm <stack>")
        .addOption(stackOption())
        .option("-y, --yes", "confirm the destroy")
        .option("--confirm <stack>", "type the stack name again (required on production)")
        .addOption(jsonOption())
        .action(action((flags: StackFlags & GuardFlags) => cli.destroy(flags)));

    program
        .command("refresh")
        .description("adopt the cloud's actual state into the stack")
        .addOption(stackOption())
        .addOption(jsonOption())
        .action(action((flags: StackFlags) => cli.refresh(flags)));

    program
        .command("outputs")
        .description("print the stack's outputs (secrets masked unless --show-secrets)")
        .addOption(stackOption())
        .option("--show-secrets", "print secret outputs in plain text")
        .addOption(jsonOption())
        .action(action((flags: StackFlags & { showSecrets?: boolean }) => cli.outputs(flags)));

    program
        .command("doctor")
        .description("database health: replication lag, pg_stat_replication, connections, long-running queries, dead tuples")
        .option("-s, --stack <name>", "read servers and credentials from the stack's outputs")
        .option("--outputs-file <file>", "read them from `pulumi stack output --json --show-secrets` saved to a file")
        .option("--primary <url>", "primary server, postgres://user:password@host:port/database")
        .option("--replica <url>", "read replica (repeatable)", collect)
        .option("--max-lag <seconds>", "replication lag threshold", positiveNumber, 60)
        .option("--max-connections <percent>", "connections as % of max_connections", positiveNumber, 80)
        .option("--max-query-seconds <seconds>", "age of the oldest active query", positiveNumber, 300)
        .option("--max-dead-ratio <percent>", "dead tuples as % of a table's tuples (tables with > 1000 dead)", positiveNumber, 20)
        .option("--sslmode <mode>", "disable | require | verify-full (default for stack outputs: verify-full)")
        .option("--timeout <seconds>", "connect and query timeout", positiveNumber, 10)
        .addOption(jsonOption())
        .action(action((flags) => cli.doctor(flags as Parameters<Cli["doctor"]>[0])));

    program
        .command("loadtest")
        .description("the seed's load test against the stack's public URL; exits 7 when p95 or failed requests miss the thresholds")
        .option("-s, --stack <name>", "target the stack's publicWebUrl output (and, with --engine azure, its Azure Load Testing resource)")
        .option("--url <url>", "target this URL instead of the stack's publicWebUrl")
        .option("--profile <name|file.json>", "seed | smoke (loadtest/profile.json), or a spec file in its format", "seed")
        .addOption(new Option("--engine <engine>", "local (autocannon from this machine) or azure (Azure Load Testing through az)").choices(["local", "azure"]).default("local"))
        .option("--poll-seconds <seconds>", "azure engine: seconds between progress polls", positiveNumber, 20)
        .action(action((flags: LoadTestFlags) => cli.loadtest(flags)));

    program
        .command("failover")
        .description("switch the database's writer role to its failover partner (az switchover), record it in the stack file, then run doctor")
        .addOption(stackOption())
        .requiredOption("--to <server>", "the server to promote: replica-N, primary (failback) or its server name")
        .option("--planned", "wait until the replica has caught up: no data loss (default)")
        .option("--forced", "promote at once, losing what the replica had not replayed (the primary's region is down)")
        .option("-y, --yes", "confirm a guarded operation")
        .option("--confirm <stack>", "type the stack name again (required on production)")
        .option("--timeout <seconds>", "doctor's connect and query timeout", positiveNumber, 10)
        .addOption(jsonOption())
        .action(action((flags) => cli.failover(flags as Parameters<Cli["failover"]>[0])));

    registerReviewCommands(program, { out: io.out, err: io.err, projectDir: io.projectDir ?? PROJECT_DIR }, setExit);

    return program;
}

/**
 * Whether `args` ask for a JSON document on stdout: `--json` on any command but `plan`, where
 * `--json <file>` writes a file and only a bare `--json` means stdout.
 */
export function wantsJsonOnStdout(args: string[]): boolean {
    const at = args.indexOf("--json");
    if (at < 0) return false;
    const command = args.find((arg) => !arg.startsWith("-"));
    if (command !== "plan") return true;
    const next = args[at + 1];
    return next === undefined || next.startsWith("-");
}

/** The document `--json` prints on stdout when a command fails before producing its own. */
function errorDocument(args: string[], exitCode: number, error: string): string {
    const command = args.find((arg) => !arg.startsWith("-")) ?? null;
    return JSON.stringify({ command, ok: false, exitCode, error }, null, 2);
}

/** Runs the CLI on `args` (without node and script); returns the exit code, never throws. */
export async function runCli(args: string[], io: CliIo = consoleIo): Promise<number> {
    let exitCode: number = EXIT.ok;
    // What commander and the handlers print as errors, for the JSON error document.
    const errors: string[] = [];
    const recording: CliIo = { ...io, err: (line) => { errors.push(line); io.err(line); } };
    const program = buildProgram(new Cli(recording), recording, (code) => (exitCode = code));
    const fail = (code: number, message?: string, detail?: string): number => {
        if (message) recording.err(message);
        if (wantsJsonOnStdout(args)) io.out(errorDocument(args, code, detail ?? message ?? errors.join("\n")));
        return code;
    };
    try {
        await program.parseAsync(args, { from: "user" });
        return exitCode;
    } catch (err) {
        if (err instanceof CommanderError) {
            // --help and --version exit 0; everything else commander rejects is a usage error.
            if (err.exitCode === 0) return EXIT.ok;
            return fail(EXIT.usage, undefined, err.message.replace(/^error: /, ""));
        }
        if (err instanceof CliExit) return fail(err.code, err.message || undefined, err.detail);
        if (err instanceof automation().PulumiCliMissingError) return fail(EXIT.cliMissing, err.message);
        if (err instanceof automation().ProductionGuardError) return fail(EXIT.refused, err.message);
        if (err instanceof DoctorInputError) return fail(EXIT.usage, `doctor: ${err.message}`);
        if (err instanceof Error && err.name === "ReviewInputError") return fail(EXIT.usage, err.message);
        return fail(EXIT.failed, `bookstore-infra: ${automation().describeCommandError(err)}`);
    }
}

if (require.main === module) {
    runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
