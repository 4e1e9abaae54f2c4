/**
 * What each resource of a plan is billed for: line items naming a meter (of the Azure Retail Prices
 * API here; of the AWS Price List in meters.aws.ts) and a monthly quantity at the stack's minimum and
 * maximum scale, or usage-based items that are not estimated (with their unit), or nothing billed
 * for the resource itself. Quantities only: prices come from the price tables (prices.ts), never from here.
 */
import { AWS_INCLUDED, AWS_MODELS } from "./meters.aws";
import { billed, Billing, BillableResource, HOURS_PER_MONTH, CostItem, Inputs, usage } from "./billing";

const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

type Resource = BillableResource;

/** "1Gi" / "512Mi" / "2G" as GiB. */
export function gibibytes(memory: unknown): number {
    const match = /^(\d+(?:\.\d+)?)(Gi|Mi|G|M)?$/.exec(String(memory ?? ""));
    if (!match) return NaN;
    const value = Number(match[1]);
    const unit = match[2] ?? "Gi";
    return unit === "Gi" ? value : unit === "Mi" ? value / 1024 : unit === "G" ? (value * 1e9) / 2 ** 30 : (value * 1e6) / 2 ** 30;
}

function containerApp(inputs: Inputs): CostItem[] {
    const region = inputs.location;
    const scale = inputs.template?.scale ?? {};
    const min = Number(scale.minReplicas ?? 0);
    const max = Number(scale.maxReplicas ?? min);
    const containers: Inputs[] = inputs.template?.containers ?? [];
    const cpu = containers.reduce((sum, c) => sum + Number(c.resources?.cpu ?? 0), 0);
    const memory = containers.reduce((sum, c) => sum + gibibytes(c.resources?.memory), 0);
    // Consumption plan: every running replica is billed per vCPU-second and GiB-second (active rate;
    // a replica idling below the activity thresholds is billed less, and the free grant is not deducted).
    // The API's meter names carry the plan ("Standard vCPU Active Usage"; shared/reference/price-sources.md).
    return [
        billed(`${cpu} vCPU × ${min}-${max} replicas`, { key: `aca-vcpu-second/${region}`, serviceName: "Azure Container Apps", armRegionName: region, meterName: "Standard vCPU Active Usage", unit: "1 Second" }, cpu * min * SECONDS_PER_MONTH, cpu * max * SECONDS_PER_MONTH),
        billed(`${memory} GiB × ${min}-${max} replicas`, { key: `aca-memory-second/${region}`, serviceName: "Azure Container Apps", armRegionName: region, meterName: "Standard Memory Active Usage", unit: "1 GiB Second" }, memory * min * SECONDS_PER_MONTH, memory * max * SECONDS_PER_MONTH),
        usage("requests", "1M requests"),
    ];
}

function postgresServer(inputs: Inputs): CostItem[] {
    const region = inputs.location;
    const sku = inputs.sku?.name ?? "unknown";
    const tier = inputs.sku?.tier ?? "unknown";
    // A zone-redundant or same-zone HA server runs a standby with "the same virtual machine configuration,
    // including vCores, storage" (Learn: concepts-high-availability), billed as a second copy.
    const copies = inputs.highAvailability?.mode && inputs.highAvailability.mode !== "Disabled" ? 2 : 1;
    const storage = Number(inputs.storage?.storageSizeGB ?? 0);
    // The whole-instance compute row is skuName "<n> vCore" (the per-core rows are "vCore"); storage is its own product.
    const vCores = /^Standard_[A-Z]+?(\d+)/.exec(sku)?.[1];
    return [
        billed(`compute ${sku}${copies > 1 ? " + HA standby" : ""}`, { key: `postgres-flexible/${tier}/${sku}/${region}`, serviceName: "Azure Database for PostgreSQL", armRegionName: region, armSkuName: sku, ...(vCores ? { skuName: `${vCores} vCore` } : {}), unit: "1 Hour" }, copies * HOURS_PER_MONTH),
        billed(`storage ${storage} GB${copies > 1 ? " × 2" : ""}`, { key: `postgres-flexible-storage/${region}`, serviceName: "Azure Database for PostgreSQL", armRegionName: region, productName: "Az DB for PostgreSQL Flexible Server Storage", meterName: "Storage Data Stored", unit: "1 GB/Month" }, copies * storage),
        usage("backup storage beyond the provisioned size", "1 GB/Month"),
    ];
}

