/**
 * The platform's Grafana dashboard, cloud-neutral: the scaling guide's key panels (request rate,
 * p95, error rate, replicas, database connections and replication lag, cache hit rate and memory)
 * as a Grafana dashboard JSON model (schemaVersion 39, Grafana 10.4+). The request and replica
 * panels query the cluster's managed Prometheus with the expressions of
 * components/kubernetes/prometheus.ts (evaluated by promtool in the tests, from the plan); the
 * database and cache panels take their targets from the cloud (CloudWatch on AWS, Azure Monitor on
 * Azure), each checked against the cloud's sourced metric table. Data sources are picked by type
 * through dashboard variables, so the dashboard does not depend on the uids a workspace assigns.
 */
import { hpaMaxReplicasQuery, hpaReplicasQuery, request5xxPercentQuery, requestP95Query, requestRateQuery } from "./kubernetes/prometheus";

/** The panels, in their order on the dashboard. */
export const GRAFANA_PANELS = ["request-rate", "p95", "error-rate", "replicas", "db-connections", "replication-lag", "cache-hit-rate", "cache-memory"] as const;
export type GrafanaPanelId = (typeof GRAFANA_PANELS)[number];
export type CloudPanelId = Extract<GrafanaPanelId, "db-connections" | "replication-lag" | "cache-hit-rate" | "cache-memory">;

/** One query of a panel, as the data source plugin reads it (Grafana's `targets[]`). */
export type GrafanaTarget = { refId: string } & Record<string, unknown>;

export interface CloudPanel {
    title: string;
    /** Grafana unit id ("short", "s", "percent", ...). */
    unit: string;
    targets: GrafanaTarget[];
    /** A red threshold line (the seed's limit), in the panel's unit. */
    threshold?: number;
}

export interface GrafanaDashboardInput {
    uid: string;
    title: string;
    /** The api's telemetry `job` and the app's namespace (kube-state-metrics). */
    apiJob: string;
    namespace: string;
    /** The data source plugin id of the cloud's metrics: `cloudwatch`, `grafana-azure-monitor-datasource`. */
    cloudDatasourceType: string;
    thresholds: { p95LatencyMs: number; http5xxPercent: number };
    cloud: Record<CloudPanelId, CloudPanel>;
}

const PROMETHEUS = { type: "prometheus", uid: "${prometheus}" };

/** `refId`s A, B, C ... */
export const refId = (i: number) => String.fromCharCode(65 + i);

/** The dashboard JSON model (Grafana's `configJson`). */
export function grafanaDashboard(i: GrafanaDashboardInput): Record<string, unknown> {
    const cloud = { type: i.cloudDatasourceType, uid: "${cloud}" };
    const promPanel = (title: string, unit: string, queries: [string, string][], threshold?: number) => ({
        title, unit, threshold, datasource: PROMETHEUS,
        targets: queries.map(([expr, legendFormat], n) => ({ refId: refId(n), datasource: PROMETHEUS, expr, legendFormat, range: true })),
    });
    type Panel = { title: string; unit: string; threshold?: number; datasource: object; targets: GrafanaTarget[] };
    const cloudPanel = (p: CloudPanel): Panel => ({ ...p, datasource: cloud, targets: p.targets.map((t) => ({ datasource: cloud, ...t })) });
    const panels: Record<GrafanaPanelId, Panel> = {
        "request-rate": promPanel("Request rate (api)", "reqps", [[requestRateQuery(i.apiJob), "requests/s"]]),
        p95: promPanel("p95 response time (api)", "s", [[requestP95Query(i.apiJob), "p95"]], i.thresholds.p95LatencyMs / 1000),
        "error-rate": promPanel("5xx error rate (api)", "percent", [[request5xxPercentQuery(i.apiJob), "5xx %"]], i.thresholds.http5xxPercent),
        replicas: promPanel("Replicas vs max (HPA)", "short", [
            [hpaReplicasQuery(i.namespace), "{{horizontalpodautoscaler}}"],
            [hpaMaxReplicasQuery(i.namespace), "{{horizontalpodautoscaler}} max"],
        ]),
        "db-connections": cloudPanel(i.cloud["db-connections"]),
        "replication-lag": cloudPanel(i.cloud["replication-lag"]),
        "cache-hit-rate": cloudPanel(i.cloud["cache-hit-rate"]),
        "cache-memory": cloudPanel(i.cloud["cache-memory"]),
    };
    return {
        uid: i.uid,
        title: i.title,
        tags: ["bookstore"],
        timezone: "browser",
        schemaVersion: 39,
        refresh: "1m",
        time: { from: "now-6h", to: "now" },
        templating: {
            list: [
                { name: "prometheus", label: "Prometheus", type: "datasource", query: "prometheus", hide: 0 },
                { name: "cloud", label: "Cloud metrics", type: "datasource", query: i.cloudDatasourceType, hide: 0 },
            ],
        },
        panels: GRAFANA_PANELS.map((id, n) => {
            const p = panels[id];
            return {
                id: n + 1,
                type: "timeseries",
                title: p.title,
                gridPos: { x: (n % 2) * 12, y: Math.floor(n / 2) * 8, w: 12, h: 8 },
                datasource: p.datasource,
                targets: p.targets,
                fieldConfig: {
                    defaults: {
                        unit: p.unit,
                        ...(p.threshold === undefined ? {} : {
                            thresholds: { mode: "absolute", steps: [{ color: "green", value: null }, { color: "red", value: p.threshold }] },
                            custom: { thresholdsStyle: { mode: "line" } },
                        }),
                    },
                    overrides: [],
                },
                options: { legend: { displayMode: "list", placement: "bottom" }, tooltip: { mode: "multi" } },
            };
        }),
    };
}
