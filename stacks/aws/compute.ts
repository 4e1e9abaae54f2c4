import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { valkeyConnectionString, ValkeyCache } from "../../components/aws/cache";
import { RdsDatabase } from "../../components/aws/database";
import { ClusterAddons, eksKubeconfig, PodIdentity } from "../../components/aws/eksAddons";
import { EksAppTier } from "../../components/aws/eksAppTier";
import { EksCluster } from "../../components/aws/eksCluster";
import { rdsCaBundlePem } from "../../components/aws/rdsCaBundle";
import { albName } from "../../components/aws/albAlarms";
import { connectionString } from "../../components/azure/database";
import { APP_NAMESPACE, APP_SERVICE_ACCOUNT } from "../../components/kubernetes/kubernetesAppTier";
import { PgbouncerDeployment, pgbouncerServiceHost } from "../../components/kubernetes/pgbouncer";
import { SIGNALR_REDIS_CHANNEL_PREFIX } from "../../components/azure/realtime";
import type { AppWiring } from "../../components/wiring";
import type { Statement } from "../../components/aws/iam";
import { EksStackConfig, isProd } from "../config";
import { sharedAppPoolSize } from "../schema/database";
import { DATABASE_NAME } from "./data";
import { allowNodesToData, AwsFoundation } from "./foundation";

export interface AwsCompute {
    cluster: EksCluster;
    addons: ClusterAddons;
    app: EksAppTier;
    k8sProvider: k8s.Provider;
    appIdentity: PodIdentity;
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

/** The cluster tier: EKS, its add-ons and controllers, the app, and PgBouncer in front of every database endpoint. */
export function composeCompute(config: EksStackConfig, base: AwsFoundation, data: { database: RdsDatabase; cache: ValkeyCache }, staticBucketArn: pulumi.Output<string>): AwsCompute {
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
        clusterName: base.clusterName, region: base.region, vpcId: base.network.vpcId, k8sProvider, tags: base.tags,
    }, { providers: [base.provider, k8sProvider], dependsOn: cluster.ready });

    // The app's AWS access, least privilege: read its own secrets, write the static bucket.
    const appStatements = pulumi.all([data.database.passwordSecretArn, data.cache.authSecretArn, data.database.kmsKeyArn, data.cache.kmsKeyArn, staticBucketArn]).apply(([dbSecret, cacheSecret, dbKey, cacheKey, bucket]): Statement[] => [
        { Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: [dbSecret, cacheSecret] },
        // The secrets are encrypted with customer-managed keys: decrypting through Secrets Manager only.
        { Effect: "Allow", Action: "kms:Decrypt", Resource: [dbKey, cacheKey], Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${base.region}.amazonaws.com` } } },
        { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${bucket}/*` },
        { Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucket },
    ]);
    const appIdentity = new PodIdentity("app-identity", {
        clusterName: cluster.cluster.name, namespace: APP_NAMESPACE, serviceAccount: APP_SERVICE_ACCOUNT, statements: appStatements, tags: base.tags,
    }, { providers: [base.provider] });

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
    const app = new EksAppTier("app", {
        provider: k8sProvider,
        services: config.app.services,
        wiring,
        spotNodeGroup: Boolean(eks.spotNodeGroup),
        ingress: {
            host: config.aws.edge.webHost, certificateArn: config.aws.edge.albCertificateArn,
            securityGroupId: base.groups.alb.id, dependsOn: [addons.loadBalancerController], loadBalancerName: albName(base.baseName),
        },
        environment: config.environment,
        registryLoginServer: ecrRegistry,
    }, { dependsOn: [appIdentity] });

    const db = config.aws.database;
    new PgbouncerDeployment("pgbouncer", {
        provider: k8sProvider,
        namespace: app.namespace,
        databases: [data.database.primary, ...data.database.replicas].map((endpoint, i) => ({
            name: i === 0 ? DATABASE_NAME : `${DATABASE_NAME}-replica-${i}`, host: endpoint.address, port: data.database.port, dbname: DATABASE_NAME,
        })),
        user: data.database.adminUsername,
        password: data.database.adminPassword,
        settings: db.pgbouncer,
        // The account's ECR registry: a relative image name resolves against it.
        registryLoginServer: ecrRegistry,
        // RDS certificates chain to the RDS root CAs of each database's region, not to the system bundle (config checked they are bundled).
        serverCaBundle: db.pgbouncer.serverTlsSslmode === "require" ? undefined : rdsCaBundlePem([...new Set([base.region, ...data.database.replicas.map((r) => r.region)])]),
    });
    return { cluster, addons, app, k8sProvider, appIdentity };
}
