/**
 * A stand-in for a BookStore service: it reads exactly the variables of the app's contract
 * (components/appContract.ts) and nothing else, and does with them what the app does at the
 * platform's seams, not its business: parses each connection string with the rules of the app's
 * client, creates the PostgreSQL extensions the app's Marten schema needs, takes a session-level
 * advisory lock the way Marten's and Wolverine's leader election does (Weasel's AdvisoryLock:
 * `pg_try_advisory_lock` on a connection it keeps open), pings Redis, serves /alive and /health,
 * exports a server span per request over OTLP/gRPC, and (the web) calls the api it discovers.
 *
 * Run: node --require tsx/cjs test/rehearsal/standIn.ts (the rehearsal test starts it with the
 * environment a stack's plan renders, hosts substituted by loopback servers).
 */
import * as http from "http";
import * as https from "https";
import { Client, Pool } from "pg";
import Redis from "ioredis";
import { SpanKind, trace } from "@opentelemetry/api";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { APP_CONTRACT, APP_RESOURCE_NAMES, entriesOf } from "../../components/appContract";
import { secretProblem } from "../../components/appSecrets";
import { npgsqlPairs, redisOptions } from "../../tools/offline/appContract";
import { REHEARSAL_LOCK_ID } from "./lock";


/** The contract's variables, and only those, as this process received them. */
function readContract(): Record<string, string | undefined> {
    const names = APP_CONTRACT.flatMap((e) => ("env" in e ? (Array.isArray(e.env) ? e.env : [e.env]) : []));
    return Object.fromEntries(names.map((name) => [name, process.env[name]]));
}

const env = readContract();
const role = (Object.entries(APP_RESOURCE_NAMES).find(([, name]) => name === env.OTEL_SERVICE_NAME)?.[0]) as "api" | "web" | undefined;
const state: Record<string, unknown> = { role, serviceName: env.OTEL_SERVICE_NAME };

/** Npgsql's keywords as node-postgres options (SSL Mode Require: TLS without certificate checks, as in Npgsql 8+). */
function pgConfig(connectionString: string) {
    const pairs = Object.fromEntries(Object.entries(npgsqlPairs(connectionString)).map(([k, v]) => [k.toLowerCase(), v]));
    const sslMode = (pairs["ssl mode"] ?? "prefer").toLowerCase();
    return {
        host: pairs.host, port: Number(pairs.port ?? 5432), database: pairs.database, user: pairs.username, password: pairs.password,
        ssl: sslMode === "disable" ? false : { rejectUnauthorized: sslMode === "verify-full" || sslMode === "verify-ca" },
        max: pairs["maximum pool size"] ? Number(pairs["maximum pool size"]) : 10,
        connectionTimeoutMillis: 10_000,
    };
}

/** Aspire.Azure.Storage.Blobs: an absolute URI is a blob service URI used with a token credential; else a storage connection string. */
function blobsProblem(value: string | undefined): string | undefined {
    if (!value) return "ConnectionStrings__blobs is not set";
    if (/^https:\/\/[a-z0-9]{3,24}\.blob\.core\.windows\.net\/?$/.test(value)) return undefined;
    if (/(^|;)(AccountName|BlobEndpoint)=/.test(value)) return undefined;
    return `not an Azure Blob endpoint: ${value}`;
}

