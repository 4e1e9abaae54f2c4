/**
 * The end of an e2e stack, shared by a run's cleanup and the janitor: lift `protect` in the state
 * and the cloud's own deletion protection, `destroy`, then `stack rm` and the stack file. A failed
 * release does not stop the destroy (it may have lifted enough); a failed destroy keeps the stack
 * (and its file) for a later attempt.
 */
import * as fs from "fs";
import { destroyStack, OperationResult } from "../automation";
import { removeStack, unprotectAll } from "../automation/lifecycle";
import { CloudContext, driverFor } from "./clouds";
import type { E2ePlatform } from "./names";
import { stackFilePath } from "./template";

export type TeardownPhase = "release" | "destroy" | "remove";

/** Runs a phase, returning whether it succeeded (the caller records and reports it). */
export type PhaseRunner = (phase: TeardownPhase, body: () => Promise<string>) => Promise<boolean>;

export interface TeardownResult {
    destroyed: boolean;
    removed: boolean;
}

const summaryOf = (result: OperationResult) =>
    Object.entries(result.changeSummary).filter(([, n]) => (n ?? 0) > 0).map(([op, n]) => `${n} ${op}`).join(", ") || "nothing to delete";

export async function teardown(platform: E2ePlatform, context: CloudContext, phase: PhaseRunner): Promise<TeardownResult> {
    await phase("release", async () => {
        const unprotected = await unprotectAll(context.operation);
        const lifted = await driverFor(platform).release(context);
        return `${unprotected.length} resource(s) unprotected in the state${lifted.length > 0 ? `; deletion protection lifted: ${lifted.join(", ")}` : ""}`;
    });
    const destroyed = await phase("destroy", async () => summaryOf(await destroyStack(context.operation)));
    if (!destroyed) return { destroyed, removed: false };
    const removed = await phase("remove", async () => {
        await removeStack(context.operation);
        fs.rmSync(stackFilePath(context.projectDir, context.stack), { force: true });
        return `stack ${context.stack} and its stack file removed`;
    });
    return { destroyed, removed };
}
