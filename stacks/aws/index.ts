import * as pulumi from "@pulumi/pulumi";
import { AwsObservability } from "../../components/aws/observability";
import { AlbAlarms, albName } from "../../components/aws/albAlarms";
import { EksKeda } from "../../components/aws/kedaAuth";
import { usesKeda } from "../../components/kubernetes/keda";
import { APP_RESOURCE_NAMES } from "../../components/appContract";
import type { EksStackConfig } from "../config";
import { composeApp, composeCluster } from "./compute";
import { APP_NAMESPACE } from "../../components/kubernetes/kubernetesAppTier";
import { POOLER_PORT } from "../../components/kubernetes/pgbouncer";
import { composeData, DATABASE_NAME } from "./data";
import { composeCloudflare, composeStaticSite, consoleLinks } from "./edge";
import { composeFoundation } from "./foundation";
import { composeDashboard } from "./dashboard";

/** Stack outputs of an AWS stack: what operators, `doctor` and the internal CLI read after `pulumi up`. */
export type AwsStackOutputs = Record<string, pulumi.Input<unknown>>;

/**
 * Composes the AWS platform (platform `eks`) from validated config, tier by tier: the foundation
 * (providers, VPCs, security groups, alarm topics), the data tier, static assets, the cluster,
 * observability (and KEDA on its AMP workspace), the app with PgBouncer, and the edge.
 */
export function composeAwsStack(config: EksStackConfig): AwsStackOutputs {
    const base = composeFoundation(config);
    const data = composeData(config, base);
    const site = composeStaticSite(config, base);
    const compute = composeCluster(config, base);
    const observability = config.aws.observability.prometheus ? new AwsObservability("observability", {
        baseName: base.baseName,
        clusterName: compute.cluster.name,
        clusterArn: compute.cluster.cluster.arn,
        subnetIds: base.network.privateSubnetIds,
        securityGroupId: compute.cluster.clusterSecurityGroupId,
        k8sProvider: compute.k8sProvider,
        alertTopicArn: base.alarms.arn,
        region: base.region,
        appNamespace: APP_NAMESPACE,
        apiJob: APP_RESOURCE_NAMES.api,
        thresholds: config.observability,
        logRetentionDays: config.aws.eks.logRetentionDays,
        tags: base.tags,
    }, { providers: [base.provider], dependsOn: compute.cluster.ready }) : undefined;
    // Custom metrics: KEDA reads the AMP workspace the managed scraper fills (components/aws/kedaAuth.ts).
    const keda = observability && Object.values(config.app.services).some(usesKeda) ? new EksKeda("keda", {
        clusterName: compute.cluster.name, region: base.region, k8sProvider: compute.k8sProvider,
        workspaceArn: observability.workspaceArn, prometheusEndpoint: observability.prometheusEndpoint, tags: base.tags,
    }, { providers: [base.provider, compute.k8sProvider], dependsOn: compute.cluster.ready }) : undefined;
    // The app after the AMP workspace: its ScaledObjects query the workspace (no KEDA, and a service needing it, is an error naming it).
    const app = composeApp(config, base, compute, data, site.bucket.arn, keda?.keda);
    const cloudflare = composeCloudflare(config, app, site);

    const alb = app.ingress ? new AlbAlarms("alb-alarms", {
        baseName: base.baseName, loadBalancerName: albName(base.baseName), ingress: app.ingress,
        thresholds: config.observability, target: { topicArn: base.alarms.arn, tags: base.tags },
    }, { providers: [base.provider] }) : undefined;

    const { database, cache } = data;
    const dashboards = composeDashboard(config, base, database, alb?.loadBalancerDimension ?? "", observability);
    return {
        cloud: "aws",
        region: base.region,
        vpcId: base.network.vpcId,
        eksClusterName: compute.cluster.name,
        eksEndpoint: compute.cluster.cluster.endpoint,
        kubernetesNamespace: app.namespace,
        webUrl: `https://${config.aws.edge.webHost}`,
        publicWebUrl: cloudflare?.webUrl ?? `https://${config.aws.edge.webHost}`,
        // The api's in-cluster entry (no public one): the load test's target.
        apiUrl: app.apiUrl,
        cdnUrl: cloudflare?.staticUrl ?? site.url,
        cloudFrontDomain: site.distribution.domainName,
        staticAssetsBucket: site.bucket.id,
        // The names the Azure database tier exports too: the internal CLI's `doctor` reads them.
        databaseWriteHost: database.writerAddress,
        // Instances that replay the writer: none after a promotion (the others follow the old primary).
        databaseReadHosts: pulumi.all([database.writerIndex, pulumi.all(database.replicas.map((r) => r.address))])
            .apply(([writer, replicas]) => (writer === 0 ? replicas : [])),
        databasePort: database.port,
        databasePoolerPort: POOLER_PORT,
        databaseName: DATABASE_NAME,
        databaseAdminLogin: database.adminUsername,
        databaseAdminPassword: database.adminPassword,
        databaseMaxConnections: config.aws.database.parameters.maxConnections,
        databaseReplicaRegions: database.replicas.map((r) => r.region),
        // What `bookstore-infra failover` reads: every instance in config order, and which one writes.
        databaseInstanceIdentifiers: [database.primary.identifier, ...database.replicas.map((r) => r.identifier)],
        databaseWriterIndex: database.writerIndex,
        databasePasswordSecretArn: database.passwordSecretArn,
        databaseAlarmNames: database.alarmNames,
        redisHost: cache.configurationEndpoint,
        redisPort: cache.port,
        alertTopicArn: base.alarms.arn,
        ...(observability ? { prometheusEndpoint: observability.prometheusEndpoint } : {}),
        ...(dashboards.grafana ? { grafanaUrl: dashboards.grafana.url, grafanaDashboardUrl: dashboards.grafana.dashboardUrl } : {}),
        dashboards: consoleLinks(base.region, {
            cluster: base.clusterName, database: database.primary.identifier, cache: `${base.baseName}-valkey`, prometheus: observability?.workspaceId,
        }, dashboards.cloudwatch),
    };
}
