/**
 * Azure scale and availability: Container Apps replica floors, ceilings and scale rules, a
 * zone-redundant environment, the AKS user pool's autoscaling, PostgreSQL HA and read replicas,
 * Redis replication and SignalR capacity (PSRule for Azure's Reliability pillar).
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { armName, configSchema, describe, environmentsProperty, inScope, ofType, Scoped, settingsOf, tokenOf } from "../common";
import { AgentPool, ContainerApp, ManagedCluster, ManagedEnvironment, ManagedRedis, PostgresServer, RedisCache, SignalR } from "../types";

const containerAppMinReplicasSchema = configSchema({
    environments: environmentsProperty(["prod"]),
    minReplicas: { type: "integer", minimum: 1, default: 2, description: "Replica floor of every Container App." },
    zoneRedundantMinReplicas: {
        type: "integer", minimum: 1, default: 3,
        description: "Replica floor when the app's environment is zone redundant (one replica per zone).",
    },
});

/** The managed environment a Container App runs in: its dependency, or the one its environmentId names. */
function environmentOfApp(app: PolicyResource, environments: PolicyResource[]): PolicyResource | undefined {
    const dependency = app.dependencies.find((d) => d.type === tokenOf(ManagedEnvironment));
    if (dependency) return dependency;
    const id = app.props.environmentId ?? app.props.managedEnvironmentId;
    if (typeof id !== "string") return undefined;
    return environments.find((e) => [e.props.environmentName, e.props.name].includes(armName(id)));
}

export const containerAppMinReplicas: StackValidationPolicy = {
    name: "containerapp-min-replicas",
    description: "Container Apps keep at least 2 replicas, and at least 3 in a zone-redundant environment, "
        + "so one instance or one zone can fail without an outage or a cold start.",
    configSchema: containerAppMinReplicasSchema,
    validateStack: (args, reportViolation) => {
        const settings = settingsOf<Scoped & { minReplicas: number; zoneRedundantMinReplicas: number }>(args, containerAppMinReplicasSchema);
        const environments = ofType(args.resources, tokenOf(ManagedEnvironment));
        for (const resource of ofType(args.resources, tokenOf(ContainerApp))) {
            const app = resource.asType(ContainerApp)!;
            if (!inScope(settings, app)) continue;
            const environment = environmentOfApp(resource, environments);
            const zoneRedundant = environment?.asType(ManagedEnvironment)?.zoneRedundant === true;
            const floor = zoneRedundant ? settings.zoneRedundantMinReplicas : settings.minReplicas;
            const minReplicas = app.template?.scale?.minReplicas ?? 0;
            if (minReplicas < floor) {
                const why = zoneRedundant ? ` (its environment ${describe(environment!)} is zone redundant)` : "";
                reportViolation(`${describe(resource)} has template.scale.minReplicas ${minReplicas}; expected at least ${floor}${why}.`, resource.urn);
            }
        }
    },
};

export const containerAppMaxReplicas: ResourceValidationPolicy = {
    name: "containerapp-max-replicas",
    description: "A Container App's maxReplicas is at least its minReplicas.",
    validateResource: validateResourceOfType(ContainerApp, (app, _args, reportViolation) => {
        // Azure's defaults when the scale block leaves them out.
        const minReplicas = app.template?.scale?.minReplicas ?? 0;
        const maxReplicas = app.template?.scale?.maxReplicas ?? 10;
        if (maxReplicas < minReplicas) {
            reportViolation(`template.scale.maxReplicas ${maxReplicas} is below minReplicas ${minReplicas}.`);
        }
    }),
};

export const containerAppScaleRules: ResourceValidationPolicy = {
    name: "containerapp-scale-rules",
    description: "A Container App scales on at least one rule, and on HTTP concurrency when it has ingress.",
    validateResource: validateResourceOfType(ContainerApp, (app, _args, reportViolation) => {
        const rules = app.template?.scale?.rules ?? [];
        if (rules.length === 0) {
            reportViolation("template.scale.rules is empty; add an HTTP, CPU or memory rule so the app scales out under load.");
            return;
        }
        if (app.configuration?.ingress && !rules.some((rule) => rule.http !== undefined)) {
            reportViolation("the app has ingress but no HTTP scale rule; add one (http.metadata.concurrentRequests).");
        }
    }),
};

