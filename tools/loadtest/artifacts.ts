/**
 * The files other load generators run, rendered from loadtest/profile.json: a k6 script (the seed's
 * own tool) and an Azure Load Testing test (a Locust script with a load shape, plus its YAML test
 * configuration whose fail criteria are the thresholds). `generate.ts` writes them; a test checks
 * the committed copies against these functions.
 */
import { k6Duration, LoadTestSpec } from "./profile";

/** Azure Load Testing test id (2-50 of [a-z0-9_-]: the YAML reference's rule). */
export const AZURE_TEST_ID = "bookstore-load";
/** Environment variables the generated scripts read. */
export const TARGET_ENV = "TARGET_URL";
export const PROFILE_ENV = "LOAD_PROFILE";

const HEADER = "Generated from loadtest/profile.json by tools/loadtest/generate.ts: edit the profile, then regenerate.";

/** k6 script: every profile of the spec, chosen with `-e LOAD_PROFILE=<name>` (default seed). */
export function k6Script(spec: LoadTestSpec): string {
    const profiles = Object.entries(spec.profiles).map(([name, stages]) =>
        `    ${JSON.stringify(name)}: [\n${stages.map((s) => `        { duration: '${k6Duration(s.durationSeconds)}', target: ${s.target} },`).join("\n")}\n    ],`);
    const requests = spec.requests.map((request) => [
        `    res = http.get(\`\${BASE_URL}${request.path}\`, { tags: { name: '${request.name}' } });`,
        `    check(res, { '${request.name} status is 2xx/3xx': (r) => r.status >= 200 && r.status < 400 });`,
        `    sleep(${spec.thinkTimeSeconds});`,
    ].join("\n"));
    return [
        `// ${HEADER}`,
        "// Run: k6 run -e TARGET_URL=https://<publicWebUrl> [-e LOAD_PROFILE=smoke] loadtest/load-test.js",
        "import http from 'k6/http';",
        "import { check, sleep } from 'k6';",
        "",
        `const BASE_URL = (__ENV.${TARGET_ENV} || '').replace(/\\/+$/, '');`,
        `if (!BASE_URL) throw new Error('set ${TARGET_ENV}, e.g. k6 run -e ${TARGET_ENV}=https://bookstore.example loadtest/load-test.js');`,
        "const PROFILES = {",
        ...profiles,
        "};",
        `const PROFILE = __ENV.${PROFILE_ENV} || 'seed';`,
        "if (!PROFILES[PROFILE]) throw new Error(`unknown ${PROFILE_ENV} ${PROFILE}: expected one of ${Object.keys(PROFILES).join(', ')}`);".replace("${PROFILE_ENV}", PROFILE_ENV),
        "",
        "export const options = {",
        "    stages: PROFILES[PROFILE],",
        "    thresholds: {",
        `        http_req_duration: ['p(95)<${spec.thresholds.p95Ms}'],`,
        `        http_req_failed: ['rate<${spec.thresholds.failedPercent / 100}'],`,
        "    },",
        "};",
        "",
        "export default function () {",
        "    let res;",
        ...requests,
        "}",
        "",
    ].join("\n");
}

function pythonStages(stages: LoadTestSpec["profiles"][string]): string {
    return `[${stages.map((s) => `(${s.durationSeconds}, ${s.target})`).join(", ")}]`;
}

/**
 * Locust script for Azure Load Testing: with Locust the load pattern lives in the script (a
 * `LoadTestShape`), the engine count in the test configuration (Microsoft Learn, "Configure Azure
 * Load Testing for high-scale load"). Each user makes the requests in turn, pausing the think time.
 */
export function locustFile(spec: LoadTestSpec): string {
    const profiles = Object.entries(spec.profiles).map(([name, stages]) => `    ${JSON.stringify(name)}: ${pythonStages(stages)},`);
    const requests = spec.requests.map((r) => `    (${JSON.stringify(r.name)}, ${JSON.stringify(r.path)}),`);
    return [
        `# ${HEADER}`,
        "import os",
        "",
        "from locust import HttpUser, LoadTestShape, constant, task",
        "",
        "# (seconds, target users): the user count moves linearly to each target, as k6 stages do.",
        "PROFILES = {",
        ...profiles,
        "}",
        `STAGES = PROFILES[os.environ.get("${PROFILE_ENV}", "seed")]`,
        "REQUESTS = [",
        ...requests,
        "]",
        "",
        "",
        "class BookstoreUser(HttpUser):",
        `    host = os.environ.get("${TARGET_ENV}")`,
        `    wait_time = constant(${spec.thinkTimeSeconds})`,
        "",
        "    def on_start(self):",
        "        self.turn = 0",
        "",
        "    @task",
        "    def next_request(self):",
        "        name, path = REQUESTS[self.turn % len(REQUESTS)]",
        "        self.turn += 1",
        "        self.client.get(path, name=name)",
        "",
        "",
        "class Stages(LoadTestShape):",
        "    def tick(self):",
        "        elapsed = self.get_run_time()",
        "        start, users = 0, 0",
        "        for duration, target in STAGES:",
        "            if elapsed < start + duration:",
        "                now = users + (target - users) * (elapsed - start) / duration",
        "                # Spawn fast enough to follow the steepest ramp; tick() runs every second.",
        "                return (round(now), max(1, abs(target - users) / duration * 2))",
        "            start, users = start + duration, target",
        "        return None",
        "",
    ].join("\n");
}

/**
 * Azure Load Testing YAML test configuration (Microsoft Learn, "Configure a load test in YAML").
 * Fail criteria take `>`/`<` and whole milliseconds, so "p95 < 500 ms" fails the run at p95 > 500.
 */
export function azureTestConfig(spec: LoadTestSpec): string {
    return [
        `# ${HEADER}`,
        "version: v0.1",
        `testId: ${AZURE_TEST_ID}`,
        "displayName: BookStore load test",
        "description: Book search and book detail, staged users, seed thresholds",
        "testType: Locust",
        "testPlan: locustfile.py",
        "engineInstances: 1",
        "failureCriteria:",
        `  - p95(response_time_ms) > ${spec.thresholds.p95Ms}`,
        `  - percentage(error) > ${spec.thresholds.failedPercent}`,
        "",
    ].join("\n");
}

/** Every generated file, relative to loadtest/. */
export function generatedFiles(spec: LoadTestSpec): Record<string, string> {
    return {
        "load-test.js": k6Script(spec),
        "azure/locustfile.py": locustFile(spec),
        "azure/loadtest.yaml": azureTestConfig(spec),
    };
}
