/**
 * Failover the program survives: the writer and reader virtual endpoints of the Flexible Server,
 * and which server holds which role after `bookstore-infra failover` switched them over.
 *
 * Rules (Learn, "Virtual endpoints for read replicas" and "Promote read replicas", Flexible Server):
 * - one writer and one reader endpoint per primary and one of its replicas: the pair is managed on
 *   the primary, `members` names the reader endpoint's target;
 * - a switchover ("promote to primary server") works only to the reader endpoint's target; the
 *   writer endpoint then follows the new primary and the reader endpoint the demoted old primary,
 *   so the host names in the connection strings never change;
 * - a standalone promotion takes the server out of replication and out of the endpoints.
 */
import * as pulumi from "@pulumi/pulumi";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import type { DatabaseSpec } from "./databaseSpec";

/** The spec's name rule for `virtualEndpointName` (2025-08-01): 3-63 characters, no trailing dash. */
export const VIRTUAL_ENDPOINT_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}(?<!-)$/;

/**
 * Base name of the endpoint pair. Its host names are global DNS names, so it carries the servers'
 * stable suffix: `<base>-db-<suffix>` beside `<base>-pg-<suffix>`.
 */
export function virtualEndpointName(primaryServerName: string): string {
    const name = primaryServerName.replace(/-pg-([0-9a-f]{8})$/, "-db-$1");
    if (name === primaryServerName || name.length < 3 || name.length > 63 || !VIRTUAL_ENDPOINT_NAME.test(name)) {
        throw new Error(`virtualEndpointName: cannot derive a valid endpoint name from server name "${primaryServerName}"`);
    }
    return name;
}

/** The endpoints' host names (Learn: `<name>.writer.postgres.database.azure.com`, `<name>.reader...`). */
export function virtualEndpointHosts(name: string): { writer: string; reader: string } {
    return { writer: `${name}.writer.postgres.database.azure.com`, reader: `${name}.reader.postgres.database.azure.com` };
}

/**
 * Roles of the servers, by index in [primary, replica 1, ...]: the server that writes, the one
 * the reader endpoint targets (its failover partner), or none without replicas.
 */
export interface FailoverRoles {
    /** Index of the server in the writer role: 0 (the original primary) or the promoted replica's. */
    writer: number;
    /** Index of the reader endpoint's target: the partner replica, or 0 once that replica writes. */
    reader?: number;
    /** Index of the replica paired with the primary in the endpoints. */
    partner?: number;
}

export function failoverRoles(db: Pick<DatabaseSpec, "failover">): FailoverRoles {
    const partner = db.failover.replica;
    if (partner === undefined) return { writer: 0 };
    return db.failover.promoted ? { writer: partner, reader: 0, partner } : { writer: 0, reader: partner, partner };
}

/** Roles a server reports while it replicates (spec 2025-08-01 `ReplicationRole`). */
const REPLICA_ROLES = new Set(["AsyncReplica", "GeoAsyncReplica"]);

/** The live topology contradicts itself or the program: a plan on it would guess. */
export class TopologyError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "TopologyError";
    }
}

/**
 * The roles as Azure reports them now: which of the pair (the original primary and its failover
 * partner) is the primary. The stack file's `database.failover.promoted` (written by
 * `bookstore-infra failover`) is the fallback when Azure does not answer (a first deploy, the
 * offline plan, a region that is down). A pair that both report Primary means a standalone
 * promotion took the partner out of replication: no role assignment describes that, so the plan
 * stops and names the runbook step (re-adding a replica).
 */
export function liveRoles(db: Pick<DatabaseSpec, "failover">, original?: { role?: string }, partner?: { role?: string }, names?: { original: string; partner: string }): FailoverRoles {
    const recorded = failoverRoles(db);
    const partnerIndex = recorded.partner;
    if (partnerIndex === undefined) return recorded;
    const a = original?.role;
    const b = partner?.role;
    if (a === "Primary" && b === "Primary") {
        throw new TopologyError(`${names?.original ?? "the primary"} and ${names?.partner ?? `replica ${partnerIndex}`} both report role Primary: `
            + "the partner was promoted standalone, out of replication. Re-add it as a replica (README runbook, step 3) before the next up.");
    }
    if (b === "Primary" && (a === undefined || REPLICA_ROLES.has(a))) return failoverRoles({ failover: { replica: partnerIndex, promoted: true } });
    if (a === "Primary" && (b === undefined || REPLICA_ROLES.has(b))) return failoverRoles({ failover: { replica: partnerIndex, promoted: false } });
    return recorded;
}

