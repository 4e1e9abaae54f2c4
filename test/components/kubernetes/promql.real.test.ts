/**
 * Every PromQL expression the Kubernetes stacks ship — the KEDA triggers, the alert rules (Amazon
 * Managed Prometheus on prod-eks, Azure managed Prometheus rule groups on prod-aks) and the Grafana
 * panels — taken from the offline plans (test/helpers/promql.ts), checked by the real Prometheus
 * (`promtool check rules`) and evaluated by it against input series (`promtool test rules`): ten
 * api pods at known rates and latencies, plus the traffic the signals must leave out.
 *
 * Locally the suite skips (saying why) when promtool is missing; in CI it fails instead.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { APP_RESOURCE_NAMES } from "../../../components/appContract";
import { MIN_REQUESTS_FOR_ALERTS } from "../../../components/kubernetes/prometheus";
import { planned } from "../../helpers/plan";
import { tempDir } from "../../helpers/planJobs";
import { planRuleGroups, promtool, promtoolMissing, recordName, writeRuleFile, type RuleGroup } from "../../helpers/promql";

const API = APP_RESOURCE_NAMES.api;
const WEB = APP_RESOURCE_NAMES.web;
const PODS = 10;

/** ASP.NET Core's bucket advice for http.server.request.duration (seconds). */
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as const;

interface Traffic {
    job?: string;
    /** Pods sending it (instance labels pod-0 ... pod-n). */
    pods?: number;
    route?: string;
    status?: string;
    /** Requests per second per pod. */
    perSecond: number;
    /** Share of the requests whose duration falls at or under each bucket bound (non-cumulative); the rest lands above 10 s. */
    buckets: Partial<Record<(typeof BOUNDS)[number], number>>;
    /** How many 1-minute steps the counters run; they stay flat afterwards when `stopAfter` is set. */
    minutes?: number;
}

/** The histogram's counter series for one kind of traffic, as promtool input series (1-minute interval). */
function histogram(t: Traffic): { series: string; values: string }[] {
    const minutes = t.minutes ?? 40;
    const perMinute = t.perSecond * 60;
    const series: { series: string; values: string }[] = [];
    for (let pod = 0; pod < (t.pods ?? PODS); pod++) {
        const labels = `job="${t.job ?? API}",instance="pod-${pod}",http_route="${t.route ?? "/api/books"}",http_request_method="GET",http_response_status_code="${t.status ?? "200"}"`;
        let cumulative = 0;
        for (const bound of BOUNDS) {
            cumulative += t.buckets[bound] ?? 0;
            series.push({ series: `http_server_request_duration_seconds_bucket{${labels},le="${bound}"}`, values: `0+${perMinute * cumulative}x${minutes}` });
        }
        series.push({ series: `http_server_request_duration_seconds_bucket{${labels},le="+Inf"}`, values: `0+${perMinute}x${minutes}` });
        series.push({ series: `http_server_request_duration_seconds_count{${labels}}`, values: `0+${perMinute}x${minutes}` });
    }
    return series;
}

/** Traffic every scenario has and every signal must leave out: probes, the SSE stream, the web's own requests. */
const NOISE: Traffic[] = [
    // Health probes: every pod, slow (the database check), whatever the load.
    { route: "/health", perSecond: 1, buckets: { 2.5: 1 } },
    { route: "/alive", perSecond: 1, buckets: { 0.005: 1 } },
    // Server-Sent Events streams: each lasts as long as a page stays open.
    { route: "/api/notifications/stream", perSecond: 0.5, buckets: {} },
    // The web's requests: another service's histogram.
    { job: WEB, route: "/", perSecond: 3000, buckets: { 0.75: 1 } },
];

const keda = (trigger: string) => recordName("keda", "api", trigger);
const THROUGHPUT = keda("http-requests-per-second");
const P95 = keda("api-response-time-p95");
/** The Grafana dashboard's Prometheus panels, by title (prod-eks ships Grafana). */
const panel = (title: string, ref = "A") => recordName("dashboard", title, ref);
const RATE_PANEL = panel("Request rate (api)");
const P95_PANEL = panel("p95 response time (api)");
const ERRORS_PANEL = panel("5xx error rate (api)");
const REPLICAS_PANEL = panel("Replicas vs max (HPA)");
const MAX_PANEL = panel("Replicas vs max (HPA)", "B");

interface Scenario {
    name: string;
    series: { series: string; values: string }[];
    values?: { expr: string; at: string; value?: number }[];
    alerts?: { alert: string; at: string; labels?: Record<string, string> }[];
}

