/**
 * Well-configured unit inputs, shaped like the provider inputs our components register: each
 * passes every policy. Tests derive failing and unknown variants with {@link edit}.
 */
import { TestResource } from "./harness";

export const T = {
    containerApp: "azure-native:app:ContainerApp",
    environment: "azure-native:app:ManagedEnvironment",
    route: "azure-native:cdn:Route",
    registry: "azure-native:containerregistry:Registry",
    cluster: "azure-native:containerservice:ManagedCluster",
    agentPool: "azure-native:containerservice:AgentPool",
    postgres: "azure-native:dbforpostgresql:Server",
    postgresDatabase: "azure-native:dbforpostgresql:Database",
    postgresConfiguration: "azure-native:dbforpostgresql:Configuration",
    keyVault: "azure-native:keyvault:Vault",
    redis: "azure-native:redis:Redis",
    managedRedis: "azure-native:redisenterprise:RedisEnterprise",
    managedRedisDatabase: "azure-native:redisenterprise:Database",
    signalR: "azure-native:signalrservice:SignalR",
    storageAccount: "azure-native:storage:StorageAccount",
    blobService: "azure-native:storage:BlobServiceProperties",
    blobContainer: "azure-native:storage:BlobContainer",
    cloudflareZone: "cloudflare:index/zone:Zone",
    cloudflareZoneSetting: "cloudflare:index/zoneSetting:ZoneSetting",
    cloudflareDnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
    cloudflareRuleset: "cloudflare:index/ruleset:Ruleset",
    deployment: "kubernetes:apps/v1:Deployment",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    configMap: "kubernetes:core/v1:ConfigMap",
    roleAssignment: "azure-native:authorization:RoleAssignment",
} as const;

const prod = { environment: "prod", owner: "platform-team@bookstore.example" };
const rg = "bookstore-prod-rg";
const sub = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/bookstore-prod-rg/providers";

/** A deep copy of `resource` with the value at a dotted path (array indexes as numbers) replaced. */
export function edit(resource: TestResource, path: string, value: unknown, where: "inputs" | "state" = "inputs"): TestResource {
    const copy: TestResource = JSON.parse(JSON.stringify(resource));
    if (where === "state") copy.state = JSON.parse(JSON.stringify(resource.state ?? resource.inputs));
    const keys = path.split(".");
    let target = copy[where] as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
    if (value === undefined) delete target[keys[keys.length - 1]];
    else target[keys[keys.length - 1]] = value;
    return copy;
}

/**
 * The resource's state as the provider reports it to a cloud preview's stack analysis: input-only
 * properties gone, read-only ones filled in (the offline mocks echo the inputs instead).
 */
export function asOutputs(resource: TestResource, inputOnly: string[], readOnly: Record<string, unknown>): TestResource {
    const state = JSON.parse(JSON.stringify(resource.state ?? resource.inputs));
    for (const key of inputOnly) delete state[key];
    return { ...resource, state: { ...state, ...readOnly } };
}

/** The workload identity's AcrPull on the stack's registry (the kubelet's looks the same). */
export const acrPull: TestResource = {
    type: T.roleAssignment, name: "acr-pull",
    inputs: {
        scope: `${sub}/Microsoft.ContainerRegistry/registries/bookstoreacr`,
        principalId: "22222222-2222-2222-2222-222222222222",
        principalType: "ServicePrincipal",
        roleDefinitionId: "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d",
    },
};

const probe = (type: string) => ({ type, httpGet: { path: "/health", port: 8080 }, periodSeconds: 10 });

export const managedEnvironment: TestResource = {
    type: T.environment, name: "env",
    inputs: { resourceGroupName: rg, environmentName: "bookstore-prod-env", zoneRedundant: true, tags: prod },
};

