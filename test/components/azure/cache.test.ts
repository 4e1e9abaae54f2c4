import * as assert from "assert";
import { managedRedisHost, MANAGED_REDIS_TLS_PORT, persistenceSettings, redisConnectionString } from "../../../components/azure/cache";
import { inputs, oneOfType, planned, planOf, resourcesOfType, stackVariant } from "../../helpers/plan";

const CLUSTER = "azure-native:redisenterprise:RedisEnterprise";
const DATABASE = "azure-native:redisenterprise:Database";

describe("cache: pure settings", () => {
    it("enables at most one of AOF and RDB", () => {
        assert.deepStrictEqual(persistenceSettings("aof"), { aofEnabled: true, aofFrequency: "1s", rdbEnabled: false });
        assert.deepStrictEqual(persistenceSettings("rdb"), { rdbEnabled: true, rdbFrequency: "1h", aofEnabled: false });
        assert.deepStrictEqual(persistenceSettings("none"), { aofEnabled: false, rdbEnabled: false });
    });

    it("writes the StackExchange.Redis form the app's client parses: host:port, the access key, TLS", () => {
        assert.strictEqual(redisConnectionString("c.eastus2.redis.azure.net", 10000, "k3y="), "c.eastus2.redis.azure.net:10000,password=k3y=,ssl=True,abortConnect=False");
    });
});

describe("cache: Azure Managed Redis (plan of prod)", () => {
    const prod = () => planOf("prod");

    it("hands the api its connection string through Key Vault: the cluster's host, the database's access key, TLS", () => {
        assert.strictEqual(managedRedisHost("bookstore-prod-redis", "eastus2"), "bookstore-prod-redis.eastus2.redis.azure.net");
        const doc = prod();
        const secret = resourcesOfType(doc, "azure-native:keyvault:Secret").find((s) => inputs(s).secretName === "connectionstrings-cache");
        assert.ok(secret, "no connectionstrings-cache secret");
        // The key exists once the database does: the secret (and so the app) waits for it.
        assert.ok(secret.dependencies.includes(oneOfType(doc, DATABASE).urn));
        const cache = (doc.appContract as any).services.api.env.ConnectionStrings__cache;
        assert.strictEqual(cache.value, `bookstore-prod-redis.eastus2.redis.azure.net:${MANAGED_REDIS_TLS_PORT},password=[secret],ssl=True,abortConnect=False`);
        assert.strictEqual(cache.from, "Key Vault secret connectionstrings-cache");
    });

    it("is Azure Managed Redis, not the retired Azure Cache for Redis", () => {
        assert.strictEqual(resourcesOfType(prod(), "azure-native:redis:Redis").length, 0);
        assert.strictEqual(resourcesOfType(prod(), CLUSTER).length, 1);
    });

    it("runs a highly available cluster with TLS 1.2 minimum and no public access in prod", () => {
        const cluster = inputs(oneOfType(prod(), CLUSTER));
        assert.deepStrictEqual(cluster.sku, { name: "Balanced_B5" });
        assert.strictEqual(cluster.highAvailability, "Enabled");
        assert.strictEqual(cluster.minimumTlsVersion, "1.2");
        assert.strictEqual(cluster.publicNetworkAccess, "Disabled");
    });

    it("has an encrypted-only database on the TLS port, EnterpriseCluster, VolatileLRU, RDB, access keys on (the app sends a password)", () => {
        const db = inputs(oneOfType(prod(), DATABASE));
        assert.strictEqual(db.clientProtocol, "Encrypted");
        assert.strictEqual(db.port, MANAGED_REDIS_TLS_PORT);
        assert.strictEqual(db.clusteringPolicy, "EnterpriseCluster");
        assert.strictEqual(db.evictionPolicy, "VolatileLRU");
        assert.deepStrictEqual(db.persistence, { rdbEnabled: true, rdbFrequency: "1h", aofEnabled: false });
        assert.strictEqual(db.accessKeysAuthentication, "Enabled");
    });

    it("gives the workload identity the database's default access policy (Entra ID)", () => {
        const doc = prod();
        const assignment = inputs(oneOfType(doc, "azure-native:redisenterprise:AccessPolicyAssignment"));
        // The platform grants the same identity Key Vault access: the identity the app runs as.
        const workloadPrincipal = inputs(oneOfType(doc, "azure-native:authorization:RoleAssignment", "kv-secrets-user")).principalId;
        assert.strictEqual(assignment.accessPolicyName, "default");
        assert.strictEqual(assignment.databaseName, "default");
        // Spec rule (redisenterprise 2025-07-01): accessPolicyAssignmentName is ^[A-Za-z0-9]{1,60}$.
        assert.strictEqual(assignment.accessPolicyAssignmentName, "workloadaccess");
        assert.match(assignment.accessPolicyAssignmentName, /^[A-Za-z0-9]{1,60}$/);
        assert.strictEqual(assignment.clusterName, "bookstore-prod-redis");
        assert.strictEqual(assignment.user.objectId, workloadPrincipal);
    });

    it("reaches the cluster through a private endpoint in the privatelink.redis.azure.net zone", () => {
        const doc = prod();
        const endpoint = resourcesOfType(doc, "azure-native:network:PrivateEndpoint").map(inputs)
            .find((pe) => pe.privateLinkServiceConnections[0].groupIds[0] === "redisEnterprise");
        assert.ok(endpoint, "no redisEnterprise private endpoint");
        assert.match(endpoint.privateLinkServiceConnections[0].privateLinkServiceId, /Microsoft\.Cache\/redisEnterprise\/bookstore-prod-redis$/);
        assert.ok(resourcesOfType(doc, "azure-native:privatedns:PrivateZone").map(inputs).some((z) => z.privateZoneName === "privatelink.redis.azure.net"));
    });

    it("wires ConnectionStrings__cache as a Key Vault reference of the api and outputs host and port", () => {
        const doc = prod();
        const outputs = doc.outputs as Record<string, unknown>;
        assert.match(String(outputs.redisHost), /^bookstore-prod-redis\.eastus2\.redis\.azure\.net$/);
        assert.strictEqual(outputs.redisPort, 10000);
        const api = inputs(oneOfType(doc, "azure-native:app:ContainerApp", "api"));
        const env = (api.template.containers[0].env as { name: string; secretRef?: string }[]).find((e) => e.name === "ConnectionStrings__cache");
        const secret = (api.configuration.secrets as { name: string; keyVaultUrl?: string }[]).find((s) => s.name === env?.secretRef);
        assert.match(String(secret?.keyVaultUrl), /^https:\/\/[a-z0-9]+\.vault\.azure\.net\/secrets\/connectionstrings-cache$/);
    });
});

