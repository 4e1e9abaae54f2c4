import * as assert from "assert";
import { DIAGNOSTIC_CATEGORIES, diagnosticCategories, portalLink } from "../../../components/azure/observability";
import { http5xxRateQuery, p95LatencyQuery } from "../../../components/azure/alertQueries";
import { hpaAtMaxExpression } from "../../../components/kubernetes/prometheus";
import { armIdentity } from "../../../tools/offline/mocks";
import { inputs, oneOfType, planned, planOf, resourcesOfType, Resource, stackVariant } from "../../helpers/plan";

type Plan = ReturnType<typeof planOf>;

/** Pulumi types of every resource that supports diagnostic settings in this program. */
const DIAGNOSABLE_TYPES = [
    "azure-native:dbforpostgresql:Server",
    "azure-native:redisenterprise:RedisEnterprise",
    "azure-native:redisenterprise:Database",
    "azure-native:signalrservice:SignalR",
    "azure-native:cdn:Profile",
    "azure-native:app:ManagedEnvironment",
    "azure-native:app:ContainerApp",
    "azure-native:containerservice:ManagedCluster",
    "azure-native:keyvault:Vault",
    "azure-native:containerregistry:Registry",
    "azure-native:storage:StorageAccount",
    "azure-native:storage:BlobServiceProperties",
];

/** The ARM id Azure gives a planned resource (the same emulation the plan uses). */
const armIdOf = (r: Resource) => armIdentity(r.type, r.name, inputs(r)).id;

/** "Microsoft.Cache/redisEnterprise/databases" from ".../providers/Microsoft.Cache/redisEnterprise/x/databases/default". */
function armType(id: string): string {
    const path = id.slice(id.lastIndexOf("/providers/") + "/providers/".length).split("/");
    return [path[0], ...path.slice(1).filter((_, i) => i % 2 === 0)].join("/");
}

const categoriesFor = (id: string) => {
    const key = Object.keys(DIAGNOSTIC_CATEGORIES).find((k) => k.toLowerCase() === armType(id).toLowerCase());
    assert.ok(key, `no categories for ${armType(id)}`);
    return DIAGNOSTIC_CATEGORIES[key];
};

function assertDiagnosticsForEverySupportedResource(doc: Plan, expectedTypes: string[]) {
    const settings = resourcesOfType(doc, "azure-native:monitor:DiagnosticSetting").map(inputs);
    const workspace = armIdOf(oneOfType(doc, "azure-native:operationalinsights:Workspace"));
    const seenTypes = new Set<string>();
    for (const resource of doc.resources.filter((r) => DIAGNOSABLE_TYPES.includes(r.type))) {
        seenTypes.add(resource.type);
        const id = armIdOf(resource);
        const matching = settings.filter((s) => s.resourceUri === id);
        assert.strictEqual(matching.length, 1, `${resource.type} ${resource.name} (${id}) has ${matching.length} diagnostic settings`);
        const setting = matching[0];
        assert.strictEqual(setting.workspaceId, workspace);
        const expected = categoriesFor(id);
        assert.deepStrictEqual(setting.logs, expected.logs, `${resource.name} logs`);
        assert.deepStrictEqual(setting.metrics, expected.metrics.map((category) => ({ category, enabled: true })), `${resource.name} metrics`);
    }
    for (const type of expectedTypes) assert.ok(seenTypes.has(type), `the plan has no ${type}`);
}

describe("observability: pure settings", () => {
    it("exports allLogs and AllMetrics where a type supports both, and the documented exceptions", () => {
        assert.deepStrictEqual(diagnosticCategories("Microsoft.KeyVault/vaults"), { logs: [{ categoryGroup: "allLogs", enabled: true }], metrics: ["AllMetrics"] });
        assert.deepStrictEqual(diagnosticCategories("Microsoft.Storage/storageAccounts"), { logs: [], metrics: ["Transaction"] });
        assert.deepStrictEqual(diagnosticCategories("Microsoft.Cache/redisEnterprise/databases").metrics, []);
        assert.ok(!diagnosticCategories("Microsoft.ContainerService/managedClusters").logs.some((l: any) => l.category === "kube-audit"));
    });

    it("refuses a resource type it has no categories for, naming it", () => {
        assert.throws(() => diagnosticCategories("Microsoft.Web/sites"), /Microsoft\.Web\/sites/);
    });

    it("measures 5xx as a percentage of requests and p95 in ms", () => {
        assert.match(http5xxRateQuery(), /countif\(toint\(resultCode\) >= 500\)/);
        assert.match(http5xxRateQuery(), /100\.0 \* failed \/ total/);
        assert.match(p95LatencyQuery(), /percentile\(duration, 95\)/);
    });

    it("judges the p95 only over 20 requests or more, as the 5xx rate: one slow request in a quiet window does not page", () => {
        assert.match(p95LatencyQuery(), /summarize p95DurationMs = percentile\(duration, 95\), total = count\(\)\n\| where total >= 20$/);
        assert.match(http5xxRateQuery(), /\| where total >= 20\n/);
    });

    it("compares each HPA's current replicas to its own maximum, in the app namespace, one series per HPA on each side", () => {
        assert.strictEqual(hpaAtMaxExpression("bookstore"),
            "max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas{namespace=\"bookstore\"})"
            + " >= max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas{namespace=\"bookstore\"})");
    });

    it("links to a resource in the portal", () => {
        assert.strictEqual(portalLink("t", "/subscriptions/s/resourceGroups/g/providers/A.B/c/d", "logs"),
            "https://portal.azure.com/#@t/resource/subscriptions/s/resourceGroups/g/providers/A.B/c/d/logs");
    });
});