const api = (t: Omit<Traffic, "job">) => histogram({ ...t, job: API });
const withNoise = (...series: { series: string; values: string }[][]) => [...series.flat(), ...NOISE.flatMap(histogram)];

/**
 * The scenarios, their expected values worked out by hand from the series (not from the queries).
 * KEDA's HPA reads: AverageValue → desired = ceil(sum / target) (1000 req/s per pod); Value →
 * desired = ceil(current × value / target) (0.5 s).
 */
const SCENARIOS: Scenario[] = [
    {
        // 10 × 1200 req/s = 12000 → ceil(12000 / 1000) = 12 pods wanted (capped at 10). All requests in
        // (0.025, 0.05]: p95 = 0.025 + 0.025 × 0.95 = 0.04875 s, well under 0.5.
        name: "busy and fast: throughput drives the api up",
        series: withNoise(api({ perSecond: 1200, buckets: { 0.05: 1 } })),
        values: [
            { expr: THROUGHPUT, at: "10m", value: 12000 }, { expr: P95, at: "10m", value: 0.04875 },
            { expr: RATE_PANEL, at: "10m", value: 12000 }, { expr: P95_PANEL, at: "10m", value: 0.04875 }, { expr: ERRORS_PANEL, at: "10m", value: 0 },
        ],
        alerts: [{ alert: "ApiP95LatencyHigh", at: "10m" }, { alert: "ApiHttp5xxRateHigh", at: "10m" }, { alert: "ApiRequestMetricsAbsent", at: "30m" }],
    },
    {
        // 10 × 900 req/s = 9000 (9 pods' worth, under the ceiling). 94 % in (0.05, 0.1], 6 % in (0.5, 0.75]:
        // rank 0.95 lies 1/6 into the slow bucket: p95 = 0.5 + 0.25 / 6 = 0.541666… s > 0.5.
        name: "6 % of requests slow: p95 over the seed's 500 ms, the latency alert fires after 5 minutes",
        series: withNoise(api({ perSecond: 900, buckets: { 0.1: 0.94, 0.75: 0.06 } })),
        values: [{ expr: THROUGHPUT, at: "10m", value: 9000 }, { expr: P95, at: "10m", value: 0.5 + 0.25 / 6 }],
        alerts: [{ alert: "ApiP95LatencyHigh", at: "4m" }, { alert: "ApiP95LatencyHigh", at: "10m", labels: { severity: "warning" } }],
    },
    {
        // 96 % in (0.1, 0.25], 4 % in (0.5, 0.75]: rank 0.95 stays in (0.1, 0.25]: p95 = 0.1 + 0.15 × 0.95 / 0.96.
        name: "4 % of requests slow: p95 under 500 ms, quiet",
        series: withNoise(api({ perSecond: 900, buckets: { 0.25: 0.96, 0.75: 0.04 } })),
        values: [{ expr: P95, at: "10m", value: 0.1 + (0.15 * 0.95) / 0.96 }],
        alerts: [{ alert: "ApiP95LatencyHigh", at: "10m" }],
    },
    {
        // 10 × 100 req/s, of which 2 per s answered 503 per pod: 2 % > 1 %.
        name: "2 % of requests answered 503: the 5xx alert fires after 5 minutes",
        series: withNoise(api({ perSecond: 98, buckets: { 0.05: 1 } }), api({ perSecond: 2, status: "503", buckets: { 0.05: 1 } })),
        values: [{ expr: THROUGHPUT, at: "10m", value: 1000 }, { expr: ERRORS_PANEL, at: "10m", value: 2 }],
        alerts: [{ alert: "ApiHttp5xxRateHigh", at: "4m" }, { alert: "ApiHttp5xxRateHigh", at: "10m", labels: { severity: "critical" } }],
    },
    {
        // 0.5 % 503: under 1 %.
        name: "0.5 % of requests answered 503: quiet",
        series: withNoise(api({ perSecond: 199, buckets: { 0.05: 1 } }), api({ perSecond: 1, status: "503", buckets: { 0.05: 1 } })),
        alerts: [{ alert: "ApiHttp5xxRateHigh", at: "10m" }],
    },
    {
        // One pod, one slow 503 every minute: p95 and the 5xx share are 100 %, but 5 requests in 5 minutes are under the floor.
        name: "a quiet night: a few slow errors under the request floor page no one",
        series: withNoise(api({ pods: 1, perSecond: 1 / 60, status: "503", buckets: { 2.5: 1 } })),
        alerts: [{ alert: "ApiP95LatencyHigh", at: "30m" }, { alert: "ApiHttp5xxRateHigh", at: "30m" }],
    },
    {
        // Counters that stop moving: no requests. Throughput 0; no percentile (not NaN); the series still exist.
        name: "an idle api: throughput 0, p95 absent (never NaN), nothing fires",
        series: withNoise(api({ perSecond: 0, buckets: { 0.05: 1 } })),
        values: [{ expr: THROUGHPUT, at: "10m", value: 0 }, { expr: P95, at: "10m" }],
        alerts: [{ alert: "ApiRequestMetricsAbsent", at: "30m" }, { alert: "ApiP95LatencyHigh", at: "30m" }],
    },
    {
        // Only the web's series: the api sends no telemetry. KEDA's triggers read nothing (0 with ignoreNullValues).
        name: "no telemetry from the api: the triggers read nothing and the absence alert fires after 15 minutes",
        series: NOISE.slice(3).flatMap(histogram),
        values: [{ expr: THROUGHPUT, at: "10m" }, { expr: P95, at: "10m" }],
        alerts: [{ alert: "ApiRequestMetricsAbsent", at: "14m" }, { alert: "ApiRequestMetricsAbsent", at: "16m", labels: { job: API, severity: "warning" } }],
    },
];