const REDIS_FAMILIES: Record<string, string> = { Balanced: "Balanced", MemoryOptimized: "Memory Optimized", ComputeOptimized: "Compute Optimized", FlashOptimized: "Flash Optimized" };

/**
 * An Azure Managed Redis cluster: instance-hours of its SKU. The API's rows are productName "Azure
 * Managed Redis - Balanced" with skuName "B5" for sku.name Balanced_B5. With high availability (the
 * API default) the cache runs on two instances and bills two instance-hours: Infracost's model
 * (internal/resources/azure/managed_redis.go, instanceCount 2) and Microsoft's own sample
 * (CawaMS/Aspire_eShop_redis-WIP: B5 $227.76/month with HA, $113.88 without) agree.
 */
function managedRedis(inputs: Inputs): CostItem {
    const sku = String(inputs.sku?.name ?? "unknown");
    const [family, size] = sku.split("_");
    const copies = inputs.highAvailability === "Disabled" ? 1 : 2;
    return billed(`${sku}${copies > 1 ? " × 2 (high availability)" : ""}`, { key: `redis-enterprise/${sku}/${inputs.location}`, serviceName: "Redis Cache", armRegionName: inputs.location, productName: `Azure Managed Redis - ${REDIS_FAMILIES[family] ?? family}`, skuName: size ?? sku, unit: "1 Hour" }, copies * HOURS_PER_MONTH);
}

function agentPools(inputs: Inputs): CostItem[] {
    const pools: Inputs[] = inputs.agentPoolProfiles ?? [];
    return pools.map((pool) => vmPool(pool, inputs.location));
}

function vmPool(pool: Inputs, region: string): CostItem {
    const size = pool.vmSize ?? "unknown";
    // Spot nodes are billed by the Spot meter of the size, at a price that moves with demand.
    const spot = pool.scaleSetPriority === "Spot";
    const min = Number(pool.enableAutoScaling ? pool.minCount : pool.count ?? 0);
    const max = Number(pool.enableAutoScaling ? pool.maxCount : pool.count ?? 0);
    return billed(`pool ${pool.name ?? ""} ${size}${spot ? " (Spot)" : ""} × ${min}-${max} nodes`, { key: `vm-linux${spot ? "-spot" : ""}/${size}/${region}`, serviceName: "Virtual Machines", armRegionName: region, armSkuName: size, ...(spot ? { skuName: `${size.replace(/^Standard_/, "").replace(/_/g, " ")} Spot` } : {}), unit: "1 Hour" }, min * HOURS_PER_MONTH, max * HOURS_PER_MONTH);
}

const AGC_UNPRICED = "Application Gateway for Containers bills hourly per gateway, association and frontend plus capacity units; not modelled: the dated capture has its eastus2 prices but not its meter names (shared/reference/price-sources.md, A1)";

