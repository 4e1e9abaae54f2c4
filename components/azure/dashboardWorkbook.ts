/**
 * The stack dashboard as an Azure Monitor workbook document (serializedData, "Notebook/1.0"): one
 * item per panel of DASHBOARD_PANELS. Pure: plain ids in, JSON out, so tests read exactly what is
 * deployed. Application panels query Application Insights `requests` (the seed's queries); platform
 * panels chart Azure Monitor metrics or query their copies in the workspace (`AzureMetrics`, which
 * the diagnostic settings fill) where a ratio or a "vs max" line needs arithmetic.
 */
import type { MetricUse } from "./dashboardMetrics";
import type { PanelId } from "../dashboardPanels";
import { replicationLagSeriesQuery } from "./alertQueries";

export interface WorkbookInputs {
    title: string;
    /** The stack's resource group: the seed's scaling-events query filters on it. */
    resourceGroupName: string;
    appInsightsId: string;
    workspaceId: string;
    platform: "containerapps" | "aks";
    /** Per service: its ceiling, and on Container Apps its resource id. */
    services: { name: string; maxReplicas: number; resourceId?: string }[];
    /** AKS: the app namespace. */
    kubernetesNamespace?: string;
    databaseServers: { resourceId: string; replica: boolean }[];
    /** The servers' max_connections, drawn beside their connection counts. */
    maxConnections: number;
    redisClusterId: string;
}

export interface WorkbookPanel {
    id: PanelId;
    /** Metrics the panel reads, by resource type (checked against AZURE_METRICS). */
    metrics: MetricUse[];
    item: Record<string, unknown>;
}

const HOUR_MS = 3600000;
const DAY_MS = 24 * HOUR_MS;
/** MetricsItem aggregation codes (workbook schema): 1 sum, 3 max, 4 average. */
const AGGREGATION = { Total: 1, Maximum: 3, Average: 4 } as const;

const quote = (value: string) => JSON.stringify(value);
const list = (values: string[]) => `(${values.map(quote).join(", ")})`;

function kql(id: PanelId, title: string, query: string, scope: string, options: { visualization?: string; durationMs?: number } = {}) {
    const appInsights = scope.toLowerCase().includes("/microsoft.insights/components/");
    return {
        type: 3,
        name: id,
        content: {
            version: "KqlItem/1.0",
            title,
            query,
            size: 0,
            timeContext: { durationMs: options.durationMs ?? DAY_MS },
            queryType: 0,
            resourceType: appInsights ? "microsoft.insights/components" : "microsoft.operationalinsights/workspaces",
            crossComponentResources: [scope],
            visualization: options.visualization ?? "timechart",
        },
    };
}

function metricsChart(id: PanelId, title: string, resourceType: string, resourceIds: string[], metrics: { name: string; aggregation: keyof typeof AGGREGATION; splitBy?: string }[]) {
    const namespace = resourceType.toLowerCase();
    return {
        type: 10,
        name: id,
        content: {
            chartId: `workbook-${id}`,
            version: "MetricsItem/2.0",
            title,
            size: 0,
            chartType: 2,
            resourceType: namespace,
            metricScope: 0,
            resourceIds,
            timeContext: { durationMs: DAY_MS },
            metrics: metrics.map((m) => ({
                namespace,
                metric: `${namespace}--${m.name}`,
                aggregation: AGGREGATION[m.aggregation],
                ...(m.splitBy ? { splitBy: m.splitBy, splitBySortOrder: -1, splitByLimit: 50 } : {}),
            })),
        },
    };
}

function note(id: PanelId, text: string) {
    return { type: 1, name: id, content: { json: text } };
}

/** Long format for a timechart: one series per key plus a constant ceiling series per key. */
function withCeiling(valueColumn: string, ceilingExpr: string): string {
    return [
        `| extend pair = pack_array(pack("series", key, "value", toreal(${valueColumn})), pack("series", strcat(key, " max"), "value", toreal(${ceilingExpr})))`,
        "| mv-expand pair",
        "| project TimeGenerated, series = tostring(pair.series), value = toreal(pair.value)",
    ].join("\n");
}

