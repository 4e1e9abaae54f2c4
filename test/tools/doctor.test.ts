import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Client } from "pg";
import { runCli } from "../../tools/cli";
import { EXIT } from "../../tools/cliSupport";
import type { CheckRow } from "../../tools/doctor";
import { FakePulumiCli } from "./automationFakeCli";
import { missingClusterBinaries, PRIMARY_HOST, REPLICA_HOST, ReplicatedCluster } from "./doctorCluster";

const MAX_CONNECTIONS = 20;

interface DoctorRun {
    exitCode: number;
    rows: CheckRow[];
    out: string[];
    err: string[];
}

async function doctor(args: string[], runner?: FakePulumiCli): Promise<DoctorRun> {
    const out: string[] = [];
    const err: string[] = [];
    const exitCode = await runCli(["doctor", "--json", "--timeout", "5", ...args], { out: (line) => out.push(line), err: (line) => err.push(line), runner });
    const rows = out.length > 0 ? (JSON.parse(out.join("\n")).checks as CheckRow[]) : [];
    return { exitCode, rows, out, err };
}

function rowOf(run: DoctorRun, server: string, check: string | RegExp): CheckRow {
    const row = run.rows.find((r) => r.server === server && (typeof check === "string" ? r.check === check : check.test(r.check)));
    if (!row) throw new Error(`no "${check}" row for ${server}; rows:\n${run.rows.map((r) => `${r.server} ${r.check}: ${r.value} ${r.status}`).join("\n")}`);
    return row;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The doctor once the replica has replayed everything. The server itself writes WAL now and then
 * (a running-transactions snapshot every 15 s), which puts the replica a few milliseconds behind;
 * an idle cluster is one where a run sees nothing in flight, so a few runs are allowed to find it.
 */
async function doctorWhenIdle(cluster: ReplicatedCluster, args: string[], replica: string): Promise<DoctorRun> {
    let run: DoctorRun | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
        await cluster.caughtUp();
        run = await doctor(args);
        // Nothing in flight on either side: the replica's replay lag and the primary's view of its standby.
        const standbyCaughtUp = run.rows.filter((r) => /^standby /.test(r.check)).every((r) => / 0 bytes behind$/.test(r.value));
        if (rowOf(run, replica, "replication lag").metric === 0 && standbyCaughtUp) return run;
        await sleep(200);
    }
    return run!;
}

