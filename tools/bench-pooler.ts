/**
 * `npm run bench:pooler`: TPS, latency and server connections through PgBouncer vs straight to
 * PostgreSQL, on a throwaway local PostgreSQL 15 + PgBouncer configured from a stack's generated
 * settings. Two connection modes side by side: persistent connections (an app with a client-side
 * pool) and a new connection per transaction (pgbench -C: an app without one); then the load the
 * pooler exists for, 4 × max_connections clients, which PostgreSQL alone refuses.
 * Usage: npm run bench:pooler -- [--stack prod] [--clients 50] [--seconds 10] [--select-only]
 */
import * as os from "os";
import { Command } from "commander";
import { connectionBudget } from "../policy/shared/budget";
import { serverParameters } from "../lib/postgresParameters";
import { budgetInputOf, resolveDatabase } from "../stacks/schema/database";
import { stackConfigOf } from "./offline/stackFile";
import { LAB_DATABASE, missingBinaries, PgbenchResult, PostgresLab } from "./postgresLab";

type Mode = "persistent" | "per-transaction";
interface Measured { result: PgbenchResult; peak: number }

const MODES: { mode: Mode; label: string }[] = [
    { mode: "persistent", label: "persistent connections" },
    { mode: "per-transaction", label: "connect per transaction (-C)" },
];

const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

/** One cell of the table: TPS, average latency, failed transactions and peak server connections. */
export function cell(m: Measured | undefined): string {
    if (!m) return "";
    if (m.result.exitCode !== 0 && !Number.isFinite(m.result.tps)) {
        return /too many clients already|remaining connection slots/.test(m.result.output) ? "refused: too many clients already" : `failed (exit ${m.result.exitCode})`;
    }
    const failed = Number.isNaN(m.result.failed) ? "-" : String(m.result.failed);
    return `${fixed(m.result.tps).padStart(8)} ${fixed(m.result.latencyMs, 2).padStart(8)} ${failed.padStart(6)} ${String(m.peak).padStart(5)}`;
}

export const HEADER = `${"".padEnd(30)}${MODES.map((m) => m.label.padEnd(36)).join("")}`.trimEnd();
export const COLUMNS = `${"clients  path".padEnd(30)}${MODES.map(() => `${"TPS".padStart(8)} ${"lat ms".padStart(8)} ${"failed".padStart(6)} ${"peak".padStart(5)}      `).join("")}`.trimEnd();

export function row(clients: string, path: string, cells: Partial<Record<Mode, Measured>>): string {
    return `${`${clients.padEnd(9)}${path}`.padEnd(30)}${MODES.map((m) => cell(cells[m.mode]).padEnd(36)).join("")}`.trimEnd();
}

/** What the numbers say, in a sentence each: how the pooler compares in each mode. */
export function findings(pooled: Record<Mode, Measured>, direct: Record<Mode, Measured>): string[] {
    const ratio = (mode: Mode) => pooled[mode].result.tps / direct[mode].result.tps;
    return MODES.map(({ mode, label }) => `  ${label}: PgBouncer gives ${fixed(ratio(mode), 2)}× the direct TPS`
        + ` with at most ${pooled[mode].peak} server connections (direct: ${direct[mode].peak}).`);
}