function replicaPanel(inputs: WorkbookInputs): WorkbookPanel {
    const ceiling = `case(${inputs.services.map((s) => `key == ${quote(s.name)}, ${s.maxReplicas}`).join(", ")}, 0)`;
    if (inputs.platform === "containerapps") {
        const byId = inputs.services.filter((s) => s.resourceId).map((s) => `_ResourceId =~ ${quote(s.resourceId!)}, ${quote(s.name)}`);
        const query = [
            "AzureMetrics",
            "| where MetricName == \"Replicas\"",
            `| extend key = case(${byId.join(", ")}, "")`,
            "| where key != \"\"",
            "| summarize replicas = max(Maximum) by TimeGenerated = bin(TimeGenerated, 5m), key",
            withCeiling("replicas", ceiling),
        ].join("\n");
        return { id: "replicas-vs-max", metrics: [{ resourceType: "Microsoft.App/containerApps", name: "Replicas" }], item: kql("replicas-vs-max", "Replicas vs max, per service", query, inputs.workspaceId) };
    }
    // Container insights: running pods per Deployment (the ReplicaSet name without its hash).
    const query = [
        "KubePodInventory",
        `| where Namespace == ${quote(inputs.kubernetesNamespace ?? "bookstore")} and PodStatus == "Running"`,
        "| extend key = replace_regex(ControllerName, @\"-[a-z0-9]+$\", \"\")",
        `| where key in ${list(inputs.services.map((s) => s.name))}`,
        "| summarize replicas = dcount(Name) by TimeGenerated = bin(TimeGenerated, 5m), key",
        withCeiling("replicas", ceiling),
    ].join("\n");
    return { id: "replicas-vs-max", metrics: [], item: kql("replicas-vs-max", "Replicas vs max, per service", query, inputs.workspaceId) };
}

function instancePanels(inputs: WorkbookInputs): WorkbookPanel[] {
    if (inputs.platform === "containerapps") {
        const ids = inputs.services.flatMap((s) => (s.resourceId ? [s.resourceId] : []));
        const type = "Microsoft.App/containerApps";
        return [
            { id: "cpu-per-instance", metrics: [{ resourceType: type, name: "UsageNanoCores" }], item: metricsChart("cpu-per-instance", "CPU per replica (nanocores)", type, ids, [{ name: "UsageNanoCores", aggregation: "Average", splitBy: "podName" }]) },
            { id: "memory-per-instance", metrics: [{ resourceType: type, name: "WorkingSetBytes" }], item: metricsChart("memory-per-instance", "Memory working set per replica", type, ids, [{ name: "WorkingSetBytes", aggregation: "Average", splitBy: "podName" }]) },
        ];
    }
    const perPod = (counter: string, scale: string) => [
        `let pods = KubePodInventory | where Namespace == ${quote(inputs.kubernetesNamespace ?? "bookstore")} | distinct PodUid, Name;`,
        `Perf`,
        `| where ObjectName == "K8SContainer" and CounterName == ${quote(counter)}`,
        "| extend PodUid = tostring(split(InstanceName, \"/\")[-2])",
        "| join kind=inner pods on PodUid",
        `| summarize value = avg(CounterValue)${scale} by TimeGenerated = bin(TimeGenerated, 5m), Name`,
    ].join("\n");
    return [
        { id: "cpu-per-instance", metrics: [{ resourceType: "ContainerInsights", name: "cpuUsageNanoCores" }], item: kql("cpu-per-instance", "CPU per pod (cores)", perPod("cpuUsageNanoCores", " / 1e9"), inputs.workspaceId) },
        { id: "memory-per-instance", metrics: [{ resourceType: "ContainerInsights", name: "memoryWorkingSetBytes" }], item: kql("memory-per-instance", "Memory working set per pod (bytes)", perPod("memoryWorkingSetBytes", ""), inputs.workspaceId) },
    ];
}

