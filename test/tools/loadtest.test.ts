import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { runCli } from "../../tools/cli";
import { EXIT } from "../../tools/cliSupport";
import type { AzRunner } from "../../tools/automation/az";
import { API_ROUTES, matchRoute } from "../../tools/loadtest/apiRoutes";
import { generatedFiles } from "../../tools/loadtest/artifacts";
import { AZURE_TEST_CONFIG, parseLoadTestId, testRunId } from "../../tools/loadtest/azure";
import { collectIds, fillPath, progressSeconds } from "../../tools/loadtest/local";
import { LOADTEST_DIR, parseSpec, readSpec, resolveProfile, totalSeconds, usersAt } from "../../tools/loadtest/profile";
import { judge, percentile } from "../../tools/loadtest/verdict";
import { FakePulumiCli } from "./automationFakeCli";

const BOOK_IDS = ["0196a5b2-7c1e-7d3f-8a9b-0c1d2e3f4a5b", "0196a5b2-7c1e-7d3f-8a9b-0c1d2e3f4a5c", "0196a5b2-7c1e-7d3f-8a9b-0c1d2e3f4a5d"];

/** What the stand-in api does with the n-th request after the setup's list (1-based). */
type Answer = { status: number; delayMs: number } | "hang";

/**
 * A real HTTP(S) server on loopback standing in for the api: `/api/books?pageSize=100` lists three
 * books (the setup request); every other request gets `answer(n)`. It tallies what it received, so
 * a test can compare the engine's count with the server's own.
 */
async function startServer(answer: (n: number) => Answer, tls?: { key: string; cert: string; handshakeDelayMs: number; close: boolean }) {
    let n = 0;
    const tally = { requests: 0, connections: 0, hung: 0, statuses: {} as Record<number, number> };
    const paths: string[] = [];
    const handler: http.RequestListener = (req, res) => {
        tally.requests++;
        paths.push(req.url ?? "");
        const headers = { "content-type": "application/json", ...(tls?.close ? { connection: "close" } : {}) };
        if (req.url === "/api/books?pageSize=100") {
            res.writeHead(200, headers).end(JSON.stringify({ items: BOOK_IDS.map((id) => ({ id, title: "t" })), pageNumber: 1, pageSize: 100, totalItemCount: 3 }));
            return;
        }
        const what = answer(++n);
        if (what === "hang") {
            tally.hung++;
            return;
        }
        setTimeout(() => {
            tally.statuses[what.status] = (tally.statuses[what.status] ?? 0) + 1;
            res.writeHead(what.status, headers).end("{}");
        }, what.delayMs);
    };
    const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler) : http.createServer(handler);
    server.on(tls ? "secureConnection" : "connection", () => tally.connections++);
    // The TLS handshake starts only after handshakeDelayMs: a slow connection set-up, then fast answers.
    const front = tls ? net.createServer((socket) => setTimeout(() => server.emit("connection", socket), tls.handshakeDelayMs)) : server;
    const sockets = new Set<net.Socket>();
    front.on("connection", (socket: net.Socket) => { sockets.add(socket); socket.on("close", () => sockets.delete(socket)); });
    await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
    const { port } = front.address() as AddressInfo;
    return {
        url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
        paths,
        tally,
        close: () => new Promise<void>((resolve) => {
            for (const socket of sockets) socket.destroy();
            front.close(() => resolve());
        }),
    };
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

/**
 * The shipped spec with a profile of seconds instead of minutes and a shorter think time, so a run
 * sends enough requests. A run expected to pass gets a p95 threshold no loaded CI machine can miss
 * against a loopback server (the seed's 500 ms is asserted on the profile itself); a run expected to
 * fail fails from its first answered request on, whatever the machine's speed.
 */
