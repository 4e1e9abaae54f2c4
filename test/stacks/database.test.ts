import * as assert from "assert";
import { parseStackConfig } from "../../stacks/config";
import { builtinPoolerParameters, POSTGRES_SKUS, serverParameters } from "../../lib/postgresParameters";
import { resolveDatabase } from "../../stacks/schema/database";
import { problemsOf } from "../helpers/config";

const seedTuning = {
    sharedBuffersPercent: 25, effectiveCacheSizePercent: 75, walBuffersMB: 16, checkpointCompletionTarget: 0.9,
    maxWalSizeGB: 4, randomPageCost: 1.1, effectiveIoConcurrency: 200, maxConnections: 200,
};

function base(environment = "prod", extra: Record<string, unknown> = {}): Record<string, any> {
    return {
        environment,
        tags: { owner: "team@example.com", costCenter: "cc-1" },
        app: { services: { api: { image: "bookstore/api:1.2.3", maxReplicas: 10, dbPoolSize: 20 } }, aks: { kubernetesVersion: "1.36" } },
        ...extra,
    };
}

describe("server parameters from the SKU's memory", () => {
    it("gives the seed's values on Standard_D4ds_v5 (16 GiB), in Flexible Server's units", () => {
        const byName = Object.fromEntries(serverParameters("Standard_D4ds_v5", seedTuning).map((p) => [p.name, p]));
        assert.deepStrictEqual(Object.fromEntries(Object.values(byName).map((p) => [p.name, [p.value, p.unit, p.display]])), {
            shared_buffers: ["524288", "8kB pages", "4GB"],
            effective_cache_size: ["1572864", "8kB pages", "12GB"],
            wal_buffers: ["2048", "8kB pages", "16MB"],
            checkpoint_completion_target: ["0.9", "", "0.9"],
            max_wal_size: ["4096", "MB", "4GB"],
            random_page_cost: ["1.1", "", "1.1"],
            effective_io_concurrency: ["200", "", "200"],
            max_connections: ["200", "", "200"],
        });
        assert.deepStrictEqual(Object.values(byName).filter((p) => p.restartRequired).map((p) => p.name),
            ["shared_buffers", "wal_buffers", "max_connections"]);
    });

    it("never sets max_wal_size below Azure's own value for the disk (Learn: 12288 MiB on 128 GiB), and keeps the seed's 4 GB where it is higher", () => {
        const walOn = (storageGiB?: number) => serverParameters("Standard_D4ds_v5", seedTuning, storageGiB).find((p) => p.name === "max_wal_size")!;
        assert.deepStrictEqual([walOn(128).value, walOn(128).display], ["12288", "12GB"]);
        assert.strictEqual(walOn(32).value, "4096", "Azure's 2048 MiB on 32 GiB is below the seed's 4 GB");
        assert.strictEqual(walOn(1000).value, "25600", "the row of the largest listed size not above the disk (512 GiB)");
        assert.strictEqual(walOn(32767).value, "65536");
        assert.strictEqual(walOn().value, "4096", "without a disk (RDS, the local lab) the seed's value");
    });

    it("scales memory-relative parameters with the SKU: Standard_E8ds_v5 (64 GiB) gets 16GB / 48GB", () => {
        const shown = Object.fromEntries(serverParameters("Standard_E8ds_v5", seedTuning).map((p) => [p.name, p.display]));
        assert.strictEqual(shown.shared_buffers, "16GB");
        assert.strictEqual(shown.effective_cache_size, "48GB");
        assert.strictEqual(shown.wal_buffers, "16MB");
    });

    it("keeps shared_buffers inside Flexible Server's 10-75 % of RAM and page ranges for every allowed SKU", () => {
        for (const [name, sku] of Object.entries(POSTGRES_SKUS)) {
            for (const percent of [10, 25, 75]) {
                const shared = serverParameters(name, { ...seedTuning, sharedBuffersPercent: percent }).find((p) => p.name === "shared_buffers")!;
                const share = Number(shared.value) * 8192 / (sku.memoryGiB * 1024 ** 3);
                assert.ok(share >= 0.0999 && share <= 0.75, `${name} ${percent}%: ${share}`);
                assert.ok(Number(shared.value) >= 16 && Number(shared.value) <= 1073741823);
            }
        }
    });

    it("turns on the built-in PgBouncer with the seed's pool settings", () => {
        const params = builtinPoolerParameters({ poolMode: "transaction", defaultPoolSize: 25, maxClientConn: 1000, serverIdleTimeout: 600 });
        assert.deepStrictEqual(Object.fromEntries(params.map((p) => [p.name, p.value])), {
            "pgbouncer.enabled": "true",
            "pgbouncer.pool_mode": "transaction",
            "pgbouncer.default_pool_size": "25",
            "pgbouncer.max_client_conn": "1000",
            "pgbouncer.server_idle_timeout": "600",
        });
    });
});

