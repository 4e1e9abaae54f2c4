import { strict as assert } from "assert";
import { policies } from "../../policy/catalogue";
import { awsPolicies } from "../../policy/aws";
import { analyze, duringPreview, policyNamed, TestResource, unknown } from "./harness";
import * as r from "./resources";
import { asOutputs, edit, T } from "./resources";

/**
 * For every policy: resources that pass, resources that break it (with the message expected),
 * and resources where a value it reads is unknown during preview (the path the engine names).
 */
interface PolicyCases {
    /** Scenarios (each a set of resources) with no violation. */
    pass: TestResource[][];
    /** The policy's own enforcement level. Default mandatory. */
    level?: "advisory";
    /** `config` sets the policy's settings for that case. */
    fail: { resources: TestResource[]; message: RegExp; config?: Record<string, unknown> }[];
    /** Omitted only for a policy that reads no property value (it then must not care about unknowns). */
    unknown: { resources: TestResource[]; path: string } | { readsNoValues: TestResource[] };
}

/** PostgreSQL as the provider reports it after Check/Create: no createMode or names, a replicationRole. */
const primaryOutputs = asOutputs(r.postgresPrimary, ["serverName", "resourceGroupName"], { name: "bookstore-prod-pg", replicationRole: "Primary" });
const replicaOutputs = asOutputs(r.postgresReplica, ["serverName", "resourceGroupName", "createMode"], { name: "bookstore-prod-pg-replica-1", replicationRole: "AsyncReplica" });
const parameterOutputs = (name: string, value: string) =>
    asOutputs(r.postgresParameter(name, value), ["serverName", "configurationName", "resourceGroupName"], { name });

