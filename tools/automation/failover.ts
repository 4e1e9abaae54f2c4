/**
 * `failover`: switch the writer role between the primary and its failover partner (the reader
 * virtual endpoint's target), then record the new roles in the stack file so `pulumi preview`
 * neither undoes the switchover nor replaces a server (components/azure/databaseFailover.ts).
 *
 * Azure (Learn, "Promote read replicas" and az CLI `postgres flexible-server replica promote`):
 * - `--promote-mode switchover` swaps the roles and keeps both servers in replication and in the
 *   virtual endpoints; it works only toward the reader endpoint's target (so only the pair swaps);
 * - `--promote-option planned` waits for the replica to catch up (no data loss); `forced` promotes
 *   at once (the lag is lost): the choice when the primary's region is down;
 * - the command waits for the operation (it has no --no-wait) and asks for confirmation (--yes).
 */
import * as fs from "fs";
import { parseDocument } from "yaml";
import { resolveDatabase } from "../../stacks/schema/database";
import { AzRunner, bootstrapConfig } from "./bootstrap";
import { Confirmation, isConfirmed, isProductionStack, ProductionGuardError, shortStackName } from "./guard";
import { stackFileOf } from "./scale";

export type PromoteOption = "planned" | "forced";

/** A wrong `--to` or stack: reported as a usage error, nothing ran. */
export class FailoverInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "FailoverInputError";
    }
}

/** A promotion or the wait after it failed: what Azure said, and the roles as the stack file still records them. */
export class FailoverFailedError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "FailoverFailedError";
    }
}

/** The pair's state before the switchover, and what it becomes. */
export interface FailoverDecision {
    /** Index in [primary, replica 1, ...] of the server to promote. */
    target: number;
    /** Server name of that server. */
    server: string;
    /** `database.failover.promoted` after the switchover. */
    promoted: boolean;
}

/** Names `--to` may use for server `i`: `primary` / `replica-N`, or the server's name. */
const labelOf = (i: number) => (i === 0 ? "primary" : `replica-${i}`);

/**
 * Which server `--to` means and whether Azure allows a switchover to it: only the reader
 * endpoint's target, i.e. the partner while the primary writes, the original primary after.
 */
export function decideFailover(failover: { replica?: number; promoted: boolean }, servers: string[], to: string): FailoverDecision {
    if (failover.replica === undefined) throw new FailoverInputError("the stack has no read replica to fail over to");
    const index = servers.findIndex((name, i) => name === to || labelOf(i) === to);
    if (index < 0) {
        throw new FailoverInputError(`--to: expected one of ${servers.map((name, i) => `${labelOf(i)} (${name})`).join(", ")}, got "${to}"`);
    }
    const reader = failover.promoted ? 0 : failover.replica;
    const writer = failover.promoted ? failover.replica : 0;
    if (index === writer) throw new FailoverInputError(`--to: ${labelOf(index)} (${servers[index]}) already holds the writer role`);
    if (index !== reader) {
        throw new FailoverInputError(`--to: Azure switches over only to the reader virtual endpoint's target, ${labelOf(reader)} (${servers[reader]}); `
            + `${labelOf(index)} is not (set database.failover.replica and run up to pair another replica)`);
    }
    return { target: index, server: servers[index], promoted: !failover.promoted };
}

/** `az` arguments of the switchover. */
export function promoteArgs(resourceGroup: string, server: string, option: PromoteOption): string[] {
    return ["postgres", "flexible-server", "replica", "promote", "--resource-group", resourceGroup, "--name", server,
        "--promote-mode", "switchover", "--promote-option", option, "--yes", "--output", "none"];
}

/** `az` arguments that read a server's replication role and state. */
export function showRoleArgs(resourceGroup: string, server: string): string[] {
    return ["postgres", "flexible-server", "show", "--resource-group", resourceGroup, "--name", server,
        "--query", "{role: replica.role, state: state}", "--output", "json"];
}

export interface WaitOptions {
    attempts?: number;
    intervalMs?: number;
    sleep?: (ms: number) => Promise<void>;
}

