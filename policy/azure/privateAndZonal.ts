/**
 * Production shape a review of the stacks found expressible as policy: the cache reachable only
 * privately, and an AKS control plane and system pool that survive a zone and carry an SLA.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { configSchema, describe, environmentsProperty, inScope, ofType, Scoped, settingsOf, tokenOf } from "../common";
import { AgentPool, ManagedCluster, ManagedRedis, PrivateEndpoint, RedisCache } from "../types";

/** The private-link group id of each cache type (Microsoft.Network private endpoint `groupIds`). */
const REDIS_GROUP_IDS: Record<string, string> = {
    [tokenOf(ManagedRedis)]: "redisEnterprise",
    [tokenOf(RedisCache)]: "redisCache",
};

/** Whether a private endpoint connects to `cache`: it depends on it and asks for the cache's group id. */
function privatelyConnected(cache: PolicyResource, endpoints: PolicyResource[]): boolean {
    const groupId = REDIS_GROUP_IDS[cache.type];
    return endpoints.some((pe) => pe.dependencies.some((d) => d.urn === cache.urn)
        && [...(pe.props.privateLinkServiceConnections ?? []), ...(pe.props.manualPrivateLinkServiceConnections ?? [])]
            .some((c: { groupIds?: string[] }) => (c.groupIds ?? []).includes(groupId)));
}

const redisPrivateSchema = configSchema({ environments: environmentsProperty(["prod"]) });

export const redisPrivateAccess: StackValidationPolicy = {
    name: "redis-private-access",
    description: "Production Redis is reachable only privately: public network access Disabled and a private endpoint "
        + "to the cache (Managed Redis group `redisEnterprise`, Cache for Redis `redisCache`).",
    configSchema: redisPrivateSchema,
    validateStack: (args, reportViolation) => {
        const settings = settingsOf<Scoped>(args, redisPrivateSchema);
        const endpoints = ofType(args.resources, tokenOf(PrivateEndpoint));
        const caches = args.resources.filter((r) => r.type in REDIS_GROUP_IDS && inScope(settings, r.props));
        for (const cache of caches) {
            // Both APIs default publicNetworkAccess to Enabled when it is left out.
            const access = cache.props.publicNetworkAccess ?? "Enabled";
            if (access !== "Disabled") reportViolation(`${describe(cache)} has publicNetworkAccess ${access}; expected Disabled.`, cache.urn);
            if (!privatelyConnected(cache, endpoints)) {
                reportViolation(`${describe(cache)} has no private endpoint (group "${REDIS_GROUP_IDS[cache.type]}"), so nothing can reach it privately.`, cache.urn);
            }
        }
    },
};

// AKS docs: "Use system node pools in AKS" recommends at least three nodes for production system pools;
// "Free and Standard pricing tiers for AKS cluster management" — only Standard/Premium carry the uptime SLA.
const systemPoolSchema = configSchema({
    environments: environmentsProperty(["prod"]),
    minNodes: { type: "integer", minimum: 1, default: 3, description: "Fewest system-pool nodes (minCount when autoscaling)." },
    minZones: { type: "integer", minimum: 1, default: 2, description: "Fewest availability zones the system pool spans." },
    tiers: {
        type: "array", items: { type: "string" }, default: ["Standard", "Premium"],
        description: "Control-plane tiers allowed (`sku.tier`); Free has no uptime SLA.",
    },
});

type SystemPoolSettings = Scoped & { minNodes: number; minZones: number; tiers: string[] };

interface PoolShape { name?: string; mode?: string; count?: number; minCount?: number; enableAutoScaling?: boolean; availabilityZones?: string[] }

function checkSystemPool(pool: PoolShape, where: string, settings: SystemPoolSettings, report: (message: string) => void): void {
    // An autoscaled pool can shrink to minCount; a fixed one has count, which the API defaults to 1.
    const nodes = pool.enableAutoScaling ? pool.minCount : (pool.count ?? 1);
    if (nodes === undefined || nodes < settings.minNodes) {
        report(`${where} system pool "${pool.name}" has ${pool.enableAutoScaling ? "minCount" : "count"} ${nodes}; expected at least ${settings.minNodes}.`);
    }
    const zones = new Set(pool.availabilityZones ?? []).size;
    if (zones < settings.minZones) report(`${where} system pool "${pool.name}" spans ${zones} availability zone(s); expected at least ${settings.minZones}.`);
}

export const aksSystemPoolHa: ResourceValidationPolicy = {
    name: "aks-system-pool-ha",
    description: "Production AKS has a paid control-plane tier (Standard or Premium, with the uptime SLA) and system "
        + "pools of at least 3 nodes across at least 2 availability zones.",
    configSchema: systemPoolSchema,
    validateResource: [
        validateResourceOfType(ManagedCluster, (cluster, args, reportViolation) => {
            const settings = settingsOf<SystemPoolSettings>(args, systemPoolSchema);
            if (!inScope(settings, cluster)) return;
            const tier = cluster.sku?.tier ?? "Free"; // the API's default tier
            if (!settings.tiers.includes(tier)) reportViolation(`sku.tier is ${tier}; expected one of ${settings.tiers.join(", ")} (Free has no uptime SLA).`);
            // The first inline pool must be a System pool; mode defaults to User only for later pools.
            (cluster.agentPoolProfiles ?? []).forEach((pool, i) => {
                if (pool.mode === "System" || (pool.mode === undefined && i === 0)) checkSystemPool(pool as PoolShape, "agentPoolProfiles:", settings, reportViolation);
            });
        }),
        validateResourceOfType(AgentPool, (pool, args, reportViolation) => {
            const settings = settingsOf<SystemPoolSettings>(args, systemPoolSchema);
            if (!inScope(settings, pool) || pool.mode !== "System") return;
            checkSystemPool({ ...(pool as PoolShape), name: pool.agentPoolName ?? args.name }, "agent pool:", settings, reportViolation);
        }),
    ],
};

export const privateAndZonalPolicies = [redisPrivateAccess, aksSystemPoolHa];