const CASES: Record<string, PolicyCases> = {
    "containerapp-min-replicas": {
        pass: [[r.managedEnvironment, r.containerApp]],
        fail: [
            { resources: [r.managedEnvironment, edit(r.containerApp, "template.scale.minReplicas", 2)], message: /minReplicas 2; expected at least 3 \(its environment .* is zone redundant\)/ },
            { resources: [edit(r.managedEnvironment, "zoneRedundant", false), edit(r.containerApp, "template.scale.minReplicas", 1)], message: /minReplicas 1; expected at least 2\.$/ },
            { resources: [r.managedEnvironment, edit(r.containerApp, "template.scale.minReplicas", undefined)], message: /minReplicas 0/ },
        ],
        unknown: { resources: [r.managedEnvironment, edit(r.containerApp, "template.scale.minReplicas", unknown)], path: "template.scale.minReplicas" },
    },
    "containerapp-max-replicas": {
        pass: [[r.containerApp]],
        fail: [{ resources: [edit(r.containerApp, "template.scale.maxReplicas", 2)], message: /maxReplicas 2 is below minReplicas 3/ }],
        unknown: { resources: [edit(r.containerApp, "template.scale.maxReplicas", unknown)], path: "template.scale.maxReplicas" },
    },
    "containerapp-scale-rules": {
        pass: [[r.containerApp]],
        fail: [
            { resources: [edit(r.containerApp, "template.scale.rules", [])], message: /rules is empty/ },
            { resources: [edit(r.containerApp, "template.scale.rules", [{ name: "cpu", custom: { type: "cpu", metadata: { type: "Utilization", value: "70" } } }])], message: /has ingress but no HTTP scale rule/ },
        ],
        unknown: { resources: [edit(r.containerApp, "template.scale.rules", unknown)], path: "template.scale.rules" },
    },
    "containerapps-environment-zone-redundant": {
        pass: [[r.managedEnvironment], [edit(edit(r.managedEnvironment, "zoneRedundant", false), "tags.environment", "dev")]],
        fail: [{ resources: [edit(r.managedEnvironment, "zoneRedundant", false)], message: /zoneRedundant is not true/ }],
        unknown: { resources: [edit(r.managedEnvironment, "tags", unknown)], path: "tags" },
    },
    "k8s-deployment-replicas": {
        pass: [[r.deployment], [edit(r.deployment, "spec.replicas", 1), r.hpa], [edit(r.deployment, "spec.replicas", undefined), r.scaledObject]],
        fail: [{ resources: [edit(r.deployment, "spec.replicas", 1)], message: /spec.replicas 1 and no HorizontalPodAutoscaler; expected at least 2/ }],
        unknown: { resources: [edit(r.deployment, "spec.replicas", unknown)], path: "spec.replicas" },
    },
    "k8s-hpa-min-replicas": {
        pass: [[r.hpa], [r.scaledObject]],
        fail: [
            { resources: [edit(r.hpa, "spec.minReplicas", 1)], message: /spec.minReplicas is 1; expected at least 2/ },
            // KEDA's default minReplicaCount is 0 (scale to zero).
            { resources: [edit(r.scaledObject, "spec.minReplicaCount", undefined)], message: /spec.minReplicas is 0; expected at least 2/ },
        ],
        unknown: { resources: [edit(r.hpa, "spec.minReplicas", unknown)], path: "spec.minReplicas" },
    },
    "k8s-hpa-max-replicas": {
        pass: [[r.hpa], [r.scaledObject]],
        fail: [
            { resources: [edit(r.hpa, "spec.maxReplicas", 2)], message: /spec.maxReplicas is 2; expected more than minReplicas \(2\)/ },
            { resources: [edit(r.scaledObject, "spec.maxReplicaCount", 2)], message: /spec.maxReplicas is 2; expected more than minReplicas \(2\)/ },
        ],
        unknown: { resources: [edit(r.hpa, "spec.maxReplicas", unknown)], path: "spec.maxReplicas" },
    },
    "k8s-hpa-scale-down-stabilization": {
        pass: [[r.hpa], [edit(r.hpa, "spec.behavior", undefined)]],
        fail: [
            { resources: [edit(r.hpa, "spec.behavior.scaleDown.stabilizationWindowSeconds", 60)], message: /stabilizationWindowSeconds is 60; expected at least 300/ },
            { resources: [edit(r.scaledObject, "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds", 60)], message: /stabilizationWindowSeconds is 60; expected at least 300/ },
        ],
        unknown: { resources: [edit(r.hpa, "spec.behavior.scaleDown.stabilizationWindowSeconds", unknown)], path: "spec.behavior.scaleDown.stabilizationWindowSeconds" },
    },
    "k8s-hpa-metrics": {
        pass: [[r.hpa], [r.scaledObject]],
        fail: [
            { resources: [edit(r.hpa, "spec.metrics", undefined)], message: /spec.metrics is empty/ },
            { resources: [edit(r.scaledObject, "spec.triggers", [])], message: /spec.metrics is empty/ },
        ],
        unknown: { resources: [edit(r.hpa, "spec.metrics", unknown)], path: "spec.metrics" },
    },
    "container-resources": {
        pass: [[r.containerApp, r.deployment]],
        fail: [
            { resources: [edit(r.containerApp, "template.containers.0.resources", undefined)], message: /container "api" has no resources.cpu and resources.memory/ },
            { resources: [edit(r.deployment, "spec.template.spec.containers.0.resources.limits", undefined)], message: /container "api" has no resources.limits.cpu, resources.limits.memory/ },
        ],
        unknown: { resources: [edit(r.deployment, "spec.template.spec.containers", unknown)], path: "spec.template.spec.containers" },
    },
    "container-probes": {
        pass: [[r.containerApp, r.deployment]],
        fail: [
            { resources: [edit(r.containerApp, "template.containers.0.probes", [{ type: "Startup", tcpSocket: { port: 8080 } }])], message: /no Liveness or Readiness probe/ },
            { resources: [edit(r.deployment, "spec.template.spec.containers.0.readinessProbe", undefined)], message: /container "api" has no readinessProbe/ },
        ],
        unknown: { resources: [edit(r.containerApp, "template.containers.0.probes", unknown)], path: "template.containers.0.probes" },
    },
    "k8s-pod-disruption-budget": {
        pass: [[r.deployment, r.pdb]],
        fail: [
            { resources: [r.deployment], message: /runs 2 replicas but no PodDisruptionBudget in namespace "bookstore"/ },
            { resources: [r.deployment, edit(r.pdb, "spec.selector.matchLabels", { app: "web" })], message: /no PodDisruptionBudget/ },
            { resources: [edit(r.deployment, "spec.replicas", 1), r.hpa], message: /runs 2 replicas/ },
        ],
        unknown: { resources: [r.deployment, edit(r.pdb, "spec.selector", unknown, "state")], path: "spec.selector" },
    },
    "aks-user-pool-autoscaling": {
        pass: [[r.aksCluster, r.userPool, r.spotPool]],
        fail: [
            { resources: [edit(r.userPool, "minCount", 1)], message: /user pool "user" has minCount 1; expected at least 2/ },
            // A pool pinned to one zone (one per zone) keeps at least one node there.
            { resources: [edit(edit(r.userPool, "availabilityZones", ["3"]), "minCount", 0)], message: /user pool "user" has minCount 0; expected at least 1/ },
            { resources: [edit(r.userPool, "enableAutoScaling", false)], message: /user pool "user" does not autoscale/ },
            { resources: [edit(edit(r.aksCluster, "agentPoolProfiles.0.mode", "User"), "agentPoolProfiles.0.enableAutoScaling", false)], message: /user pool "system" does not autoscale/ },
        ],
        unknown: { resources: [edit(r.userPool, "minCount", unknown)], path: "minCount" },
    },
    "aks-user-pool-per-zone": {
        pass: [[r.aksCluster, r.userPool, r.spotPool], [edit(edit(r.userPool, "availabilityZones", ["2"]), "minCount", 1)]],
        fail: [
            { resources: [edit(r.userPool, "availabilityZones", ["1", "2", "3"])], message: /autoscaled user pool "user" spans 3 availability zones; use one pool per zone/ },
            { resources: [edit(r.spotPool, "availabilityZones", ["1", "2"])], message: /user pool "spot" spans 2 availability zones/ },
        ],
        unknown: { resources: [edit(r.userPool, "availabilityZones", unknown)], path: "availabilityZones" },
    },
    "postgres-zone-redundant-ha": {
        pass: [[r.postgresPrimary, r.postgresReplica]],
        fail: [{ resources: [edit(r.postgresPrimary, "highAvailability.mode", "SameZone")], message: /highAvailability.mode is SameZone; expected ZoneRedundant/ }],
        unknown: { resources: [edit(r.postgresPrimary, "highAvailability", unknown)], path: "highAvailability" },
    },
    "postgres-read-replica": {
        pass: [[r.postgresPrimary, r.postgresReplica], [primaryOutputs, replicaOutputs]],
        fail: [
            { resources: [r.postgresPrimary], message: /Server "pg" has 0 read replica\(s\); expected at least 1/ },
            { resources: [primaryOutputs], message: /Server "pg" has 0 read replica\(s\)/ },
        ],
        unknown: { resources: [r.postgresPrimary, edit(r.postgresReplica, "createMode", unknown, "state")], path: "createMode" },
    },
    "postgres-replica-no-ha": {
        pass: [[r.postgresPrimary, r.postgresReplica]],
        fail: [{ resources: [edit(r.postgresReplica, "highAvailability.mode", "ZoneRedundant")], message: /read replica with highAvailability.mode ZoneRedundant/ }],
        unknown: { resources: [edit(r.postgresReplica, "highAvailability.mode", unknown)], path: "highAvailability.mode" },
    },
    "postgres-burstable-sku": {
        pass: [[r.postgresPrimary, r.postgresReplica], [edit(edit(r.postgresPrimary, "sku", { name: "Standard_B2s", tier: "Burstable" }), "highAvailability.mode", "Disabled")]],
        fail: [
            { resources: [edit(r.postgresPrimary, "sku", { name: "Standard_B2s", tier: "Burstable" })], message: /is Burstable with highAvailability.mode ZoneRedundant/ },
            { resources: [edit(edit(r.postgresPrimary, "sku", { name: "Standard_B2s", tier: "Burstable" }), "highAvailability.mode", "Disabled"), r.postgresReplica], message: /is Burstable and has 1 read replica/ },
            { resources: [r.postgresPrimary, edit(r.postgresReplica, "sku", { name: "Standard_B2s", tier: "Burstable" })], message: /read replica on a Burstable SKU/ },
        ],
        unknown: { resources: [edit(r.postgresPrimary, "sku", unknown, "state")], path: "sku" },
    },
    "redis-high-availability": {
        pass: [[r.managedRedis, r.redisCache]],
        fail: [
            { resources: [edit(r.managedRedis, "highAvailability", "Disabled")], message: /highAvailability is Disabled/ },
            { resources: [edit(r.redisCache, "sku", { name: "Basic", family: "C", capacity: 1 })], message: /sku.name is Basic/ },
        ],
        unknown: { resources: [edit(r.managedRedis, "highAvailability", unknown)], path: "highAvailability" },
    },
    "signalr-capacity": {
        pass: [[r.signalR]],
        fail: [{ resources: [edit(r.signalR, "sku.capacity", 1)], message: /sku.capacity is 1; expected at least 2/ }],
        unknown: { resources: [edit(r.signalR, "sku", unknown)], path: "sku" },
    },
    "postgres-backup-retention": {
        pass: [[r.postgresPrimary], [edit(r.postgresPrimary, "backup.backupRetentionDays", undefined)]],
        fail: [{ resources: [edit(r.postgresPrimary, "backup.backupRetentionDays", 3)], message: /backupRetentionDays is 3; expected at least 7/ }],
        unknown: { resources: [edit(r.postgresPrimary, "backup.backupRetentionDays", unknown)], path: "backup.backupRetentionDays" },
    },
    "postgres-geo-redundant-backup": {
        pass: [[r.postgresPrimary, r.postgresReplica]],
        fail: [{ resources: [edit(r.postgresPrimary, "backup.geoRedundantBackup", "Disabled")], message: /geoRedundantBackup is Disabled; expected Enabled/ }],
        unknown: { resources: [edit(r.postgresPrimary, "backup.geoRedundantBackup", unknown)], path: "backup.geoRedundantBackup" },
    },
    "protect-stateful-resources": {
        pass: [[r.postgresPrimary, r.storageAccount, r.keyVault]],
        fail: [
            { resources: [{ ...r.postgresPrimary, protect: false }], message: /Server "pg" holds data but is not protected/ },
            { resources: [{ ...r.keyVault, protect: false }], message: /Vault "kv" holds data but is not protected/ },
        ],
        unknown: { readsNoValues: [{ ...edit(r.storageAccount, "accountName", unknown, "state"), protect: false }] },
    },
    "storage-soft-delete": {
        pass: [[r.storageAccount, r.blobService]],
        fail: [
            { resources: [r.storageAccount], message: /has no blob service properties/ },
            { resources: [r.storageAccount, edit(r.blobService, "deleteRetentionPolicy.enabled", false)], message: /deleteRetentionPolicy is not enabled/ },
            { resources: [r.storageAccount, edit(r.blobService, "containerDeleteRetentionPolicy.days", 1)], message: /containerDeleteRetentionPolicy.days is 1; expected at least 7/ },
        ],
        unknown: { resources: [r.storageAccount, edit(r.blobService, "deleteRetentionPolicy", unknown, "state")], path: "deleteRetentionPolicy" },
    },
    "postgres-private-access": {
        pass: [[r.postgresPrimary, r.postgresReplica]],
        fail: [
            { resources: [edit(r.postgresPrimary, "network.publicNetworkAccess", "Enabled")], message: /publicNetworkAccess is Enabled/ },
            { resources: [edit(r.postgresPrimary, "network", undefined)], message: /neither network.delegatedSubnetResourceId nor publicNetworkAccess Disabled/ },
        ],
        unknown: { resources: [edit(r.postgresPrimary, "network.publicNetworkAccess", unknown)], path: "network.publicNetworkAccess" },
    },
    "redis-tls": {
        pass: [[r.managedRedis, r.managedRedisDatabase, r.redisCache]],
        fail: [
            { resources: [edit(r.redisCache, "enableNonSslPort", true)], message: /enableNonSslPort is true/ },
            { resources: [edit(r.redisCache, "minimumTlsVersion", undefined)], message: /minimumTlsVersion is undefined; expected 1.2 or later, set explicitly/ },
            { resources: [edit(r.managedRedis, "minimumTlsVersion", "1.0")], message: /minimumTlsVersion is 1.0/ },
            { resources: [edit(r.managedRedisDatabase, "clientProtocol", "Plaintext")], message: /clientProtocol is Plaintext; expected Encrypted/ },
        ],
        unknown: { resources: [edit(r.managedRedisDatabase, "clientProtocol", unknown)], path: "clientProtocol" },
    },
    "storage-secure-transport": {
        pass: [[r.storageAccount]],
        fail: [
            { resources: [edit(r.storageAccount, "enableHttpsTrafficOnly", false)], message: /enableHttpsTrafficOnly is false/ },
            { resources: [edit(r.storageAccount, "minimumTlsVersion", "TLS1_0")], message: /minimumTlsVersion is TLS1_0; expected TLS1_2 or later/ },
        ],
        unknown: { resources: [edit(r.storageAccount, "minimumTlsVersion", unknown)], path: "minimumTlsVersion" },
    },
    "storage-public-blob-access": {
        pass: [[r.storageAccount, r.staticAssetsContainer, edit(edit(r.staticAssetsContainer, "containerName", "uploads"), "publicAccess", "None")]],
        fail: [
            { resources: [r.storageAccount, r.staticAssetsContainer, edit(r.staticAssetsContainer, "containerName", "uploads")], message: /allows anonymous access \(Blob\); only static may/ },
            { resources: [r.storageAccount, edit(r.staticAssetsContainer, "publicAccess", "Container")], message: /anonymous access Container; expected Blob/ },
            { resources: [r.storageAccount], message: /sets allowBlobPublicAccess but hosts no public static container/ },
        ],
        unknown: { resources: [r.storageAccount, edit(r.staticAssetsContainer, "publicAccess", unknown, "state")], path: "publicAccess" },
    },
    "frontdoor-https-only": {
        pass: [[r.frontDoorRoute], [edit(edit(r.frontDoorRoute, "supportedProtocols", ["Https"]), "httpsRedirect", undefined)]],
        fail: [
            { resources: [edit(r.frontDoorRoute, "httpsRedirect", "Disabled")], message: /accepts HTTP with httpsRedirect Disabled/ },
            { resources: [edit(r.frontDoorRoute, "forwardingProtocol", undefined)], message: /forwardingProtocol is MatchRequest; expected HttpsOnly/ },
        ],
        unknown: { resources: [edit(r.frontDoorRoute, "httpsRedirect", unknown)], path: "httpsRedirect" },
    },
    "cloudflare-ssl-strict": {
        pass: [[r.cloudflareRecord, r.cloudflareSsl, r.cloudflareMinTls], [r.cloudflareRecord, r.cloudflareSslRule]],
        fail: [
            { resources: [r.cloudflareRecord], message: /has no "ssl" zone setting and no configuration rule setting ssl "strict" for www; expected "strict"/ },
            { resources: [r.cloudflareRecord, edit(r.cloudflareSsl, "value", "flexible")], message: /sets "ssl" to "flexible" and no configuration rule .* for www; expected "strict"/ },
            { resources: [r.cloudflareRecord, edit(r.cloudflareSslRule, "rules", [{ action: "set_config", expression: '(http.host in {"blog"})', actionParameters: { ssl: "strict" } }])],
                message: /no configuration rule setting ssl "strict" for www/ },
            { resources: [r.cloudflareRecord, edit(r.cloudflareSslRule, "rules", [{ action: "set_config", expression: '(http.host in {"www"})', actionParameters: { ssl: "full" } }])],
                message: /no configuration rule setting ssl "strict" for www/ },
        ],
        unknown: { resources: [edit(r.cloudflareRecord, "zoneId", unknown, "state"), r.cloudflareSsl], path: "zoneId" },
    },
    "cloudflare-min-tls": {
        pass: [[r.cloudflareRecord, r.cloudflareSsl, r.cloudflareMinTls], [r.cloudflareRecord, r.cloudflareTlsRule]],
        fail: [
            { resources: [r.cloudflareRecord, r.cloudflareSsl], message: /has no "min_tls_version" zone setting and no custom rule blocking TLS 1.0 and 1.1 for www/ },
            { resources: [r.cloudflareRecord, edit(r.cloudflareMinTls, "value", "1.0")], message: /sets "min_tls_version" to "1.0"/ },
            { resources: [r.cloudflareRecord, edit(r.cloudflareTlsRule, "rules", [{ action: "block", expression: '(http.host in {"www"} and cf.tls_version in {"TLSv1"})' }])],
                message: /no custom rule blocking TLS 1.0 and 1.1 for www/ },
        ],
        unknown: { resources: [r.cloudflareRecord, edit(r.cloudflareMinTls, "value", unknown, "state")], path: "value" },
    },
    "keyvault-purge-protection": {
        pass: [[r.keyVault]],
        fail: [{ resources: [edit(r.keyVault, "properties.enablePurgeProtection", undefined)], message: /enablePurgeProtection is not true/ }],
        unknown: { resources: [edit(r.keyVault, "properties.enablePurgeProtection", unknown)], path: "properties.enablePurgeProtection" },
    },
    "keyvault-rbac-authorization": {
        pass: [[r.keyVault]],
        fail: [{ resources: [edit(r.keyVault, "properties.enableRbacAuthorization", false)], message: /enableRbacAuthorization is not true/ }],
        unknown: { resources: [edit(r.keyVault, "properties", unknown)], path: "properties" },
    },
    "aks-entra-rbac": {
        pass: [[r.aksCluster]],
        fail: [
            { resources: [edit(r.aksCluster, "disableLocalAccounts", false)], message: /disableLocalAccounts is not true/ },
            { resources: [edit(r.aksCluster, "aadProfile.enableAzureRBAC", false)], message: /aadProfile must set managed and enableAzureRBAC/ },
        ],
        unknown: { resources: [edit(r.aksCluster, "aadProfile", unknown)], path: "aadProfile" },
    },
    "aks-kubernetes-version-supported": {
        pass: [[r.aksCluster], [edit(r.aksCluster, "kubernetesVersion", "1.36")], [edit(r.aksCluster, "kubernetesVersion", "1.36.5")]],
        fail: [
            // 1.33 left standard support on 2026-07-31 (AKS release calendar).
            { resources: [edit(r.aksCluster, "kubernetesVersion", "1.33")], message: /Kubernetes 1\.33 left AKS standard support on 2026-07-31/ },
            { resources: [edit(r.aksCluster, "kubernetesVersion", "1.29.4")], message: /not in the AKS support table/ },
            // Node pools are judged too: a pool left behind on an unsupported minor, or outside the skew.
            { resources: [edit(r.userPool, "orchestratorVersion", "1.33")], message: /agent pool "user" orchestratorVersion: Kubernetes 1\.33 left AKS standard support/ },
            {
                resources: [edit(edit(r.aksCluster, "kubernetesVersion", "1.36"), "agentPoolProfiles.0.orchestratorVersion", "1.37")],
                message: /agentPoolProfiles "system" orchestratorVersion 1\.37 is newer than the control plane's 1\.36/,
            },
        ],
        unknown: { resources: [edit(r.aksCluster, "kubernetesVersion", unknown)], path: "kubernetesVersion" },
    },
    "aks-kubernetes-version-ending": {
        level: "advisory",
        pass: [[r.aksCluster], [edit(r.aksCluster, "kubernetesVersion", "1.37")]],
        fail: [{
            resources: [edit(r.aksCluster, "kubernetesVersion", "1.37")], config: { warningDays: 100000 },
            message: /Kubernetes 1\.37 leaves AKS standard support on 2027-10-31 \(in \d+ days\); upgrade/,
        }],
        unknown: { resources: [edit(r.aksCluster, "kubernetesVersion", unknown)], path: "kubernetesVersion" },
    },
    "registry-admin-user-disabled": {
        pass: [[r.registry]],
        fail: [{ resources: [edit(r.registry, "adminUserEnabled", true)], message: /adminUserEnabled is true/ }],
        unknown: { resources: [edit(r.registry, "adminUserEnabled", unknown)], path: "adminUserEnabled" },
    },
    "connection-budget": {
        pass: [[r.postgresPrimary, r.postgresParameter("max_connections", "200"), r.postgresParameter("pgbouncer.enabled", "true"),
            r.postgresParameter("pgbouncer.max_client_conn", "1000"), r.postgresParameter("pgbouncer.default_pool_size", "25"), r.databaseClientApp]],
        fail: [
            {
                resources: [r.postgresPrimary, r.postgresParameter("max_connections", "200"), r.postgresParameter("pgbouncer.enabled", "true"),
                    r.postgresParameter("pgbouncer.max_client_conn", "150"), r.databaseClientApp],
                message: /^the app may open 200 client connections but the pooler accepts 150\.\napp pools per endpoint: api 10×20 = 200/,
            },
            {
                resources: [r.postgresPrimary, r.postgresParameter("max_connections", "50"), r.postgresParameter("pgbouncer.enabled", "true"), r.databaseClientApp],
                message: /the pooler may open 50 server connections but each server allows 35/,
            },
            {
                // A Deployment scaled by a KEDA ScaledObject counts at its maxReplicaCount, as with an HPA.
                resources: [r.postgresPrimary, r.postgresParameter("max_connections", "200"), r.postgresParameter("pgbouncer.enabled", "true"),
                    r.postgresParameter("pgbouncer.max_client_conn", "150"),
                    edit(r.deployment, "spec.template.spec.containers.0.env", [{ name: "ConnectionStrings__bookstore", value: "Host=pgbouncer;Maximum Pool Size=20" }]),
                    edit(r.scaledObject, "spec.maxReplicaCount", 15)],
                message: /app pools per endpoint: api 15×20 = 300/,
            },
            {
                // The outputs a cloud preview's stack analysis sees: parameter names as `name`.
                resources: [primaryOutputs, parameterOutputs("max_connections", "50"), parameterOutputs("pgbouncer.enabled", "true"), r.databaseClientApp],
                message: /the pooler may open 50 server connections but each server allows 35/,
            },
        ],
        unknown: { resources: [r.postgresPrimary, edit(r.postgresParameter("max_connections", "200"), "value", unknown, "state"), r.databaseClientApp], path: "value" },
    },
    "image-pinned": {
        pass: [[r.containerApp, r.deployment, edit(r.deployment, "spec.template.spec.containers.0.image", `bookstoreacr.azurecr.io/api@sha256:${"a".repeat(64)}`)]],
        fail: [
            { resources: [edit(r.containerApp, "template.containers.0.image", "bookstoreacr.azurecr.io/bookstore-api:latest")], message: /uses the mutable tag "latest"; pin a tag or a digest/ },
            { resources: [edit(r.deployment, "spec.template.spec.containers.0.image", "nginx")], message: /"nginx" has no tag or digest/ },
            { resources: [edit(r.containerApp, "template.containers.0.image", "bookstoreacr.azurecr.io/bookstore-api@sha256:junk")], message: /has a malformed digest \(expected @sha256: and 64 lowercase hex digits\)/ },
        ],
        unknown: { resources: [edit(r.containerApp, "template.containers.0.image", unknown)], path: "template.containers.0.image" },
    },
    "image-registry-pullable": {
        pass: [
            [r.acrPull, r.containerApp, r.deployment],
            [edit(r.deployment, "spec.template.spec.containers.0.image", "mcr.microsoft.com/dotnet/aspnet:8.0")],
        ],
        fail: [
            { resources: [r.containerApp], message: /ContainerApp "api" container "api" image "bookstoreacr.azurecr.io\/bookstore-api:1.0.0": no identity of this stack has AcrPull on bookstoreacr.azurecr.io/ },
            { resources: [r.acrPull, edit(r.containerApp, "configuration.registries", [])], message: /configuration.registries has no entry for bookstoreacr.azurecr.io/ },
            { resources: [r.acrPull, edit(r.deployment, "spec.template.spec.containers.0.image", "ghcr.io/cloudnative-pg/pgbouncer:1.25.2")], message: /no identity of this stack has AcrPull on ghcr.io, and it is not an allowed public registry \(mcr.microsoft.com\)/ },
            { resources: [r.acrPull, edit(r.deployment, "spec.template.spec.containers.0.image", "nginx:1.27")], message: /AcrPull on docker.io/ },
            // A grant of another role on the registry does not let anyone pull.
            { resources: [edit(r.acrPull, "roleDefinitionId", "/subscriptions/0/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"), r.deployment], message: /no identity of this stack has AcrPull on bookstoreacr.azurecr.io/ },
        ],
        unknown: { resources: [edit(r.acrPull, "scope", unknown), r.containerApp], path: "scope" },
    },
    "redis-private-access": {
        pass: [[r.managedRedis, r.redisPrivateEndpoint], [edit(edit(r.managedRedis, "publicNetworkAccess", "Enabled"), "tags.environment", "dev")]],
        fail: [
            { resources: [edit(r.managedRedis, "publicNetworkAccess", "Enabled"), r.redisPrivateEndpoint], message: /RedisEnterprise "cache" has publicNetworkAccess Enabled; expected Disabled/ },
            { resources: [edit(r.managedRedis, "publicNetworkAccess", undefined), r.redisPrivateEndpoint], message: /publicNetworkAccess Enabled; expected Disabled/ },
            { resources: [r.managedRedis], message: /RedisEnterprise "cache" has no private endpoint \(group "redisEnterprise"\)/ },
            { resources: [r.managedRedis, edit(r.redisPrivateEndpoint, "privateLinkServiceConnections.0.groupIds", ["vault"])], message: /has no private endpoint/ },
        ],
        unknown: { resources: [edit(r.managedRedis, "publicNetworkAccess", unknown), r.redisPrivateEndpoint], path: "publicNetworkAccess" },
    },
    "aks-system-pool-ha": {
        pass: [[r.aksCluster, r.userPool], [edit(edit(r.aksCluster, "sku", undefined), "tags.environment", "dev")]],
        fail: [
            { resources: [edit(r.aksCluster, "sku.tier", "Free")], message: /sku.tier is Free; expected one of Standard, Premium/ },
            { resources: [edit(r.aksCluster, "sku", undefined)], message: /sku.tier is Free/ },
            { resources: [edit(r.aksCluster, "agentPoolProfiles.0.minCount", 2)], message: /system pool "system" has minCount 2; expected at least 3/ },
            { resources: [edit(edit(r.aksCluster, "agentPoolProfiles.0.enableAutoScaling", false), "agentPoolProfiles.0.count", 1)], message: /system pool "system" has count 1; expected at least 3/ },
            { resources: [edit(r.aksCluster, "agentPoolProfiles.0.availabilityZones", ["1"])], message: /spans 1 availability zone\(s\); expected at least 2/ },
            { resources: [edit(edit(r.userPool, "mode", "System"), "availabilityZones", undefined)], message: /agent pool: system pool "user" .*expected at least 2/ },
        ],
        unknown: { resources: [edit(r.aksCluster, "sku", unknown)], path: "sku" },
    },
    "k8s-run-as-non-root": {
        pass: [[r.deployment]],
        fail: [{ resources: [edit(r.deployment, "spec.template.spec.securityContext", undefined)], message: /container "api" may run as root/ }],
        unknown: { resources: [edit(r.deployment, "spec.template.spec.securityContext", unknown)], path: "spec.template.spec.securityContext" },
    },
    "k8s-no-privilege-escalation": {
        pass: [[r.deployment]],
        fail: [
            { resources: [edit(r.deployment, "spec.template.spec.containers.0.securityContext.allowPrivilegeEscalation", undefined)], message: /does not set securityContext.allowPrivilegeEscalation: false/ },
            { resources: [edit(r.deployment, "spec.template.spec.containers.0.securityContext.privileged", true)], message: /container "api" is privileged/ },
        ],
        unknown: { resources: [edit(r.deployment, "spec.template.spec.containers.0.securityContext", unknown)], path: "spec.template.spec.containers.0.securityContext" },
    },
};

