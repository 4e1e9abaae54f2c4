import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { valkeyConnectionString, ValkeyCache } from "../../components/aws/cache";
import { RdsDatabase } from "../../components/aws/database";
import { ClusterAddons, eksKubeconfig } from "../../components/aws/eksAddons";
import { albIngress, EKS_SPOT_NODES, eksPodIdentity } from "../../components/aws/eksAdapters";
import { EksCluster } from "../../components/aws/eksCluster";
import { rdsCaBundlePem } from "../../components/aws/rdsCaBundle";
import { albName } from "../../components/aws/albAlarms";
import { connectionString } from "../../components/azure/databaseServers";
import { APP_NAMESPACE, KubernetesAppTier } from "../../components/kubernetes/kubernetesAppTier";
import type { KedaArgs } from "../../components/kubernetes/keda";
import { PgbouncerDeployment, pgbouncerServiceHost } from "../../components/kubernetes/pgbouncer";
import { SIGNALR_REDIS_CHANNEL_PREFIX } from "../../components/azure/realtime";
import type { AppWiring } from "../../components/wiring";
import type { Statement } from "../../components/aws/iam";
import { EksStackConfig, isProd } from "../config";
import { sharedAppPoolSize } from "../schema/database";
import { promotedReplicaCap } from "../schema/aws";
import { DATABASE_NAME } from "./data";
import { allowNodesToData, AwsFoundation } from "./foundation";

/** The cluster tier: EKS, its add-ons and controllers, and the Kubernetes provider the app tier deploys with. */
export interface AwsCluster {
    cluster: EksCluster;
    addons: ClusterAddons;
    k8sProvider: k8s.Provider;
}

/** The app's connection strings: one per endpoint, all through PgBouncer (the endpoint name picks the server). */
export function awsConnectionStrings(database: RdsDatabase, poolSize: number | undefined): AppWiring["secrets"] {
    const names = [DATABASE_NAME, ...database.replicas.map((_, i) => `${DATABASE_NAME}-replica-${i + 1}`)];
    return Object.fromEntries(names.map((name) => [`ConnectionStrings__${name}`, {
        value: pulumi.secret(connectionString({
            // In-cluster hop to PgBouncer; PgBouncer speaks TLS to RDS.
            host: pgbouncerServiceHost(APP_NAMESPACE), database: name, user: database.adminUsername, password: database.adminPassword, tls: "Disable", maxPoolSize: poolSize,
        })),
    }]));
}

/** The cluster: EKS, its add-ons and controllers, and a Kubernetes provider on it. */
export function composeCluster(config: EksStackConfig, base: AwsFoundation): AwsCluster {
    const eks = config.aws.eks;
    const cluster = new EksCluster("eks", {
        name: base.clusterName,
        version: eks.version,
        privateSubnetIds: base.network.privateSubnetIds,
        publicAccessCidrs: eks.publicAccessCidrs,
        adminRoleArns: eks.adminRoleArns,
        systemNodeGroup: eks.systemNodeGroup,
        appNodeGroup: eks.appNodeGroup,
        spotNodeGroup: eks.spotNodeGroup,
        logRetentionDays: eks.logRetentionDays,
        production: isProd(config),
        tags: base.tags,
    }, { providers: [base.provider] });
    // Managed nodes (and pods, with the VPC CNI) carry the cluster security group.
    allowNodesToData(base, cluster.clusterSecurityGroupId);

    const kubeconfig = eksKubeconfig(cluster.cluster.name, cluster.cluster.endpoint, cluster.cluster.certificateAuthority.apply((ca) => ca.data ?? ""), base.region);
    // Waits for the admin access entries, node groups and base add-ons, or the first apply races RBAC.
    const k8sProvider = new k8s.Provider("eks", { kubeconfig, enableServerSideApply: true }, { dependsOn: cluster.ready });
    const addons = new ClusterAddons("cluster-addons", {
        clusterName: base.clusterName, kubernetesVersion: cluster.cluster.version, region: base.region, vpcId: base.network.vpcId, k8sProvider, tags: base.tags,
    }, { providers: [base.provider, k8sProvider], dependsOn: cluster.ready });

    return { cluster, addons, k8sProvider };
}

/**
 * The app on the cloud-neutral Kubernetes tier with the EKS adapters (components/aws/eksAdapters.ts),
 * and PgBouncer in front of every database endpoint. `keda` (built once the AMP workspace exists,
 * stacks/aws/index.ts) is required when a service scales on custom metrics.
 */
