import * as assert from "assert";
import { workbookUuid } from "../../../components/azure/dashboard";
import { replicationLagSeriesQuery } from "../../../components/azure/alertQueries";
import { AZURE_METRICS, CONTAINER_INSIGHTS_COUNTERS } from "../../../components/azure/dashboardMetrics";
import { DASHBOARD_PANELS } from "../../../components/dashboardPanels";
import { workbookDocument, workbookPanels, WorkbookInputs } from "../../../components/azure/dashboardWorkbook";
import { loadTestingEnabled } from "../../../stacks/schema/loadTesting";
import { armIdentity } from "../../../tools/offline/mocks";
import { problemsOf } from "../../helpers/config";
import { inputs, oneOfType, planOf, resourcesOfType, Resource, nonEmpty } from "../../helpers/plan";

const SUB = "/subscriptions/0/resourceGroups/bookstore-prod-rg/providers";
const containerAppsInputs: WorkbookInputs = {
    title: "BookStore bookstore-prod",
    resourceGroupName: "bookstore-prod-rg",
    appInsightsId: `${SUB}/Microsoft.Insights/components/bookstore-prod-insights`,
    workspaceId: `${SUB}/Microsoft.OperationalInsights/workspaces/bookstore-prod-logs`,
    platform: "containerapps",
    services: [
        { name: "api", maxReplicas: 10, resourceId: `${SUB}/Microsoft.App/containerApps/bookstore-prod-api` },
        { name: "web", maxReplicas: 8, resourceId: `${SUB}/Microsoft.App/containerApps/bookstore-prod-web` },
    ],
    databaseServers: [
        { resourceId: `${SUB}/Microsoft.DBforPostgreSQL/flexibleServers/bookstore-prod-pg`, replica: false },
        { resourceId: `${SUB}/Microsoft.DBforPostgreSQL/flexibleServers/bookstore-prod-pg-replica-1`, replica: true },
    ],
    maxConnections: 200,
    redisClusterId: `${SUB}/Microsoft.Cache/redisEnterprise/bookstore-prod-redis`,
};
const aksInputs: WorkbookInputs = {
    ...containerAppsInputs, platform: "aks", kubernetesNamespace: "bookstore",
    services: containerAppsInputs.services.map(({ name, maxReplicas }) => ({ name, maxReplicas })),
};

type Item = { type: number; name: string; content: any };
const itemsOf = (doc: Record<string, unknown>) => doc.items as Item[];
const itemNamed = (doc: Record<string, unknown>, name: string) => itemsOf(doc).find((i) => i.name === name)!;

/** Metric names of the table, for a workbook namespace such as "microsoft.app/containerapps". */
function knownMetrics(namespace: string): readonly string[] {
    const type = Object.keys(AZURE_METRICS).find((t) => t.toLowerCase() === namespace.toLowerCase());
    assert.ok(type, `no metric table for ${namespace}`);
    return AZURE_METRICS[type];
}

/** Every metric name an item reads: MetricsItem ids and `MetricName` literals of AzureMetrics queries. */
function metricNamesIn(item: Item): { namespace?: string; name: string }[] {
    if (item.type === 10) return item.content.metrics.map((m: any) => ({ namespace: m.namespace, name: m.metric.split("--")[1] }));
    if (item.type !== 3 || !item.content.query.startsWith("AzureMetrics") && !item.content.query.includes("= AzureMetrics")) return [];
    const literals = [...item.content.query.matchAll(/MetricName (?:==|in) \(?("[^)]*?")\)?(?: |$|\n)/g)].flatMap((m) => JSON.parse(`[${m[1]}]`) as string[]);
    return literals.map((name) => ({ name }));
}

