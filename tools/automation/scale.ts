/**
 * Scale order of the database tier. Azure requires every read replica to stay at least as large as
 * the primary: compute, storage, storage autogrow and `max_connections` (Learn, "Read replicas" >
 * Scale, Storage autogrow, Server parameters). Scale up: replicas first, then the primary. Scale
 * down: the primary first, then the replicas. Replicas depend on the primary, so one `pulumi up`
 * changes the primary first: right for a scale-down, wrong for a scale-up. So a scale-up runs in
 * two updates (`scaleStack`: the replicas, targeted, then everything), and `deployStack` refuses a
 * single update that would put the primary above a replica as deployed.
 */
import * as path from "path";
import type { Deployment } from "@pulumi/pulumi/automation";
import { postgresSku } from "../../lib/postgresParameters";
import { failoverRoles } from "../../components/azure/databaseFailover";
import { resolveDatabase } from "../../stacks/schema/database";
import { stackConfigOf } from "../offline/stackFile";
import { ProductionGuardError, shortStackName } from "./guard";

const SERVER_TYPE = "azure-native:dbforpostgresql:Server";
const CONFIGURATION_TYPE = "azure-native:dbforpostgresql:Configuration";

/** The sizes the scale rules compare, of one server. */
export interface ServerSize {
    /** Logical name: `<prefix>-<env>-pg` or `<prefix>-<env>-pg-replica-<n>`. */
    name: string;
    role: "primary" | "replica";
    vCores: number;
    memoryGiB: number;
    storageGB: number;
    autoGrow: boolean;
    maxConnections?: number;
}

const DIMENSIONS: { key: "vCores" | "memoryGiB" | "storageGB" | "maxConnections"; label: string }[] = [
    { key: "vCores", label: "vCores" },
    { key: "memoryGiB", label: "memory (GiB)" },
    { key: "storageGB", label: "storage (GiB)" },
    { key: "maxConnections", label: "max_connections" },
];

/**
 * What one update would break: the primary's new size above a replica's deployed size (the
 * replica is changed after the primary), or autogrow switched on at the primary before a replica.
 */
export function scaleOrderProblems(deployed: ServerSize[], desired: ServerSize[]): string[] {
    const primary = desired.find((s) => s.role === "primary");
    const before = deployed.find((s) => s.role === "primary");
    if (!primary || !before) return [];
    const problems: string[] = [];
    for (const replica of deployed.filter((s) => s.role === "replica")) {
        for (const { key, label } of DIMENSIONS) {
            const next = primary[key];
            const now = replica[key];
            const growing = next !== undefined && (before[key] === undefined || next > before[key]!);
            if (growing && now !== undefined && next > now) {
                problems.push(`the primary's ${label} goes to ${next} while ${replica.name} has ${now}`);
            }
        }
        if (primary.autoGrow && !before.autoGrow && !replica.autoGrow) {
            problems.push(`storage autogrow goes on at the primary while ${replica.name} has it off`);
        }
    }
    return problems;
}

/** Sizes of the servers a stack file asks for. */
export function desiredSizes(stack: string, stackFile?: string): ServerSize[] {
    const config = stackConfigOf({ stack: shortStackName(stack), stackFile });
    const db = resolveDatabase(config);
    const base = `${config.namePrefix}-${config.environment}`;
    // The roles the stack file records (bookstore-infra failover writes them): after a switchover the partner writes.
    const writer = failoverRoles(db).writer;
    const size = (index: number, name: string, skuName: string, storageGB: number): ServerSize => {
        const sku = postgresSku(skuName);
        return { name, role: index === writer ? "primary" : "replica", vCores: sku.vCores, memoryGiB: sku.memoryGiB, storageGB, autoGrow: db.storage.autoGrow, maxConnections: db.parameters.maxConnections };
    };
    return [
        size(0, `${base}-pg`, db.sku.name, db.storage.sizeGB),
        ...db.replicas.map((r, i) => size(i + 1, `${base}-pg-replica-${i + 1}`, r.sku.name, r.storageSizeGB)),
    ];
}

