/**
 * Library for internal tools: preview, deploy, destroy, refresh and read the outputs of a stack of
 * this project through the Pulumi Automation API (`LocalWorkspace` over the project directory).
 * It needs the Pulumi CLI; without one every call throws `PulumiCliMissingError` at once.
 *
 *   const result = await previewStack({ stack: "dev", onProgress: console.log });
 *   console.log(formatChangeSummary(result.changeSummary, true));
 */
import { ConfigMap, EngineEvent, LocalWorkspace, LocalWorkspaceOptions, OpMap, OutputMap, Stack } from "@pulumi/pulumi/automation";
import { Confirmation, isConfirmed, isProductionStack, refuseDestroy, refuseProtectedReplacements } from "./guard";
import { EventRecorder, OperationLog, protectedReplacements, StepRecord } from "./progress";
import { CommandRunner, installedPulumiCommand, PulumiCliMissingError, pulumiCommandFrom } from "./runner";
import { deployedSizes, desiredSizes, replicaTargets, ScaleOrderError, scaleOrderProblems, ServerSize, stackFileOf } from "./scale";
import { PROJECT_DIR } from "../paths";

export * from "./guard";
export * from "./scale";
export * from "./progress";
export * from "./runner";

export { PROJECT_DIR };

/** Policy packs passed to preview and up unless told otherwise: this project's CrossGuard pack. */
export const DEFAULT_POLICY_PACKS = ["policy"];

export interface StackOptions {
    /** Stack name (`prod`, or fully qualified `org/bookstore/prod`). */
    stack: string;
    /** Project directory holding Pulumi.yaml; default: this repository. */
    projectDir?: string;
    /** Runs the Pulumi CLI; default: the installed CLI (PATH or ~/.pulumi/bin). */
    runner?: CommandRunner;
    /** Extra environment for the CLI (e.g. ARM_* credentials, PULUMI_BACKEND_URL). */
    envVars?: Record<string, string>;
}

export interface OperationOptions extends StackOptions {
    /** Config written to the stack before the operation (like `pulumi up -c`): full keys (`bookstore:x`) or bare keys of this project. */
    config?: ConfigMap;
    /** Treat config keys as paths (`bookstore:app.services.api.minReplicas`). */
    configPath?: boolean;
    /** One line per engine event (resource step, policy result, diagnostic). */
    onProgress?: (line: string) => void;
    /** Every raw engine event. */
    onEvent?: (event: EngineEvent) => void;
    signal?: AbortSignal;
    /** preview/up only: operate on these URNs alone (`--target`), not on their dependents. */
    target?: string[];
    /** preview/up only: leave these URNs and everything that depends on them out (`--exclude --exclude-dependents`). */
    exclude?: string[];
}

export interface PolicyOptions {
    /** Policy pack directories, relative to the project directory; default `["policy"]`, `[]` for none. */
    policyPacks?: string[];
    policyPackConfigs?: string[];
}

export type Operation = "preview" | "up" | "destroy" | "refresh";

export interface OperationResult extends OperationLog {
    operation: Operation;
    stack: string;
    changeSummary: OpMap;
    /** Protected resources the operation replaces (up/preview). */
    protectedReplacements: StepRecord[];
    /** Stack outputs after an update. */
    outputs?: OutputMap;
}

/** The engine or CLI reported an error; `log` holds what the events said up to then. */
export class OperationFailedError extends Error {
    constructor(
        readonly operation: Operation,
        readonly stack: string,
        readonly log: OperationLog,
        readonly cause: unknown,
    ) {
        super(`${operation} of stack "${stack}" failed: ${describeCommandError(cause)}`);
        this.name = "OperationFailedError";
    }
}

/** The CLI's own error lines, without the SDK's "code: ... stdout: ..." dump. */
export function describeCommandError(err: unknown): string {
    if (!(err instanceof Error)) return String(err);
    // CommandError keeps the CLI's stderr in a private field; it is the only place the CLI's own words are.
    const stderr = (err as unknown as { commandResult?: { stderr?: string } }).commandResult?.stderr;
    const text = (stderr ?? err.message).trim();
    const errorLines = text.split("\n").filter((line) => /error/i.test(line));
    return (errorLines.length > 0 ? errorLines : text.split("\n").slice(-5)).map((line) => line.trim()).join("\n");
}

