import * as assert from "assert";
import { AWS_METRICS, cloudWatchDashboardBody, CloudWatchDashboardInputs, cloudWatchPanels, PI_COUNTERS } from "../../../components/aws/dashboard";
import { DASHBOARD_PANELS } from "../../../components/dashboardPanels";

const inputs: CloudWatchDashboardInputs = {
    region: "us-east-1",
    clusterName: "bookstore-prod",
    namespace: "bookstore",
    services: [{ name: "api", maxReplicas: 10 }, { name: "web", maxReplicas: 8 }],
    loadBalancer: "app/bookstore-prod-web/0123456789abcdef",
    database: {
        primary: "bookstore-prod-db", primaryResourceId: "db-ABCDEFGHIJKLMNOPQRSTUVWXY1", maxConnections: 200,
        replicas: [{ identifier: "bookstore-prod-db-replica-1", region: "us-east-1" }, { identifier: "bookstore-prod-db-replica-2", region: "us-west-2" }],
    },
    cacheNodes: ["bookstore-prod-valkey-0001-001", "bookstore-prod-valkey-0001-002"],
};

type Row = (string | Record<string, any>)[];
const rowsOf = (widget: { properties: Record<string, any> }): Row[] => widget.properties.metrics ?? [];
/** A plain metric row: [namespace, metricName, dim, value, …, options?]. */
const metricRows = (rows: Row[]) => rows.filter((r) => typeof r[0] === "string") as Row[];

describe("CloudWatch dashboard (eks)", () => {
    const panels = cloudWatchPanels(inputs);
    const body = JSON.parse(cloudWatchDashboardBody(inputs));

    it("renders every cloud-neutral panel, in order, two to a row without overlap", () => {
        assert.deepStrictEqual(Object.keys(panels).sort(), [...DASHBOARD_PANELS].sort());
        assert.strictEqual(body.widgets.length, DASHBOARD_PANELS.length);
        const cells = body.widgets.map((w: any) => `${w.x},${w.y}`);
        assert.strictEqual(new Set(cells).size, cells.length);
        assert.deepStrictEqual(body.widgets.map((w: any) => w.properties.title), DASHBOARD_PANELS.map((id) => panels[id].properties.title));
    });

    it("uses only metric names that exist in their namespace (the dated AWS_METRICS table) and the PI counters listed", () => {
        for (const [id, widget] of Object.entries(panels)) {
            for (const row of metricRows(rowsOf(widget))) {
                const [namespace, name] = row as string[];
                assert.ok(AWS_METRICS[namespace]?.includes(name), `${id}: ${namespace} ${name} is not in AWS_METRICS`);
            }
            for (const row of rowsOf(widget).filter((r) => typeof r[0] === "object")) {
                const expression: string = (row[0] as any).expression;
                for (const [, counter] of expression.matchAll(/DB_PERF_INSIGHTS\('RDS', 'db-[A-Z0-9]+', '([^']+)'\)/g)) assert.ok(PI_COUNTERS.includes(counter), `${id}: ${counter}`);
            }
        }
    });

    it("puts the ALB's request rate, p50/p95/p99 latency and 4xx/5xx on its LoadBalancer dimension", () => {
        const latency = metricRows(rowsOf(panels["latency-percentiles"]));
        assert.deepStrictEqual(latency.map((r) => (r.at(-1) as any).stat), ["p50", "p95", "p99"]);
        for (const id of ["request-rate", "latency-percentiles", "error-rate-4xx-5xx", "error-rate-over-time"] as const) {
            for (const row of metricRows(rowsOf(panels[id]))) assert.deepStrictEqual(row.slice(2, 4), ["LoadBalancer", "app/bookstore-prod-web/0123456789abcdef"], id);
        }
    });

    it("draws each service's HPA ceiling and the database's max_connections as lines, ReplicaLag per replica in its own region", () => {
        assert.deepStrictEqual(panels["replicas-vs-max"].properties.annotations, { horizontal: [{ label: "api max", value: 10 }, { label: "web max", value: 8 }] });
        assert.deepStrictEqual(panels["db-connections-vs-max"].properties.annotations, { horizontal: [{ label: "max_connections", value: 200 }] });
        const lag = metricRows(rowsOf(panels["replication-lag"]));
        assert.deepStrictEqual(lag.map((r) => [r[3], (r.at(-1) as any).region]), [["bookstore-prod-db-replica-1", "us-east-1"], ["bookstore-prod-db-replica-2", "us-west-2"]]);
    });

    it("reads the PostgreSQL cache hit ratio and TPS from the primary's Performance Insights counters", () => {
        const expressions = rowsOf(panels["db-cache-hit-ratio"]).map((r) => (r[0] as any).expression);
        assert.deepStrictEqual(expressions, [
            "DB_PERF_INSIGHTS('RDS', 'db-ABCDEFGHIJKLMNOPQRSTUVWXY1', 'db.Cache.blks_hit.avg')",
            "DB_PERF_INSIGHTS('RDS', 'db-ABCDEFGHIJKLMNOPQRSTUVWXY1', 'db.IO.blks_read.avg')",
            "100 * hit / (hit + read)",
        ]);
    });

    it("runs the guide's log queries in Logs Insights on the Container Insights log groups", () => {
        const byEndpoint = panels["avg-response-by-endpoint"].properties.query as string;
        assert.ok(byEndpoint.startsWith("SOURCE '/aws/containerinsights/bookstore-prod/application'\n| filter kubernetes.namespace_name = 'bookstore'"), byEndpoint);
        assert.match(byEndpoint, /stats avg\(ms\) as avgMs.* by method, url/);
        // The parse pattern reads ASP.NET Core's hosting log line.
        const pattern = new RegExp(/parse log \/(.+)\/\n/.exec(byEndpoint)![1].replace(/\(\?<(\w+)>/g, "(?<$1>"));
        const m = pattern.exec("info: Microsoft.AspNetCore.Hosting.Diagnostics[2] Request finished HTTP/1.1 GET http://web/books/42 - 200 1532 text/html;+charset=utf-8 12.3456ms");
        assert.deepStrictEqual({ ...m!.groups }, { method: "GET", url: "http://web/books/42", status: "200", ms: "12.3456" });
        const scaling = panels["scaling-events"].properties.query as string;
        assert.ok(scaling.startsWith("SOURCE '/aws/containerinsights/bookstore-prod/performance'\n| filter Type = 'ClusterService' and Namespace = 'bookstore'"), scaling);
        assert.strictEqual(panels["scaling-events"].type, "log");
    });
});