export const containerAppsEnvironmentZoneRedundant: ResourceValidationPolicy = {
    name: "containerapps-environment-zone-redundant",
    description: "Production Container Apps environments are zone redundant (set at creation only).",
    configSchema: configSchema({ environments: environmentsProperty(["prod"]) }),
    validateResource: validateResourceOfType(ManagedEnvironment, (environment, args, reportViolation) => {
        if (!inScope(settingsOf<Scoped>(args, containerAppsEnvironmentZoneRedundant.configSchema!), environment)) return;
        if (environment.zoneRedundant !== true) {
            reportViolation("zoneRedundant is not true; replicas stay in one availability zone. It can only be set when the environment is created.");
        }
    }),
};

const aksUserPoolSchema = configSchema({
    environments: environmentsProperty(["prod"]),
    minCount: { type: "integer", minimum: 0, default: 2, description: "Autoscaler floor of a user pool (spot pools are exempt: they may scale to zero)." },
    perZoneMinCount: {
        type: "integer", minimum: 0, default: 1,
        description: "Autoscaler floor of a user pool pinned to one zone (one of a pool-per-zone set, whose floors add up).",
    },
});

type UserPoolSettings = Scoped & { minCount: number; perZoneMinCount: number };
type AgentPoolProfile = { mode?: string; enableAutoScaling?: boolean; minCount?: number; scaleSetPriority?: string; availabilityZones?: string[] };

function checkUserPool(pool: AgentPoolProfile, name: string, settings: UserPoolSettings, where: string, reportViolation: (message: string) => void): void {
    if ((pool.mode ?? "User") !== "User") return;
    if (pool.enableAutoScaling !== true) {
        reportViolation(`${where} user pool "${name}" does not autoscale (enableAutoScaling is not true).`);
        return;
    }
    const floor = (pool.availabilityZones ?? []).length === 1 ? settings.perZoneMinCount : settings.minCount;
    if (pool.scaleSetPriority !== "Spot" && (pool.minCount ?? 0) < floor) {
        reportViolation(`${where} user pool "${name}" has minCount ${pool.minCount}; expected at least ${floor}.`);
    }
}

/** Each inline pool of a cluster that is a User pool (inline pools default to System). */
const inlineUserPools = (cluster: { agentPoolProfiles?: (AgentPoolProfile & { name: string })[] }) =>
    (cluster.agentPoolProfiles ?? []).filter((pool) => pool.mode === "User");

export const aksUserPoolAutoscaling: ResourceValidationPolicy = {
    name: "aks-user-pool-autoscaling",
    description: "AKS user node pools autoscale with at least 2 nodes, or 1 per pool where there is one pool per zone (spot pools may scale to zero).",
    configSchema: aksUserPoolSchema,
    validateResource: [
        validateResourceOfType(AgentPool, (pool, args, reportViolation) => {
            const settings = settingsOf<UserPoolSettings>(args, aksUserPoolSchema);
            if (!inScope(settings, pool)) return;
            checkUserPool(pool, pool.agentPoolName ?? args.name, settings, "agent pool:", reportViolation);
        }),
        validateResourceOfType(ManagedCluster, (cluster, args, reportViolation) => {
            const settings = settingsOf<UserPoolSettings>(args, aksUserPoolSchema);
            if (!inScope(settings, cluster)) return;
            for (const pool of inlineUserPools(cluster)) checkUserPool(pool, pool.name, settings, "agentPoolProfiles:", reportViolation);
        }),
    ],
};

/**
 * An autoscaled user pool spanning several zones, under pods whose zone spread is hard, leaves pods
 * Pending on scale-out: the cluster autoscaler cannot ask the scale set for a node in a given zone.
 * Learn, "Best practices for zone resiliency" (articles/aks/aks-zone-resiliency.md): "When implementing
 * availability zones with the cluster autoscaler, we recommend using a single node pool for each zone".
 */
