/**
 * Every PromQL expression of the Kubernetes platforms, in one place: the app's request signals
 * (what KEDA scales on and what the alerts and dashboards read) and the cluster rules
 * (kube-state-metrics). Used by the Azure managed Prometheus rule groups, the Amazon Managed
 * Prometheus rules, the KEDA triggers and the Grafana dashboard alike; the promtool tests
 * (test/components/kubernetes/promql.real.test.ts) evaluate what the plans carry.
 *
 * The app's request metric: ASP.NET Core's `http.server.request.duration` histogram (seconds), sent
 * over OTLP. OpenTelemetry's Prometheus conversion names it `http_server_request_duration_seconds`
 * (`_bucket` / `_count` / `_sum`), turns the `http.route` and `http.response.status_code`
 * attributes into `http_route` and `http_response_status_code`, and sets `job` from the resource's
 * `service.name` (OpenTelemetry specification, "Prometheus and OpenMetrics Compatibility"): the
 * app's OTEL_SERVICE_NAME, its Aspire resource name (`apiservice`, components/appContract.ts).
 * Pods are not labels of these series; KEDA's AverageValue divides by the replica count instead.
 */

/** The request-duration histogram's Prometheus name (without `_bucket`/`_count`/`_sum`). */
export const REQUEST_DURATION = "http_server_request_duration_seconds";

/**
 * Routes left out of the request signals: the health probes every replica answers every few
 * seconds whatever the load, and the notifications stream, a Server-Sent Events request that lasts
 * as long as a browser keeps the page open (src/BookStore.ApiService/Endpoints/NotificationEndpoints.cs
 * `MapGet("/stream")` under `/api/notifications`; ServiceDefaults maps `/health` and `/alive`).
 */
export const UNMEASURED_ROUTES = ["/health", "/alive", "/api/notifications/stream"] as const;

/** Windows: the throughput rate reacts within two scrapes of KEDA's 30 s polling; the percentile needs more requests. */
export const RATE_WINDOW = "2m";
export const QUANTILE_WINDOW = "5m";

const routeFilter = `http_route!~${JSON.stringify(UNMEASURED_ROUTES.join("|"))}`;
const selector = (job: string, extra = "") => `{job=${JSON.stringify(job)},${routeFilter}${extra ? `,${extra}` : ""}}`;

/** Requests per second the service answers, summed over its replicas. */
export function requestRateQuery(job: string, window = RATE_WINDOW): string {
    return `sum(rate(${REQUEST_DURATION}_count${selector(job)}[${window}]))`;
}

/**
 * The service's 95th-percentile response time in seconds, over every replica's requests (a
 * percentile is not additive: the buckets are summed, then the quantile taken). An idle service
 * has no percentile: `>= 0` drops the NaN histogram_quantile returns for zero rates, so the result
 * is empty, never NaN (KEDA's scaler parses a NaN sample as a value).
 */
export function requestP95Query(job: string, window = QUANTILE_WINDOW): string {
    return `histogram_quantile(0.95, sum by (le) (rate(${REQUEST_DURATION}_bucket${selector(job)}[${window}]))) >= 0`;
}

/**
 * Percent of the service's requests answered 5xx: 0 while none was (the 5xx series do not exist
 * until the first one), nothing while the service answers nothing.
 */
export function request5xxPercentQuery(job: string, window = QUANTILE_WINDOW): string {
    return `100 * (sum(rate(${REQUEST_DURATION}_count${selector(job, 'http_response_status_code=~"5.."')}[${window}])) or vector(0))`
        + ` / sum(rate(${REQUEST_DURATION}_count${selector(job)}[${window}]))`;
}

/** Requests the service answered over the window (the alerts' floor: one slow request at night is no p95). */
export function requestCountQuery(job: string, window = QUANTILE_WINDOW): string {
    return `sum(increase(${REQUEST_DURATION}_count${selector(job)}[${window}]))`;
}

/**
 * The custom metrics a service may scale on (`hpa.customMetrics.metrics[].name`), named as in the
 * seed's custom-metrics HPA, each computed from the histogram. `http_requests_per_second` is a
 * throughput: KEDA's `AverageValue` divides the sum by the replica count, so the target is per pod,
 * what the seed's `type: Pods` metric meant. `api_response_time_p95` is a percentile: `Value`
 * compares it as it is (desired = current × value / target) instead of dividing it by pods.
 */
export const CUSTOM_METRIC_SIGNALS = {
    http_requests_per_second: { metricType: "AverageValue", query: requestRateQuery, unit: "requests/s per pod" },
    api_response_time_p95: { metricType: "Value", query: requestP95Query, unit: "seconds" },
} as const;
export type CustomMetricName = keyof typeof CUSTOM_METRIC_SIGNALS;
export const CUSTOM_METRIC_NAMES = Object.keys(CUSTOM_METRIC_SIGNALS) as [CustomMetricName, ...CustomMetricName[]];