describe("policy catalogue", () => {
    it("has passing, failing and unknown-value cases for every policy", () => {
        // The AWS rules have their cases in aws.test.ts.
        assert.deepEqual(Object.keys(CASES).sort(), policies.filter((p) => !awsPolicies.includes(p)).map((p) => p.name).sort());
    });

    it("names policies uniquely, in kebab case, with a description", () => {
        assert.equal(new Set(policies.map((p) => p.name)).size, policies.length);
        for (const p of policies) {
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.ok(p.description.length > 20, p.name);
        }
    });

    for (const [name, cases] of Object.entries(CASES)) {
        describe(name, () => {
            const only = () => [policyNamed(name)];

            cases.pass.forEach((resources, i) => {
                it(`passes well-configured resources (case ${i + 1})`, async () => {
                    assert.deepEqual(await analyze(resources, { policies: only() }), []);
                });
            });

            cases.fail.forEach((failing, i) => {
                const level = cases.level ?? "mandatory";
                it(`reports a${level === "advisory" ? "n" : ""} ${level} violation (case ${i + 1})`, async () => {
                    const config = failing.config ? { [name]: failing.config } : undefined;
                    const violations = await analyze(failing.resources, { policies: only(), config: config as never });
                    assert.ok(violations.length > 0, "expected a violation");
                    for (const v of violations) {
                        assert.equal(v.policy, name);
                        assert.equal(v.level, level);
                        assert.match(v.urn, /^urn:pulumi:test::bookstore::/);
                    }
                    assert.ok(violations.some((v) => failing.message.test(v.message)),
                        `no message matched ${failing.message}: ${violations.map((v) => v.message).join(" | ")}`);
                });
            });

            if ("path" in cases.unknown) {
                const { resources, path } = cases.unknown;
                it("reports a value unknown during preview as the engine's advisory, not a crash", async () => {
                    const violations = await analyze(resources, { policies: only() });
                    assert.deepEqual(violations.map((v) => [v.policy, v.level, v.message]), [[name, "advisory", duringPreview(name, path)]]);
                });
            } else {
                const { readsNoValues } = cases.unknown;
                it("reads no property values, so unknowns during preview don't stop it", async () => {
                    const violations = await analyze(readsNoValues, { policies: only() });
                    assert.ok(violations.length > 0 && violations.every((v) => v.level === "mandatory"));
                });
            }
        });
    }
});

