import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { EXIT, runCli } from "../../tools/cli";
import type { AzRunner } from "../../tools/loadtest";
import { generatedFiles } from "../../tools/loadtest/artifacts";
import { AZURE_TEST_CONFIG, parseLoadTestId, testRunId } from "../../tools/loadtest/azure";
import { connectionRate, slices } from "../../tools/loadtest/local";
import { LOADTEST_DIR, readSpec, resolveProfile, totalSeconds, usersAt } from "../../tools/loadtest/profile";
import { judge, percentile } from "../../tools/loadtest/verdict";
import { FakePulumiCli } from "./automationFakeCli";

/** A real HTTP server on loopback; `answer` decides each response (status and delay). */
async function startServer(answer: (count: number, url: string) => { status: number; delayMs: number }) {
    let count = 0;
    const paths: string[] = [];
    const server = http.createServer((req, res) => {
        const { status, delayMs } = answer(++count, req.url ?? "");
        paths.push(req.url ?? "");
        setTimeout(() => res.writeHead(status, { "content-type": "application/json" }).end("{}"), delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        paths,
        close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
    };
}

/**
 * The shipped spec with a profile of seconds instead of minutes. A run expected to pass gets a p95
 * threshold no loaded CI machine can miss against a loopback server (the seed's 500 ms is asserted
 * on the profile itself, and the slow-server run keeps it); timing is not what those runs test.
 */
function shortSpecFile(thresholds?: { p95Ms: number }): string {
    const spec = readSpec();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "loadtest-")), "short.json");
    fs.writeFileSync(file, JSON.stringify({ ...spec, thresholds: { ...spec.thresholds, ...thresholds }, profiles: { short: [
        { durationSeconds: 1, target: 3 }, { durationSeconds: 2, target: 3 }, { durationSeconds: 1, target: 0 },
    ] } }));
    return file;
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
        it("holds the seed's stages, requests, think time and thresholds", () => {
            const seed = resolveProfile("seed");
            assert.deepEqual(seed.stages.map((s) => [s.durationSeconds, s.target]), [[120, 100], [300, 100], [120, 200], [300, 200], [120, 0]]);
            assert.deepEqual(seed.requests.map((r) => r.path), ["/api/books/search?query=architecture", "/api/books/123e4567-e89b-12d3-a456-426614174000"]);
            assert.equal(seed.thinkTimeSeconds, 1);
            assert.deepEqual(seed.thresholds, { p95Ms: 500, failedPercent: 1 });
            assert.equal(totalSeconds(seed.stages), 16 * 60);
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
            const config = fs.readFileSync(AZURE_TEST_CONFIG, "utf8");
            assert.match(config, /testType: Locust/);
            assert.match(config, /- p95\(response_time_ms\) > 500\n\s+- percentage\(error\) > 1\n/);
            assert.match(fs.readFileSync(path.join(LOADTEST_DIR, "azure", "locustfile.py"), "utf8"), /"seed": \[\(120, 100\), \(300, 100\), \(120, 200\), \(300, 200\), \(120, 0\)\]/);
        });

        it("names an unknown profile", () => {
            assert.throws(() => resolveProfile("soak"), /unknown profile "soak" \(expected one of seed, smoke/);
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
        it("takes nearest-rank percentiles", () => {
            const samples = Array.from({ length: 100 }, (_, i) => i + 1);
            assert.equal(percentile(samples, 95), 95);
            assert.equal(percentile([5], 95), 5);
        });
    });

    describe("local engine", () => {
        it("plays stages as slices of the right user count, one request per second per user", () => {
            const short = resolveProfile(shortSpecFile());
            assert.deepEqual(slices(short).map((s) => s.users), [2, 3, 3, 2]);
            assert.equal(slices(resolveProfile("seed")).length, 96);
            assert.equal(connectionRate(1), 1);
        });

        const GENEROUS = { p95Ms: 30_000 };
        const fastServerThroughOutput = async () => {
            const server = await startServer(() => ({ status: 200, delayMs: 5 }));
            try {
                const runner = new FakePulumiCli().on("stack output", { stdout: JSON.stringify({ publicWebUrl: server.url }) });
                const run = await cli(["loadtest", "--stack", "prod", "--profile", shortSpecFile(GENEROUS)], { runner });
                assert.equal(run.exitCode, EXIT.ok, run.out + run.err);
                assert.match(run.out, /users +3 · [\d.]+ req\/s · p95 \d+ ms · errors 0\.00%/);
                assert.match(run.out, /PASS {2}p95 response time \d+ ms \(threshold < 30000 ms\)/);
                assert.match(run.out, /Verdict: PASS/);
                // Each user makes the seed's two requests in turn.
                assert.ok(server.paths.includes("/api/books/search?query=architecture"));
                assert.ok(server.paths.includes("/api/books/123e4567-e89b-12d3-a456-426614174000"));
            } finally {
                await server.close();
            }
        };

        const urlOverOutput = async () => {
            const server = await startServer(() => ({ status: 200, delayMs: 1 }));
            try {
                const runner = new FakePulumiCli().on("stack output", { stdout: JSON.stringify({ publicWebUrl: "http://127.0.0.1:9" }) });
                const run = await cli(["loadtest", "--stack", "prod", "--url", server.url, "--profile", shortSpecFile(GENEROUS)], { runner });
                assert.equal(run.exitCode, EXIT.ok, run.out + run.err);
                assert.ok(run.out.includes(`against ${server.url} on the local engine`));
                assert.deepEqual(runner.commands(), []);
            } finally {
                await server.close();
            }
        };

        const slowServer = async () => {
            const server = await startServer(() => ({ status: 200, delayMs: 650 }));
            try {
                const run = await cli(["loadtest", "--url", server.url, "--profile", shortSpecFile()]);
                assert.equal(run.exitCode, EXIT.loadTestFailed, run.out + run.err);
                const p95 = /FAIL {2}p95 response time (\d+) ms/.exec(run.out);
                assert.ok(p95 && Number(p95[1]) >= 650, run.out);
                assert.match(run.out, /Verdict: FAIL/);
            } finally {
                await server.close();
            }
        };

        const failingServer = async () => {
            const server = await startServer((count) => ({ status: count % 5 === 0 ? 503 : 200, delayMs: 1 }));
            try {
                const run = await cli(["loadtest", "--url", server.url, "--profile", shortSpecFile()]);
                assert.equal(run.exitCode, EXIT.loadTestFailed, run.out + run.err);
                const failed = /FAIL {2}failed requests (\d+\.\d\d)% of \d+/.exec(run.out);
                assert.ok(failed && Number(failed[1]) >= 5, run.out);
            } finally {
                await server.close();
            }
        };

        // Each run plays a 4-second profile against its own server, mostly waiting: they run side by
        // side, started together, and each test checks its own.
        const runs = new Map<number, Promise<void>>();
        before(() => {
            for (const [i, run] of [fastServerThroughOutput, urlOverOutput, slowServer, failingServer].entries()) {
                const promise = run();
                promise.catch(() => undefined); // reported by its test, not as an unhandled rejection
                runs.set(i, promise);
            }
        });
        it("passes against a fast server reached through the stack's publicWebUrl output", () => runs.get(0));
        it("targets --url over the stack's output, without asking the stack", () => runs.get(1));
        it("fails the verdict against a slow server (p95 over 500 ms) and exits 7", () => runs.get(2));
        it("fails the verdict against a server that answers 5xx to one request in five", () => runs.get(3));
    });

    describe("usage", () => {
        it("needs a target, a known profile and an http(s) URL (exit 2)", async () => {
            assert.match((await cli(["loadtest"])).err, /pass --stack <name> .* or --url <url>/);
            assert.equal((await cli(["loadtest", "--url", "ftp://x"])).exitCode, EXIT.usage);
            assert.equal((await cli(["loadtest", "--url", "http://127.0.0.1:9", "--profile", "soak"])).exitCode, EXIT.usage);
            assert.equal((await cli(["loadtest", "--url", "http://127.0.0.1:9", "--engine", "cloud"])).exitCode, EXIT.usage);
            const noResource = await cli(["loadtest", "--stack", "dev", "--engine", "azure"], {
                runner: new FakePulumiCli().on("stack output", { stdout: JSON.stringify({ publicWebUrl: "https://dev.example" }) }),
            });
            assert.equal(noResource.exitCode, EXIT.usage);
            assert.match(noResource.err, /no loadTestingId output: turn on bookstore:loadTesting\.enabled/);
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
        const outputs = (extra: object = {}) => new FakePulumiCli().on("stack output", { stdout: JSON.stringify({ publicWebUrl: "https://shop.example", loadTestingId: ID, ...extra }) });

        it("creates the test from loadtest/azure, starts a run with the target and profile, and reports the service's verdict", async () => {
            const { az, calls } = fakeAz([
                { status: "EXECUTING", virtualUsers: 120, testRunStatistics: { Total: { sampleCount: 5000, errorCount: 3, pct95ResTime: 210, throughput: 95.5 } } },
                { status: "DONE", testResult: "PASSED", virtualUsers: 200, testRunStatistics: { Total: { sampleCount: 150000, errorCount: 30, pct95ResTime: 230, throughput: 160 } } },
            ]);
            const run = await cli(["loadtest", "--stack", "prod", "--engine", "azure", "--poll-seconds", "0.01"], { runner: outputs(), az });
            assert.equal(run.exitCode, EXIT.ok, run.out + run.err);
            const where = ["--load-test-resource", "bookstore-prod-alt", "--resource-group", "bookstore-prod-rg"];
            const env = ["--env", "TARGET_URL=https://shop.example", "LOAD_PROFILE=seed"];
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

        it("updates an existing test, targets --url, and exits 7 when the service fails the criteria", async () => {
            const { az, calls } = fakeAz([{ status: "DONE", testResult: "FAILED", testRunStatistics: { Total: { sampleCount: 1000, errorCount: 50, pct95ResTime: 900, throughput: 10 } } }], true);
            const run = await cli(["loadtest", "--stack", "prod", "--engine", "azure", "--profile", "smoke", "--url", "https://staging.example", "--poll-seconds", "0.01"], { runner: outputs(), az });
            assert.equal(run.exitCode, EXIT.loadTestFailed, run.out + run.err);
            assert.equal(calls[1][2], "update");
            assert.ok(calls[2].includes("TARGET_URL=https://staging.example") && calls[2].includes("LOAD_PROFILE=smoke"));
            assert.match(run.out, /FAIL {2}p95 response time 900 ms/);
        });

        it("reports an az failure without a stack trace (exit 1)", async () => {
            const az: AzRunner = { run: async (args) => (args[2] === "create" ? { stdout: "", stderr: "ERROR: (AuthorizationFailed) no access", exitCode: 1 } : { stdout: "", stderr: "", exitCode: 3 }) };
            const run = await cli(["loadtest", "--stack", "prod", "--engine", "azure"], { runner: outputs(), az });
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
