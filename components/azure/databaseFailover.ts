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
    /** The original primary's server name: the pair's parent, kept after a switchover so its URN and id stay. */
    primaryServerName: pulumi.Output<string>;
    /** The program's own name for the primary (`<base>-pg-<suffix>`), which the endpoint name follows even when an adopted server has another. */
    endpointBaseName: pulumi.Output<string>;
    /** [primary, replica 1, ...]. */
    servers: { name: pulumi.Output<string>; fqdn: pulumi.Output<string> }[];
    roles: FailoverRoles;
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
 * both) on the original primary, `members` the reader endpoint's target, and the hosts the
 * connection strings and PgBouncer use.
 */
export function virtualEndpointPair(logicalName: string, args: VirtualEndpointPairArgs, parent: pulumi.Resource): VirtualEndpointPair {
    const { roles, servers } = args;
    if (roles.partner === undefined || roles.reader === undefined) return { hosts: servers.map((s) => s.fqdn) };
    const name = args.endpointBaseName.apply(virtualEndpointName);
    new dbforpostgresql.VirtualEndpoint(logicalName, {
        resourceGroupName: args.resourceGroupName,
        serverName: args.primaryServerName,
        virtualEndpointName: name,
        endpointType: "ReadWrite",
        members: [servers[roles.reader].name],
    }, { parent, dependsOn: args.after });
    const endpoints = {
        name,
        writer: name.apply((n) => virtualEndpointHosts(n).writer),
        reader: name.apply((n) => virtualEndpointHosts(n).reader),
    };
    const hosts = servers.map((s, i) => (i === 0 ? endpoints.writer : i === roles.partner ? endpoints.reader : s.fqdn));
    return { endpoints, hosts };
}
