// Cache: Azure Managed Redis (redisenterprise) with Entra access, optional private endpoint and diagnostics.
import * as pulumi from "@pulumi/pulumi";
import * as redisenterprise from "@pulumi/azure-native/redisenterprise";
import * as keyvault from "@pulumi/azure-native/keyvault";
import { PrivateLink } from "./privateLink";
import { vaultSecretName, type VaultTarget } from "./databaseSecrets";
import { connectionStringEnv } from "../appContract";
import type { DiagnosticTarget, SecretSetting } from "../wiring";



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
     * Entra ID (for a client that authenticates with a token). Default: none.
     */
    entraPrincipalId?: pulumi.Input<string>;
    /**
     * Where the app's connection string, with the database's access key, is kept. The app's client
     * (Aspire's StackExchange.Redis integration, components/appContract.ts) sends a password and no
     * Entra token, so access keys stay enabled and the key reaches the app only through Key Vault.
     */
    keyVault: VaultTarget;
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

/** An Azure Managed Redis cluster's host name, known from its name and region before it exists. */
export function managedRedisHost(clusterName: string, location: string): string {
    return `${clusterName}.${location.toLowerCase().replace(/\s+/g, "")}.redis.azure.net`;
}

/**
 * The StackExchange.Redis configuration string the app reads as `ConnectionStrings__cache`:
 * `host:port` first, then options (StackExchange.Redis "Configuration": `password`, `ssl`,
 * `abortConnect`). TLS always (the database speaks only the encrypted protocol); abortConnect=False
 * so a replica that starts before the cache answers keeps retrying instead of failing.
 */
export function redisConnectionString(host: string, port: number, password: string): string {
    return `${host}:${port},password=${password},ssl=True,abortConnect=False`;
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
    /** The app's `host:port,password=…,ssl=True,abortConnect=False`, a secret, and its Key Vault copy. */
    readonly connectionString: SecretSetting;
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
            // "Can be updated even after database is created" (Database.accessKeysAuthentication, redisenterprise 2025-07-01).
            accessKeysAuthentication: "Enabled",
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
        // The host is built from the cluster's name and region (an AMR host is `<cluster>.<region>.redis.azure.net`
        // on TLS port 10000, Learn, Azure Managed Redis quickstarts); the key exists once the database does.
        const keys = redisenterprise.listDatabaseKeysOutput({
            resourceGroupName: args.resourceGroupName, clusterName: cluster.name, databaseName: database.name,
        }, child);
        const value = pulumi.secret(pulumi.all([args.location, keys.primaryKey]).apply(([location, key]) =>
            redisConnectionString(managedRedisHost(args.clusterName, location), MANAGED_REDIS_TLS_PORT, key ?? "")));
        const secret = new keyvault.Secret(`${name}-connection-string`, {
            resourceGroupName: args.keyVault.resourceGroupName,
            vaultName: args.keyVault.keyVaultName,
            secretName: vaultSecretName(connectionStringEnv("cache").replace("__", "-")),
            properties: { value, contentType: "text/plain" },
            tags: args.keyVault.tags,
        }, child);
        this.connectionString = { value, keyVaultSecretUri: secret.properties.apply((p) => p.secretUri) };
        this.diagnosticTargets = [
            { name: `${name}-cluster`, resourceId: cluster.id, resourceType: "Microsoft.Cache/redisEnterprise" },
            { name: `${name}-db`, resourceId: database.id, resourceType: "Microsoft.Cache/redisEnterprise/databases" },
        ];
        this.registerOutputs({
            clusterId: this.clusterId, databaseId: this.databaseId, hostName: this.hostName, port: this.port,
            connectionStringSecretUri: this.connectionString.keyVaultSecretUri,
        });
    }
}