function shortSpecFile(overrides: { p95Ms?: number; thinkTimeSeconds?: number; users?: number } = {}): string {
    const spec = readSpec();
    const users = overrides.users ?? 3;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "loadtest-")), "short.json");
    fs.writeFileSync(file, JSON.stringify({
        ...spec,
        thinkTimeSeconds: overrides.thinkTimeSeconds ?? 0.05,
        thresholds: { ...spec.thresholds, ...(overrides.p95Ms ? { p95Ms: overrides.p95Ms } : {}) },
        profiles: { short: [{ durationSeconds: 1, target: users }, { durationSeconds: 2, target: users }, { durationSeconds: 1, target: 0 }] },
    }));
    return file;
}

/** A self-signed certificate for 127.0.0.1 (openssl), for the TLS server. */
function selfSignedCertificate(): { key: string; cert: string; certFile: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loadtest-tls-"));
    const keyFile = path.join(dir, "key.pem");
    const certFile = path.join(dir, "cert.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", keyFile, "-out", certFile], { stdio: "ignore" });
    return { key: fs.readFileSync(keyFile, "utf8"), cert: fs.readFileSync(certFile, "utf8"), certFile };
}

/** A number the run printed: `pattern` has one capture group. */
function printed(out: string, pattern: RegExp): number {
    const match = pattern.exec(out);
    assert.ok(match, `${pattern} not in:\n${out}`);
    return Number(match[1]);
}

async function cli(args: string[], extra: { runner?: FakePulumiCli; az?: AzRunner } = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const exitCode = await runCli(args, { out: (line) => out.push(line), err: (line) => err.push(line), ...extra });
    return { exitCode, out: out.join("\n"), err: err.join("\n") };
}

