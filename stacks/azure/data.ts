/**
 * The Azure composition's data tiers: PostgreSQL (primary, replicas, alerts, pooler endpoints),
 * the cache and the real-time wiring (both wired into the app), and the PgBouncer Deployment
 * that runs in the app's namespace on aks.
 */
import { DatabaseTier } from "../../components/azure/database";
import { Cache } from "../../components/azure/cache";
import { SIGNALR_REDIS_CHANNEL_PREFIX, signalRIdentityConnectionString } from "../../components/azure/realtime";
import type { AppTierOutputs } from "../../components/contracts";
import { APP_NAMESPACE } from "../../components/kubernetes/kubernetesAppTier";
import { PgbouncerDeployment, pgbouncerServiceHost } from "../../components/kubernetes/pgbouncer";
import { ResolvedDatabase, resolveDatabase, sharedAppPoolSize } from "../schema/database";
import { realtimeMode } from "../schema/edge";
import type { AzureFoundation } from "./foundation";

export interface AzureDatabase {
    database: DatabaseTier;
    /** The database config with every default resolved. */
    settings: ResolvedDatabase;
}

/** The database tier; its connection strings go to the app. */
export function composeDatabase(base: AzureFoundation): AzureDatabase {
    const { config, platform } = base;
    const settings = resolveDatabase(config);
    const database = new DatabaseTier("database", {
        namePrefix: config.namePrefix,
        environment: config.environment,
        location: config.location,
        resourceGroupName: platform.resourceGroupName,
        vnetId: platform.vnetId,
        delegatedSubnetId: platform.subnetIds.postgres,
        subscriptionId: platform.subscriptionId,
        keyVaultName: platform.keyVault.name,
        actionGroupId: platform.actionGroupId,
        workspaceId: platform.workspace.id,
        tags: base.tags,
        database: settings,
        // The Service's name is fixed, so the connection strings exist before the PgBouncer Deployment does.
        deploymentPoolerHost: settings.pooler === "deployment" ? pgbouncerServiceHost(APP_NAMESPACE) : undefined,
        appPoolSize: sharedAppPoolSize(config),
    });
    base.wirings.push({ env: {}, secrets: database.connectionStrings });
    base.diagnosticTargets.push(...database.diagnosticTargets);
    Object.assign(base.outputs, database.stackOutputs());
    return { database, settings };
}

export interface AzureCache {
    cache: Cache;
    realtime: ReturnType<typeof realtimeMode>;
    /** Name of the SignalR Service (mode "signalr"), created after the app tier (it needs the web origins). */
    signalRName: string;
}

/**
 * Managed Redis, and the app's real-time wiring: SignalR's host name follows from its resource
 * name, so the app is wired now and the service is created once the public web origin (its
 * CORS) is known, after the app tier (edge.ts).
 */
export function composeCacheAndRealtimeWiring(base: AzureFoundation): AzureCache {
    const { config, platform } = base;
    const cache = new Cache("cache", {
        resourceGroupName: platform.resourceGroupName,
        location: config.location,
        clusterName: `${base.baseName}-redis`,
        sku: config.cache.sku ?? (base.prod ? "Balanced_B5" : "Balanced_B0"),
        highAvailability: config.cache.highAvailability ?? base.prod,
        clusteringPolicy: config.cache.clusteringPolicy,
        evictionPolicy: config.cache.evictionPolicy,
        persistence: config.cache.persistence ?? (base.prod ? "rdb" : "none"),
        entraPrincipalId: platform.workloadIdentity.principalId,
        privateEndpoint: (config.cache.privateEndpoint ?? base.prod)
            ? { vnetId: platform.vnetId, subnetId: platform.subnetIds.privateEndpoints } : undefined,
        tags: base.tags,
    });
    const realtime = realtimeMode(config);
    const signalRName = `${base.baseName}-signalr`;
    base.wirings.push({
        env: {
            ConnectionStrings__redis: cache.connectionString,
            ...(realtime === "signalr"
                ? { Azure__SignalR__ConnectionString: platform.workloadIdentity.clientId.apply((clientId) =>
                    signalRIdentityConnectionString(`${signalRName}.service.signalr.net`, clientId)) }
                : { SignalR__Backplane: "Redis", SignalR__Redis__ChannelPrefix: SIGNALR_REDIS_CHANNEL_PREFIX }),
        },
        secrets: {},
    });
    base.diagnosticTargets.push(
        ...cache.diagnosticTargets,
        { name: "key-vault", resourceId: platform.keyVault.id, resourceType: "Microsoft.KeyVault/vaults" },
        { name: "container-registry", resourceId: platform.registry.id, resourceType: "Microsoft.ContainerRegistry/registries" },
    );
    base.outputs.redisHost = cache.hostName;
    base.outputs.redisPort = cache.port;
    base.outputs.realtime = realtime;
    return { cache, realtime, signalRName };
}

/** The PgBouncer Deployment (pooler "deployment"), in the app namespace, started after the pods' grants. */
export function composePgbouncer(base: AzureFoundation, db: AzureDatabase, appTier: AppTierOutputs): void {
    if (db.settings.pooler !== "deployment") return;
    if (!appTier.provider || !appTier.namespace) throw new Error("the PgBouncer Deployment needs the Kubernetes app tier's provider and namespace");
    new PgbouncerDeployment("pgbouncer", {
        provider: appTier.provider,
        namespace: appTier.namespace,
        databases: db.database.serverDatabases(),
        user: db.database.adminLogin,
        password: db.database.adminPassword,
        settings: db.settings.pgbouncer,
        registryLoginServer: base.platform.registry.loginServer,
        startAfter: appTier.workloadGrantsReady ? [appTier.workloadGrantsReady] : [],
    });
}
