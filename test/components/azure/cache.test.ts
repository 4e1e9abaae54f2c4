import * as assert from "assert";
import { managedRedisHost, MANAGED_REDIS_TLS_PORT, persistenceSettings, redisConnectionString } from "../../../components/azure/cache";
import { inputs, oneOfType, planned, planOf, resourcesOfType, stackVariant, nonEmpty } from "../../helpers/plan";

const CLUSTER = "azure-native:redisenterprise:RedisEnterprise";
const DATABASE = "azure-native:redisenterprise:Database";

describe("cache: pure settings", () => {
    it("enables at most one of AOF and RDB", () => {
        assert.deepStrictEqual(persistenceSettings("aof"), { aofEnabled: true, aofFrequency: "1s", rdbEnabled: false });
        assert.deepStrictEqual(persistenceSettings("rdb"), { rdbEnabled: true, rdbFrequency: "1h", aofEnabled: false });
        assert.deepStrictEqual(persistenceSettings("none"), { aofEnabled: false, rdbEnabled: false });
    });

    it("writes the StackExchange.Redis form with TLS and no password", () => {
        assert.strictEqual(redisConnectionString("c.eastus2.redis.azure.net", 10000), "c.eastus2.redis.azure.net:10000,ssl=True,abortConnect=False");
    });
});

describe("cache: Azure Managed Redis (plan of prod)", () => {
    const prod = () => planOf("prod");

    it("hands the app a connection string built from the cluster's name and region, so no app waits for the cache", () => {
        assert.strictEqual(managedRedisHost("bookstore-prod-redis", "eastus2"), "bookstore-prod-redis.eastus2.redis.azure.net");
        const doc = prod();
        const cacheUrns = new Set([...resourcesOfType(doc, CLUSTER), ...resourcesOfType(doc, DATABASE)].map((r) => r.urn));
        for (const app of nonEmpty(resourcesOfType(doc, "azure-native:app:ContainerApp"))) {
            assert.deepStrictEqual(app.dependencies.filter((u) => cacheUrns.has(u)), [], `${app.name} must not wait for the cache`);
            const env = (inputs(app).template.containers[0].env as { name: string; value?: string }[]).find((e) => e.name === "ConnectionStrings__redis");
            assert.strictEqual(env?.value, `bookstore-prod-redis.eastus2.redis.azure.net:${MANAGED_REDIS_TLS_PORT},ssl=True,abortConnect=False`);
        }
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

    it("has an encrypted-only database on the TLS port, EnterpriseCluster, VolatileLRU, RDB, keys disabled", () => {
        const db = inputs(oneOfType(prod(), DATABASE));
        assert.strictEqual(db.clientProtocol, "Encrypted");
        assert.strictEqual(db.port, MANAGED_REDIS_TLS_PORT);
        assert.strictEqual(db.clusteringPolicy, "EnterpriseCluster");
        assert.strictEqual(db.evictionPolicy, "VolatileLRU");
        assert.deepStrictEqual(db.persistence, { rdbEnabled: true, rdbFrequency: "1h", aofEnabled: false });
        assert.strictEqual(db.accessKeysAuthentication, "Disabled");
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

    it("wires ConnectionStrings__redis (host:10000, TLS) into every app service and outputs host and port", () => {
        const doc = prod();
        const outputs = doc.outputs as Record<string, unknown>;
        assert.match(String(outputs.redisHost), /^bookstore-prod-redis\.eastus2\.redis\.azure\.net$/);
        assert.strictEqual(outputs.redisPort, 10000);
        const apps = resourcesOfType(doc, "azure-native:app:ContainerApp");
        assert.ok(apps.length >= 2);
        for (const app of apps) {
            const env = inputs(app).template.containers[0].env as { name: string; value?: string }[];
            const redis = env.find((e) => e.name === "ConnectionStrings__redis");
            assert.strictEqual(redis?.value, `${outputs.redisHost}:10000,ssl=True,abortConnect=False`, app.name);
        }
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
