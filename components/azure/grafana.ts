/**
 * Azure Managed Grafana with the platform's dashboard: a Standard instance linked to the cluster's
 * Azure Monitor workspace (its Prometheus data source), reading Azure Monitor metrics through its
 * built-in data source and system-assigned identity, admins and viewers from Entra ID groups, and
 * the dashboard of components/grafanaDashboard.ts provisioned through the Grafana API with the
 * deployer's own Entra ID token (@pulumiverse/grafana).
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as dashboard from "@pulumi/azure-native/dashboard";
import * as grafana from "@pulumiverse/grafana";
import { CloudPanel, CloudPanelId, grafanaDashboard, GrafanaTarget, refId } from "../grafanaDashboard";
import { propagationWait } from "./propagationWait";
import { roleDefinitionId } from "./roles";
import { MONITORING_DATA_READER } from "./kedaAuth";

/** Built-in roles (Learn, "Azure role-based access control within Azure Managed Grafana"; "Azure built-in roles for Monitor"). */
export const GRAFANA_ROLES = {
    admin: "22926164-76b3-42b3-bc55-97df8dab3e41",
    viewer: "60921a7e-fef1-4a43-9b16-a26c52ad4769",
    monitoringReader: "43d0d8ad-25c7-4714-9337-8ba259a9fe05",
} as const;

/**
 * The audience of an Entra ID token for the Azure Managed Grafana data-plane API (Learn,
 * "Authenticate to Azure Managed Grafana data plane APIs with Microsoft Entra ID", read 2026-12-08:
 * resource https://dashboard.azure.com, scope https://dashboard.azure.com/.default). azure-native's
 * getClientToken takes the resource as its `endpoint`, as for https://management.azure.com.
 */
export const GRAFANA_TOKEN_AUDIENCE = "https://dashboard.azure.com";

/** An Azure Monitor metrics query as the Grafana Azure Monitor data source reads it: one resource, one metric. */
export function azureMonitorTarget(n: number, q: { resourceId: string; metricNamespace: string; metricName: string; aggregation: string; alias: string; hide?: boolean }): GrafanaTarget {
    const parts = q.resourceId.split("/");
    const [subscription, resourceGroup, resourceName] = [parts[2], parts[4], parts[parts.length - 1]];
    return {
        refId: refId(n), queryType: "Azure Monitor", subscription, ...(q.hide ? { hide: true } : {}),
        azureMonitor: {
            resources: [{ subscription, resourceGroup, metricNamespace: q.metricNamespace, resourceName }],
            metricNamespace: q.metricNamespace.toLowerCase(), metricName: q.metricName, aggregation: q.aggregation,
            timeGrain: "auto", alias: q.alias, dimensionFilters: [],
        },
    };
}

export interface AzureDashboardResources {
    /** Flexible Server ids: the primary first, then the replicas. */
    servers: string[];
    maxConnections: number;
    replicationLagSeconds: number;
    /** The Azure Managed Redis cluster. */
    redisClusterId: string;
}

const PG = "Microsoft.DBforPostgreSQL/flexibleServers";
const REDIS = "Microsoft.Cache/redisEnterprise";

/** The dashboard's database and cache panels from Azure Monitor metrics (names of AZURE_METRICS). */
export function azureMonitorGrafanaPanels(r: AzureDashboardResources): Record<CloudPanelId, CloudPanel> {
    const name = (id: string) => id.split("/").pop()!;
    const pg = (metricName: string, ids: string[], aggregation: string) =>
        ids.map((id, n) => azureMonitorTarget(n, { resourceId: id, metricNamespace: PG, metricName, aggregation, alias: name(id) }));
    const hits = azureMonitorTarget(0, { resourceId: r.redisClusterId, metricNamespace: REDIS, metricName: "cachehits", aggregation: "Total", alias: "hits", hide: true });
    const misses = azureMonitorTarget(1, { resourceId: r.redisClusterId, metricNamespace: REDIS, metricName: "cachemisses", aggregation: "Total", alias: "misses", hide: true });
    return {
        "db-connections": { title: "Database connections", unit: "short", targets: pg("active_connections", r.servers, "Maximum"), threshold: r.maxConnections },
        "replication-lag": { title: "Replication lag (replicas)", unit: "s", targets: pg("physical_replication_delay_in_seconds", r.servers.slice(1), "Maximum"), threshold: r.replicationLagSeconds },
        // No hit-rate metric: Grafana's server-side math over the two counts.
        "cache-hit-rate": { title: "Cache hit rate (Redis)", unit: "percent", targets: [hits, misses, { refId: "C", datasource: { type: "__expr__", uid: "__expr__" }, type: "math", expression: "100 * $A / ($A + $B)" }] },
        "cache-memory": { title: "Cache memory used (Redis)", unit: "percent", targets: [azureMonitorTarget(0, { resourceId: r.redisClusterId, metricNamespace: REDIS, metricName: "usedmemorypercentage", aggregation: "Maximum", alias: "used" })] },
    };
}