/**
 * A server's role as Azure last reported it (the state's outputs: `replica.role`, or the older
 * `replicationRole`), else as its name says (a state written before the roles were read).
 */
function roleOf(name: string, outputs: Record<string, any> | undefined): ServerSize["role"] {
    const reported = outputs?.replica?.role ?? outputs?.replicationRole;
    if (reported === "Primary") return "primary";
    if (reported === "AsyncReplica" || reported === "GeoAsyncReplica") return "replica";
    return /-replica-\d+$/.test(name) ? "replica" : "primary";
}

type StateResource = { urn: string; type: string; inputs?: Record<string, any>; outputs?: Record<string, any> };

const logicalName = (urn: string) => urn.split("::").pop() ?? urn;

/** Sizes of the servers as last deployed (the stack's state): outputs first (autogrow's real size), inputs otherwise. */
export function deployedSizes(deployment: Deployment): ServerSize[] {
    const resources = ((deployment.deployment as { resources?: StateResource[] })?.resources ?? []);
    const maxConnections = new Map<string, number>();
    for (const r of resources.filter((x) => x.type === CONFIGURATION_TYPE)) {
        const name = logicalName(r.urn);
        if (name.endsWith("-max-connections")) maxConnections.set(name.slice(0, -"-max-connections".length), Number(r.inputs?.value));
    }
    return resources.filter((r) => r.type === SERVER_TYPE).flatMap((r): ServerSize[] => {
        const name = logicalName(r.urn);
        const state = { ...r.inputs, ...r.outputs };
        const skuName = state.sku?.name;
        if (!skuName) return [];
        const sku = postgresSku(skuName);
        return [{
            name,
            role: roleOf(name, r.outputs),
            vCores: sku.vCores,
            memoryGiB: sku.memoryGiB,
            storageGB: Number(state.storage?.storageSizeGB ?? 0),
            autoGrow: state.storage?.autoGrow === "Enabled",
            maxConnections: maxConnections.get(name),
        }];
    });
}

/**
 * URNs of the servers that replicate now (by the role Azure reported) and of their Configurations:
 * the first, targeted update of a scale-up. A Configuration belongs to the server whose logical
 * name is the longest prefix of its own (`<server>-<parameter>`).
 */
export function replicaTargets(deployment: Deployment): string[] {
    const resources = ((deployment.deployment as { resources?: StateResource[] })?.resources ?? []);
    const servers = resources.filter((r) => r.type === SERVER_TYPE).map((r) => ({ urn: r.urn, name: logicalName(r.urn), role: roleOf(logicalName(r.urn), r.outputs) }));
    const ownerOf = (configName: string) => servers.filter((s) => configName.startsWith(`${s.name}-`)).sort((a, b) => b.name.length - a.name.length)[0];
    return resources.filter((r) => (r.type === SERVER_TYPE ? roleOf(logicalName(r.urn), r.outputs) === "replica"
        : r.type === CONFIGURATION_TYPE && ownerOf(logicalName(r.urn))?.role === "replica")).map((r) => r.urn);
}

/** A refusal like the production guard's: nothing ran, the CLI exits with its "refused" code. */
export class ScaleOrderError extends ProductionGuardError {
    constructor(stack: string, readonly problems: string[]) {
        super(`Refusing to update stack "${stack}" in one step: Azure requires read replicas to be scaled up before the primary, `
            + `and one update changes the primary first:\n${problems.map((p) => `  ${p}`).join("\n")}\n`
            + `Run \`bookstore-infra scale --stack ${shortStackName(stack)}\`: it updates the replicas first, then the rest.`);
        this.name = "ScaleOrderError";
    }
}

/** The stack file a stack name refers to, for callers that only have a project directory. */
export function stackFileOf(projectDir: string, stack: string): string {
    return path.join(projectDir, `Pulumi.${shortStackName(stack)}.yaml`);
}
