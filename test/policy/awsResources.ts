/**
 * Well-configured AWS inputs, shaped like the ones components/aws registers: each passes every
 * policy. Tests derive failing and unknown variants with `edit`.
 */
import { TestResource } from "./harness";

export const A = {
    instance: "aws:rds/instance:Instance",
    parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
    cluster: "aws:eks/cluster:Cluster",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    bucket: "aws:s3/bucket:Bucket",
    publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    distribution: "aws:cloudfront/distribution:Distribution",
    topic: "aws:sns/topic:Topic",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
} as const;

const tags = { environment: "prod", owner: "platform-team@bookstore.example" };
const topicArn = "arn:aws:sns:us-east-1:123456789012:bookstore-prod-alerts";

export const rdsPrimary: TestResource = {
    type: A.instance, name: "primary", protect: true,
    inputs: {
        identifier: "bookstore-prod-db", engine: "postgres", engineVersion: "16", instanceClass: "db.r6g.large", multiAz: true,
        storageEncrypted: true, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k", publiclyAccessible: false, deletionProtection: true,
        backupRetentionPeriod: 14, iamDatabaseAuthenticationEnabled: true, monitoringInterval: 60, enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
        autoMinorVersionUpgrade: true, storageType: "gp3", tags,
    },
};

const replica = (n: number, source: string, extra: Record<string, unknown> = {}): TestResource => ({
    type: A.instance, name: `replica-${n}`, protect: true, dependsOn: ["primary"],
    inputs: {
        identifier: `bookstore-prod-db-replica-${n}`, replicateSourceDb: source, instanceClass: "db.r6g.large", multiAz: true, publiclyAccessible: false,
        deletionProtection: true, iamDatabaseAuthenticationEnabled: true, monitoringInterval: 60, enabledCloudwatchLogsExports: ["postgresql"],
        autoMinorVersionUpgrade: true, storageType: "gp3", tags: { ...tags, role: "read-replica" }, ...extra,
    },
});
export const rdsReplica1 = replica(1, "bookstore-prod-db");
export const rdsReplica2 = replica(2, "arn:aws:rds:us-east-1:123456789012:db:bookstore-prod-db", { kmsKeyId: "arn:aws:kms:us-west-2:123456789012:key/r" });
/** Replica 2 after `bookstore-infra failover` promoted it (components/aws/database.ts): standalone, backups on, tagged. */
export const rdsPromoted2 = replica(2, "", {
    replicateSourceDb: undefined, kmsKeyId: "arn:aws:kms:us-west-2:123456789012:key/r", backupRetentionPeriod: 14, backupWindow: "03:00-04:00",
    tags: { ...tags, role: "promoted-replica" },
});

export const lagAlarm = (n: number, threshold = 60): TestResource => ({
    type: A.alarm, name: `replica-${n}-lag`,
    inputs: {
        name: `bookstore-prod-db-replica-${n}-replica-lag`, namespace: "AWS/RDS", metricName: "ReplicaLag", dimensions: { DBInstanceIdentifier: `bookstore-prod-db-replica-${n}` },
        statistic: "Average", comparisonOperator: "GreaterThanThreshold", threshold, period: 60, evaluationPeriods: 5, alarmActions: [topicArn], okActions: [topicArn], tags,
    },
});

/** The database tier as composed: a primary, two replicas and their ReplicaLag alarms. */
export const rdsTier: TestResource[] = [rdsPrimary, rdsReplica1, rdsReplica2, lagAlarm(1), lagAlarm(2)];

export const parameterGroup: TestResource = {
    type: A.parameterGroup, name: "postgres16",
    inputs: {
        family: "postgres16", tags,
        parameters: [
            { name: "shared_buffers", value: "524288", applyMethod: "pending-reboot" },
            { name: "effective_cache_size", value: "1572864", applyMethod: "immediate" },
            { name: "max_connections", value: "200", applyMethod: "pending-reboot" },
        ],
    },
};

export const replicationGroup: TestResource = {
    type: A.replicationGroup, name: "cache", protect: true,
    inputs: {
        replicationGroupId: "bookstore-prod-valkey", engine: "valkey", engineVersion: "8.2", clusterMode: "enabled", numNodeGroups: 3, replicasPerNodeGroup: 1,
        automaticFailoverEnabled: true, multiAzEnabled: true, transitEncryptionEnabled: true, atRestEncryptionEnabled: true,
        snapshotRetentionLimit: 7, subnetGroupName: "bookstore-prod-valkey-subnets", autoMinorVersionUpgrade: true, tags,
    },
};

export const eksCluster: TestResource = {
    type: A.cluster, name: "cluster",
    inputs: {
        name: "bookstore-prod", version: "1.35", roleArn: "arn:aws:iam::123456789012:role/cluster",
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:us-east-1:123456789012:key/s" } },
        enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        vpcConfig: { subnetIds: ["subnet-1", "subnet-2", "subnet-3"], endpointPrivateAccess: true, endpointPublicAccess: false },
        upgradePolicy: { supportType: "STANDARD" }, tags,
    },
};

export const nodeGroup: TestResource = {
    type: A.nodeGroup, name: "app",
    inputs: { clusterName: "bookstore-prod", nodeGroupName: "bookstore-prod-app", capacityType: "ON_DEMAND", scalingConfig: { minSize: 2, maxSize: 10, desiredSize: 2 }, subnetIds: ["subnet-1"], tags },
};
export const spotNodeGroup: TestResource = {
    type: A.nodeGroup, name: "spot",
    inputs: { clusterName: "bookstore-prod", nodeGroupName: "bookstore-prod-spot", capacityType: "SPOT", scalingConfig: { minSize: 0, maxSize: 10, desiredSize: 1 }, subnetIds: ["subnet-1"], tags },
};

export const bucket: TestResource = { type: A.bucket, name: "assets", protect: true, inputs: { bucket: "bookstore-prod-static-1", tags } };
export const publicAccessBlock: TestResource = {
    type: A.publicAccessBlock, name: "assets-pab", dependsOn: ["assets"],
    inputs: { bucket: "bookstore-prod-static-1", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
};
export const bucketPolicy: TestResource = {
    type: A.bucketPolicy, name: "assets-policy",
    inputs: {
        bucket: "bookstore-prod-static-1",
        policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::bookstore-prod-static-1/*" },
                { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::bookstore-prod-static-1/*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
            ],
        }),
    },
};

export const distribution: TestResource = {
    type: A.distribution, name: "cdn",
    inputs: {
        enabled: true,
        origins: [{ originId: "static-assets", domainName: "bookstore-prod-static-1.s3.us-east-1.amazonaws.com", originAccessControlId: "E2OACEXAMPLE" }],
        defaultCacheBehavior: { targetOriginId: "static-assets", viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"] },
        viewerCertificate: { acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/c", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
        restrictions: { geoRestriction: { restrictionType: "none" } },
        tags,
    },
};

export const topic: TestResource = { type: A.topic, name: "alerts", inputs: { name: "bookstore-prod-alerts", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/t", tags } };