function qualifyConfig(config: ConfigMap, projectName: string): ConfigMap {
    return Object.fromEntries(Object.entries(config).map(([key, value]) => [key.includes(":") ? key : `${projectName}:${key}`, value]));
}

/** How a `LocalWorkspace` over the project directory runs: the runner (or the installed CLI) and its environment. */
export async function workspaceOptions(options: Omit<StackOptions, "stack">): Promise<LocalWorkspaceOptions & { workDir: string }> {
    const pulumiCommand = options.runner ? pulumiCommandFrom(options.runner) : await installedPulumiCommand();
    return { workDir: options.projectDir ?? PROJECT_DIR, pulumiCommand, envVars: { PULUMI_SKIP_UPDATE_CHECK: "true", ...options.envVars } };
}

/** Selects the stack in a `LocalWorkspace` over the project directory, with the runner as its CLI. */
export async function openStack(options: StackOptions): Promise<Stack> {
    const { workDir, ...workspace } = await workspaceOptions(options);
    return LocalWorkspace.selectStack({ stackName: options.stack, workDir }, workspace);
}

async function applyConfig(stack: Stack, options: OperationOptions): Promise<void> {
    if (!options.config || Object.keys(options.config).length === 0) return;
    const projectName = (await stack.workspace.projectSettings()).name;
    await stack.setAllConfig(qualifyConfig(options.config, projectName), options.configPath);
}

async function run(operation: Operation, options: OperationOptions, body: (stack: Stack, recorder: EventRecorder) => Promise<OpMap | undefined>): Promise<OperationResult> {
    const recorder = new EventRecorder(operation === "preview", options.onProgress, options.onEvent);
    let reported: OpMap | undefined;
    try {
        const stack = await openStack(options);
        await applyConfig(stack, options);
        reported = await body(stack, recorder);
    } catch (err) {
        if (err instanceof PulumiCliMissingError) throw err;
        throw new OperationFailedError(operation, options.stack, recorder.log, err);
    }
    return {
        ...recorder.log,
        operation,
        stack: options.stack,
        changeSummary: recorder.log.changeSummary ?? reported ?? {},
        protectedReplacements: protectedReplacements(recorder.log.steps),
    };
}

function targetOptions(options: OperationOptions): { target?: string[]; targetDependents?: boolean; exclude?: string[]; excludeDependents?: boolean } {
    return {
        ...(options.target && options.target.length > 0 ? { target: options.target, targetDependents: false } : {}),
        ...(options.exclude && options.exclude.length > 0 ? { exclude: options.exclude, excludeDependents: true } : {}),
    };
}

/** `pulumi preview` with the policy pack: what would change, and the policy results. */
export async function previewStack(options: OperationOptions & PolicyOptions): Promise<OperationResult> {
    return run("preview", options, async (stack, recorder) => {
        const result = await stack.preview({
            ...targetOptions(options),
            policyPacks: options.policyPacks ?? DEFAULT_POLICY_PACKS,
            policyPackConfigs: options.policyPackConfigs,
            onEvent: recorder.handle,
            signal: options.signal,
        });
        return result.changeSummary;
    });
}

/**
 * `pulumi up` with the policy pack. On a production stack a preview runs first; if it replaces
 * protected resources the update is refused (`ProductionGuardError`) unless `confirm` names the stack.
 */
export async function deployStack(options: OperationOptions & PolicyOptions & Confirmation & { replicasScaled?: boolean }): Promise<OperationResult> {
    const projectDir = options.projectDir ?? PROJECT_DIR;
    if (!options.replicasScaled) await refuseReplicasAfterPrimary(options, projectDir);
    if (isProductionStack(options.stack, projectDir) && !isConfirmed(options.stack, options)) {
        options.onProgress?.("production stack: previewing first, to refuse replacements of protected resources");
        const preview = await previewStack(options);
        if (preview.protectedReplacements.length > 0) throw refuseProtectedReplacements(options.stack, preview.protectedReplacements);
    }
    let outputs: OutputMap | undefined;
    const result = await run("up", options, async (stack, recorder) => {
        const up = await stack.up({
            ...targetOptions(options),
            policyPacks: options.policyPacks ?? DEFAULT_POLICY_PACKS,
            policyPackConfigs: options.policyPackConfigs,
            onEvent: recorder.handle,
            signal: options.signal,
        });
        outputs = up.outputs;
        return up.summary?.resourceChanges;
    });
    return { ...result, outputs };
}

