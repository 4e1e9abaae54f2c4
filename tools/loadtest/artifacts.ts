/**
 * The files other load generators run, rendered from loadtest/profile.json: a k6 script (the seed's
 * own tool) and an Azure Load Testing test (a Locust script with a load shape, plus its YAML test
 * configuration whose fail criteria are the thresholds). `generate.ts` writes them; a test checks
 * the committed copies against these functions.
 */
import { k6Duration, LoadTestSpec } from "./profile";

/** Azure Load Testing test id (2-50 of [a-z0-9_-]: the YAML reference's rule). */
export const AZURE_TEST_ID = "bookstore-load";
/** Environment variables the generated scripts read: the api's base URL, and the profile. */
export const TARGET_ENV = "API_URL";
export const PROFILE_ENV = "LOAD_PROFILE";

const HEADER = "Generated from loadtest/profile.json by tools/loadtest/generate.ts: edit the profile, then regenerate.";

/** A request path as a JS template literal body: `{bookId}` reads the setup's ids, spread over users and iterations. */
function k6Path(requestPath: string): string {
    return requestPath.replace(/\{([^}]*)\}/g, (_, name: string) => `\${encodeURIComponent(pick(data.${name}))}`);
}

/** k6 script: every profile of the spec, chosen with `-e LOAD_PROFILE=<name>` (default seed). */
export function k6Script(spec: LoadTestSpec): string {
    const profiles = Object.entries(spec.profiles).map(([name, stages]) =>
        `    ${JSON.stringify(name)}: [\n${stages.map((s) => `        { duration: '${k6Duration(s.durationSeconds)}', target: ${s.target} },`).join("\n")}\n    ],`);
    const p95 = spec.thresholds.p95Ms;
    const requests = spec.requests.map((request) => [
        `    res = http.get(\`\${BASE_URL}${k6Path(request.path)}\`, { tags: { name: '${request.name}' } });`,
        // The seed's checks (they report; the thresholds decide).
        `    check(res, { '${request.name} status is 200': (r) => r.status === 200, '${request.name} response time < ${p95}ms': (r) => r.timings.duration < ${p95} });`,
        `    sleep(${spec.thinkTimeSeconds});`,
    ].join("\n"));
    const setup = spec.setup;
    const setupLines = setup ? [
        "// Once, before the users start: real ids for the requests that need one.",
        "export function setup() {",
        `    const res = http.get(\`\${BASE_URL}${setup.path}\`, { tags: { name: '${setup.name}' } });`,
        `    if (res.status !== 200) throw new Error(\`${setup.name}: HTTP \${res.status} from \${res.url} (is ${TARGET_ENV} the api's base URL?)\`);`,
        `    const ids = (res.json('${setup.collect.list}') || []).map((item) => item.${setup.collect.field}).filter(Boolean);`,
        `    if (ids.length === 0) throw new Error('${setup.name} listed no ${setup.collect.list}: the requests need real ids (seed the app data first)');`,
        `    return { ${setup.collect.as}: ids };`,
        "}",
        "",
        "const pick = (ids) => ids[(__VU + __ITER) % ids.length];",
        "",
    ] : [];
    return [
        `// ${HEADER}`,
        `// Run next to the api (docs/load-testing.md): k6 run -e ${TARGET_ENV}=<the stack's apiUrl> [-e LOAD_PROFILE=smoke] load-test.js`,
        "import http from 'k6/http';",
        "import { check, sleep } from 'k6';",
        "",
        `const BASE_URL = (__ENV.${TARGET_ENV} || '').replace(/\\/+$/, '');`,
        `if (!BASE_URL) throw new Error('set ${TARGET_ENV} to the api base URL (the stack apiUrl output), e.g. k6 run -e ${TARGET_ENV}=http://api.bookstore.svc.cluster.local load-test.js');`,
        "const PROFILES = {",
        ...profiles,
        "};",
        `const PROFILE = __ENV.${PROFILE_ENV} || 'seed';`,
        "if (!PROFILES[PROFILE]) throw new Error(`unknown ${PROFILE_ENV} ${PROFILE}: expected one of ${Object.keys(PROFILES).join(', ')}`);".replace("${PROFILE_ENV}", PROFILE_ENV),
        "",
        "export const options = {",
        "    stages: PROFILES[PROFILE],",
        "    thresholds: {",
        `        http_req_duration: ['p(95)<${p95}'],`,
        `        http_req_failed: ['rate<${spec.thresholds.failedPercent / 100}'],`,
        "    },",
        "};",
        "",
        ...setupLines,
        `export default function (${setup ? "data" : ""}) {`,
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
    const setup = spec.setup;
    const setupValue = setup
        ? `(${[setup.name, setup.path, setup.collect.as, setup.collect.list, setup.collect.field].map((v) => JSON.stringify(v)).join(", ")})`
        : "None";
    return [
        `# ${HEADER}`,
        "import os",
        "from urllib.parse import quote",
        "",
        "from locust import HttpUser, LoadTestShape, constant, task",
        "from locust.exception import StopUser",
        "",
        "# (seconds, target users): the user count moves linearly to each target, as k6 stages do.",
        "PROFILES = {",
        ...profiles,
        "}",
        `STAGES = PROFILES[os.environ.get("${PROFILE_ENV}", "seed")]`,
        "REQUESTS = [",
        ...requests,
        "]",
        "# (name, path, variable, list, field): real ids for the {variable} of request paths, or None.",
        `SETUP = ${setupValue}`,
        "",
        "",
        "class BookstoreUser(HttpUser):",
        `    host = os.environ.get("${TARGET_ENV}")`,
        `    wait_time = constant(${spec.thinkTimeSeconds})`,
        "",
        "    def on_start(self):",
        "        self.turn = 0",
        "        self.ids = {}",
        "        if SETUP is None:",
        "            return",
        "        name, path, variable, items, field = SETUP",
        "        with self.client.get(path, name=name, catch_response=True) as response:",
        "            listed = response.json().get(items) if response.status_code == 200 else None",
        "            ids = [item.get(field) for item in listed or [] if item.get(field)]",
        "            if not ids:",
        "                response.failure(f\"{name} listed no {items}: the requests need real ids\")",
        "                raise StopUser()",
        "        self.ids[variable] = ids",
        "",
        "    @task",
        "    def next_request(self):",
        "        name, path = REQUESTS[self.turn % len(REQUESTS)]",
        "        self.turn += 1",
        "        values = {key: quote(str(ids[self.turn % len(ids)]), safe=\"\") for key, ids in self.ids.items()}",
        "        self.client.get(path.format(**values), name=name)",
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
        "description: The api's book search and book detail, staged users, seed thresholds",
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