/** Billing of each type the stacks use, by type token. */
const MODELS: Record<string, (inputs: Inputs, all: Resource[], self: Resource) => Billing | undefined> = {
    "azure-native:app:ContainerApp": (i) => ({ items: containerApp(i) }),
    "azure-native:dbforpostgresql:Server": (i) => ({ items: postgresServer(i) }),
    "azure-native:redisenterprise:RedisEnterprise": (i) => ({ items: [managedRedis(i)] }),
    "azure-native:signalrservice:SignalR": (i) => ({
        items: [billed(`${i.sku?.name} × ${i.sku?.capacity ?? 1} units`, { key: `signalr/${i.sku?.name}/${i.location}`, serviceName: "SignalR", armRegionName: i.location, skuName: i.sku?.tier, meterName: `${i.sku?.tier} Unit`, unit: "1/Day" }, Number(i.sku?.capacity ?? 1) * DAYS_PER_MONTH), usage("messages beyond the units' daily allowance", "1M messages")],
    }),
    "azure-native:containerregistry:Registry": (i) => ({
        items: [billed(`${i.sku?.name} registry`, { key: `acr/${i.sku?.name}/${i.location}`, serviceName: "Container Registry", armRegionName: i.location, skuName: i.sku?.name, meterName: `${i.sku?.name} Registry Unit`, unit: "1/Day" }, DAYS_PER_MONTH), usage("storage beyond the included allowance", "1 GB/Month")],
    }),
    // Front Door's rows are per billing zone ("Zone 1" … "Zone 8"), never "global"; the base fee is one
    // per profile, priced the same in every zone (Zone 1: North America, Europe, Africa).
    "azure-native:cdn:Profile": (i) => ({
        items: [billed(`${String(i.sku?.name ?? "").replace(/_/g, " ")} base fee`, { key: `frontdoor/${i.sku?.name}`, serviceName: "Azure Front Door Service", armRegionName: "Zone 1", productName: "Azure Front Door", skuName: String(i.sku?.name ?? "").replace("_AzureFrontDoor", ""), unit: "1/Month" }, 1), usage("requests", "10K requests"), usage("data transfer out", "1 GB")],
    }),
    "azure-native:network:PrivateEndpoint": (i) => ({
        items: [billed("private endpoint", { key: `private-endpoint/${i.location}`, serviceName: "Virtual Network", armRegionName: i.location, productName: "Private Link", meterName: "Standard Private Endpoint", unit: "1 Hour" }, HOURS_PER_MONTH), usage("data processed", "1 GB")],
    }),
    "azure-native:privatedns:PrivateZone": () => ({
        items: [billed("private DNS zone", { key: "private-dns-zone", serviceName: "Azure DNS", armRegionName: "global", meterName: "Private Zone", unit: "1/Month" }, 1), usage("DNS queries", "1M queries")],
    }),
    "azure-native:containerservice:ManagedCluster": (i) => ({
        items: [...agentPools(i), ...(i.sku?.tier && i.sku.tier !== "Free" ? [billed(`${i.sku.tier} tier`, { key: `aks-${i.sku.tier}/${i.location}`, serviceName: "Azure Kubernetes Service", armRegionName: i.location, meterName: `${i.sku.tier} Uptime SLA`, unit: "1 Hour" }, HOURS_PER_MONTH)] : [])],
    }),
    // An agent pool runs in its cluster's region.
    "azure-native:containerservice:AgentPool": (i, all) => {
        const cluster = all.find((r) => r.type === "azure-native:containerservice:ManagedCluster" && (r.inputs as Inputs)?.resourceName === i.resourceName);
        return { items: [vmPool({ ...i, name: i.agentPoolName }, (cluster?.inputs as Inputs | undefined)?.location ?? "unknown-region")] };
    },
    // Consumption-only environments bill their apps; dedicated workload profiles have a charge of their own (no model yet).
    "azure-native:app:ManagedEnvironment": (i) =>
        (i.workloadProfiles ?? []).some((p: Inputs) => p.workloadProfileType !== "Consumption") ? { unknown: true } : { included: "its container apps (consumption plan)" },
    "azure-native:operationalinsights:Workspace": () => ({ items: [usage("log ingestion", "1 GB"), usage("retention beyond the included days", "1 GB/Month")] }),
    "azure-native:applicationinsights:Component": () => ({ items: [usage("telemetry ingestion (into the Log Analytics workspace)", "1 GB")] }),
    "azure-native:storage:StorageAccount": () => ({ items: [usage("blob storage", "1 GB/Month"), usage("transactions", "10K operations"), usage("data transfer out", "1 GB")] }),
    "azure-native:keyvault:Vault": () => ({ items: [usage("secret operations", "10K operations")] }),
    "azure-native:monitor:MetricAlert": () => ({ items: [usage("monitored time series", "1 time series/Month")] }),
    "azure-native:monitor:ScheduledQueryRule": () => ({ items: [usage("log alert rule evaluations", "1 rule/Month")] }),
    "azure-native:network:VirtualNetworkPeering": () => ({ items: [usage("peered data transfer", "1 GB")] }),
    // Managed Prometheus bills the samples a workspace ingests (Retail Prices API `Metrics ingestion`,
    // per 10M samples) and the samples its queries and rules read; rules, collection rules and endpoints feed it.
    "azure-native:monitor:AzureMonitorWorkspace": () => ({ items: [usage("metrics ingestion", "10M samples"), usage("metrics queries", "10M samples processed")] }),
    "azure-native:alertsmanagement:PrometheusRuleGroup": () => ({ items: [usage("rule evaluations (metrics queries)", "10M samples processed")] }),
    "azure-native:monitor:ActionGroup": () => ({ items: [usage("notifications (email, SMS, voice, webhook)", "1 notification")] }),
    // Sourced prices exist only as values (shared/reference/price-sources.md A1, eastus2, 2026-08-15:
    // 0.017 / 0.12 / 0.01 USD per hour, capacity unit 0.008), without the meter names a refresh matches on.
    "azure-native:servicenetworking:TrafficControllerInterface": () => ({ unknown: true, why: AGC_UNPRICED }),
    "azure-native:servicenetworking:AssociationsInterface": () => ({ unknown: true, why: AGC_UNPRICED }),
    "azure-native:servicenetworking:FrontendsInterface": () => ({ unknown: true, why: AGC_UNPRICED }),
    "azure-native:loadtestservice:LoadTest": () => ({ unknown: true, why: "Azure Load Testing bills virtual-user hours of the tests run; no dated source has that meter (shared/reference/price-sources.md, D.1)" }),
};