export function composeApp(config: EksStackConfig, base: AwsFoundation, compute: AwsCluster, data: { database: RdsDatabase; cache: ValkeyCache },
    staticBucketArn: pulumi.Output<string>, keda: KedaArgs | undefined): KubernetesAppTier {
    const eks = config.aws.eks;
    const { cluster, addons, k8sProvider } = compute;
    // The app's AWS access, least privilege: read its own secrets, write the static bucket.
    const appStatements = pulumi.all([data.database.passwordSecretArn, data.cache.authSecretArn, data.database.kmsKeyArn, data.cache.kmsKeyArn, staticBucketArn]).apply(([dbSecret, cacheSecret, dbKey, cacheKey, bucket]): Statement[] => [
        { Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: [dbSecret, cacheSecret] },
        // The secrets are encrypted with customer-managed keys: decrypting through Secrets Manager only.
        { Effect: "Allow", Action: "kms:Decrypt", Resource: [dbKey, cacheKey], Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${base.region}.amazonaws.com` } } },
        { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${bucket}/*` },
        { Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucket },
    ]);
    const wiring: AppWiring = {
        env: { SignalR__Backplane: "Redis", SignalR__Redis__ChannelPrefix: SIGNALR_REDIS_CHANNEL_PREFIX },
        secrets: {
            ...awsConnectionStrings(data.database, sharedAppPoolSize(config)),
            ConnectionStrings__redis: { value: valkeyConnectionString(data.cache.configurationEndpoint, data.cache.port, data.cache.authToken) },
        },
    };
    // The account's private ECR registry in the cluster's region; the nodes' role may pull from it
    // (AmazonEC2ContainerRegistryReadOnly, components/aws/eksCluster.ts).
    const ecrRegistry = pulumi.interpolate`${base.accountId}.dkr.ecr.${base.region}.amazonaws.com`;
    const app = new KubernetesAppTier("app", {
        provider: k8sProvider,
        namePrefix: config.namePrefix,
        environment: config.environment,
        tags: base.tags,
        services: config.app.services,
        wiring,
        registryLoginServer: ecrRegistry,
        // The policy pack scopes production-only rules (e.g. HPA minReplicas ≥ 2) by this label.
        labels: { environment: config.environment },
        // Pod Identity for the app's AWS access: the association is created with the tier (eksAdapters.ts).
        identity: eksPodIdentity({ clusterName: cluster.cluster.name, statements: appStatements, provider: base.provider, tags: base.tags }),
        spot: eks.spotNodeGroup ? EKS_SPOT_NODES : undefined,
        // The app node group is one Auto Scaling group over the zones, which Cluster Autoscaler cannot grow
        // in a chosen zone (its AWS FAQ: one group per zone for zone-aware scheduling): a hard zone spread
        // could leave pods Pending, so the zone spread stays preferred.
        zoneRedundant: false,
        ingress: {
            host: config.aws.edge.webHost,
            ingressClass: albIngress({
                certificateArn: config.aws.edge.albCertificateArn, securityGroupId: base.groups.alb.id,
                loadBalancerName: albName(base.baseName), dependsOn: [addons.loadBalancerController],
            }),
        },
        keda,
    });

    const db = config.aws.database;
    new PgbouncerDeployment("pgbouncer", {
        provider: k8sProvider,
        namespace: app.namespace,
        // The writer behind `bookstore` (RDS's roles, after a failover a promoted replica; components/aws/databaseRoles.ts).
        // After a promotion every name leads to the writer: the replica names share what its pool leaves of its connections.
        databases: data.database.endpointHosts().map((host, i) => ({
            name: i === 0 ? DATABASE_NAME : `${DATABASE_NAME}-replica-${i}`, host, port: data.database.port, dbname: DATABASE_NAME,
            maxDbConnections: i === 0 ? undefined : data.database.writerIndex.apply((writer) => (writer === 0 ? undefined : promotedReplicaCap(config))),
        })),
        user: data.database.adminUsername,
        password: data.database.adminPassword,
        settings: db.pgbouncer,
        // The account's ECR registry: a relative image name resolves against it.
        registryLoginServer: ecrRegistry,
        // RDS certificates chain to the RDS root CAs of each database's region, not to the system bundle (config checked they are bundled).
        serverCaBundle: db.pgbouncer.serverTlsSslmode === "require" ? undefined : rdsCaBundlePem([...new Set([base.region, ...data.database.replicas.map((r) => r.region)])]),
    });
    return app;
}
