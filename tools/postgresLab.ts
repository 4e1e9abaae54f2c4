/**
 * A throwaway PostgreSQL 15 + PgBouncer on loopback, in a temporary directory, on free ports:
 * what the database tests and `npm run bench:pooler` run the generated settings against.
 * Everything it starts is stopped and deleted by `stop()`, also when the process exits early.
 */
import { spawn, spawnSync, ChildProcess, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { renderPgbouncerIni, renderUserlist, PgbouncerIniInput } from "../components/kubernetes/pgbouncer";
import type { ServerParameter } from "../lib/postgresParameters";

export const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";

/**
 * PgBouncer: $PGBOUNCER, else on PATH, else where Debian's package puts it (/usr/sbin, which is not
 * on a regular user's PATH).
 */
export function pgbouncerBinary(): string | undefined {
    const candidates = [process.env.PGBOUNCER, "pgbouncer", "/usr/sbin/pgbouncer"].filter((c): c is string => Boolean(c));
    return candidates.find((bin) => spawnSync(bin, ["--version"], { encoding: "utf8" }).status === 0);
}

/** The binaries the lab needs that are not installed (empty when all are there). */
export function missingBinaries(): string[] {
    const missing = ["initdb", "pg_ctl", "postgres", "pgbench"].filter((bin) => !fs.existsSync(path.join(PG_BIN, bin))).map((bin) => path.join(PG_BIN, bin));
    if (!pgbouncerBinary()) missing.push("pgbouncer (on PATH, /usr/sbin or $PGBOUNCER)");
    return missing;
}

/** A TCP port on loopback that nothing listens on right now. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

async function waitForPort(port: number, timeoutMs: number, alive: () => boolean): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (!alive()) throw new Error(`process for port ${port} exited before listening`);
        const open = await new Promise<boolean>((resolve) => {
            const socket = net.connect(port, "127.0.0.1", () => { socket.destroy(); resolve(true); });
            socket.on("error", () => resolve(false));
        });
        if (open) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/**
 * PgBouncer with a rendered pgbouncer.ini and user list written to `dir`, on a free loopback port,
 * logging to `dir`/pgbouncer.log, run as `identity` (it refuses root). The caller stops the process.
 */
export async function startPgbouncer(
    dir: string,
    input: Omit<PgbouncerIniInput, "listenAddr" | "listenPort" | "authFile">,
    users: { user: string; password: string }[],
    identity: { uid?: number; gid?: number } = runAs(),
    /** Clients must use TLS with this certificate (Flexible Server's built-in pooler does). */
    clientTls?: { certFile: string; keyFile: string },
): Promise<{ port: number; process: ChildProcess }> {
    const binary = pgbouncerBinary();
    if (!binary) throw new Error("PgBouncer is not installed (looked on PATH, in /usr/sbin and at $PGBOUNCER)");
    const port = await freePort();
    const userlist = path.join(dir, "userlist.txt");
    const ini = path.join(dir, "pgbouncer.ini");
    fs.writeFileSync(userlist, renderUserlist(users), { mode: 0o600 });
    const tlsLines: string[] = [];
    if (clientTls) {
        // Copies in the directory: PgBouncer runs as the lab's user and reads them there.
        for (const [kind, file] of [["cert", clientTls.certFile], ["key", clientTls.keyFile]] as const) {
            const copy = path.join(dir, `client-tls.${kind}`);
            fs.copyFileSync(file, copy);
            fs.chmodSync(copy, 0o600);
            tlsLines.push(`client_tls_${kind}_file = ${copy}`);
        }
        tlsLines.push("client_tls_sslmode = require", "");
    }
    // [pgbouncer] is the ini's last section: client TLS settings append to it.
    fs.writeFileSync(ini, renderPgbouncerIni({ ...input, listenAddr: "127.0.0.1", listenPort: port, authFile: userlist }) + tlsLines.join("\n"));
    if (identity.uid !== undefined) spawnSync("chown", ["-R", `${identity.uid}:${identity.gid}`, dir]);
    const log = fs.openSync(path.join(dir, "pgbouncer.log"), "a");
    const child = spawn(binary, [ini], { cwd: dir, stdio: ["ignore", log, log], ...identity });
    fs.closeSync(log);
    try {
        await waitForPort(port, LAB_STEP_TIMEOUT_S * 1000, () => child.exitCode === null);
    } catch (err) {
        child.kill("SIGKILL");
        throw err;
    }
    return { port, process: child };
}

export interface PgbenchResult {
    exitCode: number;
    processed: number;
    failed: number;
    tps: number;
    /** pgbench's "latency average", ms. */
    latencyMs: number;
    /** pgbench's "average connection time", ms (NaN when it printed none). */
    connectMs: number;
    output: string;
}

export const LAB_ADMIN = "labadmin";
/** Seconds one lab step (initdb, pg_ctl start/restart, pgbench -i) may take before it counts as failed. */
const LAB_STEP_TIMEOUT_S = 180;
/**
 * Seconds a pgbench run may take. 400 clients × 10 transactions take ~7 s on an idle 2-core
 * machine and were seen past 120 s at load 35; the bound only ends a run that hangs.
 */
const PGBENCH_TIMEOUT_S = 420;
export const LAB_DATABASE = "bookstore";

/**
 * PostgreSQL and PgBouncer refuse to run as root; as root the lab runs them as the `postgres`
 * system user and hands it the temporary directory.
 */
export function runAs(): { uid?: number; gid?: number } {
    if (process.getuid?.() !== 0) return {};
    const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
    const uid = id("-u");
    const gid = id("-g");
    if (!Number.isInteger(uid) || uid <= 0) throw new Error("running as root and there is no postgres user to run PostgreSQL as");
    return { uid, gid };
}

export class PostgresLab {
    readonly dir: string;
    readonly dataDir: string;
    readonly user = "bookstore_app";
    readonly password = `lab-${Math.random().toString(36).slice(2)}-Pw1`;
    private readonly identity = runAs();
    private pgbouncer?: ChildProcess;
    private stopped = false;
    private readonly onExit = () => this.stopSync();

    private constructor(readonly port: number, readonly maxConnections: number) {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "pglab-"));
        this.dataDir = path.join(this.dir, "data");
        if (this.identity.uid !== undefined) fs.chownSync(this.dir, this.identity.uid, this.identity.gid!);
        process.once("exit", this.onExit);
    }

    /** initdb, start PostgreSQL on a free loopback port, create the app role and database. */
    static async start(opts: { maxConnections: number; tls?: { certFile: string; keyFile: string } }): Promise<PostgresLab> {
        const lab = new PostgresLab(await freePort(), opts.maxConnections);
        try {
            lab.run(path.join(PG_BIN, "initdb"), ["-D", lab.dataDir, "-U", LAB_ADMIN, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
            // The admin connects without a password, everyone else with SCRAM, and only over loopback.
            fs.writeFileSync(path.join(lab.dataDir, "pg_hba.conf"), [
                `host all ${LAB_ADMIN} 127.0.0.1/32 trust`,
                "host all all 127.0.0.1/32 scram-sha-256",
                `local all ${LAB_ADMIN} trust`,
                "",
            ].join("\n"));
            fs.appendFileSync(path.join(lab.dataDir, "postgresql.conf"), [
                "",
                "listen_addresses = '127.0.0.1'",
                `port = ${lab.port}`,
                `unix_socket_directories = '${lab.dir}'`,
                `max_connections = ${opts.maxConnections}`,
                "password_encryption = 'scram-sha-256'",
                // A throwaway cluster: durability costs time and buys nothing here.
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                // TLS with the caller's server certificate (the server-verification tests).
                ...(opts.tls ? ["ssl = on", `ssl_cert_file = '${opts.tls.certFile}'`, `ssl_key_file = '${opts.tls.keyFile}'`] : []),
                "",
            ].join("\n"));
            if (lab.identity.uid !== undefined) lab.chownTree(lab.dir);
            lab.pgCtl("start");
            await lab.admin(async (client) => {
                await client.query(`CREATE ROLE ${lab.user} LOGIN PASSWORD '${lab.password}'`);
                await client.query(`CREATE DATABASE ${LAB_DATABASE} OWNER ${lab.user}`);
            });
            return lab;
        } catch (err) {
            lab.stopSync();
            throw err;
        }
    }

    private chownTree(dir: string) {
        spawnSync("chown", ["-R", `${this.identity.uid}:${this.identity.gid}`, dir]);
    }

    /**
     * Runs a PostgreSQL tool to completion. The bound is generous: initdb takes ~1 s on an idle
     * machine but has been seen past 60 s on a 2-core machine at load 20; a test's own timeout still ends it.
     */
    private run(command: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = LAB_STEP_TIMEOUT_S * 1000): SpawnSyncReturns<string> {
        const result = spawnSync(command, args, {
            encoding: "utf8", timeout: timeoutMs, cwd: this.dir, ...this.identity,
            env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024,
        });
        if (result.error) throw result.error;
        if (result.status !== 0) throw new Error(`${path.basename(command)} ${args.join(" ")} failed (${result.status}):\n${result.stderr}${result.stdout}`);
        return result;
    }

    private pgCtl(action: "start" | "restart") {
        this.run(path.join(PG_BIN, "pg_ctl"), [action, "-D", this.dataDir, "-l", path.join(this.dir, "postgres.log"), "-w", "-t", String(LAB_STEP_TIMEOUT_S), "-m", "fast"]);
    }

    /** Runs `fn` with a connection as the cluster's superuser. */
    async admin<T>(fn: (client: Client) => Promise<T>, database = "postgres"): Promise<T> {
        const client = new Client({ host: "127.0.0.1", port: this.port, user: LAB_ADMIN, database });
        await client.connect();
        try {
            return await fn(client);
        } finally {
            await client.end();
        }
    }

    /**
     * Sets each parameter the way Flexible Server stores it (the bare value in the parameter's own
     * unit), restarts so static ones apply, and returns what `SHOW` reports for each.
     */
    async applyParameters(parameters: ServerParameter[]): Promise<Record<string, string>> {
        await this.admin(async (client) => {
            for (const p of parameters) await client.query(`ALTER SYSTEM SET ${p.name} = '${p.value}'`);
        });
        this.pgCtl("restart");
        return this.admin(async (client) => {
            const shown: Record<string, string> = {};
            for (const p of parameters) shown[p.name] = (await client.query(`SHOW ${p.name}`)).rows[0][p.name];
            return shown;
        });
    }

    /**
     * Starts PgBouncer with the given pgbouncer.ini settings on a free port; returns the port.
     * `clientTls`: clients must use TLS with this certificate (Flexible Server's built-in pooler does).
     */
    async startPgbouncer(input: Omit<PgbouncerIniInput, "listenAddr" | "listenPort" | "authFile">, clientTls?: { certFile: string; keyFile: string }): Promise<number> {
        // One PgBouncer at a time: a new ini replaces the running one.
        if (this.pgbouncer && this.pgbouncer.exitCode === null) this.pgbouncer.kill("SIGKILL");
        const { port, process } = await startPgbouncer(this.dir, input, [{ user: this.user, password: this.password }], this.identity, clientTls);
        this.pgbouncer = process;
        return port;
    }

    get pgbouncerLog(): string {
        const file = path.join(this.dir, "pgbouncer.log");
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    }

    /** Creates the pgbench tables (scale 1) in the app database, directly on PostgreSQL. */
    pgbenchInit() {
        this.run(path.join(PG_BIN, "pgbench"), ["-i", "-s", "1", "-q", "-h", "127.0.0.1", "-p", String(this.port), "-U", this.user, LAB_DATABASE],
            { PGPASSWORD: this.password });
    }

    /** Runs pgbench as the app user against a port (PostgreSQL's or PgBouncer's); never throws on a failed run. */
    pgbench(opts: {
        port: number; clients: number; transactionsPerClient?: number; seconds?: number; database?: string; selectOnly?: boolean;
        /** pgbench -C: a new connection for every transaction, as an app without a client-side pool does. */
        connectPerTransaction?: boolean;
    }): Promise<PgbenchResult> {
        const args = [
            "-h", "127.0.0.1", "-p", String(opts.port), "-U", this.user,
            "-c", String(opts.clients), "-j", String(Math.min(8, opts.clients)), "-n",
            ...(opts.seconds ? ["-T", String(opts.seconds)] : ["-t", String(opts.transactionsPerClient ?? 10)]),
            ...(opts.selectOnly ? ["-S"] : []),
            ...(opts.connectPerTransaction ? ["-C"] : []),
            opts.database ?? LAB_DATABASE,
        ];
        return new Promise((resolve, reject) => {
            const child = spawn(path.join(PG_BIN, "pgbench"), args, {
                cwd: this.dir, env: { ...process.env, PGPASSWORD: this.password }, ...this.identity,
            });
            let output = "";
            child.stdout.on("data", (d) => { output += d; });
            child.stderr.on("data", (d) => { output += d; });
            const timer = setTimeout(() => {
                output += `\n(pgbench killed: still running after ${PGBENCH_TIMEOUT_S} s)\n`;
                child.kill("SIGKILL");
            }, PGBENCH_TIMEOUT_S * 1000);
            child.on("error", reject);
            child.on("close", (code) => {
                clearTimeout(timer);
                const number = (re: RegExp) => Number(re.exec(output)?.[1] ?? NaN);
                resolve({
                    exitCode: code ?? -1,
                    processed: number(/number of transactions actually processed: (\d+)/),
                    failed: number(/number of failed transactions: (\d+)/),
                    tps: number(/tps = ([\d.]+)/),
                    latencyMs: number(/latency average = ([\d.]+) ms/),
                    connectMs: number(/average connection time = ([\d.]+) ms/),
                    output,
                });
            });
        });
    }

    /** Server connections the app user holds right now (PgBouncer's, or pgbench's when direct). */
    async appConnections(client: Client): Promise<number> {
        const result = await client.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND backend_type = 'client backend'", [this.user]);
        return result.rows[0].n;
    }

    /** Samples `appConnections` every 50 ms while `work` runs; returns its result and the peak. */
    async peakConnectionsDuring<T>(work: () => Promise<T>): Promise<{ result: T; peak: number; samples: number }> {
        return this.admin(async (client) => {
            let peak = 0;
            let samples = 0;
            let done = false;
            const sampler = (async () => {
                while (!done) {
                    peak = Math.max(peak, await this.appConnections(client));
                    samples++;
                    await new Promise((r) => setTimeout(r, 50));
                }
            })();
            try {
                return { result: await work(), peak, samples };
            } finally {
                done = true;
                await sampler;
            }
        });
    }

    private stopSync() {
        if (this.stopped) return;
        this.stopped = true;
        process.removeListener("exit", this.onExit);
        if (this.pgbouncer && this.pgbouncer.exitCode === null) this.pgbouncer.kill("SIGKILL");
        if (fs.existsSync(path.join(this.dataDir, "postmaster.pid"))) {
            spawnSync(path.join(PG_BIN, "pg_ctl"), ["stop", "-D", this.dataDir, "-m", "immediate", "-w", "-t", "30"], { ...this.identity, timeout: 40_000 });
        }
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    /** Stops PgBouncer and PostgreSQL and deletes the directory. */
    async stop(): Promise<void> {
        this.stopSync();
    }
}
