/**
 * `bookstore-infra e2e janitor`: finds e2e stacks past their expiry (the expiry is in the stack's
 * name, tools/e2e/names.ts) and destroys them the way a run's cleanup does: lift `protect` and the
 * cloud's deletion protection, `destroy`, `stack rm`. A dry run unless told `--yes`; stacks that
 * are not e2e stacks are never selected, and nor is a stack with an update in progress.
 */
import type { StackSummary } from "@pulumi/pulumi/automation";
import { OperationOptions, PROJECT_DIR } from "../automation";
import { azOf } from "../automation/az";
import { listStacks } from "../automation/lifecycle";
import { localProcesses, ProcessRunner } from "../automation/processes";
import type { CommandRunner } from "../automation/runner";
import { E2ePlatform, e2eNamePrefix, parseE2eStackName } from "./names";
import { teardown } from "./teardown";

export interface JanitorCandidate {
    stack: string;
    platform: E2ePlatform;
    expiresAt: string;
    /** Why it is (not) destroyed: "expired", "not expired", "update in progress", "named". */
    reason: string;
    selected: boolean;
}

/**
 * Which stacks the janitor would destroy: e2e stacks whose expiry has passed, not being updated.
 * With `only`, that one e2e stack whatever its expiry (the operator named it and confirmed).
 */
export function selectStacks(stacks: Pick<StackSummary, "name" | "updateInProgress">[], now: Date, only?: string): JanitorCandidate[] {
    const candidates: JanitorCandidate[] = [];
    for (const summary of stacks) {
        const parsed = parseE2eStackName(summary.name);
        if (!parsed) continue;
        const short = summary.name.split("/").pop()!;
        if (only !== undefined && short !== only && summary.name !== only) continue;
        const expired = parsed.expiresAt.getTime() <= now.getTime();
        const reason = summary.updateInProgress ? "update in progress" : only !== undefined ? "named" : expired ? "expired" : "not expired";
        candidates.push({ stack: summary.name, platform: parsed.platform, expiresAt: parsed.expiresAt.toISOString(), reason, selected: reason === "expired" || reason === "named" });
    }
    return candidates.sort((a, b) => a.expiresAt.localeCompare(b.expiresAt) || a.stack.localeCompare(b.stack));
}

export interface JanitorOptions {
    projectDir?: string;
    runner?: CommandRunner;
    processes?: ProcessRunner;
    envVars?: Record<string, string>;
    now?: Date;
    /** Destroy (otherwise only list). */
    destroy: boolean;
    /** Only this e2e stack, expired or not. */
    only?: string;
    onProgress?: (line: string) => void;
    signal?: AbortSignal;
}

export interface JanitorResult {
    candidates: JanitorCandidate[];
    destroyed: string[];
    failed: { stack: string; error: string }[];
}

/** Lists the project's e2e stacks and, when told to, destroys the selected ones; one failure does not stop the others. */
export async function runJanitor(options: JanitorOptions): Promise<JanitorResult> {
    const projectDir = options.projectDir ?? PROJECT_DIR;
    const say = options.onProgress ?? (() => undefined);
    const processes = options.processes ?? localProcesses;
    const stacks = await listStacks({ projectDir, runner: options.runner, envVars: options.envVars });
    const candidates = selectStacks(stacks, options.now ?? new Date(), options.only);
    const result: JanitorResult = { candidates, destroyed: [], failed: [] };
    if (!options.destroy) return result;
    for (const candidate of candidates.filter((c) => c.selected)) {
        if (options.signal?.aborted) break;
        const short = candidate.stack.split("/").pop()!;
        const operation: OperationOptions & { confirm: string } = {
            stack: candidate.stack, projectDir, runner: options.runner, envVars: options.envVars, confirm: short, signal: options.signal,
            onProgress: (line) => say(`    ${line}`),
        };
        say(`janitor: ${candidate.stack} (${candidate.platform}, ${candidate.reason}, expiry ${candidate.expiresAt})`);
        const suffix = parseE2eStackName(short)!.suffix;
        const context = { stack: candidate.stack, projectDir, baseName: `${e2eNamePrefix(suffix)}-prod`, operation, processes, az: azOf(processes) };
        let error: string | undefined;
        const { removed } = await teardown(candidate.platform, context, async (phase, body) => {
            try {
                say(`janitor: ${candidate.stack}: ${phase}: ${await body()}`);
                return true;
            } catch (err) {
                error ??= `${phase}: ${err instanceof Error ? err.message : String(err)}`;
                return false;
            }
        });
        if (removed) result.destroyed.push(candidate.stack);
        else result.failed.push({ stack: candidate.stack, error: error ?? "not removed" });
    }
    return result;
}
