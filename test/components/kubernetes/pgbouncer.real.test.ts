/**
 * The generated settings on real software: PostgreSQL 15 and PgBouncer on loopback.
 * Locally the suite skips (saying why) when the binaries are missing; in CI it fails instead.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Client } from "pg";
import { connectionBudget } from "../../../policy/shared/budget";
import { serverParameters } from "../../../lib/postgresParameters";
import { budgetInputOf, resolveDatabase } from "../../../stacks/schema/database";
import { stackConfigOf } from "../../../tools/offline/stackFile";
import { LAB_DATABASE, missingBinaries, PostgresLab } from "../../../tools/postgresLab";
import { PROJECT_DIR } from "../../helpers/planJobs";

/** The stack whose PgBouncer Deployment settings are exercised: prod-aks when present, else prod with the Deployment pooler. */
function deploymentStack() {
    const stack = fs.existsSync(path.join(PROJECT_DIR, "Pulumi.prod-aks.yaml")) ? "prod-aks" : "prod";
    const config = stackConfigOf({ stack });
    return { ...config, platform: "aks" as const, database: { ...config.database, pooler: "deployment" as const } };
}

describe("generated PostgreSQL and PgBouncer settings on real PostgreSQL 15 + PgBouncer", function () {
    this.timeout(480_000);
    const config = deploymentStack();
    const db = resolveDatabase(config);
    const budget = connectionBudget(budgetInputOf(config));
    let lab: PostgresLab;
    const endpoints = [db.databaseName, ...db.replicas.map((_, i) => `${db.databaseName}-replica-${i + 1}`)];

    /**
     * A fresh PgBouncer with the generated settings. Every endpoint points at the one local server;
     * only the hosts and TLS differ from the cluster's ini. Each test that loads the pooler starts its
     * own: idle server connections another test left in the replica endpoints' pools would otherwise
     * count against this one server, where in the cluster they belong to other servers.
     */
    const startPooler = () => lab.startPgbouncer({
        databases: endpoints.map((name) => ({ name, host: "127.0.0.1", port: lab.port, dbname: LAB_DATABASE })),
        settings: { ...db.pgbouncer, serverTlsSslmode: "disable" },
    });

    before(async function () {
        const missing = missingBinaries();
        if (missing.length > 0) {
            if (process.env.CI) throw new Error(`CI must run the real PostgreSQL/PgBouncer tests, but these are missing: ${missing.join(", ")}`);
            console.log(`      skipped: PostgreSQL 15 / PgBouncer not installed (${missing.join(", ")}); .ci/run installs them`);
            this.skip();
        }
        lab = await PostgresLab.start({ maxConnections: db.parameters.maxConnections });
        lab.pgbenchInit();
    });

    after(async () => {
        await lab?.stop();
    });

    it("accepts every generated server parameter in its unit and reports the seed's values back", async () => {
        const parameters = serverParameters(db.sku.name, db.parameters);
        const shown = await lab.applyParameters(parameters);
        // Standard_D4ds_v5 has 16 GiB: the seed's 4GB / 12GB buffers come out of the 25 % / 75 % rules.
        assert.strictEqual(db.sku.name, "Standard_D4ds_v5");
        assert.deepStrictEqual(shown, {
            shared_buffers: "4GB",
            effective_cache_size: "12GB",
            wal_buffers: "16MB",
            checkpoint_completion_target: "0.9",
            max_wal_size: "4GB",
            random_page_cost: "1.1",
            effective_io_concurrency: "200",
            max_connections: "200",
        });
        assert.deepStrictEqual(Object.fromEntries(parameters.map((p) => [p.name, p.display])), shown);
    });

    it("starts PgBouncer with the generated pgbouncer.ini and routes every endpoint", async () => {
        const poolerPort = await startPooler();
        for (const endpoint of endpoints) {
            const client = new Client({ host: "127.0.0.1", port: poolerPort, user: lab.user, password: lab.password, database: endpoint });
            await client.connect();
            const { rows } = await client.query("SELECT current_database() AS db, count(*)::int AS branches FROM pgbench_branches");
            await client.end();
            assert.deepStrictEqual(rows[0], { db: LAB_DATABASE, branches: 1 }, endpoint);
        }
    });

    it("serves twice max_connections clients through the pooler with zero failures and bounded server connections", async () => {
        const clients = 2 * db.parameters.maxConnections;
        assert.ok(clients <= db.pgbouncer.maxClientConn, "the load must fit max_client_conn");
        const poolerPort = await startPooler();
        const { result, peak, samples } = await lab.peakConnectionsDuring(() => lab.pgbench({ port: poolerPort, clients, transactionsPerClient: 10 }));
        assert.strictEqual(result.exitCode, 0, `${result.output}\n${lab.pgbouncerLog.slice(-2000)}`);
        assert.strictEqual(result.processed, clients * 10, result.output);
        assert.strictEqual(result.failed, 0, result.output);
        // One PgBouncer process: min(default_pool_size + reserve_pool_size, max_db_connections) = 30 server connections.
        assert.strictEqual(budget.serverConnectionsPerPooler, 30);
        assert.ok(samples > 3, `sampled pg_stat_activity only ${samples} times`);
        assert.ok(peak > 0 && peak <= budget.serverConnectionsPerPooler,
            `peak server connections ${peak}, pool limit ${budget.serverConnectionsPerPooler}`);
    });

    it("fails the same load sent straight to PostgreSQL: that is why the pooler exists", async () => {
        const clients = 2 * db.parameters.maxConnections;
        const result = await lab.pgbench({ port: lab.port, clients, transactionsPerClient: 10 });
        assert.notStrictEqual(result.exitCode, 0, result.output);
        assert.match(result.output, /too many clients already|remaining connection slots are reserved/);
    });
});