describe("policy scope and types", () => {
    it("checks production-only rules only where the environment tag or label says prod", async () => {
        const devEnvironment = edit(edit(r.managedEnvironment, "zoneRedundant", false), "tags.environment", "dev");
        const devApp = edit(edit(r.containerApp, "template.scale.minReplicas", 1), "tags.environment", "dev");
        assert.deepEqual(await analyze([devEnvironment, devApp, r.acrPull]), []);
    });

    it("treats a resource without an environment as in scope", async () => {
        const untagged = edit(edit(r.postgresPrimary, "tags", undefined), "highAvailability.mode", "Disabled");
        const violations = await analyze([untagged, r.postgresReplica]);
        assert.deepEqual(violations.map((v) => v.policy), ["postgres-zone-redundant-ha"]);
    });

    it("matches a Container App to its environment by id when no dependency links them", async () => {
        const app = { ...edit(r.containerApp, "template.scale.minReplicas", 2), dependsOn: [] };
        const violations = await analyze([r.managedEnvironment, app], { policies: [policyNamed("containerapp-min-replicas")] });
        assert.match(violations[0].message, /zone redundant/);
    });

    it("uses the type tokens of the provider SDKs' classes", () => {
        const classes: Record<string, { __pulumiType: string }> = {
            [T.containerApp]: require("@pulumi/azure-native/app").ContainerApp,
            [T.environment]: require("@pulumi/azure-native/app").ManagedEnvironment,
            [T.route]: require("@pulumi/azure-native/cdn").Route,
            [T.registry]: require("@pulumi/azure-native/containerregistry").Registry,
            [T.roleAssignment]: require("@pulumi/azure-native/authorization").RoleAssignment,
            [T.cluster]: require("@pulumi/azure-native/containerservice").ManagedCluster,
            [T.agentPool]: require("@pulumi/azure-native/containerservice").AgentPool,
            [T.postgres]: require("@pulumi/azure-native/dbforpostgresql").Server,
            [T.postgresDatabase]: require("@pulumi/azure-native/dbforpostgresql").Database,
            [T.keyVault]: require("@pulumi/azure-native/keyvault").Vault,
            [T.redis]: require("@pulumi/azure-native/redis").Redis,
            ["azure-native:network:PrivateEndpoint"]: require("@pulumi/azure-native/network").PrivateEndpoint,
            [T.managedRedis]: require("@pulumi/azure-native/redisenterprise").RedisEnterprise,
            [T.managedRedisDatabase]: require("@pulumi/azure-native/redisenterprise").Database,
            [T.signalR]: require("@pulumi/azure-native/signalrservice").SignalR,
            [T.storageAccount]: require("@pulumi/azure-native/storage").StorageAccount,
            [T.blobService]: require("@pulumi/azure-native/storage").BlobServiceProperties,
            [T.blobContainer]: require("@pulumi/azure-native/storage").BlobContainer,
            [T.cloudflareZoneSetting]: require("@pulumi/cloudflare").ZoneSetting,
            [T.cloudflareDnsRecord]: require("@pulumi/cloudflare").DnsRecord,
            [T.deployment]: require("@pulumi/kubernetes").apps.v1.Deployment,
            [T.hpa]: require("@pulumi/kubernetes").autoscaling.v2.HorizontalPodAutoscaler,
            [T.pdb]: require("@pulumi/kubernetes").policy.v1.PodDisruptionBudget,
        };
        for (const [token, cls] of Object.entries(classes)) assert.equal(cls.__pulumiType, token);
        const types = require("../../policy/types");
        for (const value of Object.values(types) as { __pulumiType: string }[]) {
            assert.ok(Object.keys(classes).includes(value.__pulumiType) || value.__pulumiType.startsWith("cloudflare:") || value.__pulumiType === "azure-native:dbforpostgresql:Configuration",
                `${value.__pulumiType} is not checked against its class`);
        }
    });
});