async function main() {
    const port = Number(env.ASPNETCORE_HTTP_PORTS);
    if (!Number.isInteger(port)) throw new Error("ASPNETCORE_HTTP_PORTS is not set");
    if (!role) throw new Error(`OTEL_SERVICE_NAME ${env.OTEL_SERVICE_NAME} is neither ${Object.values(APP_RESOURCE_NAMES).join(" nor ")}`);

    // OTLP: on only when the endpoint is set (the app's rule), gRPC (the .NET exporter's default and the agent's only protocol).
    const provider = env.OTEL_EXPORTER_OTLP_ENDPOINT ? new BasicTracerProvider({
        resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME! }),
        spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: env.OTEL_EXPORTER_OTLP_ENDPOINT }))],
    }) : undefined;
    const tracer = provider?.getTracer("rehearsal-stand-in");
    state.otlp = env.OTEL_EXPORTER_OTLP_ENDPOINT ? "on" : "off";

    let pool: Pool | undefined;
    let redis: Redis | undefined;
    let lockClient: Client | undefined;
    if (role === "api") {
        // The api's own start-up check of its JWT key (HS256): it throws before it listens.
        const jwt = entriesOf("secret").find((e) => e.id === "jwt-signing-key")!;
        const jwtProblem = env[jwt.env] === undefined ? `${jwt.env} is not set` : secretProblem(jwt, env[jwt.env]!);
        if (jwtProblem) throw new Error(jwtProblem);
        // Seeding runs after start: without an admin password it fails and no book is written.
        const seed = entriesOf("secret").find((e) => e.id === "seed-admin-password")!;
        const seedProblem = env[seed.env] === undefined ? `${seed.env} is not set` : secretProblem(seed, env[seed.env]!);
        state.seeding = seedProblem ? `fails: ${seedProblem}` : "admin password accepted";

        // The schema work before listening: Marten creates its extensions through the app's connection string.
        const db = pgConfig(env.ConnectionStrings__bookstore ?? "");
        pool = new Pool(db);
        const extensions = entriesOf("postgres-extensions").flatMap((e) => e.extensions);
        for (const extension of extensions) await pool.query(`CREATE EXTENSION IF NOT EXISTS ${extension}`);
        state.extensions = extensions;
        // Leader election the way Weasel's AdvisoryLock does it: one connection kept open, a session-level lock on it.
        // As published the app takes it through ConnectionStrings__bookstore; REHEARSAL_APP_CHANGE=session-election
        // plays the app after the change docs/running-bookstore.md asks for: the platform's session-level string.
        const sessionString = process.env.REHEARSAL_APP_CHANGE === "session-election" ? process.env["ConnectionStrings__bookstore-session"] : undefined;
        if (process.env.REHEARSAL_APP_CHANGE && !sessionString) throw new Error("ConnectionStrings__bookstore-session is not set");
        state.lockPath = sessionString ? "ConnectionStrings__bookstore-session" : "ConnectionStrings__bookstore";
        lockClient = new Client(sessionString ? pgConfig(sessionString) : db);
        await lockClient.connect();
        const lock = await lockClient.query("SELECT pg_try_advisory_lock($1) AS attained, pg_backend_pid() AS pid", [REHEARSAL_LOCK_ID]);
        state.lock = { attained: lock.rows[0].attained, backendPid: lock.rows[0].pid };

        const cache = redisOptions(env.ConnectionStrings__cache ?? "");
        const [host, cachePort] = cache.endpoints[0].split(":");
        redis = new Redis({
            host, port: Number(cachePort), password: cache.options.password,
            // SNI takes host names only; the certificate is checked against the host either way.
            tls: cache.options.ssl?.toLowerCase() === "true" ? (/^[\d.]+$/.test(host) ? {} : { servername: host }) : undefined,
            lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 10_000,
        });
        await redis.connect();
        state.cache = await redis.ping();
    }

    // The web: the api's base URL the way the web reads it outside Development (https first), then one call, as its start does.
    if (role === "web") {
        const discovery = entriesOf("service-discovery")[0];
        const name = discovery.env.find((n) => env[n]);
        state.apiUrl = name ? env[name] : undefined;
        state.apiCall = state.apiUrl ? await get(`${String(state.apiUrl).replace(/\/$/, "")}/alive`) : "no api URL";
    }

    const healthChecks = async (): Promise<Record<string, string>> => {
        const results: Record<string, string> = { self: "Healthy" };
        if (role !== "api") return results;
        // The api's registered checks: Aspire's Redis and Blob clients add theirs (the app adds no database check).
        results.cache = await redis!.ping().then(() => "Healthy", (e: Error) => `Unhealthy: ${e.message}`);
        const blob = blobsProblem(env.ConnectionStrings__blobs);
        results.blobs = blob ? `Unhealthy: ${blob}` : "Healthy";
        return results;
    };

    const server = http.createServer(async (req, res) => {
        const path = (req.url ?? "/").split("?")[0];
        const reply = (status: number, body: unknown) => {
            res.writeHead(status, { "content-type": "application/json" });
            res.end(JSON.stringify(body));
        };
        if (path === "/alive") return reply(200, { status: "Healthy" });
        if (path === "/health") {
            const results = await healthChecks();
            return reply(Object.values(results).every((r) => r === "Healthy") ? 200 : 503, results);
        }
        if (path === "/rehearsal") return reply(200, state);
        if (path === "/rehearsal/lock" && lockClient) {
            const r = await lockClient.query("SELECT pg_try_advisory_lock($1) AS attained, pg_backend_pid() AS pid", [REHEARSAL_LOCK_ID]);
            return reply(200, { attained: r.rows[0].attained, backendPid: r.rows[0].pid });
        }
        if (path === "/rehearsal/unlock" && lockClient) {
            const r = await lockClient.query("SELECT pg_advisory_unlock($1) AS released, pg_backend_pid() AS pid", [REHEARSAL_LOCK_ID]);
            return reply(200, { released: r.rows[0].released, backendPid: r.rows[0].pid });
        }
        // Everything else is "the app": a server span per request (the app's tracing skips /health and /alive).
        const span = tracer?.startSpan(`${req.method} ${path}`, { kind: SpanKind.SERVER, attributes: { "http.request.method": req.method ?? "GET", "url.path": path, "http.response.status_code": 200 } });
        span?.end();
        return reply(200, { served: path });
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    state.listening = port;
    void trace;

    const shutdown = async () => {
        server.close();
        await Promise.allSettled([pool?.end(), lockClient?.end(), redis?.quit(), provider?.shutdown()]);
        process.exit(0);
    };
    process.on("SIGTERM", shutdown);
    process.on("SIGINT", shutdown);
}

function get(url: string): Promise<string> {
    const client = url.startsWith("https:") ? https : http;
    return new Promise((resolve) => {
        const req = client.get(url, { timeout: 10_000 }, (res) => {
            res.resume();
            res.on("end", () => resolve(`HTTP ${res.statusCode}`));
        });
        req.on("timeout", () => req.destroy(new Error("timed out")));
        req.on("error", (e) => resolve(`error: ${e.message}`));
    });
}

main().catch((err: Error) => {
    process.stderr.write(`stand-in failed to start: ${err.message}\n`);
    process.exit(1);
});