/** Waits until `server` reports role Primary and state Ready; throws with the last answer otherwise. */
export async function waitForPrimary(az: AzRunner, resourceGroup: string, server: string, options: WaitOptions = {}): Promise<void> {
    const attempts = options.attempts ?? 60;
    const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    let last = "";
    for (let attempt = 0; attempt < attempts; attempt++) {
        const outcome = await az.run(showRoleArgs(resourceGroup, server));
        last = outcome.exitCode === 0 ? outcome.stdout.trim() : outcome.stderr.trim();
        if (outcome.exitCode === 0) {
            const { role, state } = JSON.parse(outcome.stdout || "{}") as { role?: string; state?: string };
            if (role === "Primary" && state === "Ready") return;
        }
        await sleep(options.intervalMs ?? 10_000);
    }
    throw new FailoverFailedError(`${server} is not a ready primary after ${attempts} checks (last answer: ${last || "none"})`);
}

/** Records the roles in the stack file (`<project>:database.failover.promoted`), comments kept. */
export function recordPromoted(stackFile: string, project: string, promoted: boolean): void {
    const doc = parseDocument(fs.readFileSync(stackFile, "utf8"));
    doc.setIn(["config", `${project}:database`, "failover", "promoted"], promoted);
    // Keep the rest of the file as written (no re-folded long lines).
    fs.writeFileSync(stackFile, doc.toString({ lineWidth: 0 }));
}

export interface FailoverOptions extends Confirmation {
    stack: string;
    projectDir: string;
    to: string;
    option: PromoteOption;
    /** Plain stack outputs (databaseServerNames, databaseResourceGroupName). */
    outputs: Record<string, unknown>;
    az: AzRunner;
    wait?: WaitOptions;
    onProgress?: (line: string) => void;
}

/** The production guard: a failover interrupts writes, so production needs `--yes --confirm <stack>`. */
export function guardFailover(stack: string, projectDir: string, confirmation: Confirmation): void {
    if (isProductionStack(stack, projectDir) && !isConfirmed(stack, confirmation)) {
        throw new ProductionGuardError(`Refusing to fail over production stack "${stack}": writes stop while the roles swap.\n`
            + `If you mean it, run again with --yes --confirm ${shortStackName(stack)}.`);
    }
}

/** Decides, guards, promotes, waits and records the new roles; returns the decision. */
export async function failoverStack(options: FailoverOptions): Promise<FailoverDecision> {
    const stackFile = stackFileOf(options.projectDir, options.stack);
    const { project, config } = bootstrapConfig(options.stack, options.projectDir);
    const servers = options.outputs.databaseServerNames;
    const resourceGroup = options.outputs.databaseResourceGroupName;
    if (!Array.isArray(servers) || typeof resourceGroup !== "string") {
        throw new FailoverInputError("stack outputs databaseServerNames and databaseResourceGroupName are missing: run `up` with this version first");
    }
    const decision = decideFailover(resolveDatabase(config).failover, servers as string[], options.to);
    guardFailover(options.stack, options.projectDir, options);
    const progress = options.onProgress ?? (() => undefined);
    progress(`promoting ${decision.server} (switchover, ${options.option})`);
    const outcome = await options.az.run(promoteArgs(resourceGroup, decision.server, options.option));
    if (outcome.exitCode !== 0) throw new FailoverFailedError(`az replica promote failed; the roles are unchanged in the stack file:\n${outcome.stderr.trim()}`);
    progress(`waiting for ${decision.server} to be a ready primary`);
    await waitForPrimary(options.az, resourceGroup, decision.server, options.wait);
    recordPromoted(stackFile, project, decision.promoted);
    progress(`recorded database.failover.promoted: ${decision.promoted} in ${stackFile}`);
    return decision;
}

/** What the operator does next, by option. */
export function nextSteps(stack: string, option: PromoteOption, decision: FailoverDecision): string[] {
    const name = shortStackName(stack);
    const steps = [
        `Commit the stack file: database.failover.promoted is now ${decision.promoted}.`,
        `Run \`bookstore-infra refresh --stack ${name}\` (the state learns what Azure changed: roles, the reader endpoint's target), `
            + `then \`bookstore-infra preview --stack ${name}\`: at most high availability (on for ${decision.server}, off for the demoted server) `
            + "and the reader endpoint's target change; no server is replaced.",
        `Then \`bookstore-infra up --stack ${name}\`. The app's connection strings are unchanged (virtual endpoints).`,
    ];
    if (option === "forced") {
        steps.push("Forced: transactions the replica had not replayed are lost. While the old primary's region is down, `up` cannot reach it: "
            + "run `bookstore-infra refresh` once the region is back, then `up`; if the old server is gone, see docs/runbooks.md (re-adding a replica).");
    }
    return steps;
}