/**
 * What Azure owns on a server after creation, never pushed back: the zones (an HA failover swaps
 * primary and standby zones; `availabilityZone` is create-only in spec 2025-08-01 and the SDK sends
 * "" when unset, so after a refresh it would plan a replacement; hashicorp/terraform-provider-azurerm
 * documents the same ignore_changes) and the replication source (create-only; a switchover gives the
 * demoted primary one and every replica a new one).
 */
export const AZURE_OWNED_SERVER_PROPERTIES = ["availabilityZone", "highAvailability.standbyAvailabilityZone", "sourceServerResourceId"];

/**
 * Backups to send, by role: none for a replica (it has no backups), retention for the writer, and
 * geo-redundancy as Azure has it once the server exists: it can be set only at creation and a
 * promoted replica has none (Learn, "Promote read replicas": "Geo-backup settings aren't
 * transferred"), so sending the configured value would fight Azure.
 */
export function backupFor(writes: boolean, live: { geoRedundantBackup?: string } | undefined, configured: DatabaseSpec["backup"]):
    { backupRetentionDays: number; geoRedundantBackup: string } | undefined {
    if (!writes) return undefined;
    const geoRedundantBackup = live ? (live.geoRedundantBackup ?? "Disabled") : (configured.geoRedundant ? "Enabled" : "Disabled");
    return { backupRetentionDays: configured.retentionDays, geoRedundantBackup };
}

/**
 * High availability to send, by role: the configured mode for the server that writes, "Disabled"
 * for a replica (Learn, "Read replicas": replicas can't have HA). Updatable on an existing server,
 * so a switchover changes it in place and never replaces a server.
 */
export function highAvailabilityFor(role: "writer" | "replica", configured: DatabaseSpec["highAvailability"]): DatabaseSpec["highAvailability"] {
    return role === "writer" ? configured : "Disabled";
}

export interface VirtualEndpointPairArgs {
    resourceGroupName: pulumi.Input<string>;
    /** The program's own name for the primary (`<base>-pg-<suffix>`), which the endpoint name follows even when an adopted server has another. */
    endpointBaseName: pulumi.Output<string>;
    /** [primary, replica 1, ...]. */
    servers: { name: pulumi.Output<string>; fqdn: pulumi.Output<string> }[];
    /** The failover partner (config), fixed: the pair's members never change, only which of them writes. */
    partner?: number;
    /** The live roles (liveRoles). */
    roles: pulumi.Output<FailoverRoles>;
    /** The last replica: the pair is an operation on the primary, which Azure runs one at a time after replica creation. */
    after: pulumi.Resource[];
}

export interface VirtualEndpointPair {
    /** Base name and host names of the pair; none without replicas. */
    endpoints?: { name: pulumi.Output<string>; writer: pulumi.Output<string>; reader: pulumi.Output<string> };
    /** Host of each server's endpoint: the writer endpoint for the primary's, the reader for the partner's, else the server's name. */
    hosts: pulumi.Output<string>[];
}

/**
 * The writer/reader endpoint pair (`endpointType` "ReadWrite" is the spec's only value and creates
 * both), managed on the server that writes now ("All operations involving virtual endpoints ... are
 * performed in the context of the primary server", Learn, "Virtual endpoints for read replicas";
 * after a switchover a GET under the demoted server finds nothing), `members` the reader endpoint's
 * target, and the hosts the connection strings and PgBouncer use. `bookstore-infra failover` moves
 * the pair's id in the state to the new primary, so the next `up` neither re-creates nor replaces it.
 */
export function virtualEndpointPair(logicalName: string, args: VirtualEndpointPairArgs, parent: pulumi.Resource): VirtualEndpointPair {
    const { roles, servers, partner } = args;
    if (partner === undefined) return { hosts: servers.map((s) => s.fqdn) };
    const name = args.endpointBaseName.apply(virtualEndpointName);
    const nameOf = (index: pulumi.Output<number | undefined>) => pulumi.all([index, pulumi.all(servers.map((s) => s.name))]).apply(([i, names]) => names[i ?? 0]);
    new dbforpostgresql.VirtualEndpoint(logicalName, {
        resourceGroupName: args.resourceGroupName,
        serverName: nameOf(roles.apply((r) => r.writer)),
        virtualEndpointName: name,
        endpointType: "ReadWrite",
        members: [nameOf(roles.apply((r) => r.reader))],
    }, { parent, dependsOn: args.after });
    const endpoints = {
        name,
        writer: name.apply((n) => virtualEndpointHosts(n).writer),
        reader: name.apply((n) => virtualEndpointHosts(n).reader),
    };
    const hosts = servers.map((s, i) => (i === 0 ? endpoints.writer : i === partner ? endpoints.reader : s.fqdn));
    return { endpoints, hosts };
}
