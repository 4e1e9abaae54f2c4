import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { memberClusterIds } from "../../components/aws/cache";
import { cloudWatchDashboardBody, cloudWatchDashboardUrl } from "../../components/aws/dashboard";
import type { RdsDatabase } from "../../components/aws/database";
import { APP_NAMESPACE } from "../../components/kubernetes/kubernetesAppTier";
import type { EksStackConfig } from "../config";
import type { AwsFoundation } from "./foundation";

/** The stack's CloudWatch dashboard (the cloud-neutral panels); returns its console link. */
export function composeDashboard(config: EksStackConfig, base: AwsFoundation, database: RdsDatabase, loadBalancer: pulumi.Input<string>): pulumi.Output<string> {
    const cache = config.aws.cache;
    const body = pulumi.all([
        loadBalancer, database.primary.identifier, database.primary.resourceId ?? "", pulumi.all(database.replicas.map((r) => r.identifier)),
    ]).apply(([lb, primary, resourceId, replicaIds]) => cloudWatchDashboardBody({
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
    const dashboard = new aws.cloudwatch.Dashboard("dashboard", { dashboardName: base.baseName, dashboardBody: body }, { provider: base.provider });
    return dashboard.dashboardName.apply((name) => cloudWatchDashboardUrl(base.region, name));
}
