/**
 * Offline plan: runs the real program (index.ts) under the Pulumi SDK's mock monitor in preview
 * mode, prints what the stack would deploy and writes it as JSON. No Pulumi CLI, no plugins,
 * no cloud credentials. Usage: npm run plan -- --stack prod [--json out.json]
 */
import * as fs from "fs";
import * as path from "path";
import { Command } from "commander";
import { ProgramRun, runProgram } from "./offline/capture";
import { criticalPathSummary, modelFirstDeploy, readDurationTable, renderCriticalPath } from "./offline/criticalPath";
import { manifestsDirectoryProblem } from "./offline/manifests";
import { DEFAULT_POLICY_CONFIG, PolicyConfigError, readPackConfig } from "./offline/policy";
import { displayValue, PlanResource, renderOutputs, renderStackFacts, renderTree, StackFacts, summarize, wrap, toPlanResources, TREE_LEGEND } from "./offline/render";
import { PLAN_SECTIONS } from "./offline/sections";
import { addPlanOptions, PROGRAM_VERSION } from "./planOptions";
import { readStackFile, stackConfigOf, StackFileConfig, StackFileError, stacksIn } from "./offline/stackFile";
import { resolveDatabase } from "../stacks/schema/database";
import { reviewOptionProblems } from "./review/options";
import { costSummary, CostSection } from "./review/cost";

export const PROJECT_DIR = path.resolve(__dirname, "..");

export interface PlanOptions {
    stack: string;
    /** Stack file to read instead of Pulumi.<stack>.yaml (e.g. a test fixture). */
    stackFile?: string;
    json?: string;
    quiet?: boolean;
    verbose?: boolean;
    /** Write every Kubernetes resource as YAML into this directory and validate it. */
    manifests?: string;
    /** Policy pack config (`--policy-pack-config` format); default policy/config.json. */
    policyConfig?: string;
    /** Print the modelled first-deploy critical path step by step. */
    criticalPath?: boolean;
    /** Review (tools/review): price table, Mermaid diagram file, plan JSON to diff against, approval of replacements. */
    priceTable?: string;
    diagram?: string;
    diffAgainst?: string;
    allowReplace?: boolean;
}

/** The plan's JSON document. Later sections are added beside `resources`; the shape stays stable. */
export interface PlanDocument {
    project: string;
    stack: string;
    resources: PlanResource[];
    outputs: unknown;
    [section: string]: unknown;
}

export interface PlanResult {
    exitCode: number;
    document?: PlanDocument;
    run?: ProgramRun;
}

/**
 * Exit codes: 0 planned, 1 program error, 2 usage error, invalid config or stack file, 3 mandatory policy violation,
 * 5 (--diff-against) a protected or stateful resource would be replaced or deleted without --allow-replace.
 */
export const EXIT = { ok: 0, programError: 1, invalidConfig: 2, usage: 2, policyViolation: 3, replacementRefused: 5 } as const;

function isRunError(err: unknown): err is Error {
    return Boolean(err && typeof err === "object" && (err as { __pulumiRunError?: boolean }).__pulumiRunError);
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

/** The verdicts and shape of the stack, for the lines above the tree. */
function stackFacts(options: PlanOptions, document: PlanDocument): StackFacts {
    const config = stackConfigOf(options);
    const regions = [config.location, ...resolveDatabase(config).replicas.map((replica) => replica.location)];
    const policy = document.policy as { pack: string; violations: { level: string }[] } | undefined;
    const budget = document.budget as { ok: boolean; problems: string[] } | undefined;
    return {
        platform: config.platform,
        environment: config.environment,
        regions: [...new Set(regions)],
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
    const problems = optionProblems(options);
    if (problems.length > 0) {
        errOut(`Plan failed: nothing was planned.\n${problems.join("\n")}`);
        return { exitCode: EXIT.usage };
    }

    phase(`running the program of ${options.stack} under the mock monitor`);
    let run: ProgramRun;
    try {
        run = await runProgram({
            project: stackConfig.project,
            stack: options.stack,
            config: stackConfig.config,
            secretKeys: stackConfig.secretKeys,
            program: () => require(path.join(PROJECT_DIR, "index")),
        });
    } catch (err) {
        if (isRunError(err)) {
            errOut(`Plan failed for stack "${options.stack}" (${options.stackFile ?? `Pulumi.${options.stack}.yaml`}): nothing was planned.\n${err.message}`);
            return { exitCode: EXIT.invalidConfig };
        }
        const message = err instanceof Error ? err.message : String(err);
        errOut(`Plan failed for stack "${options.stack}": the program raised an error.\n${message}`);
        if (options.verbose && err instanceof Error && err.stack) errOut(err.stack);
        return { exitCode: EXIT.programError };
    }

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
    }
    phase("done");

    if (!options.quiet) {
        out(`Offline plan of ${stackConfig.project}/${options.stack}: the program run under the Pulumi SDK's mock monitor.`);
        out("This is not a cloud preview: nothing was read from or sent to Azure;");
        out("computed values are emulated or [unknown].");
        out("");
        for (const line of renderStackFacts(stackFacts(options, document))) out(line);
        out(criticalPathSummary(firstDeploy));
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
    return { exitCode, document, run };
}

async function main(argv: string[]): Promise<number> {
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