function databasePanels(inputs: WorkbookInputs): WorkbookPanel[] {
    const type = "Microsoft.DBforPostgreSQL/flexibleServers";
    const ids = inputs.databaseServers.map((s) => s.resourceId);
    const replicas = inputs.databaseServers.filter((s) => s.replica).map((s) => s.resourceId);
    const writer = inputs.databaseServers.find((s) => !s.replica)?.resourceId ?? "";
    const connections = [
        "let data = AzureMetrics",
        `| where MetricName == "active_connections" and _ResourceId in~ ${list(ids)}`,
        "| summarize value = max(Maximum) by TimeGenerated = bin(TimeGenerated, 5m), series = tolower(Resource);",
        `data | union (data | distinct TimeGenerated | extend series = "max_connections", value = ${inputs.maxConnections}.0)`,
    ].join("\n");
    const hitRatio = [
        "AzureMetrics",
        `| where MetricName in ("blks_hit", "blks_read") and _ResourceId in~ ${list(ids)}`,
        "| summarize hit = sumif(Total, MetricName == \"blks_hit\"), read = sumif(Total, MetricName == \"blks_read\") by TimeGenerated = bin(TimeGenerated, 5m), server = tolower(Resource)",
        "| project TimeGenerated, server, hitRatioPercent = iff(hit + read == 0, real(null), 100.0 * hit / (hit + read))",
    ].join("\n");
    return [
        { id: "db-connections-vs-max", metrics: [{ resourceType: type, name: "active_connections" }], item: kql("db-connections-vs-max", "Database connections vs max_connections", connections, inputs.workspaceId) },
        replicas.length > 0
            // The alert's measure (review 2026-12 azure-data-edge m3): the replica metric alone climbs on an idle primary.
            ? {
                id: "replication-lag",
                metrics: [{ resourceType: type, name: "physical_replication_delay_in_seconds" }, { resourceType: type, name: "physical_replication_delay_in_bytes" }],
                item: kql("replication-lag", "Replication lag per replica under writes (s)", replicationLagSeriesQuery(writer, replicas), inputs.workspaceId),
            }
            : { id: "replication-lag", metrics: [], item: note("replication-lag", "### Replication lag\nThis stack has no read replicas.") },
        { id: "db-cache-hit-ratio", metrics: [{ resourceType: type, name: "blks_hit" }, { resourceType: type, name: "blks_read" }], item: kql("db-cache-hit-ratio", "PostgreSQL buffer cache hit ratio (%)", hitRatio, inputs.workspaceId) },
        { id: "transactions-per-second", metrics: [{ resourceType: type, name: "tps" }], item: metricsChart("transactions-per-second", "Transactions per second", type, ids, [{ name: "tps", aggregation: "Average" }]) },
    ];
}

function cachePanels(inputs: WorkbookInputs): WorkbookPanel[] {
    const type = "Microsoft.Cache/redisEnterprise";
    const hitRatio = [
        "AzureMetrics",
        `| where MetricName in ("cachehits", "cachemisses") and _ResourceId =~ ${quote(inputs.redisClusterId)}`,
        "| summarize hits = sumif(Total, MetricName == \"cachehits\"), misses = sumif(Total, MetricName == \"cachemisses\") by TimeGenerated = bin(TimeGenerated, 5m)",
        "| project TimeGenerated, hitRatioPercent = iff(hits + misses == 0, real(null), 100.0 * hits / (hits + misses))",
    ].join("\n");
    return [
        { id: "cache-hit-ratio", metrics: [{ resourceType: type, name: "cachehits" }, { resourceType: type, name: "cachemisses" }], item: kql("cache-hit-ratio", "Redis cache hit ratio (%)", hitRatio, inputs.workspaceId) },
        {
            id: "cache-memory",
            metrics: [{ resourceType: type, name: "usedmemorypercentage" }, { resourceType: type, name: "usedmemory" }],
            item: metricsChart("cache-memory", "Redis memory", type, [inputs.redisClusterId], [{ name: "usedmemorypercentage", aggregation: "Maximum" }, { name: "usedmemory", aggregation: "Maximum" }]),
        },
    ];
}

