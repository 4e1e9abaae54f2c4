import { DASHBOARD_PANELS, PanelId } from "../dashboardPanels";

/**
 * The stack dashboard on AWS: every cloud-neutral panel (components/dashboardPanels.ts) as a
 * CloudWatch dashboard widget. Pure: the body is built from plain values, the stack passes them in.
 */

/**
 * CloudWatch metric names per namespace that the widgets use, checked 2026-11-29 against:
 *   AWS/ApplicationELB — ELB UG, "CloudWatch metrics for your Application Load Balancer"
 *   AWS/RDS — RDS UG, "Amazon CloudWatch metrics for Amazon RDS" (instance-level metrics)
 *   AWS/ElastiCache — ElastiCache UG, "Host-level metrics" and "Metrics for Valkey and Redis OSS"
 *   ContainerInsights — CloudWatch UG, "Amazon EKS and Kubernetes Container Insights metrics"
 *     (pod_* by PodName/Namespace/ClusterName, service_number_of_running_pods by Service/Namespace/ClusterName)
 * Only the names the dashboard uses are listed; a new one must be checked and added here.
 */
export const AWS_METRICS: Readonly<Record<string, readonly string[]>> = {
    "AWS/ApplicationELB": ["RequestCount", "TargetResponseTime", "HTTPCode_Target_4XX_Count", "HTTPCode_Target_5XX_Count", "HTTPCode_ELB_4XX_Count", "HTTPCode_ELB_5XX_Count"],
    "AWS/RDS": ["DatabaseConnections", "ReplicaLag"],
    "AWS/ElastiCache": ["CacheHitRate", "DatabaseMemoryUsagePercentage", "BytesUsedForCache"],
    "ContainerInsights": ["service_number_of_running_pods", "pod_cpu_utilization", "pod_memory_utilization"],
};

/**
 * Performance Insights counters for RDS for PostgreSQL read through the `DB_PERF_INSIGHTS` metric
 * math function (RDS UG, "Amazon CloudWatch metrics for Amazon RDS Performance Insights" —
 * querying other counter metrics; counters: "Performance Insights counters for Amazon RDS for
 * PostgreSQL"), checked 2026-11-29. PostgreSQL's blks_hit / blks_read / xact_commit.
 */
export const PI_COUNTERS: readonly string[] = ["db.Cache.blks_hit.avg", "db.IO.blks_read.avg", "db.Transactions.xact_commit.avg"];

export interface CloudWatchDashboardInputs {
    region: string;
    clusterName: string;
    /** The app's Kubernetes namespace. */
    namespace: string;
    /** Per service: its Kubernetes Service/Deployment name and HPA ceiling. */
    services: { name: string; maxReplicas: number }[];
    /** The web ALB's `LoadBalancer` dimension (`app/<name>/<id>`). */
    loadBalancer: string;
    database: {
        primary: string;
        /** The primary's DBI resource id (`db-…`), for Performance Insights. */
        primaryResourceId: string;
        replicas: { identifier: string; region: string }[];
        maxConnections: number;
    };
    /** ElastiCache node ids (`<group>-0001-001` …). */
    cacheNodes: string[];
}

type MetricRow = (string | Record<string, unknown>)[];
export interface Widget {
    type: "metric" | "log";
    width: number;
    height: number;
    properties: Record<string, unknown>;
}

const ELB = "AWS/ApplicationELB";
const CI = "ContainerInsights";

/** The Container Insights log groups (CloudWatch UG, "Setting up Fluent Bit as a DaemonSet…" — log groups). */
export function containerInsightsLogGroups(clusterName: string) {
    return { application: `/aws/containerinsights/${clusterName}/application`, performance: `/aws/containerinsights/${clusterName}/performance` };
}

