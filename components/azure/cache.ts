// Cache: Azure Managed Redis (redisenterprise) with Entra access, optional private endpoint and diagnostics.
import * as pulumi from "@pulumi/pulumi";
import * as redisenterprise from "@pulumi/azure-native/redisenterprise";
import { PrivateLink } from "./privateLink";
import type { DiagnosticTarget } from "../wiring";

/** The TLS port of an Azure Managed Redis database (Azure Cache for Redis used 6380). */
export const MANAGED_REDIS_TLS_PORT = 10000;

/**
 * Name of the workload's access policy assignment. The spec's `accessPolicyAssignmentName` is
 * `^[A-Za-z0-9]{1,60}$` (redisenterprise 2025-07-01), so the provider's autoname (logical name with
 * hyphens plus a suffix) would be refused: the name is explicit.
 */
export const WORKLOAD_ACCESS_ASSIGNMENT_NAME = "workloadaccess";

export type CachePersistence = "aof" | "rdb" | "none";

export interface CacheArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** Cluster name (1-60 letters, digits and single hyphens). */
    clusterName: string;
    /** Azure Managed Redis SKU, e.g. "Balanced_B5". */
    sku: string;
    /** Replicate across zones (and the SLA that comes with it). */
    highAvailability: boolean;
    /** `EnterpriseCluster` for clients that are not cluster-aware; `OSSCluster` for cluster-aware ones. */
    clusteringPolicy: "EnterpriseCluster" | "OSSCluster";
    evictionPolicy: string;
    persistence: CachePersistence;
    /**
     * Principal (object) id that gets the database's `default` access policy through Microsoft
     * Entra ID. Access keys are disabled when set; without it the app would need a key.
     */
    entraPrincipalId?: pulumi.Input<string>;
    /** Private endpoint in this subnet and public network access off. Default: none (public, TLS only). */
    privateEndpoint?: { vnetId: pulumi.Input<string>; subnetId: pulumi.Input<string> };
    tags: Record<string, string>;
}

/** Redis persistence settings for the `redisenterprise` database API (at most one of AOF and RDB). */
export function persistenceSettings(persistence: CachePersistence): redisenterprise.DatabaseArgs["persistence"] {
    switch (persistence) {
        case "aof": return { aofEnabled: true, aofFrequency: "1s", rdbEnabled: false };
        case "rdb": return { rdbEnabled: true, rdbFrequency: "1h", aofEnabled: false };
        case "none": return { aofEnabled: false, rdbEnabled: false };
    }
}

/**
 * The StackExchange.Redis configuration string the app reads as `ConnectionStrings__redis`.
 * With Entra ID there is no password: the app adds a token through Microsoft.Azure.StackExchangeRedis.
 */
/** An Azure Managed Redis cluster's host name, known from its name and region before it exists. */
export function managedRedisHost(clusterName: string, location: string): string {
    return `${clusterName}.${location.toLowerCase().replace(/\s+/g, "")}.redis.azure.net`;
}

export function redisConnectionString(host: string, port: number): string {
    return `${host}:${port},ssl=True,abortConnect=False`;
}

/**
 * Azure Managed Redis (`redisenterprise` cluster + one database), the successor of the retired
 * Azure Cache for Redis: TLS 1.2 minimum, encrypted client protocol only, zone-redundant HA,
 * Entra ID access for the workload identity, and a private endpoint where asked.
 */
export class Cache extends pulumi.ComponentResource {
    readonly clusterId: pulumi.Output<string>;
    readonly databaseId: pulumi.Output<string>;
    readonly hostName: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    /** `host:port,ssl=True,abortConnect=False` (no secret in it when Entra ID is used). */
    readonly connectionString: pulumi.Output<string>;
    /** Cluster (metrics) and database (connection logs) for the observability tier. */
    readonly diagnosticTargets: DiagnosticTarget[];

    constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:cache:Cache", name, {}, opts);
        const child = { parent: this };

        const cluster = new redisenterprise.RedisEnterprise(`${name}-cluster`, {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            clusterName: args.clusterName,
            sku: { name: args.sku },
            // AMR spreads an HA cache's replicas across zones itself in zonal regions; `zones` was for the retired Enterprise SKUs.
            highAvailability: args.highAvailability ? "Enabled" : "Disabled",
            minimumTlsVersion: "1.2",
            publicNetworkAccess: args.privateEndpoint ? "Disabled" : "Enabled",
            tags: args.tags,
        }, child);

        const database = new redisenterprise.Database(`${name}-db`, {
            resourceGroupName: args.resourceGroupName,
            clusterName: cluster.name,
            databaseName: "default",
            clientProtocol: "Encrypted",
            port: MANAGED_REDIS_TLS_PORT,
            clusteringPolicy: args.clusteringPolicy,
            evictionPolicy: args.evictionPolicy,
            persistence: persistenceSettings(args.persistence),
            accessKeysAuthentication: args.entraPrincipalId ? "Disabled" : "Enabled",
        }, child);

        if (args.entraPrincipalId) {
            new redisenterprise.AccessPolicyAssignment(`${name}-workload-access`, {
                resourceGroupName: args.resourceGroupName,
                clusterName: cluster.name,
                databaseName: database.name,
                accessPolicyAssignmentName: WORKLOAD_ACCESS_ASSIGNMENT_NAME,
                accessPolicyName: "default",
                user: { objectId: args.entraPrincipalId },
            }, child);
        }

        if (args.privateEndpoint) {
            new PrivateLink(`${name}-private`, {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                vnetId: args.privateEndpoint.vnetId,
                subnetId: args.privateEndpoint.subnetId,
                targetResourceId: cluster.id,
                groupId: "redisEnterprise",
                dnsZoneName: "privatelink.redis.azure.net",
                tags: args.tags,
            }, child);
        }

        this.clusterId = cluster.id;
        this.databaseId = database.id;
        this.hostName = cluster.hostName;
        this.port = database.port.apply((p) => p ?? MANAGED_REDIS_TLS_PORT);
        // Built from the cluster's name and region, not from its outputs, so the app needs no finished
        // cache to be deployed (it reconnects once the cache answers, abortConnect=False): an AMR host
        // is `<cluster>.<region>.redis.azure.net` on TLS port 10000 (Learn, Azure Managed Redis quickstarts).
        this.connectionString = pulumi.output(args.location).apply((location) =>
            redisConnectionString(managedRedisHost(args.clusterName, location), MANAGED_REDIS_TLS_PORT));
        this.diagnosticTargets = [
            { name: `${name}-cluster`, resourceId: cluster.id, resourceType: "Microsoft.Cache/redisEnterprise" },
            { name: `${name}-db`, resourceId: database.id, resourceType: "Microsoft.Cache/redisEnterprise/databases" },
        ];
        this.registerOutputs({
            clusterId: this.clusterId, databaseId: this.databaseId, hostName: this.hostName, port: this.port,
            connectionString: this.connectionString,
        });
    }
}
