/**
 * Offline plan: runs the real program (index.ts) under the Pulumi SDK's mock monitor in preview
 * mode, prints what the stack would deploy and writes it as JSON. No Pulumi CLI, no plugins,
 * no cloud credentials. Usage: npm run plan -- --stack prod [--json out.json]
 */
import * as fs from "fs";
import * as path from "path";
import { Command } from "commander";
import type { ProgramRun } from "./offline/capture";
import { criticalPathSummary, modelFirstDeploy, readDurationTable, renderCriticalPath } from "./offline/criticalPath";
import { manifestsDirectoryProblem } from "./offline/manifests";
import { displayValue, renderOutputs, renderStackFacts, renderTree, StackFacts, summarize, wrap, toPlanResources, TREE_LEGEND } from "./offline/render";
import { addPlanOptions, PROGRAM_VERSION } from "./planOptions";
import { readStackFile, stackConfigOf, StackFileConfig, StackFileError, stacksIn } from "./offline/stackFile";
import { resolveDatabase } from "../stacks/schema/database";
import { isEksConfig, ParsedStackConfig, stackConfigFromEntries } from "../stacks/config";
import { resolveAwsReplicas } from "../stacks/schema/aws";
import { PROJECT_DIR } from "./paths";
import { EXIT, PlanDocument, PlanOptions } from "./offline/types";
import { reviewOptionProblems } from "./review/options";
import { costSummary, CostSection } from "./review/cost";

// The plan's document types and exit codes live in ./offline/types (the sections use them too).

export interface PlanResult {
    exitCode: number;
    document?: PlanDocument;
    run?: ProgramRun;
}

function isRunError(err: unknown): err is Error {
    return Boolean(err && typeof err === "object" && (err as { __pulumiRunError?: boolean }).__pulumiRunError);
}

const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
};

/**
 * Wall-clock and CPU milliseconds per phase of the plan, for `npm run bench` (written when
 * BOOKSTORE_PLAN_TIMINGS names a file).
 */
class PhaseTimer {
    private last = { wall: performance.now(), cpu: cpuMs() };
    readonly wall: Record<string, number> = { startup: this.last.wall };
    readonly cpu: Record<string, number> = { startup: this.last.cpu };

    lap(phase: string): void {
        const now = { wall: performance.now(), cpu: cpuMs() };
        this.wall[phase] = now.wall - this.last.wall;
        this.cpu[phase] = now.cpu - this.last.cpu;
        this.last = now;
    }

    write(file: string | undefined): void {
        if (file) fs.writeFileSync(file, JSON.stringify({ wall: this.wall, cpu: this.cpu }));
    }
}

/** The program's own config validation, run on the stack file: its error, or undefined when valid. */
function configProblem(file: StackFileConfig): string | undefined {
    try {
        stackConfigFromEntries(file.config, (key) => file.secretKeys.includes(key));
        return undefined;
    } catch (err) {
        if (isRunError(err)) return err.message;
        throw err;
    }
}

/** The stack file, or a StackFileError naming the stacks there are when there is none. */
function readStack(options: PlanOptions): StackFileConfig {
    const stackFile = options.stackFile ?? path.join(PROJECT_DIR, `Pulumi.${options.stack}.yaml`);
    try {
        return readStackFile(PROJECT_DIR, stackFile);
    } catch (err) {
        if (err instanceof StackFileError && !options.stackFile && !fs.existsSync(stackFile)) {
            throw new StackFileError(`${err.message}. There is no stack "${options.stack}"; the stacks of this project are: ${stacksIn(PROJECT_DIR).join(", ")}`);
        }
        throw err;
    }
}

/** Option problems found without running the program: each would otherwise surface after the full run. */
export function optionProblems(options: PlanOptions): string[] {
    const problems: string[] = [];
    // Loaded here, not at the top: the policy pack is not needed for a stack file's config error.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DEFAULT_POLICY_CONFIG, PolicyConfigError, readPackConfig } = require("./offline/policyConfig") as typeof import("./offline/policyConfig");
    try {
        readPackConfig(path.resolve(options.policyConfig ?? DEFAULT_POLICY_CONFIG));
    } catch (err) {
        if (!(err instanceof PolicyConfigError)) throw err;
        problems.push(`--policy-config: ${err.message}`);
    }
    const manifests = options.manifests === undefined ? undefined : manifestsDirectoryProblem(options.manifests);
    if (manifests) problems.push(manifests);
    problems.push(...reviewOptionProblems(options));
    return problems;
}

/** The clouds a stack's program talks to: its platform's, and Cloudflare's when it fronts the stack. */
export function cloudsOf(config: ParsedStackConfig): string {
    const cloud = isEksConfig(config) ? "AWS" : "Azure";
    return config.cdn === "cloudflare" ? `${cloud} or Cloudflare` : cloud;
}

/** The regions a stack deploys to: the primary's, then every replica's (AWS regions on eks). */
export function regionsOf(config: ParsedStackConfig): string[] {
    const regions = isEksConfig(config)
        ? [config.aws.region, ...resolveAwsReplicas(config.environment, config.aws).map((replica) => replica.region)]
        : [config.location, ...resolveDatabase(config).replicas.map((replica) => replica.location)];
    return [...new Set(regions)];
}

/** The verdicts and shape of the stack, for the lines above the tree. */
function stackFacts(options: PlanOptions, document: PlanDocument): StackFacts {
    const config = stackConfigOf(options);
    const regions = regionsOf(config);
    const policy = document.policy as { pack: string; violations: { level: string }[] } | undefined;
    const budget = document.budget as { ok: boolean; problems: string[] } | undefined;
    return {
        platform: config.platform,
        environment: config.environment,
        regions,
        resources: document.resources.length,
        policy: policy && {
            pack: policy.pack,
            mandatory: policy.violations.filter((v) => v.level === "mandatory").length,
            advisory: policy.violations.filter((v) => v.level !== "mandatory").length,
        },
        budget,
    };
}