describe("database config", () => {
    it("defaults prod to PostgreSQL 16 on D4ds_v5, zone-redundant HA, geo backups and replicas in location and secondaryLocation", () => {
        const db = resolveDatabase(parseStackConfig(base("prod", { location: "eastus2", secondaryLocation: "westus2" })));
        assert.strictEqual(db.version, "16");
        assert.deepStrictEqual(db.sku, { name: "Standard_D4ds_v5", tier: "GeneralPurpose" });
        assert.strictEqual(db.highAvailability, "ZoneRedundant");
        assert.deepStrictEqual(db.backup, { retentionDays: 7, geoRedundant: true });
        assert.deepStrictEqual(db.replicas.map((r) => [r.location, r.sku.name, r.storageSizeGB, r.remoteNetwork?.addressSpace]),
            [["eastus2", "Standard_D4ds_v5", 128, undefined], ["westus2", "Standard_D4ds_v5", 128, "10.41.0.0/16"]]);
        assert.deepStrictEqual(db.pgbouncer.maxClientConn, 1000);
        assert.deepStrictEqual([db.pgbouncer.defaultPoolSize, db.pgbouncer.reservePoolSize, db.pgbouncer.maxDbConnections], [25, 5, 100]);
    });

    it("pairs the primary with the first replica outside its region for failover, or replica 1, or none", () => {
        const prod = resolveDatabase(parseStackConfig(base("prod", { location: "eastus2", secondaryLocation: "westus2" })));
        assert.deepStrictEqual(prod.failover, { replica: 2, promoted: false });
        const local = resolveDatabase(parseStackConfig(base("prod", { location: "eastus2", database: { replicas: [{ location: "eastus2" }] } })));
        assert.deepStrictEqual(local.failover, { replica: 1, promoted: false });
        assert.deepStrictEqual(resolveDatabase(parseStackConfig(base("dev"))).failover, { replica: undefined, promoted: false });
    });

    it("names the failover keys that point at no replica", () => {
        assert.deepStrictEqual(problemsOf(base("prod", { database: { replicas: [{ location: "eastus2" }], failover: { replica: 3 } } })),
            ["bookstore:database.failover.replica: expected a replica number from 1 to 1 (the stack has 1 replica(s)), got 3"]);
        assert.deepStrictEqual(problemsOf(base("dev", { database: { failover: { promoted: true } } })),
            ["bookstore:database.failover.promoted: expected false: there is no replica to hold the writer role, got true"]);
    });

    it("defaults the pooler by platform: built-in on containerapps, Deployment on aks", () => {
        assert.strictEqual(resolveDatabase(parseStackConfig(base("prod"))).pooler, "builtin");
        assert.strictEqual(resolveDatabase(parseStackConfig(base("prod", { platform: "aks" }))).pooler, "deployment");
    });

    it("defaults dev to no HA, no geo backup, no replicas", () => {
        const db = resolveDatabase(parseStackConfig(base("dev")));
        assert.deepStrictEqual([db.highAvailability, db.backup.geoRedundant, db.replicas.length], ["Disabled", false, 0]);
    });

    it("rejects Burstable outside dev", () => {
        assert.deepStrictEqual(problemsOf(base("prod", { database: { sku: { name: "Standard_B2s" }, replicas: [], highAvailability: "Disabled", pooler: "builtin" } }))
            .filter((p) => p.includes("sku.name")),
            ['bookstore:database.sku.name: expected a GeneralPurpose or MemoryOptimized SKU in prod (Burstable is for dev only), got "Standard_B2s"']);
    });

    it("rejects Burstable with replicas, with HA, and with the built-in pooler, even in dev", () => {
        const problems = problemsOf(base("dev", { database: { sku: { name: "Standard_B2ms" }, replicas: [{ location: "eastus2" }], highAvailability: "ZoneRedundant" } }));
        assert.ok(problems.some((p) => p.startsWith("bookstore:database.replicas: expected no replicas on a Burstable primary")), problems.join("\n"));
        assert.ok(problems.includes('bookstore:database.highAvailability: expected "Disabled" on a Burstable primary (Standard_B2ms), got "ZoneRedundant"'), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("bookstore:database.pooler: expected \"deployment\" with a Burstable SKU")), problems.join("\n"));
    });

    it("accepts Burstable in dev on AKS with the PgBouncer Deployment and nothing else", () => {
        const db = resolveDatabase(parseStackConfig(base("dev", { platform: "aks", database: { sku: { name: "Standard_B2s" } } })));
        assert.deepStrictEqual([db.sku.tier, db.pooler], ["Burstable", "deployment"]);
    });

    it("rejects a replica smaller than the primary, in compute or storage", () => {
        const problems = problemsOf(base("prod", { database: {
            sku: { name: "Standard_D8ds_v5" }, storage: { sizeGB: 256 },
            replicas: [{ location: "eastus2", sku: { name: "Standard_D4ds_v5" }, storageSizeGB: 128 }],
        } }));
        assert.deepStrictEqual(problems, [
            'bookstore:database.replicas.0.sku.name: expected a SKU at least as large as the primary\'s Standard_D8ds_v5 (8 vCores, 32 GiB), got "Standard_D4ds_v5"',
            "bookstore:database.replicas.0.storageSizeGB: expected at least the primary's 256 GiB, got 128",
        ]);
    });

    it("rejects a tier that does not match the SKU series, and unknown SKUs", () => {
        assert.deepStrictEqual(problemsOf(base("prod", { database: { sku: { name: "Standard_D4ds_v5", tier: "MemoryOptimized" } } })),
            ['bookstore:database.sku.tier: expected "GeneralPurpose" for Standard_D4ds_v5 (D-series), got "MemoryOptimized"']);
        assert.match(problemsOf(base("prod", { database: { sku: { name: "Standard_D5ds_v9" } } }))[0],
            /^bookstore:database\.sku\.name: expected a Flexible Server SKU such as "Standard_D4ds_v5".*, got "Standard_D5ds_v9"$/);
    });

    it("rejects the PgBouncer Deployment on Container Apps", () => {
        assert.deepStrictEqual(problemsOf(base("prod", { database: { pooler: "deployment" } })),
            ['bookstore:database.pooler: expected "builtin" on platform containerapps (the PgBouncer Deployment runs on AKS), got "deployment"']);
    });

    it("rejects a replica VNet that overlaps the platform VNet", () => {
        const problems = problemsOf(base("prod", { database: { replicaNetworks: { westus2: { addressSpace: "10.40.0.0/16", subnet: "10.40.8.0/24" } } } }));
        assert.deepStrictEqual(problems, [
            'bookstore:database.replicaNetworks.westus2.addressSpace: expected a range that does not overlap network.addressSpace (10.40.0.0/16); the VNets are peered, got "10.40.0.0/16"',
        ]);
    });

    it("reports a broken connection budget as a config error that shows the numbers", () => {
        const raw = base("prod", { database: { parameters: { maxConnections: 30 } } });
        assert.deepStrictEqual(problemsOf(raw), [
            "bookstore:database.parameters.maxConnections: expected room for the pooler's 25 server connections"
            + " (server connections per PgBouncer process: min(default_pool_size 25 + reserve_pool_size 0, max_db_connections unlimited) = 25;"
            + " server connections per PostgreSQL server: 25 × 1 PgBouncer process = 25 > max_connections 30 - 15 reserved = 15), got 30",
        ]);
        raw.database = { pgbouncer: { maxClientConn: 150 } };
        assert.deepStrictEqual(problemsOf(raw), [
            "bookstore:database.pgbouncer.maxClientConn: expected room for the app's 200 client connections"
            + " (app pools per endpoint: api 10×20 = 200; client connections per server's built-in PgBouncer: 200 > max_client_conn 150), got 150",
        ]);
    });

    it("names the key for out-of-range values and reserved admin logins", () => {
        const problems = problemsOf(base("prod", { database: { backup: { retentionDays: 3 }, adminLogin: "admin", storage: { sizeGB: 100 } } }));
        assert.deepStrictEqual(problems.sort(), [
            'bookstore:database.adminLogin: expected a login other than azure_superuser, azure_pg_admin, admin, administrator, root, guest, public or pg_*, got "admin"',
            "bookstore:database.backup.retentionDays: expected an integer between 7 and 35, got 3",
            "bookstore:database.storage.sizeGB: expected one of 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767 (GiB), got 100",
        ]);
    });
});