/** kube-state-metrics series: the api's HPA at its ceiling of 10, the web's below; two ksm targets report each. */
const KSM: Scenario[] = [
    {
        name: "an HPA at its ceiling for 10 minutes, reported by two kube-state-metrics targets",
        series: ["ksm-a", "ksm-b"].flatMap((instance) => [
            { series: `kube_horizontalpodautoscaler_status_current_replicas{namespace="bookstore",horizontalpodautoscaler="keda-hpa-api",instance="${instance}"}`, values: "10x30" },
            { series: `kube_horizontalpodautoscaler_spec_max_replicas{namespace="bookstore",horizontalpodautoscaler="keda-hpa-api",instance="${instance}"}`, values: "10x30" },
            { series: `kube_horizontalpodautoscaler_status_current_replicas{namespace="bookstore",horizontalpodautoscaler="web-hpa",instance="${instance}"}`, values: "5x30" },
            { series: `kube_horizontalpodautoscaler_spec_max_replicas{namespace="bookstore",horizontalpodautoscaler="web-hpa",instance="${instance}"}`, values: "8x30" },
            { series: `kube_deployment_status_replicas_available{namespace="bookstore",deployment="pgbouncer",instance="${instance}"}`, values: "3x30" },
        ]),
        values: [
            { expr: `${REPLICAS_PANEL}{horizontalpodautoscaler="keda-hpa-api"}`, at: "10m", value: 10 },
            { expr: `${REPLICAS_PANEL}{horizontalpodautoscaler="web-hpa"}`, at: "10m", value: 5 },
            { expr: `${MAX_PANEL}{horizontalpodautoscaler="web-hpa"}`, at: "10m", value: 8 },
        ],
        alerts: [
            { alert: "HpaAtMaxReplicas", at: "9m" },
            { alert: "HpaAtMaxReplicas", at: "10m", labels: { namespace: "bookstore", horizontalpodautoscaler: "keda-hpa-api", severity: "warning" } },
            { alert: "PgBouncerUnavailable", at: "10m" },
        ],
    },
    {
        name: "no PgBouncer pod available: fires after 2 minutes",
        series: [{ series: 'kube_deployment_status_replicas_available{namespace="bookstore",deployment="pgbouncer",instance="ksm-a"}', values: "0x30" }],
        alerts: [{ alert: "PgBouncerUnavailable", at: "1m" }, { alert: "PgBouncerUnavailable", at: "5m", labels: { severity: "critical" } }],
    },
    {
        name: "PgBouncer's series gone (the Deployment deleted, or kube-state-metrics blind to it): fires too",
        series: [{ series: 'kube_deployment_status_replicas_available{namespace="bookstore",deployment="api",instance="ksm-a"}', values: "2x30" }],
        alerts: [{ alert: "PgBouncerUnavailable", at: "5m", labels: { namespace: "bookstore", deployment: "pgbouncer", severity: "critical" } }],
    },
];

/**
 * promtool compares samples exactly: a whole expected value is compared as it is, a fraction within
 * 1e-9 (`abs(x - expected) < bool 1e-9` is 1), and no value means no sample at all.
 */
