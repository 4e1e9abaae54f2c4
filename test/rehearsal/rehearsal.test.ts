/**
 * A local rehearsal of each shipped stack's wiring against real servers: the environment the
 * offline plan renders for the api and the web (document.appContract), with hosts, ports and
 * credentials substituted by loopback servers, given to a stand-in service (standIn.ts) that reads
 * only the contract's variables. Real PostgreSQL 15 behind a real PgBouncer in transaction mode with
 * the stack's own pooler settings (client TLS where the connection string requires it), a real
 * Redis with TLS and a password, a real OTLP/gRPC receiver. Two api replicas, as production runs
 * at least two, show what transaction pooling does to the advisory lock Marten's and Wolverine's
 * leader election take. Locally the suite skips (saying why) without the servers; in CI it fails.
 */
import * as assert from "assert";
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as path from "path";
import type { AddressInfo } from "net";
import { randomInt } from "crypto";
import { entriesOf, type SecretEntry } from "../../components/appContract";
import { secretGenerator } from "../../components/appSecrets";
import { resolveDatabase } from "../../stacks/schema/database";
import { isEksConfig } from "../../stacks/config";
import { stackConfigOf } from "../../tools/offline/stackFile";
import { npgsqlPairs, redisOptions } from "../../tools/offline/appContract";
import { freePort, LAB_DATABASE, missingBinaries, PostgresLab, runAs } from "../../tools/postgresLab";
import type { PgbouncerDatabase } from "../../components/kubernetes/pgbouncer";
import { POSTGRES_PORT } from "../../components/azure/database";
import { plannedRun } from "../helpers/plan";
import { PROJECT_DIR, tempDir } from "../helpers/planJobs";
import { OtlpReceiver } from "./otlpReceiver";
import { RedisServer, throwawayCertificates } from "./redisServer";
import { REHEARSAL_LOCK_ID } from "./lock";

const SHIPPED = ["prod", "prod-aks", "prod-eks", "dev", "dev-eks", "prod-cloudflare"];
const STAND_IN = path.join(PROJECT_DIR, "test/rehearsal/standIn.ts");

type Env = Record<string, string>;
interface RenderedService { workload: string; env: Record<string, { value?: string }> }

/** Loopback servers the rendered hosts are replaced with. */
interface Loopback { pgbouncerPort: number; user: string; password: string; redisPort: number; redisPassword: string; otlpPort: number; httpPort: number; apiUrl?: string; postgresPort?: number }

/** A value as the stack's generator makes it (components/appSecrets.ts): its length, one character of each class, the rest random. */
export function generatedLike(entry: SecretEntry): string {
    const args = secretGenerator(entry);
    const classes = ["abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", String(args.overrideSpecial)];
    const all = classes.join("");
    const chars = classes.map((c) => c[randomInt(c.length)]);
    while (chars.length < Number(args.length)) chars.push(all[randomInt(all.length)]);
    return chars.join("");
}

/** The rendered environment with every remote host, port and credential pointed at the loopback servers; everything else as rendered. */
export function substitute(rendered: RenderedService["env"], lo: Loopback): Env {
    const env: Env = {};
    for (const [name, { value }] of Object.entries(rendered)) {
        if (value === undefined) continue;
        let v = value;
        const generated = entriesOf("secret").find((e) => e.env === name);
        if (generated) {
            // The plan masks the generated value; the rehearsal gives the name a value of the generator's kind.
            v = generatedLike(generated);
        } else if (/^ConnectionStrings__/.test(name) && /(^|;)Host=/.test(v)) {
            const pairs = npgsqlPairs(v);
            // A string to the server's own port (the session-level path beside the built-in pooler) goes to PostgreSQL itself.
            const port = pairs.Port === String(POSTGRES_PORT) && lo.postgresPort ? lo.postgresPort : lo.pgbouncerPort;
            Object.assign(pairs, { Host: "127.0.0.1", Port: String(port), Username: lo.user, Password: lo.password });
            v = Object.entries(pairs).map(([k, x]) => `${k}=${x}`).join(";");
        } else if (/^ConnectionStrings__/.test(name) && /^[^=,]+:\d+,/.test(v)) {
            const { options } = redisOptions(v);
            v = v.replace(/^[^,]+/, `127.0.0.1:${lo.redisPort}`).replace(/password=[^,]*/i, `password=${lo.redisPassword}`);
            assert.ok(options.password, "the rendered cache string carries a password");
        } else if (name === "OTEL_EXPORTER_OTLP_ENDPOINT") {
            v = v.replace(/^(\w+:\/\/)[^/]+/, `$1127.0.0.1:${lo.otlpPort}`);
        } else if (name === "ASPNETCORE_HTTP_PORTS") {
            v = String(lo.httpPort);
        } else if (/^services__apiservice__/.test(name) && lo.apiUrl) {
            v = v.replace(/^(\w+:\/\/)[^/]+/, `$1${lo.apiUrl}`);
        }
        env[name] = v;
    }
    return env;
}