export const containerApp: TestResource = {
    type: T.containerApp, name: "api", dependsOn: ["env"],
    inputs: {
        resourceGroupName: rg,
        environmentId: `${sub}/Microsoft.App/managedEnvironments/bookstore-prod-env`,
        configuration: {
            activeRevisionsMode: "Single", ingress: { external: false, targetPort: 8080 },
            registries: [{ server: "bookstoreacr.azurecr.io", identity: `${sub}/Microsoft.ManagedIdentity/userAssignedIdentities/bookstore-prod-workload` }],
        },
        template: {
            containers: [{
                name: "api",
                image: "bookstoreacr.azurecr.io/bookstore-api:1.0.0",
                resources: { cpu: 0.5, memory: "1Gi" },
                probes: [probe("Liveness"), probe("Readiness"), probe("Startup")],
            }],
            scale: {
                minReplicas: 3,
                maxReplicas: 10,
                rules: [
                    { name: "http", http: { metadata: { concurrentRequests: "50" } } },
                    { name: "cpu", custom: { type: "cpu", metadata: { type: "Utilization", value: "70" } } },
                ],
            },
        },
        tags: prod,
    },
};

const podTemplate = {
    metadata: { labels: { app: "api" } },
    spec: {
        securityContext: { runAsNonRoot: true, runAsUser: 10001 },
        containers: [{
            name: "api",
            image: "bookstoreacr.azurecr.io/bookstore-api:1.0.0",
            resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
            livenessProbe: { httpGet: { path: "/health", port: 8080 }, initialDelaySeconds: 30, periodSeconds: 10 },
            readinessProbe: { httpGet: { path: "/health", port: 8080 }, initialDelaySeconds: 5, periodSeconds: 5 },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
        }],
    },
};

export const deployment: TestResource = {
    type: T.deployment, name: "api-deployment",
    inputs: {
        apiVersion: "apps/v1", kind: "Deployment",
        metadata: { name: "api", namespace: "bookstore", labels: { app: "api", environment: "prod" } },
        spec: { replicas: 2, selector: { matchLabels: { app: "api" } }, template: podTemplate },
    },
};

export const hpa: TestResource = {
    type: T.hpa, name: "api-hpa",
    inputs: {
        apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler",
        metadata: { name: "api", namespace: "bookstore", labels: { environment: "prod" } },
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" },
            minReplicas: 2,
            maxReplicas: 10,
            metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
            behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] } },
        },
    },
};

/** The api's KEDA ScaledObject (custom metrics on): the autoscaler in place of its HPA. */
export const scaledObject: TestResource = {
    type: "kubernetes:keda.sh/v1alpha1:ScaledObject", name: "api-scaledobject",
    inputs: {
        apiVersion: "keda.sh/v1alpha1", kind: "ScaledObject",
        metadata: { name: "api", namespace: "bookstore", labels: { environment: "prod" } },
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" },
            minReplicaCount: 2,
            maxReplicaCount: 10,
            advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 300 } } } },
            triggers: [{ type: "cpu", metricType: "Utilization", metadata: { value: "70" } }],
        },
    },
};

export const pdb: TestResource = {
    type: T.pdb, name: "api-pdb",
    inputs: {
        apiVersion: "policy/v1", kind: "PodDisruptionBudget",
        metadata: { name: "api", namespace: "bookstore" },
        spec: { minAvailable: 1, selector: { matchLabels: { app: "api" } } },
    },
};

export const aksCluster: TestResource = {
    type: T.cluster, name: "aks",
    inputs: {
        resourceGroupName: rg, resourceName: "bookstore-prod-aks", dnsPrefix: "bookstore",
        disableLocalAccounts: true,
        aadProfile: { managed: true, enableAzureRBAC: true },
        sku: { name: "Base", tier: "Standard" },
        agentPoolProfiles: [{
            name: "system", mode: "System", count: 3, enableAutoScaling: true, minCount: 3, maxCount: 5, availabilityZones: ["1", "2", "3"],
            vmSize: "Standard_D4ds_v5", nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
        }],
        tags: prod,
    },
};

export const userPool: TestResource = {
    type: T.agentPool, name: "aks-user",
    inputs: {
        resourceGroupName: rg, resourceName: "bookstore-prod-aks", agentPoolName: "user", mode: "User",
        enableAutoScaling: true, minCount: 2, maxCount: 10, vmSize: "Standard_D4ds_v5", tags: prod,
    },
};

