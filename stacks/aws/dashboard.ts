import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { APP_RESOURCE_NAMES } from "../../components/appContract";
import { memberClusterIds } from "../../components/aws/cache";
import { CloudWatchDashboardInputs, cloudWatchDashboardBody, cloudWatchDashboardUrl } from "../../components/aws/dashboard";
import type { RdsDatabase } from "../../components/aws/database";
import { AwsGrafana, cloudWatchGrafanaPanels } from "../../components/aws/grafana";
import type { AwsObservability } from "../../components/aws/observability";
import { APP_NAMESPACE } from "../../components/kubernetes/kubernetesAppTier";
import type { EksStackConfig } from "../config";
import type { AwsFoundation } from "./foundation";

export interface AwsDashboards {
    /** Console link of the CloudWatch dashboard. */
    cloudwatch: pulumi.Output<string>;
    /** Amazon Managed Grafana, with `observability.grafana.enabled`. */
    grafana?: AwsGrafana;
}

/**
 * The stack's dashboards: the CloudWatch dashboard (the cloud-neutral panels) and, with
 * `observability.grafana.enabled`, Amazon Managed Grafana with the scaling guide's dashboard.
 */
export function composeDashboard(config: EksStackConfig, base: AwsFoundation, database: RdsDatabase, loadBalancer: pulumi.Input<string>,
    observability?: AwsObservability): AwsDashboards {
    const cache = config.aws.cache;
    const inputs: pulumi.Output<CloudWatchDashboardInputs> = pulumi.all([
        loadBalancer, database.primary.identifier, database.primary.resourceId ?? "", pulumi.all(database.replicas.map((r) => r.identifier)),
    ]).apply(([lb, primary, resourceId, replicaIds]) => ({
        region: base.region,
        clusterName: base.clusterName,
        namespace: APP_NAMESPACE,
        services: Object.entries(config.app.services).map(([name, svc]) => ({ name, maxReplicas: svc.maxReplicas })),
        loadBalancer: lb,
        database: {
            primary, primaryResourceId: resourceId, maxConnections: config.aws.database.parameters.maxConnections,
            replicas: database.replicas.map((r, i) => ({ identifier: replicaIds[i], region: r.region })),
        },
        cacheNodes: memberClusterIds(`${base.baseName}-valkey`, cache.shards, cache.replicasPerShard),
    }));
    const dashboard = new aws.cloudwatch.Dashboard("dashboard", { dashboardName: base.baseName, dashboardBody: inputs.apply(cloudWatchDashboardBody) }, { provider: base.provider });
    const grafana = config.observability.grafana.enabled && observability ? new AwsGrafana("grafana", {
        baseName: base.baseName,
        region: base.region,
        accountId: base.accountId,
        prometheusWorkspaceArn: observability.workspaceArn,
        prometheusEndpoint: observability.prometheusEndpoint,
        adminGroupIds: config.observability.grafana.adminGroupIds,
        viewerGroupIds: config.observability.grafana.viewerGroupIds,
        dashboard: {
            apiJob: APP_RESOURCE_NAMES.api,
            namespace: APP_NAMESPACE,
            thresholds: config.observability,
            cloud: inputs.apply((i) => cloudWatchGrafanaPanels(i, config.aws.database.alerts.replicationLagSeconds)),
        },
        tags: base.tags,
    }, { providers: [base.provider] }) : undefined;
    return { cloudwatch: dashboard.dashboardName.apply((name) => cloudWatchDashboardUrl(base.region, name)), grafana };
}