function checkPoolPerZone(pool: AgentPoolProfile, name: string, where: string, reportViolation: (message: string) => void): void {
    if ((pool.mode ?? "User") !== "User" || pool.enableAutoScaling !== true) return;
    const zones = new Set(pool.availabilityZones ?? []).size;
    if (zones > 1) {
        reportViolation(`${where} autoscaled user pool "${name}" spans ${zones} availability zones; use one pool per zone `
            + "(the cluster autoscaler cannot add a node in a chosen zone, so zone-spread pods stay Pending on scale-out).");
    }
}

const poolPerZoneSchema = configSchema({ environments: environmentsProperty(["prod"]) });

export const aksUserPoolPerZone: ResourceValidationPolicy = {
    name: "aks-user-pool-per-zone",
    description: "Autoscaled AKS user pools each stay in one availability zone (one pool per zone), as Learn's AKS zone-resiliency guidance recommends with the cluster autoscaler.",
    configSchema: poolPerZoneSchema,
    validateResource: [
        validateResourceOfType(AgentPool, (pool, args, reportViolation) => {
            if (!inScope(settingsOf<Scoped>(args, poolPerZoneSchema), pool)) return;
            checkPoolPerZone(pool, pool.agentPoolName ?? args.name, "agent pool:", reportViolation);
        }),
        validateResourceOfType(ManagedCluster, (cluster, args, reportViolation) => {
            if (!inScope(settingsOf<Scoped>(args, poolPerZoneSchema), cluster)) return;
            for (const pool of inlineUserPools(cluster)) checkPoolPerZone(pool, pool.name, "agentPoolProfiles:", reportViolation);
        }),
    ],
};

/**
 * A Flexible Server that is a read replica of another. Inputs say so with `createMode`; a stack
 * policy sees the provider's outputs, where `createMode` is absent (input only) and the read-only
 * `replicationRole` tells.
 */
export function isReplica(server: { createMode?: string; replicationRole?: string }): boolean {
    if (server.createMode !== undefined) return server.createMode === "Replica";
    return server.replicationRole === "AsyncReplica" || server.replicationRole === "GeoAsyncReplica";
}

export const postgresZoneRedundantHa: ResourceValidationPolicy = {
    name: "postgres-zone-redundant-ha",
    description: "Production PostgreSQL primaries run zone-redundant high availability (a standby in another zone).",
    configSchema: configSchema({ environments: environmentsProperty(["prod"]) }),
    validateResource: validateResourceOfType(PostgresServer, (server, args, reportViolation) => {
        if (isReplica(server) || !inScope(settingsOf<Scoped>(args, postgresZoneRedundantHa.configSchema!), server)) return;
        const mode = server.highAvailability?.mode ?? "Disabled";
        if (mode !== "ZoneRedundant") reportViolation(`highAvailability.mode is ${mode}; expected ZoneRedundant.`);
    }),
};

/** The replicas of each primary: servers created as replicas whose source is that primary. */
export function replicasByPrimary(resources: PolicyResource[]): Map<PolicyResource, PolicyResource[]> {
    const servers = ofType(resources, tokenOf(PostgresServer));
    const primaries = servers.filter((s) => !isReplica(s.props));
    const result = new Map<PolicyResource, PolicyResource[]>(primaries.map((p) => [p, []]));
    for (const replica of servers.filter((s) => isReplica(s.props))) {
        const source = replica.props.sourceServerResourceId;
        const primary = primaries.find((p) => replica.dependencies.includes(p))
            ?? primaries.find((p) => typeof source === "string" && [p.props.serverName, p.props.name].includes(armName(source)));
        if (primary) result.get(primary)!.push(replica);
    }
    return result;
}

const readReplicaSchema = configSchema({
    environments: environmentsProperty(["prod"]),
    minReplicas: { type: "integer", minimum: 0, default: 1, description: "Read replicas each production primary needs." },
});

export const postgresReadReplica: StackValidationPolicy = {
    name: "postgres-read-replica",
    description: "Every production PostgreSQL primary has at least one read replica (read scale-out and a regional fallback).",
    configSchema: readReplicaSchema,
    validateStack: (args, reportViolation) => {
        const settings = settingsOf<Scoped & { minReplicas: number }>(args, readReplicaSchema);
        for (const [primary, replicas] of replicasByPrimary(args.resources)) {
            if (!inScope(settings, primary.props)) continue;
            if (replicas.length < settings.minReplicas) {
                reportViolation(`${describe(primary)} has ${replicas.length} read replica(s); expected at least ${settings.minReplicas}.`, primary.urn);
            }
        }
    },
};