/** A Prometheus alert rule, cloud-neutral: the Azure rule group and the AMP rules file render it. */
export interface AlertRule {
    alert: string;
    expr: string;
    /** Minutes the condition holds before the alert fires. */
    forMinutes: number;
    severity: "critical" | "warning";
    description: string;
}

export interface AppAlertThresholds {
    /** Minutes an HPA may sit at its ceiling. */
    replicasAtMaxMinutes: number;
    /** 5xx percent of the api's requests. */
    http5xxPercent: number;
    /** p95 response time of the api, ms. */
    p95LatencyMs: number;
}

/** Requests in 5 minutes below which the error-rate and latency alerts stay quiet (the Azure log alerts' floor too). */
export const MIN_REQUESTS_FOR_ALERTS = 20;

const ns = (namespace: string) => `namespace=${JSON.stringify(namespace)}`;

/** Replicas of each HPA of the namespace (kube-state-metrics; KEDA's HPA included), one series per HPA. */
export function hpaReplicasQuery(namespace: string): string {
    return `max by (horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas{${ns(namespace)}})`;
}

/** Each HPA's ceiling. */
export function hpaMaxReplicasQuery(namespace: string): string {
    return `max by (horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas{${ns(namespace)}})`;
}

/**
 * PromQL: an HPA of the namespace has been at its ceiling (used with `for`). Both sides are reduced
 * to one series per HPA first, so a second kube-state-metrics target cannot make the match many-to-many.
 */
export function hpaAtMaxExpression(namespace: string): string {
    const side = (metric: string) => `max by (namespace, horizontalpodautoscaler) (${metric}{${ns(namespace)}})`;
    return `${side("kube_horizontalpodautoscaler_status_current_replicas")} >= ${side("kube_horizontalpodautoscaler_spec_max_replicas")}`;
}

/** PromQL: no PgBouncer pod available, or the Deployment's series gone (kube-state-metrics stopped seeing it). */
export function pgbouncerUnavailableExpression(namespace: string): string {
    const series = `kube_deployment_status_replicas_available{${ns(namespace)},deployment="pgbouncer"}`;
    return `max(${series}) < 1 or absent(${series})`;
}

/** Cluster rules (kube-state-metrics): the HPA-at-ceiling rule, and PgBouncer's availability where the cluster runs it. */
export function clusterAlertRules(namespace: string, replicasAtMaxMinutes: number, pgbouncer: boolean): AlertRule[] {
    return [
        {
            alert: "HpaAtMaxReplicas", expr: hpaAtMaxExpression(namespace), forMinutes: replicasAtMaxMinutes, severity: "warning",
            description: `HPA {{ $labels.horizontalpodautoscaler }} has run at its maximum replicas for ${replicasAtMaxMinutes} minutes`,
        },
        ...(pgbouncer ? [{
            alert: "PgBouncerUnavailable", expr: pgbouncerUnavailableExpression(namespace), forMinutes: 2, severity: "critical" as const,
            description: "No PgBouncer pod is available: the app cannot reach PostgreSQL",
        }] : []),
    ];
}

/**
 * The api's request alerts, from the histogram: 5xx rate and p95 above the load test's thresholds
 * (with a floor of MIN_REQUESTS_FOR_ALERTS requests in 5 minutes), and the histogram's absence while
 * the api should be sending it (an empty signal would otherwise leave every other rule quiet).
 */
export function appAlertRules(apiJob: string, thresholds: AppAlertThresholds): AlertRule[] {
    const enough = `${requestCountQuery(apiJob)} >= ${MIN_REQUESTS_FOR_ALERTS}`;
    return [
        {
            alert: "ApiHttp5xxRateHigh", expr: `(${request5xxPercentQuery(apiJob)}) > ${thresholds.http5xxPercent} and on() (${enough})`,
            forMinutes: 5, severity: "critical",
            description: `More than ${thresholds.http5xxPercent} % of the api's requests answered 5xx for 5 minutes (load-test threshold)`,
        },
        {
            alert: "ApiP95LatencyHigh", expr: `(${requestP95Query(apiJob)}) > ${thresholds.p95LatencyMs / 1000} and on() (${enough})`,
            forMinutes: 5, severity: "warning",
            description: `The api's p95 response time above ${thresholds.p95LatencyMs} ms for 5 minutes (load-test threshold)`,
        },
        {
            // Every replica answers its health probes, so the series exist whenever the api runs and its telemetry flows.
            alert: "ApiRequestMetricsAbsent", expr: `absent(${REQUEST_DURATION}_count{job=${JSON.stringify(apiJob)}})`,
            forMinutes: 15, severity: "warning",
            description: "No request metrics from the api for 15 minutes: its OTLP telemetry is not arriving, so KEDA's request triggers read 0 and the request alerts cannot fire",
        },
    ];
}