class StandIn {
    private log = "";
    private constructor(readonly child: ChildProcess, readonly port: number) {
        child.stdout!.on("data", (d) => { this.log += d; });
        child.stderr!.on("data", (d) => { this.log += d; });
    }

    /** Starts the stand-in with exactly `env` (plus what node itself needs) and waits, bounded, for /alive. */
    static async start(env: Env, caFile: string): Promise<StandIn> {
        const child = spawn(process.execPath, ["--require", "tsx/cjs", STAND_IN], {
            cwd: PROJECT_DIR, stdio: ["ignore", "pipe", "pipe"],
            env: { ...env, PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NODE_EXTRA_CA_CERTS: caFile },
        });
        const standIn = new StandIn(child, Number(env.ASPNETCORE_HTTP_PORTS));
        // Generous: at load 35 on two cores a start (tsx compiling the stand-in, then its connections) has taken over 120 s.
        const deadline = Date.now() + 300_000;
        for (;;) {
            if (child.exitCode !== null) throw new Error(`the stand-in exited (${child.exitCode}):\n${standIn.log}`);
            if ((await standIn.get("/alive").catch(() => undefined))?.status === 200) return standIn;
            if (Date.now() > deadline) {
                child.kill("SIGKILL");
                throw new Error(`the stand-in did not answer /alive within 300 s:\n${standIn.log}`);
            }
            await new Promise((r) => setTimeout(r, 250));
        }
    }

    get(urlPath: string): Promise<{ status: number; body: any }> {
        return new Promise((resolve, reject) => {
            const req = http.get({ host: "127.0.0.1", port: this.port, path: urlPath, timeout: 15_000 }, (res) => {
                let text = "";
                res.on("data", (d) => { text += d; });
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
            });
            req.on("timeout", () => req.destroy(new Error("timed out")));
            req.on("error", reject);
        });
    }

    async kill(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
        if (this.child.exitCode !== null) return;
        const exited = new Promise((r) => this.child.once("exit", r));
        this.child.kill(signal);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (this.child.exitCode === null) this.child.kill("SIGKILL");
    }
}

