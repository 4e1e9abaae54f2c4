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
import { bootstrapConfig } from "./bootstrap";
import { AzRunner } from "./az";
import type { Deployment } from "@pulumi/pulumi/automation";
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

/** `az` arguments that read what a planned promotion compares: tier and storage size. */
export function showSizeArgs(resourceGroup: string, server: string): string[] {
    return ["postgres", "flexible-server", "show", "--resource-group", resourceGroup, "--name", server,
        "--query", "{tier: sku.tier, storageSizeGB: storage.storageSizeGB}", "--output", "json"];
}

/**
 * A planned promotion needs the pair symmetric: "both the primary and replica servers must have
 * identical tiers and storage sizes" (Learn, "Promote read replicas"). Autogrow grows each server on
 * its own, so they can drift apart; say which differs before Azure refuses half-way.
 */
export async function checkSymmetry(az: AzRunner, resourceGroup: string, writer: string, target: string): Promise<void> {
    const read = async (server: string) => {
        const outcome = await az.run(showSizeArgs(resourceGroup, server));
        if (outcome.exitCode !== 0) throw new FailoverFailedError(`could not read ${server}: ${outcome.stderr.trim()}`);
        return JSON.parse(outcome.stdout || "{}") as { tier?: string; storageSizeGB?: number };
    };
    const [a, b] = [await read(writer), await read(target)];
    const differences = [
        a.tier !== b.tier ? `tier ${a.tier} on ${writer}, ${b.tier} on ${target}` : "",
        a.storageSizeGB !== b.storageSizeGB ? `storage ${a.storageSizeGB} GiB on ${writer}, ${b.storageSizeGB} GiB on ${target}` : "",
    ].filter(Boolean);
    if (differences.length > 0) {
        throw new FailoverInputError(`a planned switchover needs identical tiers and storage sizes (Learn, "Promote read replicas"): ${differences.join("; ")}. `
            + "Raise the smaller one (storage.sizeGB / the replica's storageSizeGB, then `bookstore-infra scale`), or promote with --forced.");
    }
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

const VIRTUAL_ENDPOINT_TYPE = "azure-native:dbforpostgresql:VirtualEndpoint";

/** A resource of an exported stack (`pulumi stack export`), as far as the move reads it. */
export interface StateResource { urn: string; type: string; id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }

/**
 * Moves the virtual endpoint pair, in the state, under the new primary: after a switchover Azure
 * keeps the pair on the server that writes ("All operations involving virtual endpoints ... are
 * performed in the context of the primary server", Learn, "Virtual endpoints for read replicas"), so
 * a GET under the demoted server finds nothing and `refresh` would drop the pair, and `up` would then
 * try to create it again. Rewrites the pair's id and serverName (inputs and outputs); the URN stays.
 * Returns the URNs it moved.
 */
export function moveEndpointPair(resources: StateResource[], from: string, to: string): string[] {
    const moved: string[] = [];
    for (const r of resources.filter((x) => x.type === VIRTUAL_ENDPOINT_TYPE && x.inputs?.serverName === from)) {
        if (r.id) r.id = r.id.replace(`/flexibleServers/${from}/`, `/flexibleServers/${to}/`);
        r.inputs!.serverName = to;
        if (r.outputs && "serverName" in r.outputs) r.outputs.serverName = to;
        moved.push(r.urn);
    }
    return moved;
}

/** The state half of a failover: the stack's exported state, edited, imported back. */
export interface StackState {
    exportStack(): Promise<Deployment>;
    importStack(state: Deployment): Promise<void>;
}

export interface FailoverOptions extends Confirmation {
    stack: string;
    projectDir: string;
    to: string;
    option: PromoteOption;
    /** Plain stack outputs (databaseServerNames, databaseResourceGroupName). */
    outputs: Record<string, unknown>;
    az: AzRunner;
    /** The stack's state, to move the endpoint pair under the new primary; none: the operator does it (nextSteps). */
    state?: StackState;
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

/** A command as an operator would type it (arguments with spaces or braces quoted): what a dry run prints. */
export function commandLine(binary: string, args: string[]): string {
    return [binary, ...args.map((a) => (/[\s{}:,']/.test(a) ? `'${a.replace(/'/g, "'\\''")}'` : a))].join(" ");
}

/** The stack's pair as its outputs and stack file describe it, and what `--to` makes of it. */
function resolveSwitchover(options: Pick<FailoverOptions, "stack" | "projectDir" | "to" | "outputs">) {
    const { project, config } = bootstrapConfig(options.stack, options.projectDir);
    const servers = options.outputs.databaseServerNames;
    const resourceGroup = options.outputs.databaseResourceGroupName;
    if (!Array.isArray(servers) || typeof resourceGroup !== "string") {
        throw new FailoverInputError("stack outputs databaseServerNames and databaseResourceGroupName are missing: run `up` with this version first");
    }
    const failover = resolveDatabase(config).failover;
    const decision = decideFailover(failover, servers as string[], options.to);
    // The server that writes until the switchover: it holds the endpoint pair in the state.
    const oldWriter = (servers as string[])[failover.promoted ? failover.replica! : 0];
    return { project, resourceGroup, decision, oldWriter };
}

/** What a switchover does, step by step: the commands it runs and what it writes (the dry run prints these). */
export function failoverPlan(options: Pick<FailoverOptions, "stack" | "projectDir" | "to" | "option" | "outputs">): { decision: FailoverDecision; steps: string[] } {
    const { resourceGroup, decision, oldWriter } = resolveSwitchover(options);
    const az = (args: string[]) => commandLine("az", args);
    return {
        decision,
        steps: [
            ...(options.option === "planned" ? [`compare tiers and storage sizes: ${az(showSizeArgs(resourceGroup, oldWriter))}; ${az(showSizeArgs(resourceGroup, decision.server))}`] : []),
            `switch over: ${az(promoteArgs(resourceGroup, decision.server, options.option))}`,
            `wait until it is a ready primary: ${az(showRoleArgs(resourceGroup, decision.server))} (every 10 s)`,
            `record database.failover.promoted: ${decision.promoted} in ${stackFileOf(options.projectDir, options.stack)}`,
            `move the virtual endpoint pair under ${decision.server} in the stack's state (pulumi stack export, then import)`,
        ],
    };
}

/** Decides, guards, promotes, waits and records the new roles; returns the decision. */
export async function failoverStack(options: FailoverOptions): Promise<FailoverDecision> {
    const stackFile = stackFileOf(options.projectDir, options.stack);
    const { project, resourceGroup, decision, oldWriter } = resolveSwitchover(options);
    guardFailover(options.stack, options.projectDir, options);
    const progress = options.onProgress ?? (() => undefined);
    if (options.option === "planned") {
        progress(`checking that ${oldWriter} and ${decision.server} have the same tier and storage size`);
        await checkSymmetry(options.az, resourceGroup, oldWriter, decision.server);
    }
    progress(`promoting ${decision.server} (switchover, ${options.option})`);
    const outcome = await options.az.run(promoteArgs(resourceGroup, decision.server, options.option));
    if (outcome.exitCode !== 0) throw new FailoverFailedError(`az replica promote failed; the roles are unchanged in the stack file:\n${outcome.stderr.trim()}`);
    progress(`waiting for ${decision.server} to be a ready primary`);
    await waitForPrimary(options.az, resourceGroup, decision.server, options.wait);
    recordPromoted(stackFile, project, decision.promoted);
    progress(`recorded database.failover.promoted: ${decision.promoted} in ${stackFile}`);
    if (options.state) {
        const exported = await options.state.exportStack();
        const moved = moveEndpointPair(((exported.deployment as { resources?: StateResource[] }).resources ?? []), oldWriter, decision.server);
        if (moved.length > 0) {
            await options.state.importStack(exported);
            progress(`moved the virtual endpoint pair under ${decision.server} in the stack's state`);
        }
    }
    return decision;
}

/** What the operator does next, by option; `stateMoved`: the endpoint pair was moved in the state. */
export function nextSteps(stack: string, option: PromoteOption, decision: FailoverDecision, stateMoved = true): string[] {
    const name = shortStackName(stack);
    const steps = [
        `Commit the stack file: database.failover.promoted is now ${decision.promoted}.`,
        ...(stateMoved ? [] : [`Move the virtual endpoint pair under ${decision.server} in the state before anything else (README runbook): refresh would drop it and up would create it again.`]),
        `Run \`bookstore-infra preview --stack ${name}\` (the program reads the roles from Azure): high availability, backups and the admin password `
            + `move to ${decision.server}, the reader endpoint targets the demoted server, the replication-lag alert follows the writer; nothing is replaced. `
            + "A `refresh` first is fine: it records the new roles, which the next up drops from the inputs (Azure keeps them).",
        `Then \`bookstore-infra up --stack ${name}\`. The app's connection strings are unchanged (virtual endpoints).`,
        `${decision.server} has no geo-redundant backup: Azure does not carry it over at promotion and can turn it on only when a server is created `
            + "(Learn, \"Promote read replicas\"). Until a failback, backups stay in the new primary's region.",
    ];
    if (option === "forced") {
        steps.push("Forced: transactions the replica had not replayed are lost. While the old primary's region is down, `up` cannot reach it: "
            + "run `bookstore-infra refresh` once the region is back, then `up`; if the old server is gone, see docs/runbooks.md (re-adding a replica).");
    }
    return steps;
}
