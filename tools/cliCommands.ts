/** The internal CLI's commands: one method per command, over the Automation API and the tools. */
import type { Operation, OperationLog, OperationResult } from "./automation";
import { PROJECT_DIR } from "./paths";
import type { PlanOptions } from "./offline/types";
import type { LoadTestFlags } from "./loadtest";
import type { SslMode } from "./doctor";
import type { EksStackConfig } from "../stacks/config";
import { DoctorInputError } from "./doctor/targets";
import { EXIT, CliIo, CliExit, parseConfigPairs, StackFlags, ChangeFlags, PolicyFlags, GuardFlags, maskOutputs, readJsonFile, automation, bootstrap, doctor, failover, failoverAws, azCli, isConfigError, databaseServers } from "./cliSupport";

export class Cli {
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
        // Loaded on demand, like plan: only this command needs it.
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
            if (err instanceof loadtest.LoadTestTargetError) throw new CliExit(EXIT.failed, `loadtest: cannot run against the target: ${err.message}`);
            throw err;
        }
    }

    /**
     * Azure: `az` switchover to the failover partner, the new roles recorded in the stack file, then
     * doctor on the new topology. AWS (an eks stack): `aws` promotion of a read replica, recorded.
     */
    async failover(flags: StackFlags & GuardFlags & { to: string; planned?: boolean; forced?: boolean; dryRun?: boolean; timeout: number }): Promise<number> {
        if (flags.planned && flags.forced) throw new CliExit(EXIT.usage, "failover: pass one of --planned, --forced");
        const eks = this.failoverCall(() => failoverAws().eksStackOf(flags.stack, this.projectDir));
        if (eks) return this.failoverAws(flags, eks);
        const option = flags.forced ? "forced" : "planned";
        if (flags.dryRun) {
            this.requireCli();
            const outputs = doctor().plainOutputs(await automation().stackOutputs({ stack: flags.stack, projectDir: this.projectDir, runner: this.io.runner }));
            const plan = this.failoverCall(() => failover().failoverPlan({ stack: flags.stack, projectDir: this.projectDir, to: flags.to, option, outputs }));
            return this.printDryRun(flags, plan.decision.server, plan.steps);
        }
        // The guard needs no cloud: it answers before the Pulumi CLI is looked for.
        failover().guardFailover(flags.stack, this.projectDir, flags.yes ? { confirm: flags.confirm } : {});
        this.requireCli();
        const outputs = doctor().plainOutputs(await automation().stackOutputs({ stack: flags.stack, projectDir: this.projectDir, runner: this.io.runner }));
        const decision = await this.failoverCall(async () => {
            const stack = await automation().openStack({ stack: flags.stack, projectDir: this.projectDir, runner: this.io.runner });
            return failover().failoverStack({
                stack: flags.stack, projectDir: this.projectDir, to: flags.to, option, outputs,
                az: this.io.az ?? azCli().installedAz, confirm: flags.confirm, onProgress: this.progress(flags.json),
                state: { exportStack: () => stack.exportStack(), importStack: (state) => stack.importStack(state) },
            });
        });
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

    /** A failover on an eks stack: promote an RDS read replica (tools/automation/failoverAws.ts), record it, print what follows. */
    private async failoverAws(flags: StackFlags & GuardFlags & { to: string; planned?: boolean; forced?: boolean; dryRun?: boolean }, stack: { project: string; config: EksStackConfig }): Promise<number> {
        // An RDS promotion is always forced in Azure's terms: say so, and have the operator say it too.
        if (flags.planned || (!flags.forced && !flags.dryRun)) {
            throw new CliExit(EXIT.usage, "failover: an RDS promotion is one-way and has no planned mode (writes the replica has not replayed are lost): "
                + "stop writes to the primary if it still runs, wait for ReplicaLag 0, then run again with --forced (docs/runbooks.md)");
        }
        const options = { stack: flags.stack, projectDir: this.projectDir, config: stack.config, to: flags.to };
        if (flags.dryRun) {
            const plan = this.failoverCall(() => failoverAws().awsFailoverPlan(options));
            return this.printDryRun(flags, plan.target.identifier, plan.steps);
        }
        // The guard needs no cloud: it answers before anything runs.
        failover().guardFailover(flags.stack, this.projectDir, flags.yes ? { confirm: flags.confirm } : {});
        const target = await this.failoverCall(() => failoverAws().failoverAwsStack({
            ...options, project: stack.project, aws: this.io.aws ?? azCli().installedAws, confirm: flags.confirm, onProgress: this.progress(flags.json),
        }));
        const steps = failoverAws().awsNextSteps(flags.stack, target);
        if (flags.json) {
            this.io.out(JSON.stringify({ promoted: target.identifier, region: target.region, option: "forced", next: steps }, null, 2));
        } else {
            this.io.out(`${target.identifier} (${target.region}) writes, standalone, with backups.`);
            this.io.out("");
            this.io.out("Next:");
            for (const step of steps) this.io.out(`  - ${step}`);
        }
        return EXIT.ok;
    }

    /** Runs a failover step; its input and cloud errors become usage (2) and failure exits. */
    private failoverCall<T>(body: () => T): T {
        const map = (err: unknown): never => {
            if (err instanceof failover().FailoverInputError || isConfigError(err)) throw new CliExit(EXIT.usage, `failover: ${(err as Error).message}`);
            if (err instanceof failover().FailoverFailedError) throw new CliExit(EXIT.failed, `failover: ${err.message}`);
            throw err;
        };
        try {
            const result = body();
            return (result instanceof Promise ? result.catch(map) : result) as T;
        } catch (err) {
            return map(err);
        }
    }

    /** A dry run: what the failover would run and write; nothing is run. */
    private printDryRun(flags: StackFlags & { to: string }, target: string, steps: string[]): number {
        if (flags.json) {
            this.io.out(JSON.stringify({ dryRun: true, target, steps }, null, 2));
        } else {
            this.io.out(`Dry run of failover of ${flags.stack} to ${target}: nothing is run. It would:`);
            steps.forEach((step, i) => this.io.out(`  ${i + 1}. ${step}`));
        }
        return EXIT.ok;
    }

    private packNote(flags: PolicyFlags): string {
        return flags.policyPack === false || flags.policyPack.length === 0 ? " (no policy pack)" : ` (policy pack: ${flags.policyPack.join(", ")})`;
    }
}