describe("load test", function () {
    this.timeout(60000);

    describe("profile (loadtest/profile.json)", () => {
        it("holds the seed's stages, think time and thresholds, with the seed's two requests as the app serves them", () => {
            const seed = resolveProfile("seed");
            assert.deepEqual(seed.stages.map((s) => [s.durationSeconds, s.target]), [[120, 100], [300, 100], [120, 200], [300, 200], [120, 0]]);
            // The seed's /api/books/search?query= is the app's GET /api/books?search=; its detail id is a real one.
            assert.deepEqual(seed.requests.map((r) => r.path), ["/api/books?search=architecture", "/api/books/{bookId}"]);
            assert.deepEqual(seed.setup, { name: "book-list", path: "/api/books?pageSize=100", collect: { as: "bookId", list: "items", field: "id" } });
            assert.equal(seed.thinkTimeSeconds, 1);
            assert.deepEqual(seed.thresholds, { p95Ms: 500, failedPercent: 1 });
            assert.equal(totalSeconds(seed.stages), 16 * 60);
        });

        it("sends only routes the app maps (aalmada/BookStore ApiService endpoints), with a GUID where the route wants one", () => {
            const spec = readSpec();
            for (const request of [spec.setup!, ...spec.requests]) {
                const concrete = fillPath(request.path, { bookId: "0196a5b2-7c1e-7d3f-8a9b-0c1d2e3f4a5b" });
                assert.ok(matchRoute(concrete), `${request.name}: ${concrete} is no route of the api`);
            }
            // The seed's own paths are not the app's: they would answer 404 (or 400) and fail the run.
            assert.equal(matchRoute("/api/books/search?query=architecture"), undefined);
            assert.equal(matchRoute("/api/books?query=architecture"), undefined, "the search parameter is `search`");
            assert.equal(matchRoute("/api/books/not-a-guid"), undefined);
            assert.equal(matchRoute("/api/books/0196a5b2-7c1e-7d3f-8a9b-0c1d2e3f4a5b")?.template, "/api/books/{id:guid}");
            assert.ok(API_ROUTES.every((r) => r.source.startsWith("src/BookStore.")));
        });

        it("ramps users linearly within a stage, as k6 stages do", () => {
            const { stages } = resolveProfile("seed");
            assert.equal(usersAt(stages, 0), 0);
            assert.equal(usersAt(stages, 60), 50);
            assert.equal(usersAt(stages, 300), 100);
            assert.equal(usersAt(stages, 480), 150);
            assert.equal(usersAt(stages, 900), 100);
            assert.equal(usersAt(stages, 960), 0);
        });

        it("keeps the k6 script and the Azure Load Testing files generated from it", () => {
            for (const [file, text] of Object.entries(generatedFiles(readSpec()))) {
                assert.equal(fs.readFileSync(path.join(LOADTEST_DIR, file), "utf8"), text, `loadtest/${file} is stale: npx tsx tools/loadtest/generate.ts`);
            }
            const k6 = fs.readFileSync(path.join(LOADTEST_DIR, "load-test.js"), "utf8");
            assert.match(k6, /\{ duration: '2m', target: 100 \},\n\s+\{ duration: '5m', target: 100 \},\n\s+\{ duration: '2m', target: 200 \},\n\s+\{ duration: '5m', target: 200 \},\n\s+\{ duration: '2m', target: 0 \}/);
            assert.match(k6, /http_req_duration: \['p\(95\)<500'\]/);
            assert.match(k6, /http_req_failed: \['rate<0\.01'\]/);
            assert.match(k6, /__ENV\.API_URL/);
            assert.match(k6, /export function setup\(\) \{\n\s+const res = http\.get\(`\$\{BASE_URL\}\/api\/books\?pageSize=100`/);
            assert.match(k6, /http\.get\(`\$\{BASE_URL\}\/api\/books\/\$\{encodeURIComponent\(pick\(data\.bookId\)\)\}`/);
            // The seed's checks, restored.
            assert.match(k6, /'book-search status is 200': \(r\) => r\.status === 200, 'book-search response time < 500ms'/);
            const config = fs.readFileSync(AZURE_TEST_CONFIG, "utf8");
            assert.match(config, /testType: Locust/);
            assert.match(config, /- p95\(response_time_ms\) > 500\n\s+- percentage\(error\) > 1\n/);
            const locust = fs.readFileSync(path.join(LOADTEST_DIR, "azure", "locustfile.py"), "utf8");
            assert.match(locust, /"seed": \[\(120, 100\), \(300, 100\), \(120, 200\), \(300, 200\), \(120, 0\)\]/);
            assert.match(locust, /SETUP = \("book-list", "\/api\/books\?pageSize=100", "bookId", "items", "id"\)/);
        });

        it("names an unknown profile, and a path variable no setup collects", () => {
            assert.throws(() => resolveProfile("soak"), /unknown profile "soak" \(expected one of seed, smoke/);
            const { setup: _setup, ...withoutSetup } = readSpec();
            assert.throws(() => parseSpec(withoutSetup, "x.json"), /x\.json: requests\.1\.path: \{bookId\} is not collected by setup\.collect\.as/);
        });

        it("collects the setup's ids from the app's PagedListDto, and refuses a body without them", () => {
            const collect = { as: "bookId", list: "items", field: "id" };
            assert.deepEqual(collectIds(JSON.stringify({ items: [{ id: "a" }, { id: "b" }, { title: "no id" }], totalItemCount: 3 }), collect), ["a", "b"]);
            assert.throws(() => collectIds("<html>", collect), /expected a JSON body with "items"/);
            assert.throws(() => collectIds("{}", collect), /an array "items"/);
            assert.equal(fillPath("/api/books/{bookId}", { bookId: "a/b" }), "/api/books/a%2Fb");
        });
    });

    describe("verdict", () => {
        const thresholds = { p95Ms: 500, failedPercent: 1 };
        it("passes below both thresholds and fails at them (k6: p(95)<500, rate<0.01)", () => {
            assert.equal(judge({ requests: 1000, failed: 9, p95Ms: 499, requestsPerSecond: 1 }, thresholds).passed, true);
            assert.equal(judge({ requests: 1000, failed: 9, p95Ms: 500, requestsPerSecond: 1 }, thresholds).passed, false);
            assert.equal(judge({ requests: 1000, failed: 10, p95Ms: 100, requestsPerSecond: 1 }, thresholds).passed, false);
        });
        it("fails a run that completed nothing", () => {
            assert.equal(judge({ requests: 0, failed: 0, requestsPerSecond: 0 }, thresholds).passed, false);
        });
        it("names the failures' causes, most frequent first", () => {
            const { lines } = judge({ requests: 100, failed: 7, failures: { "timed out": 2, "HTTP 503": 5 }, p95Ms: 10, requestsPerSecond: 1 }, thresholds);
            assert.match(lines[1], /FAIL {2}failed requests 7\.00% of 100 \(HTTP 503 5, timed out 2\)/);
        });
        it("takes nearest-rank percentiles", () => {
            const samples = Array.from({ length: 100 }, (_, i) => i + 1);
            assert.equal(percentile(samples, 95), 95);
            assert.equal(percentile([5], 95), 5);
        });
    });

    describe("local engine, against real servers on loopback", () => {
        it("prints about 100 progress lines per run, 1 to 10 s apart", () => {
            assert.equal(progressSeconds(resolveProfile("seed")), 10);
            assert.equal(progressSeconds(resolveProfile("smoke")), 1);
        });

        const GENEROUS = { p95Ms: 30_000 };
        const run = (args: string[], extra?: Parameters<typeof cli>[1]) => cli(["loadtest", ...args], extra);

        const scenarios: Record<string, () => Promise<void>> = {
            // Through the stack's apiUrl output; every request sent is counted, and each user keeps one connection.
            "passes against a fast api reached through the stack's apiUrl output, counting every request the server received": async () => {
                const server = await startServer(() => ({ status: 200, delayMs: 2 }));
                try {
                    const runner = new FakePulumiCli().on("stack output", { stdout: JSON.stringify({ apiUrl: server.url, publicWebUrl: "http://127.0.0.1:9" }) });
                    const result = await run(["--stack", "prod", "--profile", shortSpecFile(GENEROUS)], { runner });
                    assert.equal(result.exitCode, EXIT.ok, result.out + result.err);
                    assert.match(result.out, /Verdict: PASS/);
                    assert.equal(printed(result.out, /failed requests 0\.00% of (\d+)/), server.tally.requests, "requests the engine counted vs the server received");
                    // One connection per user for the whole run (3 users) plus the setup's: none re-opened.
                    assert.ok(server.tally.connections <= 4, `${server.tally.connections} connections`);
                    assert.equal(printed(result.out, /(\d+) connection\(s\) opened/), server.tally.connections);
                    assert.ok(server.paths.includes("/api/books?search=architecture"));
                    assert.ok(server.paths.some((p) => BOOK_IDS.some((id) => p === `/api/books/${id}`)), "detail requests use the listed ids");
                } finally {
                    await server.close();
                }
            },
            "targets --url over the stack's output, without asking the stack": async () => {
                const server = await startServer(() => ({ status: 200, delayMs: 1 }));
                try {
                    const runner = new FakePulumiCli().on("stack output", { stdout: JSON.stringify({ apiUrl: "http://127.0.0.1:9" }) });
                    const result = await run(["--stack", "prod", "--url", server.url, "--profile", shortSpecFile(GENEROUS)], { runner });
                    assert.equal(result.exitCode, EXIT.ok, result.out + result.err);
                    assert.ok(result.out.includes(`against ${server.url} on the local engine`));
                    assert.deepEqual(runner.commands(), []);
                } finally {
                    await server.close();
                }
            },
            // 1 request in 10 takes 1.5 s, the first one included: p95 is a slow one whatever the request count.
            "fails when 10 % of responses are slow, counting those still in flight when the run ends": async () => {
                const server = await startServer((n) => ({ status: 200, delayMs: n % 10 === 1 ? 1500 : 1 }));
                try {
                    const result = await run(["--url", server.url, "--profile", shortSpecFile()]);
                    assert.equal(result.exitCode, EXIT.loadTestFailed, result.out + result.err);
                    assert.ok(printed(result.out, /FAIL {2}p95 response time (\d+) ms/) >= 1500, result.out);
                    assert.equal(printed(result.out, /failed requests [\d.]+% of (\d+)/), server.tally.requests);
                } finally {
                    await server.close();
                }
            },
            // 1 request in 20 is never answered, the first one included: each is a timeout, counted.
            "fails when 5 % of requests hang: each is a timed-out, failed request": async () => {
                const server = await startServer((n) => (n % 20 === 1 ? "hang" : { status: 200, delayMs: 1 }));
                try {
                    const result = await run(["--url", server.url, "--timeout", "2", "--profile", shortSpecFile(GENEROUS)]);
                    assert.equal(result.exitCode, EXIT.loadTestFailed, result.out + result.err);
                    assert.match(result.out, /FAIL {2}failed requests [\d.]+% of \d+ \(.*timed out \d+/);
                    assert.ok(printed(result.out, /failed requests .*timed out (\d+)/) >= server.tally.hung, result.out);
                    assert.equal(printed(result.out, /failed requests [\d.]+% of (\d+)/), server.tally.requests);
                } finally {
                    await server.close();
                }
            },
            // 1 request in 50 answers 503, the first one included: at least 2 % whatever the request count.
            "fails when 2 % of requests answer 503, naming the status": async () => {
                const server = await startServer((n) => ({ status: n % 50 === 1 ? 503 : 200, delayMs: 1 }));
                try {
                    const result = await run(["--url", server.url, "--profile", shortSpecFile({ ...GENEROUS, thinkTimeSeconds: 0.02, users: 5 })]);
                    assert.equal(result.exitCode, EXIT.loadTestFailed, result.out + result.err);
                    assert.match(result.out, /PASS {2}p95 response time/);
                    assert.equal(printed(result.out, /FAIL {2}failed requests [\d.]+% of \d+ \(HTTP 503 (\d+)\)/), server.tally.statuses[503]);
                } finally {
                    await server.close();
                }
            },
            // Every request pays a 3 s TLS handshake (the server closes each connection): none of it is response time.
            "does not count a slow connection set-up as slow responses": async () => {
                const certificate = selfSignedCertificate();
                const server = await startServer(() => ({ status: 200, delayMs: 1 }), { ...certificate, handshakeDelayMs: 3000, close: true });
                try {
                    const result = await run(["--url", server.url, "--ca-cert", certificate.certFile, "--profile", shortSpecFile({ p95Ms: 2000 })]);
                    assert.equal(result.exitCode, EXIT.ok, result.out + result.err);
                    assert.match(result.out, /PASS {2}p95 response time \d+ ms \(threshold < 2000 ms\)/);
                    assert.ok(printed(result.out, /connection\(s\) opened, set-up p95 (\d+) ms/) >= 3000, result.out);
                } finally {
                    await server.close();
                }
            },
            "reports a refused connection at once, before any user starts": async () => {
                const result = await run(["--url", `http://127.0.0.1:${await closedPort()}`, "--profile", "seed"]);
                assert.equal(result.exitCode, EXIT.failed, result.out + result.err);
                assert.match(result.err, /loadtest: cannot run against the target: book-list \(GET http:\/\/127\.0\.0\.1:\d+\/api\/books\?pageSize=100\): connection refused$/);
                assert.ok(!/users +\d+ ·/.test(result.out), "no progress line: the 16-minute profile never started");
            },
            // The api goes away after the setup: users keep their think time between attempts, the causes say what happened.
            "reports an api that goes away mid-run as refused connections, one attempt per user per think time": async () => {
                let server: Awaited<ReturnType<typeof startServer>> | undefined;
                server = await startServer(() => {
                    void server?.close();
                    return { status: 200, delayMs: 0 };
                });
                const result = await run(["--url", server.url, "--profile", shortSpecFile({ ...GENEROUS, thinkTimeSeconds: 1 })]);
                assert.equal(result.exitCode, EXIT.loadTestFailed, result.out + result.err);
                assert.match(result.out, /errors [\d.]+% \(.*connection refused \d+/);
                // 3 users, 4 s, 1 s think time: at most about 3 × 5 attempts, not a flood.
                assert.ok(printed(result.out, /failed requests .*connection refused (\d+)/) <= 18, result.out);
            },
        };
        // Each scenario plays a 4-second profile against its own server, mostly waiting: they run side
        // by side, started together, and each test checks its own.
        const runs = new Map<string, Promise<void>>();
        before(() => {
            for (const [name, scenario] of Object.entries(scenarios)) {
                const promise = scenario();
                promise.catch(() => undefined); // reported by its test, not as an unhandled rejection
                runs.set(name, promise);
            }
        });
        for (const name of Object.keys(scenarios)) it(name, () => runs.get(name));
    });

    describe("usage", () => {
        it("needs a target, a known profile and an http(s) URL (exit 2)", async () => {
            assert.match((await cli(["loadtest"])).err, /pass --stack <name> .* or --url <api base url>/);
            assert.equal((await cli(["loadtest", "--url", "ftp://x"])).exitCode, EXIT.usage);
            assert.equal((await cli(["loadtest", "--url", "http://127.0.0.1:9", "--profile", "soak"])).exitCode, EXIT.usage);
            assert.equal((await cli(["loadtest", "--url", "http://127.0.0.1:9", "--engine", "cloud"])).exitCode, EXIT.usage);
            assert.match((await cli(["loadtest", "--url", "https://127.0.0.1:9", "--ca-cert", "/nonexistent.pem"])).err, /--ca-cert: cannot read \/nonexistent\.pem \(ENOENT\)/);
            const noResource = await cli(["loadtest", "--stack", "dev", "--engine", "azure", "--url", "https://api.example"], {
                runner: new FakePulumiCli().on("stack output", { stdout: JSON.stringify({ apiUrl: "https://api.internal.example" }) }),
            });
            assert.equal(noResource.exitCode, EXIT.usage);
            assert.match(noResource.err, /no loadTestingId output: turn on bookstore:loadTesting\.enabled/);
        });
        it("refuses the azure engine without --url: Azure Load Testing cannot reach the api's in-network entry", async () => {
            const result = await cli(["loadtest", "--stack", "prod", "--engine", "azure"]);
            assert.equal(result.exitCode, EXIT.usage);
            assert.match(result.err, /--engine azure needs --url: an api entry Azure Load Testing's engines can reach/);
        });
    });

    describe("azure engine", () => {
        const ID = "/subscriptions/0000/resourceGroups/bookstore-prod-rg/providers/Microsoft.LoadTestService/loadTests/bookstore-prod-alt";

        /** Stands in for az: records each call; `load test-run show` walks through `runs`. */
        function fakeAz(runs: object[], testExists = false) {
            const calls: string[][] = [];
            let shown = 0;
            const az: AzRunner = {
                async run(args) {
                    calls.push(args);
                    const command = args.slice(0, 3).join(" ");
                    if (command === "load test show") return { stdout: "", stderr: "ResourceNotFound", exitCode: testExists ? 0 : 3 };
                    if (command === "load test-run show") return { stdout: JSON.stringify(runs[Math.min(shown++, runs.length - 1)]), stderr: "", exitCode: 0 };
                    return { stdout: "{}", stderr: "", exitCode: 0 };
                },
            };
            return { az, calls };
        }
        const outputs = (extra: object = {}) => new FakePulumiCli().on("stack output", { stdout: JSON.stringify({ apiUrl: "http://api.bookstore.svc.cluster.local", loadTestingId: ID, ...extra }) });
        const API = "https://api-lb.bookstore.example";

        it("creates the test from loadtest/azure, starts a run with the api's URL and profile, and reports the service's verdict", async () => {
            const { az, calls } = fakeAz([
                { status: "EXECUTING", virtualUsers: 120, testRunStatistics: { Total: { sampleCount: 5000, errorCount: 3, pct95ResTime: 210, throughput: 95.5 } } },
                { status: "DONE", testResult: "PASSED", virtualUsers: 200, testRunStatistics: { Total: { sampleCount: 150000, errorCount: 30, pct95ResTime: 230, throughput: 160 } } },
            ]);
            const run = await cli(["loadtest", "--stack", "prod", "--engine", "azure", "--url", API, "--poll-seconds", "0.01"], { runner: outputs(), az });
            assert.equal(run.exitCode, EXIT.ok, run.out + run.err);
            const where = ["--load-test-resource", "bookstore-prod-alt", "--resource-group", "bookstore-prod-rg"];
            const env = ["--env", `API_URL=${API}`, "LOAD_PROFILE=seed"];
            assert.deepEqual(calls[0], ["load", "test", "show", ...where, "--test-id", "bookstore-load", "--output", "json"]);
            assert.deepEqual(calls[1], ["load", "test", "create", ...where, "--test-id", "bookstore-load", "--load-test-config-file", AZURE_TEST_CONFIG, ...env, "--output", "json"]);
            const runId = calls[2][calls[2].indexOf("--test-run-id") + 1];
            assert.match(runId, /^seed-\d{8}t\d{6}$/);
            assert.deepEqual(calls[2], ["load", "test-run", "create", ...where, "--test-id", "bookstore-load", "--test-run-id", runId, "--display-name", "BookStore seed", ...env, "--output", "json"]);
            assert.deepEqual(calls[3], ["load", "test-run", "show", ...where, "--test-run-id", runId, "--output", "json"]);
            assert.match(run.out, /EXECUTING · users 120 · 95\.5 req\/s · p95 210 ms · errors 0\.06%/);
            assert.match(run.out, /result PASSED/);
            assert.match(run.out, /Verdict: PASS/);
        });

        it("updates an existing test and exits 7 when the service fails the criteria", async () => {
            const { az, calls } = fakeAz([{ status: "DONE", testResult: "FAILED", testRunStatistics: { Total: { sampleCount: 1000, errorCount: 50, pct95ResTime: 900, throughput: 10 } } }], true);
            const run = await cli(["loadtest", "--stack", "prod", "--engine", "azure", "--profile", "smoke", "--url", "https://staging.example", "--poll-seconds", "0.01"], { runner: outputs(), az });
            assert.equal(run.exitCode, EXIT.loadTestFailed, run.out + run.err);
            assert.equal(calls[1][2], "update");
            assert.ok(calls[2].includes("API_URL=https://staging.example") && calls[2].includes("LOAD_PROFILE=smoke"));
            assert.match(run.out, /FAIL {2}p95 response time 900 ms/);
        });

        it("reports an az failure without a stack trace (exit 1)", async () => {
            const az: AzRunner = { run: async (args) => (args[2] === "create" ? { stdout: "", stderr: "ERROR: (AuthorizationFailed) no access", exitCode: 1 } : { stdout: "", stderr: "", exitCode: 3 }) };
            const run = await cli(["loadtest", "--stack", "prod", "--engine", "azure", "--url", API], { runner: outputs(), az });
            assert.equal(run.exitCode, EXIT.failed);
            assert.match(run.err, /loadtest: az load test create failed: ERROR: \(AuthorizationFailed\) no access/);
        });

        it("reads the resource from its id and names runs within the service's rules", () => {
            assert.deepEqual(parseLoadTestId(ID), { resourceGroup: "bookstore-prod-rg", name: "bookstore-prod-alt" });
            assert.throws(() => parseLoadTestId("/subscriptions/0/resourceGroups/rg/providers/Microsoft.Web/sites/x"), /expected an Azure Load Testing resource id/);
            assert.equal(testRunId("seed", new Date("2026-11-29T20:15:00.123Z")), "seed-20261129t201500");
        });
    });
});