/** Database sizes the stack file asks for, when it has replicas (nothing to order otherwise). */
function desiredWithReplicas(options: OperationOptions, projectDir: string): ServerSize[] | undefined {
    try {
        const desired = desiredSizes(options.stack, stackFileOf(projectDir, options.stack));
        return desired.some((s) => s.role === "replica") ? desired : undefined;
    } catch {
        // No stack file, or config the program itself will reject with the keys named: no order to check.
        return undefined;
    }
}

/** Refuses (`ScaleOrderError`) an update that would scale the primary above a replica as deployed. */
async function refuseReplicasAfterPrimary(options: OperationOptions, projectDir: string): Promise<void> {
    const desired = desiredWithReplicas(options, projectDir);
    if (!desired) return;
    const stack = await openStack(options);
    const problems = scaleOrderProblems(deployedSizes(await stack.exportStack()), desired);
    if (problems.length > 0) throw new ScaleOrderError(options.stack, problems);
}

/**
 * A scale-up in Azure's order: the replicas and their parameters first (a targeted update), then
 * everything else. Scale-downs need no command: one update changes the primary first, as Azure wants.
 */
export async function scaleStack(options: OperationOptions & PolicyOptions & Confirmation): Promise<OperationResult[]> {
    const stack = await openStack(options);
    const targets = replicaTargets(await stack.exportStack());
    const results: OperationResult[] = [];
    if (targets.length > 0) {
        options.onProgress?.(`scale: updating the ${targets.length} replica resources first`);
        results.push(await run("up", options, async (s, recorder) => {
            const up = await s.up({
                target: targets,
                policyPacks: options.policyPacks ?? DEFAULT_POLICY_PACKS,
                policyPackConfigs: options.policyPackConfigs,
                onEvent: recorder.handle,
                signal: options.signal,
            });
            return up.summary?.resourceChanges;
        }));
    }
    options.onProgress?.("scale: updating the primary and the rest");
    results.push(await deployStack({ ...options, replicasScaled: true }));
    return results;
}

/** What `scaleStack` would do, read from the stack's state and its stack file; changes nothing. */
export interface ScalePlan {
    /** The servers as last deployed (empty before the first deployment). */
    deployed: ServerSize[];
    /** The servers the stack file asks for. */
    desired: ServerSize[];
    /** URNs of the first, targeted update (the replicas and their parameters); empty: one update only. */
    replicaTargets: string[];
}

/** `scale --dry-run`: the sizes before and after and the updates a scale would run, from `pulumi stack export` alone. */
export async function scalePlan(options: StackOptions): Promise<ScalePlan> {
    const stack = await openStack(options);
    const state = await stack.exportStack();
    return {
        deployed: deployedSizes(state),
        desired: desiredSizes(options.stack, stackFileOf(options.projectDir ?? PROJECT_DIR, options.stack)),
        replicaTargets: replicaTargets(state),
    };
}

/** `pulumi destroy`. Refused on a production stack unless `confirm` names the stack. */
export async function destroyStack(options: OperationOptions & Confirmation): Promise<OperationResult> {
    if (isProductionStack(options.stack, options.projectDir ?? PROJECT_DIR) && !isConfirmed(options.stack, options)) {
        throw refuseDestroy(options.stack);
    }
    return run("destroy", options, async (stack, recorder) => {
        const destroy = await stack.destroy({ onEvent: recorder.handle, signal: options.signal });
        return destroy.summary?.resourceChanges;
    });
}

/** `pulumi refresh`: adopt the cloud's actual state into the stack. */
export async function refreshStack(options: OperationOptions): Promise<OperationResult> {
    return run("refresh", options, async (stack, recorder) => {
        const refresh = await stack.refresh({ onEvent: recorder.handle, signal: options.signal });
        return refresh.summary?.resourceChanges;
    });
}

/** The stack's outputs, secrets decrypted and flagged (`{value, secret}` per output). */
export async function stackOutputs(options: StackOptions): Promise<OutputMap> {
    const stack = await openStack(options);
    return stack.outputs();
}
