/**
 * A throwaway PostgreSQL 15 primary with a streaming replica made by `pg_basebackup -R`, for the
 * doctor's tests. Both listen on the same free port, the primary on 127.0.0.1 and the replica on
 * 127.0.0.2, the way Azure's servers share 5432 on different hosts (the stack outputs carry one
 * port). Everything lives in a temporary directory and is stopped and deleted by `stop()`, also
 * when the process exits early.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { freePort, PG_BIN, runAs } from "../../tools/postgresLab";

export const PRIMARY_HOST = "127.0.0.1";
export const REPLICA_HOST = "127.0.0.2";
const ADMIN = "postgres";
export const DATABASE = "bookstore";

/** The server binaries the cluster needs that are not installed. */
export function missingClusterBinaries(): string[] {
    return ["initdb", "pg_ctl", "postgres", "pg_basebackup"].map((bin) => path.join(PG_BIN, bin)).filter((file) => !fs.existsSync(file));
}

function portFreeOn(host: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const server = net.createServer();
        server.once("error", () => resolve(false));
        server.listen(port, host, () => server.close(() => resolve(true)));
    });
}


async function until(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (await probe()) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export class ReplicatedCluster {
    readonly password = `doctor-${Math.random().toString(36).slice(2)}`;
    private readonly identity = runAs();
    private readonly primaryDir: string;
    private readonly replicaDir: string;
    private stopped = false;
    private readonly onExit = () => this.stopSync();

    private constructor(readonly dir: string, readonly port: number) {
        this.primaryDir = path.join(dir, "primary");
        this.replicaDir = path.join(dir, "replica");
        process.once("exit", this.onExit);
    }

    static async start(opts: { maxConnections: number }): Promise<ReplicatedCluster> {
        let port = await freePort();
        for (let attempt = 0; !(await portFreeOn(REPLICA_HOST, port)); attempt++) {
            if (attempt > 10) throw new Error(`no port free on both ${PRIMARY_HOST} and ${REPLICA_HOST}`);
            port = await freePort();
        }
        const cluster = new ReplicatedCluster(fs.mkdtempSync(path.join(os.tmpdir(), "doctor-pg-")), port);
        try {
            await cluster.init(opts.maxConnections);
            return cluster;
        } catch (err) {
            cluster.stopSync();
            throw err;
        }
    }

    private async init(maxConnections: number): Promise<void> {
        const passwordFile = path.join(this.dir, "password");
        fs.writeFileSync(passwordFile, this.password);
        fs.mkdirSync(path.join(this.dir, "sockets-replica"));
        this.handOver();
        this.run("initdb", ["-D", this.primaryDir, "-U", ADMIN, "--auth-local=trust", "--auth-host=scram-sha-256", `--pwfile=${passwordFile}`, "-E", "UTF8", "--locale=C", "--no-sync"]);
        fs.appendFileSync(path.join(this.primaryDir, "pg_hba.conf"), "host all all 127.0.0.0/8 scram-sha-256\nhost replication all 127.0.0.0/8 scram-sha-256\n");
        fs.appendFileSync(path.join(this.primaryDir, "postgresql.conf"), [
            "",
            `listen_addresses = '${PRIMARY_HOST}'`,
            `port = ${this.port}`,
            `unix_socket_directories = '${this.dir}'`,
            `max_connections = ${maxConnections}`,
            // A throwaway cluster: durability costs time and buys nothing here.
            "fsync = off",
            "wal_receiver_status_interval = 1s",
            // The tests decide when tables are vacuumed and when WAL is written.
            "autovacuum = off",
            "checkpoint_timeout = 1h",
            "",
        ].join("\n"));
        this.handOver();
        this.pgCtl(this.primaryDir, "start");
        await this.query(PRIMARY_HOST, `CREATE DATABASE ${DATABASE}`, "postgres");
        // The replica: a base backup of the primary that streams from it (-R writes primary_conninfo and standby.signal).
        this.run("pg_basebackup", ["-D", this.replicaDir, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync", "-d", `host=${PRIMARY_HOST} port=${this.port} user=${ADMIN} application_name=replica1`], { PGPASSWORD: this.password });
        fs.appendFileSync(path.join(this.replicaDir, "postgresql.conf"), `\nlisten_addresses = '${REPLICA_HOST}'\nunix_socket_directories = '${path.join(this.dir, "sockets-replica")}'\n`);
        this.handOver();
        this.pgCtl(this.replicaDir, "start");
        await until("the replica to stream", 30_000, async () => (await this.query(PRIMARY_HOST, "SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'")).length === 1);
        // A replayed commit, so the seed's lag query has a last-replay timestamp to measure from.
        await this.query(PRIMARY_HOST, "CREATE TABLE replicated_once (id int)");
        await this.caughtUp();
    }

    private handOver(): void {
        if (this.identity.uid !== undefined) spawnSync("chown", ["-R", `${this.identity.uid}:${this.identity.gid}`, this.dir]);
    }

    private run(bin: string, args: string[], env: Record<string, string> = {}): void {
        const result = spawnSync(path.join(PG_BIN, bin), args, { encoding: "utf8", timeout: 60_000, cwd: this.dir, env: { ...process.env, ...env }, ...this.identity });
        if (result.error) throw result.error;
        if (result.status !== 0) throw new Error(`${bin} ${args.join(" ")} failed (${result.status}):\n${result.stderr}${result.stdout}`);
    }

    private pgCtl(dataDir: string, action: "start" | "stop"): void {
        this.run("pg_ctl", [action, "-D", dataDir, "-l", `${dataDir}.log`, "-w", "-t", "60", "-m", "fast"]);
    }

    url(host: string): string {
        return `postgres://${ADMIN}:${this.password}@${host}:${this.port}/${DATABASE}`;
    }

    /** The database outputs the stack exports, pointing at this cluster. */
    stackOutputs(): Record<string, unknown> {
        return {
            databaseWriteHost: PRIMARY_HOST,
            databaseReadHosts: [REPLICA_HOST],
            databasePort: this.port,
            databaseName: DATABASE,
            databaseAdminLogin: ADMIN,
            databaseAdminPassword: this.password,
            databaseMaxConnections: 20,
        };
    }

    /** A new connection as the superuser; the caller ends it. */
    async connect(host: string, database = DATABASE): Promise<Client> {
        const client = new Client({ host, port: this.port, user: ADMIN, password: this.password, database });
        await client.connect();
        return client;
    }

    async query<T extends Record<string, unknown> = Record<string, unknown>>(host: string, sql: string, database = DATABASE): Promise<T[]> {
        const client = await this.connect(host, database);
        try {
            return (await client.query(sql)).rows as T[];
        } finally {
            await client.end();
        }
    }

    /** Waits until the replica has replayed everything the primary wrote (the seed's lag query gives 0). */
    async caughtUp(): Promise<void> {
        await until("the replica to catch up", 30_000, async () => {
            const [primary] = await this.query<{ lsn: string }>(PRIMARY_HOST, "SELECT pg_current_wal_lsn()::text AS lsn");
            const [replica] = await this.query<{ behind: boolean }>(REPLICA_HOST, `SELECT pg_last_wal_replay_lsn() < '${primary.lsn}'::pg_lsn AS behind`);
            return !replica.behind;
        });
    }

    stopReplica(): void {
        this.pgCtl(this.replicaDir, "stop");
    }

    private stopSync(): void {
        if (this.stopped) return;
        this.stopped = true;
        process.removeListener("exit", this.onExit);
        for (const dataDir of [this.replicaDir, this.primaryDir]) {
            if (fs.existsSync(path.join(dataDir, "postmaster.pid"))) {
                spawnSync(path.join(PG_BIN, "pg_ctl"), ["stop", "-D", dataDir, "-m", "immediate", "-w", "-t", "30"], { ...this.identity, timeout: 40_000 });
            }
        }
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    async stop(): Promise<void> {
        this.stopSync();
    }
}