const FRONT_DOOR = "its Front Door profile (base fee, requests and data transfer)";

/** Types with no charge of their own: configuration of, or inside, a billed resource. */
const INCLUDED: Record<string, string> = {
    "azure-native:resources:ResourceGroup": "a container of resources",
    "azure-native:authorization:RoleAssignment": "access control",
    "azure-native:managedidentity:UserAssignedIdentity": "an identity",
    "azure-native:dbforpostgresql:Configuration": "its PostgreSQL server",
    "azure-native:dbforpostgresql:Database": "its PostgreSQL server",
    "azure-native:keyvault:Secret": "its Key Vault's operations",
    "azure-native:storage:BlobContainer": "its storage account",
    "azure-native:storage:BlobServiceProperties": "its storage account",
    "azure-native:redisenterprise:Database": "its Redis Enterprise cluster",
    "azure-native:redisenterprise:AccessPolicyAssignment": "its Redis Enterprise cluster",
    "azure-native:monitor:DiagnosticSetting": "the workspace's ingestion",
    "azure-native:monitor:DataCollectionRule": "its Azure Monitor workspace's ingestion",
    "azure-native:monitor:DataCollectionEndpoint": "its Azure Monitor workspace's ingestion",
    "azure-native:monitor:DataCollectionRuleAssociation": "its Azure Monitor workspace's ingestion",
    "azure-native:managedidentity:FederatedIdentityCredential": "its managed identity (managed identities have no charge)",
    "azure-native:network:PrivateDnsZoneGroup": "its private endpoint",
    "azure-native:privatedns:VirtualNetworkLink": "its private DNS zone",
    "azure-native:network:VirtualNetwork": "nothing: virtual networks are free (Azure Virtual Network pricing; peering traffic is billed)",
    "azure-native:network:NetworkSecurityGroup": "nothing: network security groups are free (Azure Virtual Network pricing)",
    // Front Door Standard/Premium bills per profile (base fee, requests, data transfer), not per endpoint, route or rule.
    "azure-native:cdn:AFDEndpoint": FRONT_DOOR,
    "azure-native:cdn:AFDOriginGroup": FRONT_DOOR,
    "azure-native:cdn:AFDOrigin": FRONT_DOOR,
    "azure-native:cdn:Route": FRONT_DOOR,
    "azure-native:cdn:RuleSet": FRONT_DOOR,
    "azure-native:cdn:Rule": FRONT_DOOR,
    "azure-native:applicationinsights:Workbook": "nothing: Azure Monitor workbooks have no charge (their queries bill where the data is)",
};

/** How a resource is billed; `unknown` for a type without a model (reported by name as unpriced). */
export function billingOf(resource: Resource, all: Resource[] = []): Billing {
    const inputs = (resource.inputs ?? {}) as Inputs;
    const model = MODELS[resource.type] ?? AWS_MODELS[resource.type];
    const modelled = model?.(inputs, all, resource);
    if (modelled) return modelled;
    if (resource.type.startsWith("kubernetes:")) return { included: "the cluster's nodes" };
    if (resource.type.startsWith("grafana:")) return { included: "its Grafana instance (configuration inside it)" };
    const included = INCLUDED[resource.type] ?? AWS_INCLUDED[resource.type];
    if (included) return { included };
    return { unknown: true };
}

/** Whether a resource is a cloud resource at all (components, providers and random values are not). */
export function isBillable(resource: { type: string; provider: string | null }): boolean {
    if (resource.provider === null || resource.type.startsWith("pulumi:")) return false;
    return !/^(random|pulumi-nodejs|command|tls|time):/.test(resource.type);
}