describe("observability: diagnostic settings for every supported resource", () => {
    it("on prod (Container Apps, Front Door, SignalR)", () => {
        assertDiagnosticsForEverySupportedResource(planOf("prod"), [
            "azure-native:dbforpostgresql:Server", "azure-native:redisenterprise:RedisEnterprise", "azure-native:redisenterprise:Database",
            "azure-native:signalrservice:SignalR", "azure-native:cdn:Profile", "azure-native:app:ManagedEnvironment",
            "azure-native:app:ContainerApp", "azure-native:keyvault:Vault", "azure-native:containerregistry:Registry",
            "azure-native:storage:StorageAccount", "azure-native:storage:BlobServiceProperties",
        ]);
    });

    it("on prod-aks (AKS, Redis backplane)", () => {
        assertDiagnosticsForEverySupportedResource(planOf("prod-aks"), [
            "azure-native:containerservice:ManagedCluster", "azure-native:dbforpostgresql:Server", "azure-native:redisenterprise:RedisEnterprise",
            "azure-native:cdn:Profile", "azure-native:keyvault:Vault", "azure-native:storage:StorageAccount",
        ]);
    });

    it("on prod-cloudflare (no Front Door)", () => {
        assertDiagnosticsForEverySupportedResource(planOf("prod-cloudflare"), [
            "azure-native:signalrservice:SignalR", "azure-native:storage:StorageAccount", "azure-native:app:ManagedEnvironment",
        ]);
    });
});

describe("observability: alerts (plan of prod)", () => {
    const prod = () => planOf("prod");
    const actionGroupId = (doc: Plan) => armIdOf(oneOfType(doc, "azure-native:monitor:ActionGroup"));
    const metricAlert = (doc: Plan, name: string) => inputs(oneOfType(doc, "azure-native:monitor:MetricAlert", name));
    const logAlert = (doc: Plan, name: string) => inputs(oneOfType(doc, "azure-native:monitor:ScheduledQueryRule", name));

    it("alerts on Redis memory > 80 %, SignalR connection quota > 80 % and Front Door origin health < 100 %", () => {
        const doc = prod();
        const cases: [string, string, string, string, number, RegExp][] = [
            ["redis-memory", "Microsoft.Cache/redisEnterprise", "usedmemorypercentage", "GreaterThan", 80, /redisEnterprise\/bookstore-prod-redis$/],
            ["signalr-connection-quota", "Microsoft.SignalRService/SignalR", "ConnectionQuotaUtilization", "GreaterThan", 80, /signalR\/bookstore-prod-signalr$/],
            ["frontdoor-origin-health", "Microsoft.Cdn/profiles", "OriginHealthPercentage", "LessThan", 100, /profiles\/bookstore-prod-fd$/],
        ];
        for (const [name, namespace, metric, operator, threshold, scope] of cases) {
            const alert = metricAlert(doc, name);
            const criterion = alert.criteria.allOf[0];
            assert.deepStrictEqual([criterion.metricNamespace, criterion.metricName, criterion.operator, criterion.threshold],
                [namespace, metric, operator, threshold], name);
            assert.match(alert.scopes[0], scope, name);
            assert.deepStrictEqual(alert.actions, [{ actionGroupId: actionGroupId(doc) }], name);
        }
    });

    it("alerts on 5xx > 1 % and p95 > 500 ms from Application Insights", () => {
        const doc = prod();
        const insights = armIdOf(oneOfType(doc, "azure-native:applicationinsights:Component"));
        const errors = logAlert(doc, "http-5xx-rate");
        const latency = logAlert(doc, "p95-latency");
        for (const alert of [errors, latency]) {
            assert.deepStrictEqual(alert.scopes, [insights]);
            assert.deepStrictEqual(alert.actions.actionGroups, [actionGroupId(doc)]);
        }
        assert.deepStrictEqual([errors.criteria.allOf[0].metricMeasureColumn, errors.criteria.allOf[0].operator, errors.criteria.allOf[0].threshold],
            ["failedPercent", "GreaterThan", 1]);
        assert.strictEqual(errors.criteria.allOf[0].query, http5xxRateQuery());
        assert.deepStrictEqual([latency.criteria.allOf[0].metricMeasureColumn, latency.criteria.allOf[0].threshold], ["p95DurationMs", 500]);
    });

    it("alerts when an app has sat at its replica maximum for 10 minutes (two 5-minute periods)", () => {
        const doc = prod();
        const apps = Object.fromEntries(resourcesOfType(doc, "azure-native:app:ContainerApp").map((a) => [a.name, a]));
        for (const [service, max] of [["api", 10], ["web", 8]] as const) {
            const alert = logAlert(doc, `${service}-replicas-at-max`);
            const condition = alert.criteria.allOf[0];
            assert.deepStrictEqual([condition.operator, condition.threshold], ["GreaterThanOrEqual", max], service);
            assert.deepStrictEqual(condition.failingPeriods, { numberOfEvaluationPeriods: 2, minFailingPeriodsToAlert: 2 });
            assert.strictEqual(alert.windowSize, "PT5M");
            assert.deepStrictEqual(alert.scopes, [armIdOf(apps[service])], service);
            // Two failing periods need two rows, one per 5-minute bin: the query groups by its time column.
            assert.match(condition.query, /\| summarize lowestReplicas = min\(Minimum\) by bin\(TimeGenerated, 5m\)$/, service);
        }
    });

    it("outputs every alert name", () => {
        const doc = prod();
        const names = [
            ...resourcesOfType(doc, "azure-native:monitor:ScheduledQueryRule"),
            ...resourcesOfType(doc, "azure-native:monitor:MetricAlert"),
        ].filter((r) => r.parent?.includes("Observability")).map((r) => inputs(r).ruleName).sort();
        assert.deepStrictEqual([...(doc.outputs as any).alertNames].sort(), names);
        assert.ok(names.length >= 7);
    });

    const longerWindow = planned("prod", { stackFile: stackVariant("prod", (c) => { c["bookstore:observability"] = { replicasAtMaxMinutes: 15 }; }) });
    it("stretches the replica window with observability.replicasAtMaxMinutes", () => {
        const doc = longerWindow();
        assert.deepStrictEqual(logAlert(doc, "api-replicas-at-max").criteria.allOf[0].failingPeriods, { numberOfEvaluationPeriods: 3, minFailingPeriodsToAlert: 3 });
    });
});