export const spotPool: TestResource = {
    type: T.agentPool, name: "aks-spot",
    inputs: {
        resourceGroupName: rg, resourceName: "bookstore-prod-aks", agentPoolName: "spot", mode: "User",
        enableAutoScaling: true, minCount: 0, maxCount: 10, scaleSetPriority: "Spot", scaleSetEvictionPolicy: "Delete", spotMaxPrice: -1, tags: prod,
    },
};

const postgresNetwork = {
    delegatedSubnetResourceId: `${sub}/Microsoft.Network/virtualNetworks/vnet/subnets/snet-postgres`,
    privateDnsZoneArmResourceId: `${sub}/Microsoft.Network/privateDnsZones/bookstore-prod.private.postgres.database.azure.com`,
    publicNetworkAccess: "Disabled",
};

export const postgresPrimary: TestResource = {
    type: T.postgres, name: "pg", protect: true,
    inputs: {
        resourceGroupName: rg, serverName: "bookstore-prod-pg", version: "16",
        sku: { name: "Standard_D4ds_v5", tier: "GeneralPurpose" },
        storage: { storageSizeGB: 128, autoGrow: "Enabled" },
        backup: { backupRetentionDays: 14, geoRedundantBackup: "Enabled" },
        highAvailability: { mode: "ZoneRedundant" },
        network: postgresNetwork,
        tags: prod,
    },
};

export const postgresReplica: TestResource = {
    type: T.postgres, name: "pg-replica-1", protect: true, dependsOn: ["pg"],
    inputs: {
        resourceGroupName: rg, serverName: "bookstore-prod-pg-replica-1", createMode: "Replica",
        sourceServerResourceId: `${sub}/Microsoft.DBforPostgreSQL/flexibleServers/bookstore-prod-pg`,
        sku: { name: "Standard_D4ds_v5", tier: "GeneralPurpose" },
        highAvailability: { mode: "Disabled" },
        network: postgresNetwork,
        tags: prod,
    },
};

export const managedRedis: TestResource = {
    type: T.managedRedis, name: "cache",
    inputs: {
        resourceGroupName: rg, clusterName: "bookstore-prod-redis", sku: { name: "Balanced_B5" },
        highAvailability: "Enabled", minimumTlsVersion: "1.2", publicNetworkAccess: "Disabled", tags: prod,
    },
};

export const managedRedisDatabase: TestResource = {
    type: T.managedRedisDatabase, name: "cache-db", dependsOn: ["cache"],
    inputs: { resourceGroupName: rg, clusterName: "bookstore-prod-redis", databaseName: "default", clientProtocol: "Encrypted", clusteringPolicy: "EnterpriseCluster" },
};

export const redisPrivateEndpoint: TestResource = {
    type: "azure-native:network:PrivateEndpoint", name: "cache-private-endpoint", dependsOn: ["cache"],
    inputs: {
        resourceGroupName: rg, subnet: { id: `${sub}/Microsoft.Network/virtualNetworks/vnet/subnets/snet-private-endpoints` },
        privateLinkServiceConnections: [{
            name: "redis", groupIds: ["redisEnterprise"],
            privateLinkServiceId: `${sub}/Microsoft.Cache/redisEnterprise/bookstore-prod-redis`,
        }],
        tags: prod,
    },
};

export const redisCache: TestResource = {
    type: T.redis, name: "legacy-cache",
    inputs: {
        resourceGroupName: rg, name: "bookstore-legacy", sku: { name: "Premium", family: "P", capacity: 1 },
        minimumTlsVersion: "1.2", enableNonSslPort: false, tags: prod,
    },
};

export const signalR: TestResource = {
    type: T.signalR, name: "realtime",
    inputs: { resourceGroupName: rg, resourceName: "bookstore-prod-signalr", kind: "SignalR", sku: { name: "Standard_S1", tier: "Standard", capacity: 2 }, tags: prod },
};

export const storageAccount: TestResource = {
    type: T.storageAccount, name: "assets", protect: true,
    inputs: {
        resourceGroupName: rg, accountName: "bookstoreprodassets", kind: "StorageV2", sku: { name: "Standard_ZRS" },
        enableHttpsTrafficOnly: true, minimumTlsVersion: "TLS1_2", allowBlobPublicAccess: true, tags: prod,
    },
};

