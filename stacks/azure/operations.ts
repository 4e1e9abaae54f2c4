/**
 * The Azure composition's operations tier: diagnostic settings for every target the other tiers
 * listed, alerts and the Prometheus scrape config, the stack's workbook, Azure Load Testing, and
 * the portal links of the `dashboards` output.
 */
import * as pulumi from "@pulumi/pulumi";
import { roleService } from "../../components/contracts";
import { StackDashboard } from "../../components/azure/dashboard";
import { LoadTesting } from "../../components/azure/loadTesting";
import { AzureGrafana } from "../../components/azure/grafana";
import { Observability, portalLink } from "../../components/azure/observability";
import { APP_NAMESPACE } from "../../components/kubernetes/kubernetesAppTier";
import { loadTestingEnabled } from "../schema/loadTesting";
import type { AzureApp } from "./compute";
import type { AzureCache, AzureDatabase } from "./data";
import type { AzureEdge } from "./edge";
import type { AzureFoundation } from "./foundation";
import { scrapedServices } from "../../components/kubernetes/keda";
import { APP_RESOURCE_NAMES } from "../../components/appContract";

/** Observability, the workbook, load testing and the dashboards output (last: it reads every tier's targets). */
export function composeOperations(base: AzureFoundation, db: AzureDatabase, cache: AzureCache, app: AzureApp, edge: AzureEdge): void {
    const { config, platform, outputs, tags, aksCluster, diagnosticTargets } = base;
    const { appTier } = app;
    const scaledContainerApps = Object.entries(appTier.services).flatMap(([service, svc]) =>
        svc.resourceId ? [{ service, resourceId: svc.resourceId, maxReplicas: svc.maxReplicas }] : []);
    // Each Container App exports its Replicas metric, which the at-max alerts read.
    diagnosticTargets.push(...scaledContainerApps.map((a) => ({
        name: `container-app-${a.service}`, resourceId: a.resourceId, resourceType: "Microsoft.App/containerApps",
    })));
    const apiService = roleService(config.app.services, "api");
    const observability = new Observability("observability", {
        resourceGroupName: platform.resourceGroupName,
        location: config.location,
        namePrefix: base.baseName,
        workspaceId: platform.workspace.id,
        actionGroupId: platform.actionGroupId,
        appInsightsId: platform.appInsights.id,
        diagnosticTargets,
        thresholds: config.observability,
        containerApps: scaledContainerApps,
        kubernetes: aksCluster && appTier.provider && appTier.namespace ? {
            provider: appTier.provider,
            namespace: APP_NAMESPACE,
            apiJob: APP_RESOURCE_NAMES.api,
            pgbouncer: db.settings.pooler === "deployment",
            namespaceRef: appTier.namespace,
            clusterName: aksCluster.clusterName,
            clusterId: aksCluster.clusterId,
            azureMonitorWorkspaceId: aksCluster.monitorWorkspaceId,
            scrape: { name: apiService, matchLabels: { "app.kubernetes.io/name": apiService }, port: "http", services: scrapedServices(config.app.services, apiService) },
        } : undefined,
        redisClusterId: cache.cache.clusterId,
        signalrId: edge.signalr?.id,
        frontDoorProfileId: edge.frontDoor?.profileId,
        tags,
    });
    outputs.alertNames = observability.alertNames;
    const dashboard = new StackDashboard("dashboard", {
        resourceGroupName: platform.resourceGroupName, location: config.location, namePrefix: base.baseName, tags,
        appInsightsId: platform.appInsights.id, workspaceId: platform.workspace.id, redisClusterId: cache.cache.clusterId,
        platform: config.platform, services: appTier.services, kubernetesNamespace: APP_NAMESPACE, database: db.database,
    });
    const grafana = composeGrafana(base, db, cache);
    const loadTesting = loadTestingEnabled(config)
        ? new LoadTesting("loadtest", { resourceGroupName: platform.resourceGroupName, location: config.location, name: `${base.baseName}-loadtest`, tags })
        : undefined;
    const link = (id: pulumi.Input<string>, blade?: string) =>
        pulumi.all([platform.tenantId, id]).apply(([tenantId, resourceId]) => portalLink(tenantId, resourceId, blade));
    const { signalr, frontDoor } = edge;
    outputs.dashboards = {
        applicationInsights: link(platform.appInsights.id),
        logs: link(platform.workspace.id, "logs"),
        redis: link(cache.cache.clusterId),
        ...(signalr ? { signalr: link(signalr.id) } : {}),
        ...(frontDoor ? { frontDoor: link(frontDoor.profileId) } : {}),
        ...(aksCluster ? { aks: link(aksCluster.clusterId, "workloads"), prometheus: link(aksCluster.monitorWorkspaceId) } : {}),
        workbook: link(dashboard.workbookId, "workbook"),
        ...(grafana ? { grafana: grafana.url } : {}),
    };
    if (loadTesting) outputs.loadTestingId = loadTesting.id;
}

/**
 * Azure Managed Grafana with the scaling guide's dashboard, with `observability.grafana.enabled`
 * (aks only: it reads the cluster's Azure Monitor workspace). The database panels follow the
 * writer's role: the writer first, the replicas' lag after it.
 */
function composeGrafana(base: AzureFoundation, db: AzureDatabase, cache: AzureCache): AzureGrafana | undefined {
    const { config, platform, aksCluster, tags } = base;
    if (!config.observability.grafana.enabled || !aksCluster) return undefined;
    const servers = [db.database.primary, ...db.database.replicas];
    const resources = pulumi.all([db.database.writerIndex, pulumi.all(servers.map((s) => s.id)), cache.cache.clusterId]).apply(([writer, ids, redisClusterId]) => ({
        servers: [ids[writer], ...ids.filter((_, i) => i !== writer)],
        maxConnections: db.database.maxConnections,
        replicationLagSeconds: db.settings.alerts.replicationLagSeconds,
        redisClusterId,
    }));
    return new AzureGrafana("grafana", {
        resourceGroupName: platform.resourceGroupName,
        resourceGroupId: pulumi.interpolate`/subscriptions/${platform.subscriptionId}/resourceGroups/${platform.resourceGroupName}`,
        subscriptionId: platform.subscriptionId,
        location: config.location,
        // Instance names are 2-23 characters: `<prefix>-<env>-gf` fits every valid prefix.
        name: `${base.baseName}-gf`,
        azureMonitorWorkspaceId: aksCluster.monitorWorkspaceId,
        adminPrincipalIds: config.observability.grafana.adminGroupIds,
        viewerPrincipalIds: config.observability.grafana.viewerGroupIds,
        dashboard: { apiJob: APP_RESOURCE_NAMES.api, namespace: APP_NAMESPACE, thresholds: config.observability, resources },
        tags,
    });
}
