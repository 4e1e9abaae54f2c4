import { strict as assert } from "assert";
import { AWS_METRICS, CloudWatchDashboardInputs } from "../../components/aws/dashboard";
import { cloudWatchGrafanaPanels, grafanaReadStatements, TOKEN_ROTATION_DAYS, TOKEN_SECONDS_TO_LIVE } from "../../components/aws/grafana";
import { AZURE_METRICS } from "../../components/azure/dashboardMetrics";
import { azureMonitorGrafanaPanels, GRAFANA_TOKEN_AUDIENCE } from "../../components/azure/grafana";
import { GRAFANA_PANELS, grafanaDashboard, type CloudPanel } from "../../components/grafanaDashboard";
import { parseStackConfig } from "../../stacks/config";
import { problemsOf } from "../helpers/config";
import { ofType, planned, stackVariant } from "../helpers/plan";

const cloudwatchInputs: CloudWatchDashboardInputs = {
    region: "us-east-1",
    clusterName: "bookstore-prod",
    namespace: "bookstore",
    services: [{ name: "api", maxReplicas: 10 }],
    loadBalancer: "app/bookstore-prod-web/0123456789abcdef",
    database: {
        primary: "bookstore-prod-db", primaryResourceId: "db-ABC", maxConnections: 200,
        replicas: [{ identifier: "bookstore-prod-db-replica-1", region: "us-east-1" }, { identifier: "bookstore-prod-db-replica-2", region: "us-west-2" }],
    },
    cacheNodes: ["bookstore-prod-valkey-0001-001", "bookstore-prod-valkey-0001-002"],
};