describe("doctor against a real PostgreSQL 15 primary and streaming replica", function () {
    this.timeout(480_000);
    let cluster: ReplicatedCluster;
    let primary: string;
    let replica: string;
    let urls: string[];
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-outputs-"));

    before(async function () {
        const missing = missingClusterBinaries();
        if (missing.length > 0) {
            const message = `PostgreSQL 15 server binaries missing (${missing.join(", ")}); install postgresql-15 or set PG_BIN`;
            if (process.env.CI) throw new Error(message);
            console.log(`      skipping the doctor's live tests: ${message}`);
            this.skip();
        }
        cluster = await ReplicatedCluster.start({ maxConnections: MAX_CONNECTIONS });
        primary = `${PRIMARY_HOST}:${cluster.port}`;
        replica = `${REPLICA_HOST}:${cluster.port}`;
        urls = ["--primary", cluster.url(PRIMARY_HOST), "--replica", cluster.url(REPLICA_HOST)];
    });

    after(async () => {
        await cluster?.stop();
        fs.rmSync(scratch, { recursive: true, force: true });
    });

    it("reports lag 0 on an idle replica, the streaming standby, and exits 0", async () => {
        const run = await doctorWhenIdle(cluster, urls, replica);
        assert.equal(run.exitCode, EXIT.ok, JSON.stringify(run.rows, null, 2));
        const lag = rowOf(run, replica, "replication lag");
        assert.equal(lag.metric, 0);
        assert.equal(lag.value, "0.0 s");
        assert.equal(lag.threshold, "<= 60 s");
        assert.equal(rowOf(run, primary, "streaming replicas").value, "1 of 1 expected");
        assert.match(rowOf(run, primary, /^standby 127\.0\.0\.\d \(replica1\)$/).value, /^streaming, async, 0 bytes behind$/);
        assert.equal(rowOf(run, primary, "dead tuples").status, "ok");
        assert.ok(run.rows.every((row) => row.status === "ok"));
    });

    it("prints a table with a row per check", async () => {
        const out: string[] = [];
        const exitCode = await runCli(["doctor", ...urls], { out: (line) => out.push(line), err: (line) => out.push(line) });
        assert.equal(exitCode, EXIT.ok);
        assert.match(out[0], /^server\s+role\s+check\s+value\s+threshold\s+status$/);
        assert.ok(out.some((line) => new RegExp(`^${replica.replace(/\./g, "\\.")}\\s+replica\\s+replication lag\\s+0\\.0 s\\s+<= 60 s\\s+OK$`).test(line)), out.join("\n"));
        assert.equal(out[out.length - 1], "Healthy: every check within its threshold.");
    });

    it("finds the servers and credentials in the stack's outputs (Automation API) or a saved outputs file", async () => {
        const outputs = cluster.stackOutputs();
        const runner = new FakePulumiCli().on("stack output", (args) => ({
            stdout: JSON.stringify({ ...outputs, databaseAdminPassword: args.includes("--show-secrets") ? outputs.databaseAdminPassword : "[secret]" }),
        }));
        const fromStack = await doctor(["--stack", "prod", "--sslmode", "disable"], runner);
        assert.equal(fromStack.exitCode, EXIT.ok, fromStack.err.join("\n"));
        assert.deepEqual([...new Set(fromStack.rows.map((row) => `${row.role} ${row.server}`))], [`primary ${primary}`, `replica ${replica}`]);
        assert.deepEqual(runner.callOf("stack output").args.slice(0, 3), ["stack", "output", "--json"]);

        const file = path.join(scratch, "outputs.json");
        fs.writeFileSync(file, JSON.stringify(outputs));
        const fromFile = await doctor(["--outputs-file", file, "--sslmode", "disable"]);
        assert.equal(fromFile.exitCode, EXIT.ok, fromFile.err.join("\n"));
        assert.equal(rowOf(fromFile, replica, "replication lag").metric, 0);
    });

    it("detects replication lag when replay is paused on the replica while the primary writes", async () => {
        // A transaction replayed before the pause, so the lag is measured from a known commit.
        await cluster.query(PRIMARY_HOST, "CREATE TABLE lag_probe (id serial PRIMARY KEY, at timestamptz DEFAULT now())");
        await cluster.caughtUp();
        await cluster.query(REPLICA_HOST, "SELECT pg_wal_replay_pause()");
        try {
            const pausedAt = Date.now();
            await cluster.query(PRIMARY_HOST, "INSERT INTO lag_probe DEFAULT VALUES");
            await sleep(2500);
            await cluster.query(PRIMARY_HOST, "INSERT INTO lag_probe DEFAULT VALUES");
            const [state] = await cluster.query<{ received_ahead: boolean }>(REPLICA_HOST, "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn() AS received_ahead");
            assert.equal(state.received_ahead, true, "the replica receives WAL but does not replay it");

            const strict = await doctor([...urls, "--max-lag", "2"]);
            assert.equal(strict.exitCode, EXIT.unhealthy);
            const lag = rowOf(strict, replica, "replication lag");
            assert.equal(lag.status, "fail");
            assert.equal(lag.threshold, "<= 2 s");
            assert.ok(lag.metric! >= 2 && lag.metric! <= (Date.now() - pausedAt) / 1000 + 5, `lag ${lag.metric}`);
            assert.ok(strict.rows.filter((row) => row.status === "fail").every((row) => row === lag), "only the lag fails");

            const lenient = await doctor(urls);
            assert.equal(lenient.exitCode, EXIT.ok, "2.5 s of lag is within the default 60 s");
            assert.ok(rowOf(lenient, replica, "replication lag").metric! > 0);
            assert.match(rowOf(lenient, primary, /^standby /).value, /^streaming, async, [1-9]\d* bytes behind$/);
        } finally {
            await cluster.query(REPLICA_HOST, "SELECT pg_wal_replay_resume()");
        }
        assert.equal(rowOf(await doctorWhenIdle(cluster, urls, replica), replica, "replication lag").metric, 0);
    });

    it("detects connection saturation past 80 % of max_connections", async () => {
        const held: Client[] = [];
        try {
            // 16 held + the doctor's own = 17 of 20 client connections: 85 %.
            for (let i = 0; i < 16; i++) held.push(await cluster.connect(PRIMARY_HOST));
            const run = await doctor(urls);
            assert.equal(run.exitCode, EXIT.unhealthy);
            const connections = rowOf(run, primary, "connections");
            assert.deepEqual([connections.value, connections.threshold, connections.status], ["17 of 20 (85 %)", "<= 80 %", "fail"]);
            assert.equal(rowOf(run, replica, "connections").status, "ok");

            const raised = await doctor([...urls, "--max-connections", "90"]);
            assert.equal(raised.exitCode, EXIT.ok);
        } finally {
            await Promise.all(held.map((client) => client.end()));
        }
    });

    it("flags long-running queries and a table full of dead tuples", async () => {
        const sleeper = await cluster.connect(PRIMARY_HOST);
        sleeper.on("error", () => undefined);
        const sleeping = sleeper.query("SELECT pg_sleep(60)").catch(() => undefined);
        const writer = await cluster.connect(PRIMARY_HOST);
        try {
            await writer.query("CREATE TABLE bloated (id int)");
            await writer.query("INSERT INTO bloated SELECT generate_series(1, 5000)");
            await writer.query("DELETE FROM bloated WHERE id <= 3000");
            await writer.query("SELECT pg_stat_force_next_flush()");
            await writer.query("SELECT 1");
            await sleep(1500);

            const run = await doctor([...urls, "--max-query-seconds", "1"]);
            assert.equal(run.exitCode, EXIT.unhealthy);
            const slow = rowOf(run, primary, /^long-running query pid \d+$/);
            assert.equal(slow.status, "fail");
            assert.match(slow.value, /^\d+\.\d s: SELECT pg_sleep\(60\)$/);
            const dead = rowOf(run, primary, "dead tuples public.bloated");
            assert.equal(dead.status, "fail");
            assert.match(dead.value, /^60\.0 % \(3000 dead, 2000 live, /);

            const lenient = await doctor([...urls, "--max-dead-ratio", "75"]);
            assert.equal(lenient.exitCode, EXIT.ok, "the 1.5 s query is within 300 s and 60 % within 75 %");
        } finally {
            await writer.query("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'");
            await sleeping;
            await Promise.all([writer.end(), sleeper.end().catch(() => undefined)]);
        }
    });

    it("reports a dead replica instead of crashing", async () => {
        cluster.stopReplica();
        const run = await doctor(urls);
        assert.equal(run.exitCode, EXIT.unhealthy);
        const connection = rowOf(run, replica, "connection");
        assert.equal(connection.status, "fail");
        assert.match(connection.value, new RegExp(`^unreachable: connect ECONNREFUSED ${REPLICA_HOST.replace(/\./g, "\\.")}:${cluster.port}$`));
        assert.equal(rowOf(run, primary, "streaming replicas").value, "0 of 1 expected");
        assert.equal(rowOf(run, primary, "streaming replicas").status, "fail");
        assert.equal(rowOf(run, primary, "connections").status, "ok", "the primary is still checked");
        assert.deepEqual(run.err, []);
    });

    it("rejects bad input naming it, without touching a server", async () => {
        const none = await doctor([]);
        assert.equal(none.exitCode, EXIT.usage);
        assert.match(none.err.join("\n"), /pass exactly one of --stack/);
        const badUrl = await doctor(["--primary", "mysql://x@y/z"]);
        assert.equal(badUrl.exitCode, EXIT.usage);
        assert.match(badUrl.err.join("\n"), /--primary: expected a postgres:\/\/ or postgresql:\/\/ URL, got protocol "mysql:"/);
        const file = path.join(scratch, "outputs.json");
        fs.writeFileSync(file, JSON.stringify({ ...cluster.stackOutputs(), databaseWriteHost: undefined }));
        const missing = await doctor(["--outputs-file", file]);
        assert.equal(missing.exitCode, EXIT.usage);
        assert.match(missing.err.join("\n"), /stack output databaseWriteHost: expected a non-empty string, got nothing/);
    });
});