function valueTest(expr: string, at: string, value: number | undefined) {
    if (value === undefined) return { expr, eval_time: at, exp_samples: [] };
    if (Number.isInteger(value)) return { expr, eval_time: at, exp_samples: [{ labels: expr, value }] };
    return { expr: `abs(${expr} - ${value}) < bool 1e-9`, eval_time: at, exp_samples: [{ labels: "{}", value: 1 }] };
}

/** A promtool unit-test file over the given rule file; an alert with no labels expected is expected not to fire. */
function unitTests(ruleFile: string, scenarios: Scenario[], defined: Set<string>): string {
    return stringify({
        rule_files: [ruleFile],
        evaluation_interval: "1m",
        tests: scenarios.map((s) => ({
            name: s.name,
            interval: "1m",
            input_series: s.series,
            promql_expr_test: (s.values ?? []).filter((v) => defined.has(v.expr.split("{")[0])).map((v) => valueTest(v.expr, v.at, v.value)),
            alert_rule_test: (s.alerts ?? []).filter((a) => defined.has(a.alert)).map((a) => ({
                eval_time: a.at, alertname: a.alert, exp_alerts: a.labels ? [{ exp_labels: a.labels }] : [],
            })),
        })),
    }, { lineWidth: 0 });
}

const names = (groups: RuleGroup[]) => new Set(groups.flatMap((g) => g.rules.map((r) => r.alert ?? r.record!)));

for (const stack of ["prod-eks", "prod-aks"]) {
    describe(`PromQL of ${stack}'s plan, evaluated by promtool`, function () {
        this.timeout(300_000);
        const plan = planned(stack);
        let dir: string;
        let groups: RuleGroup[];
        let ruleFile: string;
        before(function () {
            const missing = promtoolMissing();
            if (missing) {
                if (process.env.CI) throw new Error(`CI must run the promtool tests, but ${missing}`);
                console.log(`      skipped: ${missing}; .ci/run installs it`);
                this.skip();
            }
            groups = planRuleGroups(plan());
            dir = tempDir("promql-");
            ruleFile = writeRuleFile(dir, stack, groups);
        });

        it("carries the KEDA triggers and every alert rule, and promtool accepts them all", () => {
            const defined = names(groups);
            const expected = [THROUGHPUT, P95, "HpaAtMaxReplicas", "PgBouncerUnavailable", "ApiHttp5xxRateHigh", "ApiP95LatencyHigh", "ApiRequestMetricsAbsent",
                ...(stack === "prod-eks" ? [RATE_PANEL, P95_PANEL, ERRORS_PANEL, REPLICAS_PANEL, MAX_PANEL] : [])];
            for (const name of expected) assert.ok(defined.has(name), `${name} is not in ${stack}'s plan`);
            const check = promtool(["check", "rules", ruleFile], dir);
            assert.equal(check.status, 0, check.output);
            assert.match(check.output, /SUCCESS: \d+ rules found/);
        });

        it(`computes the triggers and fires the alerts as worked out by hand (${PODS} pods), and stays quiet otherwise`, () => {
            const file = "tests.yml";
            fs.writeFileSync(path.join(dir, file), unitTests(ruleFile, [...SCENARIOS, ...KSM], names(groups)));
            const result = promtool(["test", "rules", file], dir);
            assert.equal(result.status, 0, result.output);
            assert.match(result.output, /SUCCESS/);
        });

        it("fails a wrong expectation (the harness can fail)", () => {
            const wrong: Scenario = { ...SCENARIOS[0], values: [{ expr: THROUGHPUT, at: "10m", value: 1200 }] };
            fs.writeFileSync(path.join(dir, "wrong.yml"), unitTests(ruleFile, [wrong], names(groups)));
            const result = promtool(["test", "rules", "wrong.yml"], dir);
            assert.notEqual(result.status, 0, result.output);
            assert.match(result.output, /exp: \{__name__="keda:api:http_requests_per_second"\} 1\.2E\+03\n\s+got: \{__name__="keda:api:http_requests_per_second"\} 1\.2E\+04/);
        });

        it(`keeps the request alerts' floor of ${MIN_REQUESTS_FOR_ALERTS} requests in 5 minutes`, () => {
            const rule = groups.flatMap((g) => g.rules).find((r) => r.alert === "ApiP95LatencyHigh")!;
            assert.match(rule.expr, new RegExp(`>= ${MIN_REQUESTS_FOR_ALERTS}\\)$`));
        });
    });
}
