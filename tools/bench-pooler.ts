/**
 * `npm run bench:pooler`: TPS and server connections through PgBouncer vs straight to PostgreSQL,
 * on a throwaway local PostgreSQL 15 + PgBouncer configured from a stack's generated settings,
 * at a concurrency both can serve. Usage: npm run bench:pooler -- [--stack prod] [--clients 50] [--seconds 10]
 */
import { Command } from "commander";
import { connectionBudget } from "../lib/budget";
import { serverParameters } from "../lib/postgresParameters";
import { budgetInputOf, resolveDatabase } from "../stacks/schema/database";
import { stackConfigOf } from "./offline/stackFile";
import { LAB_DATABASE, missingBinaries, PostgresLab } from "./postgresLab";

async function main(argv: string[]): Promise<number> {
    const options = new Command()
        .name("bench:pooler")
        .description("TPS through the generated PgBouncer config vs direct, on local PostgreSQL 15")
        .option("-s, --stack <name>", "stack whose settings to use", "prod")
        .option("-c, --clients <n>", "concurrent clients (both paths must be able to serve them)", "50")
        .option("-T, --seconds <n>", "duration of each run", "10")
        .option("-S, --select-only", "read-only transactions (pgbench -S)")
        .parse(argv)
        .opts<{ stack: string; clients: string; seconds: string; selectOnly?: boolean }>();
    const missing = missingBinaries();
    if (missing.length > 0) {
        console.error(`bench:pooler needs PostgreSQL 15 and PgBouncer; missing: ${missing.join(", ")}`);
        return 2;
    }
    const config = stackConfigOf({ stack: options.stack });
    const deploymentConfig = { ...config, platform: "aks" as const, database: { ...config.database, pooler: "deployment" as const } };
    const db = resolveDatabase(deploymentConfig);
    const perPooler = connectionBudget(budgetInputOf(deploymentConfig)).serverConnectionsPerPooler;
    const clients = Number(options.clients);
    const seconds = Number(options.seconds);
    if (!Number.isInteger(clients) || clients < 1 || clients >= db.parameters.maxConnections - 3) {
        console.error(`--clients must be between 1 and ${db.parameters.maxConnections - 4}: direct connections have to fit max_connections ${db.parameters.maxConnections}`);
        return 2;
    }

    const lab = await PostgresLab.start({ maxConnections: db.parameters.maxConnections });
    try {
        await lab.applyParameters(serverParameters(db.sku.name, db.parameters));
        lab.pgbenchInit();
        const poolerPort = await lab.startPgbouncer({
            databases: [{ name: db.databaseName, host: "127.0.0.1", port: lab.port, dbname: LAB_DATABASE }],
            settings: { ...db.pgbouncer, serverTlsSslmode: "disable" },
        });
        const run = (port: number) => lab.peakConnectionsDuring(() => lab.pgbench({ port, clients, seconds, selectOnly: options.selectOnly }));
        // Direct first: PgBouncer keeps its server connections open afterwards, which would inflate the direct count.
        const direct = await run(lab.port);
        const pooled = await run(poolerPort);
        console.log(`Stack ${options.stack}: ${db.sku.name} parameters, max_connections ${db.parameters.maxConnections}; `
            + `PgBouncer ${db.pgbouncer.poolMode} pooling, default_pool_size ${db.pgbouncer.defaultPoolSize} + reserve ${db.pgbouncer.reservePoolSize}, `
            + `max_db_connections ${db.pgbouncer.maxDbConnections} (at most ${perPooler} server connections per PgBouncer).`);
        console.log(`${clients} clients, ${seconds} s each, ${options.selectOnly ? "select-only" : "TPC-B-like"} pgbench on local PostgreSQL 15:`);
        console.log("");
        console.log("  path              TPS        failed   peak server connections");
        for (const [label, r] of [["via PgBouncer", pooled], ["direct", direct]] as const) {
            const failed = Number.isNaN(r.result.failed) ? "-" : String(r.result.failed);
            console.log(`  ${label.padEnd(16)}  ${r.result.tps.toFixed(1).padStart(9)}  ${failed.padStart(6)}   ${String(r.peak).padStart(5)}`);
        }
        const broken = [pooled, direct].filter((r) => r.result.exitCode !== 0);
        for (const r of broken) console.error(r.result.output);
        return broken.length === 0 ? 0 : 1;
    } finally {
        await lab.stop();
    }
}

main(process.argv).then((code) => process.exit(code), (err) => {
    console.error(`bench:pooler failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