export interface AzureGrafanaArgs {
    resourceGroupName: pulumi.Input<string>;
    /** Resource group id: where the instance's identity reads Azure Monitor metrics (Monitoring Reader). */
    resourceGroupId: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    location: string;
    /** Instance name: 2-23 letters, digits and dashes (Learn, "Create an Azure Managed Grafana workspace"). */
    name: string;
    azureMonitorWorkspaceId: pulumi.Input<string>;
    /** Entra ID object ids (groups) of the instance's admins and viewers. */
    adminPrincipalIds: string[];
    viewerPrincipalIds: string[];
    dashboard: Omit<Parameters<typeof grafanaDashboard>[0], "uid" | "title" | "cloudDatasourceType" | "cloud"> & { resources: pulumi.Input<AzureDashboardResources> };
    tags: Record<string, string>;
}

export class AzureGrafana extends pulumi.ComponentResource {
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: AzureGrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:azure:Grafana", name, {}, opts);
        const p = { parent: this };
        const instance = new dashboard.Grafana(name, {
            resourceGroupName: args.resourceGroupName,
            workspaceName: args.name,
            location: args.location,
            sku: { name: "Standard" },
            identity: { type: "SystemAssigned" },
            properties: {
                publicNetworkAccess: "Enabled",
                // Instances spread over zones (Learn, "Reliability in Azure Managed Grafana": recommended for production; set at creation).
                zoneRedundancy: "Enabled",
                // The Azure Monitor workspace as a Prometheus data source (Microsoft.Dashboard 2024-10-01 GrafanaIntegrations).
                grafanaIntegrations: { azureMonitorWorkspaceIntegrations: [{ azureMonitorWorkspaceResourceId: args.azureMonitorWorkspaceId }] },
                grafanaMajorVersion: "11",
            },
            tags: args.tags,
        }, p);
        this.url = instance.properties.apply((props) => props.endpoint);
        const identity = instance.identity.apply((i) => i!.principalId);
        const grant = (key: string, role: string, scope: pulumi.Input<string>, principalId: pulumi.Input<string>, principalType?: "ServicePrincipal" | "Group") =>
            new authorization.RoleAssignment(`${name}-${key}`, {
                scope, principalId, roleDefinitionId: roleDefinitionId(args.subscriptionId, role), ...(principalType ? { principalType } : {}),
            }, p);
        // The instance reads the workspace's Prometheus data and the stack's Azure Monitor metrics.
        const reads = [
            grant("reads-prometheus", MONITORING_DATA_READER, args.azureMonitorWorkspaceId, identity, "ServicePrincipal"),
            grant("reads-metrics", GRAFANA_ROLES.monitoringReader, args.resourceGroupId, identity, "ServicePrincipal"),
        ];
        args.adminPrincipalIds.forEach((id, i) => grant(`admin-${i + 1}`, GRAFANA_ROLES.admin, instance.id, id, "Group"));
        args.viewerPrincipalIds.forEach((id, i) => grant(`viewer-${i + 1}`, GRAFANA_ROLES.viewer, instance.id, id, "Group"));
        // The deployer provisions the dashboard with its own token: it is a Grafana Admin of the instance.
        const deployer = authorization.getClientConfigOutput({ parent: this });
        const deployerAdmin = grant("deployer-admin", GRAFANA_ROLES.admin, instance.id, deployer.objectId);
        const ready = propagationWait(`${name}-grants`, { grants: [...reads, deployerAdmin] }, p);
        const token = authorization.getClientTokenOutput({ endpoint: GRAFANA_TOKEN_AUDIENCE }, { parent: this });
        const provider = new grafana.Provider(`${name}-api`, { url: this.url, auth: pulumi.secret(token.token) }, { parent: this, dependsOn: [ready] });
        const model = pulumi.output(args.dashboard.resources).apply((resources) => JSON.stringify(grafanaDashboard({
            ...args.dashboard, uid: args.name, title: `BookStore ${args.name}`, cloudDatasourceType: "grafana-azure-monitor-datasource", cloud: azureMonitorGrafanaPanels(resources),
        })));
        new grafana.oss.Dashboard(`${name}-dashboard`, { configJson: model, overwrite: true }, { parent: this, provider, dependsOn: [ready] });
        this.registerOutputs({ url: this.url });
    }
}