describe("stack dashboard (Azure Monitor workbook)", () => {
    for (const [label, given] of [["containerapps", containerAppsInputs], ["aks", aksInputs]] as const) {
        describe(label, () => {
            const doc = workbookDocument(given);

            it("shows every key metric of the guide, each once", () => {
                const names = itemsOf(doc).map((i) => i.name);
                for (const panel of DASHBOARD_PANELS) assert.equal(names.filter((n) => n === panel).length, 1, `panel ${panel}`);
                assert.equal(new Set(names).size, names.length, "item names are unique");
            });

            it("reads only metric names that exist for their resource type (table in dashboardMetrics.ts)", () => {
                const allAzure = Object.values(AZURE_METRICS).flat();
                for (const item of itemsOf(doc)) {
                    for (const { namespace, name } of metricNamesIn(item)) {
                        if (namespace) assert.ok(knownMetrics(namespace).includes(name), `${item.name}: ${namespace} has no metric ${name}`);
                        else assert.ok(allAzure.includes(name), `${item.name}: no resource type has metric ${name}`);
                    }
                }
                for (const panel of workbookPanels(given)) {
                    const text = JSON.stringify(panel.item);
                    for (const use of panel.metrics) {
                        const known = use.resourceType === "ContainerInsights" ? CONTAINER_INSIGHTS_COUNTERS : AZURE_METRICS[use.resourceType];
                        assert.ok(known.includes(use.name), `${panel.id}: ${use.resourceType} has no metric ${use.name}`);
                        assert.ok(text.includes(use.name), `${panel.id} declares ${use.name} but does not read it`);
                    }
                }
            });

            it("draws each service's replica ceiling and max_connections beside the live values", () => {
                const replicas = itemNamed(doc, "replicas-vs-max").content.query;
                assert.match(replicas, /key == "api", 10, key == "web", 8/);
                if (label === "containerapps") assert.ok(replicas.includes(`_ResourceId =~ "${containerAppsInputs.services[0].resourceId}", "api"`));
                else assert.match(replicas, /KubePodInventory\n\| where Namespace == "bookstore".*\n.*\n\| where key in \("api", "web"\)/);
                assert.match(itemNamed(doc, "db-connections-vs-max").content.query, /series = "max_connections", value = 200\.0/);
            });

            it("carries the seed's three Azure Monitor queries, scoped to the stack", () => {
                assert.equal(itemNamed(doc, "avg-response-by-endpoint").content.query,
                    "requests\n| where timestamp > ago(1h)\n| summarize avg(duration), percentile(duration, 95) by name\n| order by avg_duration desc");
                assert.match(itemNamed(doc, "error-rate-over-time").content.query, /errors = countif\(success == false\)\n\s+by bin\(timestamp, 5m\)\n\| extend error_rate = errors \* 100\.0 \/ total/);
                assert.match(itemNamed(doc, "scaling-events").content.query, /AzureActivity\n\| where OperationNameValue contains "scale"\n\| where ResourceGroup =~ "bookstore-prod-rg"/);
                assert.deepEqual(itemNamed(doc, "avg-response-by-endpoint").content.crossComponentResources, [given.appInsightsId]);
            });

            it("charts replication lag as the alert measures it (the replicas' lag only while the writer has WAL outstanding), and says so when there are none", () => {
                const query = itemNamed(doc, "replication-lag").content.query as string;
                assert.equal(query, replicationLagSeriesQuery(given.databaseServers[0].resourceId, [given.databaseServers[1].resourceId]));
                assert.match(query, /ResourceId =~ "[^"]+" and MetricName == "physical_replication_delay_in_bytes"/);
                assert.ok(query.includes(JSON.stringify(given.databaseServers[0].resourceId)), "the writer's WAL backlog");
                assert.match(query, /lagSeconds = iff\(behindBytes > 0, lagSeconds, 0\.0\)/, "an idle primary charts 0, not the climbing time since the last replay");
                const single = workbookDocument({ ...given, databaseServers: [given.databaseServers[0]] });
                assert.match(itemNamed(single, "replication-lag").content.json, /no read replicas/);
            });
        });
    }

    it("names the workbook with a stable UUID per stack (the resource name must be a UUID)", () => {
        const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
        assert.match(workbookUuid("bookstore-prod"), uuid);
        assert.equal(workbookUuid("bookstore-prod"), workbookUuid("bookstore-prod"));
        assert.notEqual(workbookUuid("bookstore-prod"), workbookUuid("bookstore-dev"));
    });

    describe("in the plan", function () {
        this.timeout(120000);
        const WORKBOOK = "azure-native:applicationinsights:Workbook";
        const armIdOf = (r: Resource) => armIdentity(r.type, r.name, inputs(r)).id;

        for (const stack of ["prod", "prod-aks"]) {
            it(`${stack}: deploys the workbook with every panel, pointed at the stack's own resources, and links it`, () => {
                const plan = planOf(stack);
                const workbook = oneOfType(plan, WORKBOOK);
                const args = inputs(workbook);
                assert.equal(args.kind, "shared");
                assert.equal(args.sourceId, "azure monitor");
                assert.match(args.resourceName, /^[0-9a-f-]{36}$/);
                assert.ok(!args.serializedData.includes("Output<T>"), "no unresolved Output in the document");
                const doc = JSON.parse(args.serializedData);
                // The services' ceilings from the stack file (api 10, web 8 in both prod stacks).
                assert.match(itemNamed(doc, "replicas-vs-max").content.query, /key == "api", 10, key == "web", 8/);
                for (const panel of DASHBOARD_PANELS) assert.ok(itemsOf(doc).some((i) => i.name === panel), `${stack}: panel ${panel}`);
                // Every charted resource exists in the plan, with the metric's resource type.
                const planned = new Set(plan.resources.map(armIdOf).map((id) => id.toLowerCase()));
                for (const item of nonEmpty(itemsOf(doc).filter((i) => i.type === 10))) {
                    for (const id of item.content.resourceIds as string[]) {
                        assert.ok(planned.has(id.toLowerCase()), `${item.name}: ${id} is not a planned resource`);
                        assert.ok(id.toLowerCase().includes(`/providers/${item.content.resourceType}/`), `${item.name}: ${id} is not a ${item.content.resourceType}`);
                    }
                }
                const replicas = resourcesOfType(plan, "azure-native:dbforpostgresql:Server").filter((s) => inputs(s).createMode === "Replica");
                const lagQuery = itemNamed(doc, "replication-lag").content.query as string;
                for (const replica of replicas) assert.ok(lagQuery.toLowerCase().includes(armIdOf(replica).toLowerCase()), `${replica.name} is charted`);
                assert.match(String((plan.outputs as any).dashboards.workbook), /\/Microsoft\.applicationinsights\/workbooks\/[^/]+\/workbook$/i);
            });
        }

        it("prod gets an Azure Load Testing resource and its id in the outputs; dev does not", () => {
            const prod = planOf("prod");
            const loadTest = oneOfType(prod, "azure-native:loadtestservice:LoadTest");
            assert.equal(inputs(loadTest).loadTestName, "bookstore-prod-loadtest");
            assert.equal(inputs(loadTest).location, "eastus2");
            assert.match(String((prod.outputs as any).loadTestingId), /\/loadTests\/bookstore-prod-loadtest$/);
            const dev = planOf("dev");
            assert.equal(resourcesOfType(dev, "azure-native:loadtestservice:LoadTest").length, 0);
            assert.equal((dev.outputs as any).loadTestingId, undefined);
        });
    });

    describe("config switch bookstore:loadTesting", () => {
        it("defaults to prod only and can be set either way", () => {
            assert.equal(loadTestingEnabled({ environment: "prod", loadTesting: {} }), true);
            assert.equal(loadTestingEnabled({ environment: "dev", loadTesting: {} }), false);
            assert.equal(loadTestingEnabled({ environment: "dev", loadTesting: { enabled: true } }), true);
            assert.equal(loadTestingEnabled({ environment: "prod", loadTesting: { enabled: false } }), false);
        });

        it("rejects unknown keys and non-boolean values, naming the key", () => {
            const base = { environment: "dev", tags: { owner: "o", costCenter: "c" }, app: { services: { web: { image: "x.azurecr.io/web:1", ingress: { external: true } } } } };
            const problems = problemsOf({ ...base, loadTesting: { enable: true, enabled: "yes" } });
            assert.ok(problems.some((p) => /^bookstore:loadTesting\.enable: unknown key \(check the spelling; allowed here: enabled\)/.test(p)), problems.join("\n"));
            assert.ok(problems.some((p) => /^bookstore:loadTesting\.enabled: expected true or false, got "yes"/.test(p)), problems.join("\n"));
        });
    });

    it("turns on the enhanced metrics its transactions-per-second and cache-hit panels read, on both servers that can write (primary and failover partner)", () => {
        const configurations = resourcesOfType(planOf("prod"), "azure-native:dbforpostgresql:Configuration")
            .filter((r) => inputs(r).configurationName === "metrics.collector_database_activity");
        assert.deepStrictEqual(configurations.map((r) => [r.name, inputs(r).value]).sort(), [
            ["bookstore-prod-pg-metrics-collector-database-activity", "on"],
            ["bookstore-prod-pg-replica-2-metrics-collector-database-activity", "on"],
        ]);
    });
});