async function main(argv: string[]): Promise<number> {
    const options = new Command()
        .name("bench:pooler")
        .description("TPS through the generated PgBouncer config vs direct, persistent and per-transaction connections, on local PostgreSQL 15")
        .option("-s, --stack <name>", "stack whose settings to use", "prod")
        .option("-c, --clients <n>", "concurrent clients of the side-by-side runs (both paths must be able to serve them)", "50")
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
    const maxConnections = db.parameters.maxConnections;
    if (!Number.isInteger(clients) || clients < 1 || clients >= maxConnections - 3) {
        console.error(`--clients must be between 1 and ${maxConnections - 4}: direct connections have to fit max_connections ${maxConnections}`);
        return 2;
    }
    if (!Number.isInteger(seconds) || seconds < 1) {
        console.error("--seconds takes a positive integer");
        return 2;
    }
    const crowd = 4 * maxConnections;
    const progress = (text: string) => process.stderr.write(`bench:pooler: ${text}\n`);
    const load = () => os.loadavg()[0].toFixed(1);
    const loadBefore = load();

    progress(`starting PostgreSQL 15 (max_connections ${maxConnections}) and PgBouncer on loopback, pgbench -i`);
    const lab = await PostgresLab.start({ maxConnections });
    try {
        await lab.applyParameters(serverParameters(db.sku.name, db.parameters));
        lab.pgbenchInit();
        const poolerPort = await lab.startPgbouncer({
            databases: [{ name: db.databaseName, host: "127.0.0.1", port: lab.port, dbname: LAB_DATABASE }],
            settings: { ...db.pgbouncer, serverTlsSslmode: "disable", maxClientConn: Math.max(db.pgbouncer.maxClientConn, crowd + 10) },
        });
        const run = async (what: string, port: number, n: number, mode: Mode, opts: { seconds?: number; transactionsPerClient?: number } = { seconds }): Promise<Measured> => {
            progress(`${what}, ${n} clients, ${mode === "persistent" ? "persistent connections" : "a connection per transaction"}${opts.seconds ? ` (${opts.seconds} s)` : ""}…`);
            return lab.peakConnectionsDuring(() => lab.pgbench({ port, clients: n, ...opts, selectOnly: options.selectOnly, connectPerTransaction: mode === "per-transaction" }));
        };

        console.log(`Stack ${options.stack}: ${db.sku.name} parameters, max_connections ${maxConnections}; `
            + `PgBouncer ${db.pgbouncer.poolMode} pooling, default_pool_size ${db.pgbouncer.defaultPoolSize} + reserve ${db.pgbouncer.reservePoolSize}, `
            + `max_db_connections ${db.pgbouncer.maxDbConnections} (at most ${perPooler} server connections per PgBouncer).`);
        console.log(`${options.selectOnly ? "select-only" : "TPC-B-like"} pgbench on local PostgreSQL 15, ${seconds} s per run; `
            + `lat ms = average latency, peak = peak server connections of the app user.`);
        console.log("");
        console.log(HEADER);
        console.log(COLUMNS);

        // Direct first in each mode: PgBouncer keeps its server connections open afterwards, which would inflate the direct count.
        const direct = {} as Record<Mode, Measured>;
        const pooled = {} as Record<Mode, Measured>;
        for (const { mode } of MODES) direct[mode] = await run("direct", lab.port, clients, mode);
        console.log(row(String(clients), "direct", direct));
        for (const { mode } of MODES) pooled[mode] = await run("via PgBouncer", poolerPort, clients, mode);
        console.log(row(String(clients), "via PgBouncer", pooled));

        // The crowd: PostgreSQL alone refuses it at connect (a short run shows it), PgBouncer queues it.
        const crowdDirect = await run("direct", lab.port, crowd, "persistent", { transactionsPerClient: 1 });
        console.log(row(`${crowd}`, `direct (4× max_conn)`, { persistent: crowdDirect }));
        const crowdPooled = {} as Record<Mode, Measured>;
        // A count of transactions, not a duration: connecting this many clients can outlast a short run.
        for (const { mode } of MODES) crowdPooled[mode] = await run("via PgBouncer", poolerPort, crowd, mode, { transactionsPerClient: 10 });
        console.log(row(`${crowd}`, "via PgBouncer (4×)", crowdPooled));

        const loadAfter = load();
        console.log("");
        console.log("What it shows:");
        for (const line of findings(pooled, direct)) console.log(line);
        console.log(`  ${crowd} clients (4 × max_connections): direct ${cell(crowdDirect).trim().startsWith("refused") ? "is refused at connect" : `gives ${cell(crowdDirect).trim()}`}; `
            + `through PgBouncer ${fixed(crowdPooled.persistent.result.tps)} TPS persistent, ${fixed(crowdPooled["per-transaction"].result.tps)} TPS per-transaction, `
            + `${MODES.reduce((sum, { mode }) => sum + (crowdPooled[mode].result.failed || 0), 0)} failed, at most ${Math.max(crowdPooled.persistent.peak, crowdPooled["per-transaction"].peak)} server connections.`);
        console.log("");
        for (const line of [
            `This machine: ${os.cpus().length} CPUs, load average ${loadBefore} before and ${loadAfter} after. pgbench's threads,`,
            "PgBouncer (one thread) and every PostgreSQL backend share these cores over loopback, so TPS here is bounded",
            "by CPU, not by the network or the disk: the pooler's hop is one more process on the same cores (in Azure",
            "it has cores of its own), and a persistent direct connection pays no hop at all. Per-transaction connections",
            "show what the pooler is for: direct, every transaction forks and authenticates a backend; through PgBouncer",
            "it reuses a server connection, but each new client connection still pays its SCRAM handshake with the",
            "pooler. Other work on the machine moves every figure: compare the rows of one run,",
            "not runs, and absolute TPS says nothing about Azure.",
        ]) console.log(line);

        const broken = [...Object.values(pooled), ...Object.values(direct), ...Object.values(crowdPooled)]
            .filter((r) => r.result.exitCode !== 0 || !Number.isFinite(r.result.tps));
        for (const r of broken) console.error(r.result.output);
        return broken.length === 0 ? 0 : 1;
    } finally {
        await lab.stop();
    }
}

if (require.main === module) {
    main(process.argv).then((code) => process.exit(code), (err) => {
        console.error(`bench:pooler failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
    });
}