describe("observability: managed Prometheus on AKS (plan of prod-aks)", () => {
    const aks = () => planOf("prod-aks");

    it("scrapes the api's /metrics with an azmonitoring.coreos.com PodMonitor", () => {
        const monitor = inputs(oneOfType(aks(), "kubernetes:azmonitoring.coreos.com/v1:PodMonitor"));
        assert.strictEqual(monitor.apiVersion, "azmonitoring.coreos.com/v1");
        assert.strictEqual(monitor.metadata.namespace, "bookstore");
        assert.deepStrictEqual(monitor.spec.selector.matchLabels, { "app.kubernetes.io/name": "api" });
        assert.deepStrictEqual(monitor.spec.podMetricsEndpoints, [{ port: "http", path: "/metrics", interval: "30s", scheme: "http" }]);
        const api = resourcesOfType(aks(), "kubernetes:apps/v1:Deployment").find((d) => d.name === "api");
        assert.ok(api, "no api Deployment");
        const pod = inputs(api).spec.template;
        assert.strictEqual(pod.metadata.labels["app.kubernetes.io/name"], "api");
        assert.ok(pod.spec.containers[0].ports.some((p: any) => p.name === "http"));
    });

    it("alerts when an HPA has sat at its maximum for 10 minutes, and on PgBouncer, over the cluster's series in the Azure Monitor workspace", () => {
        const doc = aks();
        const group = inputs(oneOfType(doc, "azure-native:alertsmanagement:PrometheusRuleGroup", "hpa-at-max"));
        assert.deepStrictEqual(group.scopes, [(doc.outputs as any).prometheusWorkspaceId, armIdOf(oneOfType(doc, "azure-native:containerservice:ManagedCluster"))]);
        assert.strictEqual(group.clusterName, "bookstore-prod-aks");
        assert.deepStrictEqual(group.rules.map((r: any) => [r.alert, r.for, r.severity]), [["HpaAtMaxReplicas", "PT10M", 2], ["PgBouncerUnavailable", "PT2M", 1]]);
        assert.strictEqual(group.rules[0].expression, hpaAtMaxExpression("bookstore"));
        assert.deepStrictEqual(group.rules[0].actions, [{ actionGroupId: armIdOf(oneOfType(doc, "azure-native:monitor:ActionGroup")) }]);
        assert.ok((doc.outputs as any).alertNames.includes(group.ruleGroupName));
    });

    it("alerts on the api's request histogram from the workspace alone: its series come over OTLP, without the cluster label", () => {
        const doc = aks();
        const group = inputs(oneOfType(doc, "azure-native:alertsmanagement:PrometheusRuleGroup", "api-requests"));
        assert.deepStrictEqual(group.scopes, [(doc.outputs as any).prometheusWorkspaceId]);
        assert.strictEqual(group.clusterName, undefined);
        assert.deepStrictEqual(group.rules.map((r: any) => [r.alert, r.for]), [["ApiHttp5xxRateHigh", "PT5M"], ["ApiP95LatencyHigh", "PT5M"], ["ApiRequestMetricsAbsent", "PT15M"]]);
        for (const rule of group.rules) assert.match(rule.expression, /http_server_request_duration_seconds_(count|bucket)\{job="apiservice"/);
        assert.ok((doc.outputs as any).alertNames.includes("bookstore-prod-api-requests"));
    });
});