export const postgresReplicaWithoutHa: ResourceValidationPolicy = {
    name: "postgres-replica-no-ha",
    description: "PostgreSQL read replicas do not enable high availability (Azure does not support HA on replicas).",
    validateResource: validateResourceOfType(PostgresServer, (server, _args, reportViolation) => {
        const mode = server.highAvailability?.mode ?? "Disabled";
        if (isReplica(server) && mode !== "Disabled") {
            reportViolation(`the server is a read replica with highAvailability.mode ${mode}; replicas must have HA Disabled.`);
        }
    }),
};

export const postgresBurstableSku: StackValidationPolicy = {
    name: "postgres-burstable-sku",
    description: "No Burstable PostgreSQL SKU with high availability or read replicas (Azure supports neither on Burstable).",
    validateStack: (args, reportViolation) => {
        const burstable = (r: PolicyResource) => r.asType(PostgresServer)?.sku?.tier === "Burstable";
        for (const [primary, replicas] of replicasByPrimary(args.resources)) {
            const mode = primary.asType(PostgresServer)!.highAvailability?.mode ?? "Disabled";
            if (burstable(primary) && mode !== "Disabled") {
                reportViolation(`${describe(primary)} is Burstable with highAvailability.mode ${mode}.`, primary.urn);
            }
            if (burstable(primary) && replicas.length > 0) {
                reportViolation(`${describe(primary)} is Burstable and has ${replicas.length} read replica(s).`, primary.urn);
            }
        }
        for (const server of ofType(args.resources, tokenOf(PostgresServer))) {
            if (isReplica(server.props) && burstable(server)) {
                reportViolation(`${describe(server)} is a read replica on a Burstable SKU.`, server.urn);
            }
        }
    },
};

export const redisHighAvailability: ResourceValidationPolicy = {
    name: "redis-high-availability",
    description: "Production Redis keeps a replica: Azure Managed Redis with highAvailability on, Azure Cache for Redis not Basic.",
    configSchema: configSchema({ environments: environmentsProperty(["prod"]) }),
    validateResource: [
        validateResourceOfType(ManagedRedis, (cluster, args, reportViolation) => {
            if (!inScope(settingsOf<Scoped>(args, redisHighAvailability.configSchema!), cluster)) return;
            if (cluster.highAvailability === "Disabled") reportViolation("highAvailability is Disabled; the data set is not replicated.");
        }),
        validateResourceOfType(RedisCache, (cache, args, reportViolation) => {
            if (!inScope(settingsOf<Scoped>(args, redisHighAvailability.configSchema!), cache)) return;
            if (cache.sku?.name === "Basic") reportViolation("sku.name is Basic, which has no replica; use Standard or Premium.");
        }),
    ],
};

const signalRCapacitySchema = configSchema({
    environments: environmentsProperty(["prod"]),
    minCapacity: { type: "integer", minimum: 1, default: 2, description: "Fewest SignalR units." },
});

export const signalRCapacity: ResourceValidationPolicy = {
    name: "signalr-capacity",
    description: "Production SignalR runs at least 2 units on a tier with an SLA (not Free).",
    configSchema: signalRCapacitySchema,
    validateResource: validateResourceOfType(SignalR, (signalR, args, reportViolation) => {
        const settings = settingsOf<Scoped & { minCapacity: number }>(args, signalRCapacitySchema);
        if (!inScope(settings, signalR)) return;
        const tier = signalR.sku?.tier;
        const capacity = signalR.sku?.capacity ?? 1;
        if (tier === "Free" || signalR.sku?.name === "Free_F1") reportViolation("sku is Free, which has no SLA; use Standard or Premium.");
        if (capacity < settings.minCapacity) reportViolation(`sku.capacity is ${capacity}; expected at least ${settings.minCapacity}.`);
    }),
};