/** Every panel as a CloudWatch widget, in the cloud-neutral order. */
export function cloudWatchPanels(i: CloudWatchDashboardInputs): Record<PanelId, Widget> {
    const lb = ["LoadBalancer", i.loadBalancer];
    const metricWidget = (title: string, metrics: MetricRow[], extra: Record<string, unknown> = {}): Widget => ({
        type: "metric", width: 12, height: 6,
        properties: { title, region: i.region, view: "timeSeries", stacked: false, period: 60, metrics, ...extra },
    });
    const logWidget = (title: string, logGroup: string, query: string[], view: "table" | "timeSeries" = "table"): Widget => ({
        type: "log", width: 12, height: 6,
        properties: { title, region: i.region, view, query: [`SOURCE '${logGroup}'`, ...query].join("\n| ") },
    });
    const logs = containerInsightsLogGroups(i.clusterName);
    const perPod = (metricName: string) => i.services.map((s) => [CI, metricName, "ClusterName", i.clusterName, "Namespace", i.namespace, "PodName", s.name, { label: s.name }]);
    const pi = (counter: string, id: string) => ({ expression: `DB_PERF_INSIGHTS('RDS', '${i.database.primaryResourceId}', '${counter}')`, id, visible: false });
    return {
        "request-rate": metricWidget("Request rate (requests/min, ALB)", [[ELB, "RequestCount", ...lb, { stat: "Sum", label: "requests" }]]),
        "latency-percentiles": metricWidget("Target response time p50 / p95 / p99 (s)", ["p50", "p95", "p99"].map((p) => [ELB, "TargetResponseTime", ...lb, { stat: p, label: p }])),
        "error-rate-4xx-5xx": metricWidget("4xx / 5xx responses (ALB and targets)", [
            [ELB, "HTTPCode_Target_4XX_Count", ...lb, { stat: "Sum", label: "target 4xx" }],
            [ELB, "HTTPCode_Target_5XX_Count", ...lb, { stat: "Sum", label: "target 5xx" }],
            [ELB, "HTTPCode_ELB_4XX_Count", ...lb, { stat: "Sum", label: "ALB 4xx" }],
            [ELB, "HTTPCode_ELB_5XX_Count", ...lb, { stat: "Sum", label: "ALB 5xx" }],
        ]),
        "replicas-vs-max": metricWidget("Running pods vs HPA max",
            i.services.map((s) => [CI, "service_number_of_running_pods", "ClusterName", i.clusterName, "Namespace", i.namespace, "Service", s.name, { stat: "Maximum", label: s.name }]),
            { annotations: { horizontal: i.services.map((s) => ({ label: `${s.name} max`, value: s.maxReplicas })) } }),
        "cpu-per-instance": metricWidget("CPU per pod (% of node)", perPod("pod_cpu_utilization"), { stat: "Average" }),
        "memory-per-instance": metricWidget("Memory per pod (% of node)", perPod("pod_memory_utilization"), { stat: "Average" }),
        "db-connections-vs-max": metricWidget("Database connections vs max_connections",
            [[`AWS/RDS`, "DatabaseConnections", "DBInstanceIdentifier", i.database.primary, { stat: "Maximum", label: i.database.primary }],
                ...i.database.replicas.map((r) => ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", r.identifier, { stat: "Maximum", label: r.identifier, region: r.region }])],
            { annotations: { horizontal: [{ label: "max_connections", value: i.database.maxConnections }] } }),
        // Each replica's metrics live in its own region (a metric row may name its region).
        "replication-lag": metricWidget("ReplicaLag per replica (s)",
            i.database.replicas.map((r) => ["AWS/RDS", "ReplicaLag", "DBInstanceIdentifier", r.identifier, { stat: "Maximum", label: r.identifier, region: r.region }]),
            { annotations: { horizontal: [{ label: "alarm (60 s)", value: 60 }] } }),
        "db-cache-hit-ratio": metricWidget("PostgreSQL buffer cache hit ratio (%, primary)", [
            [pi(PI_COUNTERS[0], "hit")], [pi(PI_COUNTERS[1], "read")],
            [{ expression: "100 * hit / (hit + read)", id: "ratio", label: "cache hit %" }],
        ]),
        "transactions-per-second": metricWidget("Transactions per second (commits, primary)", [[{ ...pi(PI_COUNTERS[2], "tps"), visible: true, label: "xact_commit/s" }]]),
        "cache-hit-ratio": metricWidget("Valkey cache hit rate (%) per node",
            i.cacheNodes.map((n) => ["AWS/ElastiCache", "CacheHitRate", "CacheClusterId", n, { stat: "Average", label: n }])),
        "cache-memory": metricWidget("Valkey memory used (% of maxmemory) per node",
            i.cacheNodes.map((n) => ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", n, { stat: "Maximum", label: n }])),
        // ASP.NET Core's hosting log ("Request finished HTTP/1.1 GET <url> - <status> … <ms>ms"), Information level of Microsoft.AspNetCore.Hosting.Diagnostics.
        "avg-response-by-endpoint": logWidget("Average response time by endpoint (app logs)", logs.application, [
            `filter kubernetes.namespace_name = '${i.namespace}' and log like /Request finished/`,
            "parse log /Request finished HTTP\\/[\\d.]+ (?<method>[A-Z]+) (?<url>\\S+) - (?<status>\\d{3}) .* (?<ms>[\\d.]+)ms/",
            "stats avg(ms) as avgMs, pct(ms, 95) as p95Ms, count(*) as requests by method, url",
            "sort avgMs desc",
            "limit 25",
        ]),
        "error-rate-over-time": metricWidget("5xx error rate over time (% of requests)", [
            [ELB, "RequestCount", ...lb, { stat: "Sum", id: "requests", visible: false }],
            [ELB, "HTTPCode_Target_5XX_Count", ...lb, { stat: "Sum", id: "target5xx", visible: false }],
            [ELB, "HTTPCode_ELB_5XX_Count", ...lb, { stat: "Sum", id: "elb5xx", visible: false }],
            [{ expression: "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests", id: "rate", label: "5xx %" }],
        ], { period: 300 }),
        // Container Insights performance events of Type ClusterService carry service_number_of_running_pods.
        "scaling-events": logWidget("Scaling events: pods per service (Container Insights)", logs.performance, [
            `filter Type = 'ClusterService' and Namespace = '${i.namespace}'`,
            "stats max(service_number_of_running_pods) as pods by bin(5m), Service",
        ]),
    };
}

/** The dashboard body: the panels two to a row, in the order of DASHBOARD_PANELS. */
export function cloudWatchDashboardBody(inputs: CloudWatchDashboardInputs): string {
    const panels = cloudWatchPanels(inputs);
    const widgets = DASHBOARD_PANELS.map((id, n) => ({ ...panels[id], x: (n % 2) * 12, y: Math.floor(n / 2) * 6 }));
    return JSON.stringify({ widgets });
}

/** The console link of a dashboard. */
export function cloudWatchDashboardUrl(region: string, name: string): string {
    return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(name)}`;
}