export async function plan(options: PlanOptions, out: (line: string) => void = console.log, errOut: (line: string) => void = console.error): Promise<PlanResult> {
    const phases = new PhaseTimer();
    const started = Date.now();
    const phase = options.quiet ? () => undefined : (text: string) => errOut(`plan: ${text} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    let stackConfig: StackFileConfig;
    try {
        stackConfig = readStack(options);
    } catch (err) {
        if (err instanceof StackFileError) {
            errOut(`Plan failed: ${err.message}`);
            return { exitCode: EXIT.invalidConfig };
        }
        throw err;
    }
    const nothingPlanned = `Plan failed for stack "${options.stack}" (${options.stackFile ?? `Pulumi.${options.stack}.yaml`}): nothing was planned.`;
    // Checked before the program and the plan's sections load, so a bad stack file fails fast.
    const invalid = configProblem(stackConfig);
    if (invalid) {
        errOut(`${nothingPlanned}\n${invalid}`);
        return { exitCode: EXIT.invalidConfig };
    }
    const problems = optionProblems(options);
    if (problems.length > 0) {
        errOut(`Plan failed: nothing was planned.\n${problems.join("\n")}`);
        return { exitCode: EXIT.usage };
    }

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runProgram } = require("./offline/capture") as typeof import("./offline/capture");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PLAN_SECTIONS } = require("./offline/sections") as typeof import("./offline/sections");
    phase(`running the program of ${options.stack} under the mock monitor`);
    let run: ProgramRun;
    try {
        run = await runProgram({
            project: stackConfig.project,
            stack: options.stack,
            config: stackConfig.config,
            secretKeys: stackConfig.secretKeys,
            // A static require, so the bundle (tools/bin/build.js) carries the program.
            program: () => require("../index"),
        });
    } catch (err) {
        if (isRunError(err)) {
            errOut(`${nothingPlanned}\n${err.message}`);
            return { exitCode: EXIT.invalidConfig };
        }
        const message = err instanceof Error ? err.message : String(err);
        errOut(`Plan failed for stack "${options.stack}": the program raised an error.\n${message}`);
        if (options.verbose && err instanceof Error && err.stack) errOut(err.stack);
        return { exitCode: EXIT.programError };
    }

    phases.lap("program");
    const resources = toPlanResources(run.resources);
    const firstDeploy = modelFirstDeploy(resources, readDurationTable());
    const document: PlanDocument = {
        project: stackConfig.project,
        stack: options.stack,
        resources,
        outputs: displayValue(run.outputs),
        criticalPath: firstDeploy,
    };

    // Sections run first (their verdicts head the output); what they print follows the tree.
    const sectionLines: string[] = [];
    let exitCode: number = EXIT.ok;
    for (const section of PLAN_SECTIONS) {
        phase(`checking ${section.name.replace(/Section$/, "")}`);
        const code = await section({ document, run, options, out: (line) => sectionLines.push(line) });
        exitCode = Math.max(exitCode, code);
        phases.lap(section.name.replace(/Section$/, ""));
    }
    phase("done");

    if (!options.quiet) {
        out(`Offline plan of ${stackConfig.project}/${options.stack}: the program run under the Pulumi SDK's mock monitor.`);
        out(`This is not a cloud preview: nothing was read from or sent to ${cloudsOf(stackConfigOf(options))};`);
        out("computed values are emulated or [unknown].");
        out("");
        for (const line of renderStackFacts(stackFacts(options, document))) out(line);
        for (const line of wrap(criticalPathSummary(firstDeploy))) out(line);
        if (document.cost) for (const line of wrap(costSummary(document.cost as CostSection))) out(line);
        out("");
        for (const line of TREE_LEGEND) out(line);
        out("");
        for (const line of renderTree(resources)) out(line);
        out("");
        for (const line of wrap(summarize(resources))) out(line);
        if (options.criticalPath) {
            out("");
            for (const line of renderCriticalPath(firstDeploy)) out(line);
        }
        out("");
        for (const line of renderOutputs(document.outputs as Record<string, unknown>).flatMap((text) => wrap(text))) out(line);
        if (run.unansweredInvokes.length > 0) {
            out("");
            out(`Note: the offline mocks had no answer for ${run.unansweredInvokes.join(", ")}; their results are empty.`);
        }
        for (const line of sectionLines.flatMap((text) => wrap(text))) out(line);
    }

    if (options.json) {
        fs.mkdirSync(path.dirname(path.resolve(options.json)), { recursive: true });
        fs.writeFileSync(options.json, `${JSON.stringify(document, null, 2)}\n`);
        if (!options.quiet) out(`\nWrote ${options.json}`);
    }
    phases.write(process.env.BOOKSTORE_PLAN_TIMINGS);
    return { exitCode, document, run };
}

export async function main(argv: string[]): Promise<number> {
    const program = addPlanOptions(new Command()
        .name("plan")
        .description("Offline plan of a stack: the real program under the Pulumi SDK's mock monitor"))
        .option("--json <file>", "write the plan as JSON")
        .version(PROGRAM_VERSION)
        .exitOverride();
    try {
        program.parse(argv);
    } catch (err) {
        // --help and --version exit 0; every other complaint of commander's is a usage error.
        return (err as { exitCode?: number }).exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const result = await plan(program.opts<PlanOptions>());
    return result.exitCode;
}

if (require.main === module) {
    main(process.argv).then(
        (code) => process.exit(code),
        (err) => {
            console.error(`Plan failed: ${err instanceof Error ? err.message : String(err)}`);
            process.exit(EXIT.programError);
        },
    );
}