/** A TLS front for an HTTP server on loopback, as Container Apps' ingress terminates TLS before the app. */
async function tlsFront(target: number, tls: { certFile: string; keyFile: string }): Promise<https.Server> {
    const server = https.createServer({ cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) }, (req, res) => {
        const upstream = http.request({ host: "127.0.0.1", port: target, path: req.url, method: req.method, headers: req.headers }, (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
        });
        upstream.on("error", () => { res.writeHead(502); res.end(); });
        req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return server;
}

/**
 * PgBouncer `[databases]` entries for the endpoint names the connection strings use, all on the
 * lab's database; the session-level one (`<database>-session`) a session-mode pool as the stacks render it.
 */
function labDatabases(names: string[], port: number, sessionClients: number): PgbouncerDatabase[] {
    return [...new Set(names)].map((name) => ({
        name, host: "127.0.0.1", port, dbname: LAB_DATABASE, ...(name.endsWith("-session") ? { session: { poolSize: sessionClients } } : {}),
    }));
}

/** Copies of the server certificate and key PostgreSQL accepts: owned by the user it runs as, the key private. */
function serverTlsFor(owner: { uid?: number; gid?: number }, certs: { certFile: string; keyFile: string }): { certFile: string; keyFile: string } {
    const dir = tempDir("rehearsal-pgtls-");
    fs.chmodSync(dir, 0o755);
    const copy = (from: string, name: string, mode: number) => {
        const to = path.join(dir, name);
        fs.copyFileSync(from, to);
        fs.chmodSync(to, mode);
        if (owner.uid !== undefined) fs.chownSync(to, owner.uid, owner.gid!);
        return to;
    };
    return { certFile: copy(certs.certFile, "server.crt", 0o644), keyFile: copy(certs.keyFile, "server.key", 0o600) };
}

/** The holders of the rehearsal's advisory lock, as PostgreSQL itself sees them. */
async function lockHolders(lab: PostgresLab): Promise<number[]> {
    return lab.admin(async (c) => (await c.query(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = $1", [REHEARSAL_LOCK_ID],
    )).rows.map((r) => r.pid as number));
}

describe("rehearsal: each shipped stack's rendered wiring against real PostgreSQL, PgBouncer, Redis and an OTLP receiver", function () {
    this.timeout(900_000);
    let lab: PostgresLab;
    let redis: RedisServer;
    let receiver: OtlpReceiver;
    let tls: ReturnType<typeof throwawayCertificates>;
    const runs = Object.fromEntries(SHIPPED.map((stack) => [stack, plannedRun(stack)]));
    const children: StandIn[] = [];

    before(async function () {
        const missing = missingBinaries();
        if (!RedisServer.available()) missing.push("redis-server (Debian package redis-server)");
        if (spawnSync("openssl", ["version"]).status !== 0) missing.push("openssl");
        if (missing.length > 0) {
            if (process.env.CI) throw new Error(`CI must run the rehearsal, but these are missing: ${missing.join(", ")}`);
            console.log(`      skipped: ${missing.join(", ")} not installed; .ci/run installs them`);
            this.skip();
        }
        tls = throwawayCertificates(tempDir("rehearsal-tls-"));
        // PostgreSQL speaks TLS too: beside the built-in pooler the session-level string goes to the server itself with SSL Mode=Require.
        lab = await PostgresLab.start({ maxConnections: 200, tls: serverTlsFor(runAs(), tls) });
        redis = await RedisServer.start(tls);
        receiver = await OtlpReceiver.start();
    });

    afterEach(async () => {
        await Promise.all(children.splice(0).map((c) => c.kill()));
    });

    after(async () => {
        await Promise.allSettled([lab?.stop(), redis?.stop(), receiver?.stop()]);
    });

    for (const stack of SHIPPED) {
        it(`${stack}: the api creates pg_trgm and unaccent through PgBouncer, pings Redis over TLS, exports its server spans, and the web reaches it`, async () => {
            const run = runs[stack]();
            assert.strictEqual(run.exitCode, 0, run.stderr);
            const services = (run.document!.appContract as { services: Record<"api" | "web", RenderedService> }).services;
            const config = stackConfigOf({ stack });
            const eks = isEksConfig(config);
            const rendered = services.api.env;
            const database = npgsqlPairs(rendered.ConnectionStrings__bookstore.value!);

            // PgBouncer as the stack configures it; every endpoint the connection strings name points at the lab's database.
            const pooler = eks ? config.aws.database.pgbouncer : resolveDatabase(config).pgbouncer;
            assert.strictEqual(pooler.poolMode, "transaction");
            const names = Object.values(rendered).map((v) => v.value ?? "").filter((v) => /(^|;)Host=/.test(v)).map((v) => npgsqlPairs(v).Database);
            const pgbouncerPort = await lab.startPgbouncer({
                databases: labDatabases(names, lab.port, 10),
                settings: { ...pooler, serverTlsSslmode: "disable" },
            }, database["SSL Mode"] === "Require" ? tls : undefined);
            await lab.admin((c) => c.query("DROP EXTENSION IF EXISTS pg_trgm, unaccent"), LAB_DATABASE);

            const loopback = { pgbouncerPort, user: lab.user, password: lab.password, redisPort: redis.port, redisPassword: redis.password, otlpPort: receiver.port, postgresPort: lab.port };
            const replica = async () => {
                const s = await StandIn.start(substitute(rendered, { ...loopback, httpPort: await freePort() }), tls.caFile);
                children.push(s);
                return s;
            };
            const a = await replica();

            // The schema work went through the pooler: the extensions exist in the database.
            const installed = await lab.admin(async (c) => (await c.query("SELECT extname FROM pg_extension ORDER BY extname")).rows.map((r) => r.extname), LAB_DATABASE);
            assert.ok(installed.includes("pg_trgm") && installed.includes("unaccent"), installed.join(", "));
            const state = (await a.get("/rehearsal")).body;
            assert.strictEqual(state.cache, "PONG");
            // It started, so its JWT key passed the api's own check; seeding has its admin password.
            assert.strictEqual(state.seeding, "admin password accepted");

            // Readiness: every registered check. On AWS the blob client's check cannot pass: the bucket is S3 (the documented deviation).
            const health = await a.get("/health");
            if (eks) {
                assert.strictEqual(health.status, 503);
                assert.match(health.body.blobs, /^Unhealthy: not an Azure Blob endpoint: https:\/\/[a-z0-9-]+\.s3\./);
                assert.strictEqual(health.body.cache, "Healthy");
            } else {
                assert.deepStrictEqual([health.status, health.body], [200, { self: "Healthy", cache: "Healthy", blobs: "Healthy" }]);
            }

            // Telemetry: a request becomes a server span at the receiver, named for the service; probes make none.
            const before = receiver.exportsOf("apiservice").length;
            await a.get("/health");
            await a.get("/alive");
            const spanName = `GET /api/books/rehearsal-${stack}`;
            await a.get(`/api/books/rehearsal-${stack}`);
            const ours = () => receiver.exportsOf("apiservice").slice(before);
            assert.ok(await receiver.waitFor(() => ours().some((e) => e.message.includes(Buffer.from(spanName)))), "no span reached the receiver");
            const spans = ours();
            assert.ok(spans.every((e) => !e.message.includes(Buffer.from("GET /health")) && !e.message.includes(Buffer.from("GET /alive"))));
            assert.strictEqual(spans[0].contentType, "application/grpc");

            // The web: the api's address from the discovery variable it reads (https through a TLS front on Container Apps).
            const webRendered = services.web.env;
            const https_ = Object.keys(webRendered).some((n) => n === "services__apiservice__https__0");
            const front = https_ ? await tlsFront(a.port, tls) : undefined;
            try {
                const apiUrl = `127.0.0.1:${front ? (front.address() as AddressInfo).port : a.port}`;
                const web = await StandIn.start(substitute(webRendered, { ...loopback, httpPort: await freePort(), apiUrl }), tls.caFile);
                children.push(web);
                const state = (await web.get("/rehearsal")).body;
                assert.match(state.apiUrl, https_ ? /^https:\/\/127\.0\.0\.1:\d+$/ : /^http:\/\/127\.0\.0\.1:\d+$/);
                assert.strictEqual(state.apiCall, "HTTP 200");
                assert.strictEqual((await web.get("/health")).status, 200);
            } finally {
                front?.close();
            }
        });
    }

    it("without the JWT key the api does not start, as the app throws at registration (HS256 needs Jwt:SecretKey)", async () => {
        const rendered = (runs["prod-aks"]().document!.appContract as { services: Record<"api", RenderedService> }).services.api.env;
        const env = substitute(rendered, { pgbouncerPort: 1, user: "u", password: "p", redisPort: 1, redisPassword: "p", otlpPort: 1, httpPort: await freePort() });
        delete env.Jwt__SecretKey;
        await assert.rejects(StandIn.start(env, tls.caFile), /exited \(1\):\s*stand-in failed to start: Jwt__SecretKey is not set/);
    });

    it("two api replicas through transaction pooling: both are told they hold the daemon's advisory lock, and it outlives the replica that took it", async () => {
        const run = runs["prod-aks"]();
        const rendered = (run.document!.appContract as { services: Record<"api", RenderedService> }).services.api.env;
        const db = resolveDatabase(stackConfigOf({ stack: "prod-aks" }));
        const pgbouncerPort = await lab.startPgbouncer({
            databases: [{ name: "bookstore", host: "127.0.0.1", port: lab.port, dbname: LAB_DATABASE }, ...db.replicas.map((_, i) => ({ name: `bookstore-replica-${i + 1}`, host: "127.0.0.1", port: lab.port, dbname: LAB_DATABASE }))],
            settings: { ...db.pgbouncer, serverTlsSslmode: "disable" },
        });
        const loopback = { pgbouncerPort, user: lab.user, password: lab.password, redisPort: redis.port, redisPassword: redis.password, otlpPort: receiver.port };
        const a = await StandIn.start(substitute(rendered, { ...loopback, httpPort: await freePort() }), tls.caFile);
        children.push(a);
        const b = await StandIn.start(substitute(rendered, { ...loopback, httpPort: await freePort() }), tls.caFile);
        children.push(b);
        const lockA = (await a.get("/rehearsal")).body.lock;
        const lockB = (await b.get("/rehearsal")).body.lock;
        // PgBouncer hands B the server connection that took A's lock (idle connections are reused LIFO):
        // the session lock is that server connection's, so B "attains" it too. Two leaders.
        assert.deepStrictEqual([lockA.attained, lockB.attained], [true, true]);
        const holders = await lockHolders(lab);
        assert.strictEqual(holders.length, 1, "PostgreSQL sees one holder: a pooled server connection, neither replica's own");
        // The leader dies: PgBouncer keeps its server connection, and with it the lock.
        await a.kill("SIGKILL");
        await new Promise((r) => setTimeout(r, 1_000));
        assert.deepStrictEqual(await lockHolders(lab), holders, "the lock outlives the replica that took it");
        await b.kill();
    });

    for (const stack of ["prod-aks", "prod-eks", "prod"]) {
        it(`${stack}: the platform's session-level path (ConnectionStrings__bookstore-session) gives the lock one holder and frees it when the holder dies`, async () => {
            const run = runs[stack]();
            assert.strictEqual(run.exitCode, 0, run.stderr);
            const rendered = (run.document!.appContract as { services: Record<"api", RenderedService> }).services.api.env;
            const session = npgsqlPairs(rendered["ConnectionStrings__bookstore-session"]?.value ?? "");
            const config = stackConfigOf({ stack });
            const pooler = isEksConfig(config) ? config.aws.database.pgbouncer : resolveDatabase(config).pgbouncer;
            // Through the PgBouncer Deployment its own entry; beside the built-in pooler the server's own port, without the transaction-pooling reset switch.
            if (stack === "prod") assert.deepStrictEqual([session.Port, session.Database, "No Reset On Close" in session], [String(POSTGRES_PORT), "bookstore", false]);
            else assert.deepStrictEqual([session.Port, session.Database, "No Reset On Close" in session], ["6432", "bookstore-session", false]);
            assert.strictEqual(session["Maximum Pool Size"], String(pooler.sessionPoolSize));
            // A fresh start: terminate what earlier tests left holding the lock.
            await lab.admin((c) => c.query("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"));
            const names = Object.values(rendered).map((v) => v.value ?? "").filter((v) => /(^|;)Host=/.test(v)).map((v) => npgsqlPairs(v).Database);
            const pgbouncerPort = await lab.startPgbouncer({ databases: labDatabases(names, lab.port, 4), settings: { ...pooler, serverTlsSslmode: "disable" } },
                npgsqlPairs(rendered.ConnectionStrings__bookstore.value!)["SSL Mode"] === "Require" ? tls : undefined);
            const loopback = { pgbouncerPort, user: lab.user, password: lab.password, redisPort: redis.port, redisPassword: redis.password, otlpPort: receiver.port, postgresPort: lab.port };
            const start = async () => {
                const env = { ...substitute(rendered, { ...loopback, httpPort: await freePort() }), REHEARSAL_APP_CHANGE: "session-election" };
                const s = await StandIn.start(env, tls.caFile);
                children.push(s);
                return s;
            };
            const a = await start();
            const b = await start();
            const [stateA, stateB] = [(await a.get("/rehearsal")).body, (await b.get("/rehearsal")).body];
            assert.strictEqual(stateA.lockPath, "ConnectionStrings__bookstore-session");
            assert.deepStrictEqual([stateA.lock.attained, stateB.lock.attained], [true, false], "one leader");
            assert.deepStrictEqual(await lockHolders(lab), [stateA.lock.backendPid]);
            // The leader dies: its session ends (PgBouncer's server_reset_query, DISCARD ALL, releases what it held), and the other takes over.
            await a.kill("SIGKILL");
            const deadline = Date.now() + 30_000;
            let retry = (await b.get("/rehearsal/lock")).body;
            while (!retry.attained && Date.now() < deadline) {
                await new Promise((r) => setTimeout(r, 500));
                retry = (await b.get("/rehearsal/lock")).body;
            }
            assert.strictEqual(retry.attained, true, "the lock went with the session that held it");
            assert.deepStrictEqual(await lockHolders(lab), [retry.backendPid]);
            await b.kill();
        });
    }
});
