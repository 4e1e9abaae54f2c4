/**
 * Pure rules of the database tier's servers: their names and host names, what a create or an
 * update of a Flexible Server sends, and which server parameters a replica needs of its own.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import type { ServerParameter } from "../../lib/postgresParameters";
import { POOLER_PORT } from "../kubernetes/pgbouncer";

/**
 * A server's host name follows from its name alone (Learn, "Read replicas": a server named
 * myreplica answers at myreplica.postgres.database.azure.com; with private access the public zone
 * CNAMEs to the private DNS zone). So connection strings need only the name, not the server.
 */
export function serverFqdn(serverName: string): string {
    return `${serverName}.postgres.database.azure.com`;
}

/**
 * Server names are global DNS labels (3-63 lowercase letters, digits, hyphens), so the program
 * picks them itself, like ARM's uniqueString: a stable 8-hex suffix of the subscription and the
 * stack, known before anything is created (the provider's random autoname is not).
 */
export function serverNames(base: string, subscriptionId: string, stack: string, replicas: number): { primary: string; replicas: string[] } {
    const suffix = createHash("sha256").update(`${subscriptionId}/${stack}/${base}`).digest("hex").slice(0, 8);
    return {
        primary: `${base}-pg-${suffix}`,
        replicas: Array.from({ length: replicas }, (_, i) => `${base}-pg-replica-${i + 1}-${suffix}`),
    };
}

/** Names of servers that already exist, kept in place of the generated ones (config `database.serverNames`). */
export function adoptServerNames(generated: { primary: string; replicas: string[] }, existing?: { primary?: string; replicas: string[] }): { primary: string; replicas: string[] } {
    return {
        primary: existing?.primary ?? generated.primary,
        replicas: generated.replicas.map((name, i) => existing?.replicas[i] ?? name),
    };
}

/** What Azure holds for a server right now, when it exists (read before the update). */
export interface LiveServer {
    storageSizeGB?: number;
    skuName?: string;
    /**
     * Its role in the replication set (spec 2025-08-01 `Replica.role`: None, Primary, AsyncReplica,
     * GeoAsyncReplica); a switchover swaps it, so the tier's roles follow it (databaseFailover.ts).
     */
    role?: string;
    /** `backup.geoRedundantBackup`: set at creation only, and lost by a promotion (Learn, "Promote read replicas"). */
    geoRedundantBackup?: string;
}

/**
 * Storage to send. azure-native updates with a full PUT of our inputs; once autogrow has grown
 * the disk, the configured size is smaller than the real one and Azure refuses to shrink
 * (Learn, "Storage autogrow": storage can only grow). So send the larger of the two: a resize is
 * a raise of `storage.sizeGB` (replicas first, `bookstore-infra scale`), and autogrow is never undone.
 */
export function storageToSend(configuredGB: number, live: LiveServer | undefined): number {
    return Math.max(configuredGB, live?.storageSizeGB ?? 0);
}

/**
 * `createMode` of a replica: "Replica" only when it does not exist yet. The spec (2025-08-01,
 * ServerProperties.createMode: create and update, "Update: operation updates an existing server")
 * allows "Update" on a PUT; a second "Replica" PUT is refused with ReadReplicaAlreadyExistWithGivenName
 * (Azure/azure-service-operator#5086, fixed there by sending Update once the replica exists).
 * `ignoreChanges` would not help: the engine then re-sends the old input, "Replica" again.
 */
export function replicaCreateMode(live: LiveServer | undefined): "Replica" | "Update" {
    return live ? "Update" : "Replica";
}

/**
 * Reads a server by name; undefined when it does not exist (a first deploy). Any failure reads as
 * "absent": a replica then sends "Replica", which Azure refuses loudly rather than anything silent.
 */
export function liveServer(resourceGroupName: pulumi.Input<string>, serverName: pulumi.Input<string>, opts: pulumi.InvokeOptions): pulumi.Output<LiveServer | undefined> {
    return pulumi.all([resourceGroupName, serverName]).apply(async ([rg, name]) => {
        try {
            const server = await dbforpostgresql.getServer({ resourceGroupName: rg, serverName: name }, opts);
            return {
                storageSizeGB: server.storage?.storageSizeGB,
                skuName: server.sku?.name,
                // `replicationRole` is the older, deprecated mirror of `replica.role` (both in 2025-08-01).
                role: server.replica?.role ?? server.replicationRole,
                geoRedundantBackup: server.backup?.geoRedundantBackup,
            };
        } catch {
            return undefined;
        }
    });
}

/**
 * Parameters Azure requires on a replica to be >= the primary's, for recovery (Learn, "Read
 * replicas" > Server parameters, and PostgreSQL's hot-standby rules).
 */
export const RECOVERY_PARAMETERS = ["max_connections", "max_prepared_transactions", "max_locks_per_transaction", "max_wal_senders", "max_worker_processes"];

/**
 * The Configurations a replica needs of its own. A replica inherits the primary's parameters when
 * it is created, but later changes on the primary are not propagated (Learn, "Read replicas" >
 * Server parameters). So a replica sets only: values that differ from the primary's (another SKU),
 * the recovery parameters (kept >= the primary's on every later change, replicas first), and the
 * built-in PgBouncer's (every server's pooler must keep the budget's limits).
 */
export function replicaParameters<P extends Pick<ServerParameter, "name" | "value">>(primary: P[], replica: P[]): P[] {
    const primaryValue = new Map(primary.map((p) => [p.name, p.value]));
    return replica.filter((p) => primaryValue.get(p.name) !== p.value
        || RECOVERY_PARAMETERS.includes(p.name)
        || p.name.startsWith("pgbouncer."));
}

/** An Npgsql connection string (the app's `ConnectionStrings__*` settings). */
export function connectionString(parts: {
    host: pulumi.Input<string>; database: string; user: string; password: pulumi.Input<string>;
    tls: "Require" | "Disable"; maxPoolSize?: number; port?: number;
    /** What the other end keeps per client: a server connection per transaction (default) or per session. */
    pooling?: "transaction" | "session";
}): pulumi.Output<string> {
    return pulumi.all([parts.host, parts.password]).apply(([host, password]) => [
        `Host=${host}`,
        `Port=${parts.port ?? POOLER_PORT}`,
        `Database=${parts.database}`,
        `Username=${parts.user}`,
        `Password=${password}`,
        `SSL Mode=${parts.tls}`,
        // Transaction pooling: the session reset (DISCARD ALL) on returning a connection would run on an arbitrary server connection.
        // On a session-level path the reset is right: it releases what the session held (advisory locks included).
        ...(parts.pooling === "session" ? [] : ["No Reset On Close=true"]),
        ...(parts.maxPoolSize ? [`Maximum Pool Size=${parts.maxPoolSize}`] : []),
    ].join(";"));
}