export const blobService: TestResource = {
    type: T.blobService, name: "assets-blob", dependsOn: ["assets"],
    inputs: {
        resourceGroupName: rg, accountName: "bookstoreprodassets", blobServicesName: "default",
        deleteRetentionPolicy: { enabled: true, days: 7 },
        containerDeleteRetentionPolicy: { enabled: true, days: 7 },
    },
};

export const staticAssetsContainer: TestResource = {
    type: T.blobContainer, name: "assets-static", dependsOn: ["assets"],
    inputs: { resourceGroupName: rg, accountName: "bookstoreprodassets", containerName: "static", publicAccess: "Blob" },
};

export const frontDoorRoute: TestResource = {
    type: T.route, name: "assets-route",
    inputs: {
        resourceGroupName: rg, profileName: "fd", endpointName: "assets", originGroup: { id: "og" }, patternsToMatch: ["/*"],
        supportedProtocols: ["Http", "Https"], httpsRedirect: "Enabled", forwardingProtocol: "HttpsOnly", linkToDefaultDomain: "Enabled",
    },
};

export const cloudflareRecord: TestResource = {
    type: T.cloudflareDnsRecord, name: "www",
    inputs: { zoneId: "023e105f4ecef8ad9ca31a8372d0c353", name: "www", type: "CNAME", content: "web.example.net", proxied: true, ttl: 1 },
};

export const cloudflareSsl: TestResource = {
    type: T.cloudflareZoneSetting, name: "zone-ssl",
    inputs: { zoneId: "023e105f4ecef8ad9ca31a8372d0c353", settingId: "ssl", value: "strict" },
};

export const cloudflareMinTls: TestResource = {
    type: T.cloudflareZoneSetting, name: "zone-min-tls",
    inputs: { zoneId: "023e105f4ecef8ad9ca31a8372d0c353", settingId: "min_tls_version", value: "1.2" },
};

/** SSL strict for the record's host only (a configuration rule), the zone's `ssl` left alone. */
export const cloudflareSslRule: TestResource = {
    type: T.cloudflareRuleset, name: "ssl-rule",
    inputs: {
        zoneId: "023e105f4ecef8ad9ca31a8372d0c353", kind: "zone", phase: "http_config_settings", name: "ssl",
        rules: [{ action: "set_config", expression: '(http.host in {"www"})', actionParameters: { ssl: "strict" }, enabled: true }],
    },
};

/** TLS 1.0 and 1.1 refused on the record's host only (a custom rule), the zone's `min_tls_version` left alone. */
export const cloudflareTlsRule: TestResource = {
    type: T.cloudflareRuleset, name: "tls-rule",
    inputs: {
        zoneId: "023e105f4ecef8ad9ca31a8372d0c353", kind: "zone", phase: "http_request_firewall_custom", name: "tls",
        rules: [{ action: "block", expression: '(http.host in {"www"} and ssl and cf.tls_version in {"TLSv1" "TLSv1.1"})', enabled: true }],
    },
};

export const keyVault: TestResource = {
    type: T.keyVault, name: "kv", protect: true,
    inputs: {
        resourceGroupName: rg, vaultName: "bookstorekv",
        properties: { tenantId: "t", sku: { family: "A", name: "standard" }, enablePurgeProtection: true, enableRbacAuthorization: true, enableSoftDelete: true },
        tags: prod,
    },
};

export const registry: TestResource = {
    type: T.registry, name: "acr", protect: true,
    inputs: { resourceGroupName: rg, registryName: "bookstoreprodacr", sku: { name: "Premium" }, adminUserEnabled: false, tags: prod },
};

/** A server parameter of the primary, as the database tier sets it. */
export function postgresParameter(name: string, value: string): TestResource {
    return {
        type: T.postgresConfiguration, name: `pg-${name}`, dependsOn: ["pg"],
        inputs: { resourceGroupName: rg, serverName: "bookstore-prod-pg", configurationName: name, value, source: "user-override" },
    };
}

/** The api as a database client: 10 replicas at most, each pooling through the built-in PgBouncer. */
export const databaseClientApp = edit(containerApp, "template.containers.0.env", [
    { name: "ConnectionStrings__bookstore", secretRef: "connectionstrings--bookstore" },
]);