describe("cache: config choices (plan variants)", () => {
    const file = stackVariant("prod", (c) => { c["bookstore:cache"] = { sku: "MemoryOptimized_M20", clusteringPolicy: "OSSCluster", persistence: "aof", evictionPolicy: "AllKeysLRU" }; });
    const variant = planned("prod", { stackFile: file });
    it("follows the config: OSSCluster, AOF, another SKU", () => {
        const doc = variant();
        assert.deepStrictEqual(inputs(oneOfType(doc, CLUSTER)).sku, { name: "MemoryOptimized_M20" });
        const db = inputs(oneOfType(doc, DATABASE));
        assert.strictEqual(db.clusteringPolicy, "OSSCluster");
        assert.strictEqual(db.evictionPolicy, "AllKeysLRU");
        assert.deepStrictEqual(db.persistence, { aofEnabled: true, aofFrequency: "1s", rdbEnabled: false });
    });

    it("is small, public (TLS only), not replicated and not persisted in dev", () => {
        const doc = planOf("dev");
        const cluster = inputs(oneOfType(doc, CLUSTER));
        assert.deepStrictEqual(cluster.sku, { name: "Balanced_B0" });
        assert.strictEqual(cluster.highAvailability, "Disabled");
        assert.strictEqual(cluster.publicNetworkAccess, "Enabled");
        assert.strictEqual(cluster.minimumTlsVersion, "1.2");
        assert.deepStrictEqual(inputs(oneOfType(doc, DATABASE)).persistence, { aofEnabled: false, rdbEnabled: false });
        assert.ok(!resourcesOfType(doc, "azure-native:network:PrivateEndpoint").map(inputs)
            .some((pe) => pe.privateLinkServiceConnections[0].groupIds[0] === "redisEnterprise"));
    });
});