const server = (name: string) => `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-bookstore/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;
const azureResources = {
    servers: [server("bookstore-prod-pg"), server("bookstore-prod-pg-replica-1")],
    maxConnections: 859,
    replicationLagSeconds: 60,
    redisClusterId: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-bookstore/providers/Microsoft.Cache/redisEnterprise/bookstore-prod-redis",
};

/** The seed's thresholds: p95 500 ms, 5xx 1 %. */
const dashboardOf = (cloud: Record<string, CloudPanel>, cloudDatasourceType: string) => grafanaDashboard({
    uid: "bookstore-prod", title: "BookStore", apiJob: "apiservice", namespace: "bookstore", cloudDatasourceType,
    thresholds: { p95LatencyMs: 500, http5xxPercent: 1 }, cloud: cloud as any,
});

describe("Grafana dashboard (the scaling guide's key panels)", () => {
    const model = dashboardOf(cloudWatchGrafanaPanels(cloudwatchInputs, 60), "cloudwatch") as any;

    it("has the seed's eight panels in order, two to a row, none overlapping", () => {
        assert.equal(model.panels.length, GRAFANA_PANELS.length);
        assert.deepEqual(model.panels.map((p: any) => p.title), [
            "Request rate (api)", "p95 response time (api)", "5xx error rate (api)", "Replicas vs max (HPA)",
            "Database connections", "Replication lag (replicas)", "Cache hit rate (Valkey)", "Cache memory used (Valkey)",
        ]);
        const cells = model.panels.map((p: any) => `${p.gridPos.x},${p.gridPos.y}`);
        assert.equal(new Set(cells).size, cells.length);
        assert.ok(model.panels.every((p: any) => p.gridPos.x + p.gridPos.w <= 24), "Grafana's grid is 24 columns wide");
    });

    it("draws the seed's limits as threshold lines: p95 0.5 s, 5xx 1 %, replication lag 60 s, the server's max_connections", () => {
        const threshold = (title: string) => model.panels.find((p: any) => p.title === title).fieldConfig.defaults.thresholds?.steps[1].value;
        assert.equal(threshold("p95 response time (api)"), 0.5);
        assert.equal(threshold("5xx error rate (api)"), 1);
        assert.equal(threshold("Replication lag (replicas)"), 60);
        assert.equal(threshold("Database connections"), 200);
        assert.equal(threshold("Request rate (api)"), undefined);
    });

    it("picks its data sources by type through variables, so it does not depend on the uids a workspace assigns", () => {
        assert.deepEqual(model.templating.list.map((v: any) => [v.name, v.type, v.query]), [["prometheus", "datasource", "prometheus"], ["cloud", "datasource", "cloudwatch"]]);
        for (const panel of model.panels) assert.match(panel.datasource.uid, /^\$\{(prometheus|cloud)\}$/);
    });

    it("on AWS reads only CloudWatch metrics of the dated AWS_METRICS table, each replica in its own region, the primary not in the lag panel", () => {
        const panels = cloudWatchGrafanaPanels(cloudwatchInputs, 60);
        for (const [id, panel] of Object.entries(panels)) {
            for (const t of panel.targets) assert.ok(AWS_METRICS[t.namespace as string]?.includes(t.metricName as string), `${id}: ${t.namespace} ${t.metricName}`);
        }
        const lag = panels["replication-lag"].targets;
        assert.deepEqual(lag.map((t) => [t.dimensions, t.region]), [
            [{ DBInstanceIdentifier: "bookstore-prod-db-replica-1" }, "us-east-1"], [{ DBInstanceIdentifier: "bookstore-prod-db-replica-2" }, "us-west-2"],
        ]);
        assert.equal(panels["db-connections"].targets.length, 3);
        assert.deepEqual(panels["cache-hit-rate"].targets.map((t) => (t.dimensions as any).CacheClusterId), cloudwatchInputs.cacheNodes);
    });

    it("on Azure reads only Azure Monitor metrics of the dated AZURE_METRICS table, lag from the replicas only, hit rate from hits and misses", () => {
        const panels = azureMonitorGrafanaPanels(azureResources);
        for (const [id, panel] of Object.entries(panels)) {
            for (const t of panel.targets.filter((t) => t.azureMonitor)) {
                const q = t.azureMonitor as { resources: { metricNamespace: string }[]; metricName: string };
                assert.ok(AZURE_METRICS[q.resources[0].metricNamespace]?.includes(q.metricName), `${id}: ${q.resources[0].metricNamespace} ${q.metricName}`);
            }
        }
        const lag = panels["replication-lag"].targets.map((t) => (t.azureMonitor as any).resources[0].resourceName);
        assert.deepEqual(lag, ["bookstore-prod-pg-replica-1"]);
        const hitRate = panels["cache-hit-rate"].targets;
        assert.deepEqual(hitRate.map((t) => [t.refId, t.hide ?? false]), [["A", true], ["B", true], ["C", false]]);
        assert.equal(hitRate[2].expression, "100 * $A / ($A + $B)");
    });
});

describe("Amazon Managed Grafana (prod-eks)", () => {
    const plan = planned("prod-eks");

    it("reads the stack's own Prometheus workspace and CloudWatch, read-only, through its own role", () => {
        const statements = grafanaReadStatements("arn:aws:aps:us-east-1:123456789012:workspace/ws-1");
        assert.equal(statements[0].Resource, "arn:aws:aps:us-east-1:123456789012:workspace/ws-1");
        for (const s of statements) for (const action of s.Action) assert.match(action, /:(Get|List|Describe|Query)/, `${action} is not a read`);
        const [workspace] = ofType(plan().resources, "aws:grafana/workspace:Workspace");
        assert.equal(workspace.inputs.permissionType, "CUSTOMER_MANAGED");
        assert.deepEqual(workspace.inputs.authenticationProviders, ["AWS_SSO"]);
        const [role] = ofType(plan().resources, "aws:iam/role:Role").filter((r) => r.name === "grafana-workspace");
        assert.equal(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal.Service, "grafana.amazonaws.com");
    });

    it("signs the program in with a service-account token within the API's 30-day limit, renewed before it expires", () => {
        assert.ok(TOKEN_SECONDS_TO_LIVE <= 30 * 24 * 3600, "CreateWorkspaceServiceAccountToken: secondsToLive up to 30 days");
        assert.ok(TOKEN_ROTATION_DAYS * 24 * 3600 < TOKEN_SECONDS_TO_LIVE);
        const [token] = ofType(plan().resources, "aws:grafana/workspaceServiceAccountToken:WorkspaceServiceAccountToken");
        assert.equal(token.inputs.secondsToLive, TOKEN_SECONDS_TO_LIVE);
        const [provider] = ofType(plan().resources, "pulumi:providers:grafana");
        assert.ok(provider, "the dashboard goes through the workspace's own Grafana API");
    });

    it("provisions the dashboard with the AMP data source signed with the workspace role (SigV4) and the CloudWatch one", () => {
        const sources = ofType(plan().resources, "grafana:oss/dataSource:DataSource").map((r) => [r.inputs.type, JSON.parse(r.inputs.jsonDataEncoded)]);
        assert.deepEqual(sources.map(([type]) => type).sort(), ["cloudwatch", "prometheus"]);
        const prometheus = sources.find(([type]) => type === "prometheus")![1];
        assert.equal(prometheus.sigV4Auth, true);
        assert.equal(prometheus.sigV4AuthType, "ec2_iam_role");
        const [dashboard] = ofType(plan().resources, "grafana:oss/dashboard:Dashboard");
        const model = JSON.parse(dashboard.inputs.configJson);
        assert.equal(model.panels.length, GRAFANA_PANELS.length);
        const dbPanel = model.panels.find((p: any) => p.title === "Database connections");
        assert.ok(dbPanel.targets.length >= 2, "the primary and its replicas");
    });
});

describe("Azure Managed Grafana (a prod-aks variant with observability.grafana on)", () => {
    const admin = "11111111-2222-4333-8444-555555555555";
    const plan = planned("prod-aks", { stackFile: stackVariant("prod-aks", (config) => {
        config["bookstore:observability"] = { ...(config["bookstore:observability"] ?? {}), grafana: { enabled: true, adminGroupIds: [admin] } };
    }) });

    it("links the cluster's Azure Monitor workspace, spreads over zones, and lets the instance read metrics and the admins in", () => {
        const [grafana] = ofType(plan().resources, "azure-native:dashboard:Grafana");
        const props = grafana.inputs.properties;
        assert.equal(props.zoneRedundancy, "Enabled");
        assert.equal(props.grafanaIntegrations.azureMonitorWorkspaceIntegrations.length, 1);
        assert.ok(grafana.inputs.workspaceName.length <= 23, "instance names are 2-23 characters");
        const grants = ofType(plan().resources, "azure-native:authorization:RoleAssignment").filter((r) => r.name.startsWith("grafana-"));
        const roleOf = (name: string) => grants.find((g) => g.name === name)?.inputs.roleDefinitionId as string;
        assert.match(roleOf("grafana-admin-1"), /22926164-76b3-42b3-bc55-97df8dab3e41$/, "Grafana Admin");
        assert.equal(grants.find((g) => g.name === "grafana-admin-1")!.inputs.principalId, admin);
        assert.match(roleOf("grafana-reads-metrics"), /43d0d8ad-25c7-4714-9337-8ba259a9fe05$/, "Monitoring Reader");
        assert.ok(roleOf("grafana-deployer-admin"), "the deployer provisions the dashboard with its own token");
    });

    it("asks Entra ID for a token of the Grafana data-plane audience, after the grants have propagated", () => {
        assert.equal(GRAFANA_TOKEN_AUDIENCE, "https://dashboard.azure.com");
        const [dashboard] = ofType(plan().resources, "grafana:oss/dashboard:Dashboard");
        const model = JSON.parse(dashboard.inputs.configJson);
        assert.deepEqual(model.templating.list[1].query, "grafana-azure-monitor-datasource");
        const waits = plan().resources.filter((r) => r.type === "time:index/sleep:Sleep" && r.name.startsWith("grafana-")).map((r) => r.urn);
        assert.equal(waits.length, 1, "one wait for the Grafana grants");
        assert.ok(dashboard.dependencies.includes(waits[0]), "the dashboard waits for the grants");
    });
});

describe("observability.grafana config", () => {
    const base = (platform: string): Record<string, any> => ({
        environment: "prod", platform,
        tags: { owner: "team@example.com", costCenter: "cc-1" },
        app: { services: { api: { image: "bookstore/api:1.2.3" }, web: { image: "bookstore/web:1.2.3", ingress: { external: true } } } },
    });

    it("is off by default", () => {
        assert.deepEqual(parseStackConfig(base("containerapps")).observability.grafana, { enabled: false, adminGroupIds: [], viewerGroupIds: [] });
    });

    it("is refused on containerapps (no Prometheus workspace), naming the key", () => {
        const raw = base("containerapps");
        raw.observability = { grafana: { enabled: true, adminGroupIds: ["11111111-2222-4333-8444-555555555555"] } };
        assert.ok(problemsOf(raw).some((p) => p.startsWith("bookstore:observability.grafana.enabled: expected false on platform \"containerapps\"")));
    });

    it("needs an admin group and ids of the cloud's own kind, naming each bad one", () => {
        const raw = base("aks");
        raw.app.aks = { kubernetesVersion: "1.36" };
        raw.observability = { grafana: { enabled: true, viewerGroupIds: ["not-a-guid"] } };
        const problems = problemsOf(raw);
        assert.ok(problems.some((p) => p.startsWith("bookstore:observability.grafana.adminGroupIds: expected at least one group")), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("bookstore:observability.grafana.viewerGroupIds.0: expected an Entra ID group object id")), problems.join("\n"));
    });

    it("tells a stack file of the earlier layout where the Grafana switch moved", () => {
        const raw = base("eks");
        raw.aws = { observability: { grafana: true } };
        assert.ok(problemsOf(raw).some((p) => p.startsWith("bookstore:aws.observability.grafana: moved to bookstore:observability.grafana.enabled")));
    });
});