/** The seed's three Azure Monitor queries, scoped to this stack. */
function seedQueryPanels(inputs: WorkbookInputs): WorkbookPanel[] {
    const byEndpoint = ["requests", "| where timestamp > ago(1h)", "| summarize avg(duration), percentile(duration, 95) by name", "| order by avg_duration desc"].join("\n");
    const errorRate = [
        "requests", "| where timestamp > ago(24h)", "| summarize", "    total = count(),", "    errors = countif(success == false)",
        "    by bin(timestamp, 5m)", "| extend error_rate = errors * 100.0 / total", "| render timechart",
    ].join("\n");
    // The activity log upper-cases resource group names, hence =~ where the seed wrote ==.
    const scaling = [
        "AzureActivity", "| where OperationNameValue contains \"scale\"", `| where ResourceGroup =~ ${quote(inputs.resourceGroupName)}`,
        "| project TimeGenerated, OperationNameValue, ActivityStatusValue, Properties",
    ].join("\n");
    return [
        { id: "avg-response-by-endpoint", metrics: [], item: kql("avg-response-by-endpoint", "Average response time by endpoint", byEndpoint, inputs.appInsightsId, { visualization: "table", durationMs: HOUR_MS }) },
        { id: "error-rate-over-time", metrics: [], item: kql("error-rate-over-time", "Error rate over time (%)", errorRate, inputs.appInsightsId) },
        { id: "scaling-events", metrics: [], item: kql("scaling-events", "Scaling events (activity log)", scaling, inputs.workspaceId, { visualization: "table" }) },
    ];
}

function applicationPanels(inputs: WorkbookInputs): WorkbookPanel[] {
    const rate = ["requests", "| summarize requestsPerSecond = count() / 60.0 by bin(timestamp, 1m)"].join("\n");
    const latency = ["requests", "| summarize p50 = percentile(duration, 50), p95 = percentile(duration, 95), p99 = percentile(duration, 99) by bin(timestamp, 5m)"].join("\n");
    const errors = [
        "requests",
        "| summarize total = count(), c4xx = countif(toint(resultCode) between (400 .. 499)), c5xx = countif(toint(resultCode) >= 500) by bin(timestamp, 5m)",
        "| project timestamp, ['4xx %'] = 100.0 * c4xx / total, ['5xx %'] = 100.0 * c5xx / total",
    ].join("\n");
    return [
        { id: "request-rate", metrics: [], item: kql("request-rate", "Request rate (requests/s)", rate, inputs.appInsightsId) },
        { id: "latency-percentiles", metrics: [], item: kql("latency-percentiles", "Response time p50 / p95 / p99 (ms)", latency, inputs.appInsightsId) },
        { id: "error-rate-4xx-5xx", metrics: [], item: kql("error-rate-4xx-5xx", "4xx and 5xx rate (%)", errors, inputs.appInsightsId) },
    ];
}

export function workbookPanels(inputs: WorkbookInputs): WorkbookPanel[] {
    return [
        ...applicationPanels(inputs),
        replicaPanel(inputs),
        ...instancePanels(inputs),
        ...databasePanels(inputs),
        ...cachePanels(inputs),
        ...seedQueryPanels(inputs),
    ];
}

/** The workbook's serializedData. */
export function workbookDocument(inputs: WorkbookInputs): Record<string, unknown> {
    const section = (text: string) => ({ type: 1, content: { json: text } });
    const panels = workbookPanels(inputs);
    const pick = (...ids: PanelId[]) => panels.filter((p) => ids.includes(p.id)).map((p) => p.item);
    const items = [
        section(`# ${inputs.title}\nThe scaling guide's key metrics. Load-test thresholds: p95 < 500 ms, failed requests < 1 %.`),
        section("## Application"), ...pick("request-rate", "latency-percentiles", "error-rate-4xx-5xx", "avg-response-by-endpoint", "error-rate-over-time"),
        section("## Scaling"), ...pick("replicas-vs-max", "scaling-events", "cpu-per-instance", "memory-per-instance"),
        section("## Database"), ...pick("db-connections-vs-max", "replication-lag", "db-cache-hit-ratio", "transactions-per-second"),
        section("## Cache"), ...pick("cache-hit-ratio", "cache-memory"),
    ].map((item, index) => ("name" in item ? item : { ...item, name: `section-${index}` }));
    return {
        version: "Notebook/1.0",
        items,
        fallbackResourceIds: [inputs.appInsightsId],
        $schema: "https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json",
    };
}
