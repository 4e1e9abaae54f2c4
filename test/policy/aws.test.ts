import { strict as assert } from "assert";
import { awsPolicies } from "../../policy/aws";
import { deniesInsecureTransport } from "../../policy/aws/edge";
import { analyze, duringPreview, policyNamed, TestResource, unknown } from "./harness";
import * as a from "./awsResources";
import { edit } from "./resources";

/** For every AWS policy: resources that pass, resources that break it, and a value unknown during preview. */
interface PolicyCases {
    pass: TestResource[][];
    fail: { resources: TestResource[]; message: RegExp }[];
    unknown: { resources: TestResource[]; path: string };
}

const CASES: Record<string, PolicyCases> = {
    "aws-rds-not-public": {
        pass: [[a.rdsPrimary]],
        fail: [{ resources: [edit(a.rdsPrimary, "publiclyAccessible", true)], message: /publiclyAccessible is true/ }],
        unknown: { resources: [edit(a.rdsPrimary, "publiclyAccessible", unknown)], path: "publiclyAccessible" },
    },
    "aws-rds-encrypted": {
        // A promoted replica keeps the encryption it was created with (it sends no storageEncrypted, which is ForceNew).
        pass: [[a.rdsPrimary, a.rdsReplica1, a.rdsReplica2], [a.rdsPrimary, a.rdsReplica1, a.rdsPromoted2]],
        fail: [
            { resources: [edit(a.rdsPrimary, "storageEncrypted", undefined)], message: /storageEncrypted is not true/ },
            { resources: [edit(a.rdsPromoted2, "tags.role", "read-replica")], message: /storageEncrypted is not true/ },
            { resources: [edit(a.rdsReplica2, "kmsKeyId", undefined)], message: /cross-region replica .* has no kmsKeyId/ },
        ],
        unknown: { resources: [edit(a.rdsPrimary, "storageEncrypted", unknown)], path: "storageEncrypted" },
    },
    "aws-rds-multi-az": {
        pass: [[a.rdsPrimary, a.rdsReplica1], [edit(edit(a.rdsPrimary, "multiAz", false), "tags.environment", "dev")]],
        fail: [{ resources: [edit(a.rdsReplica1, "multiAz", false)], message: /multiAz is not true/ }],
        unknown: { resources: [edit(a.rdsPrimary, "multiAz", unknown)], path: "multiAz" },
    },
    "aws-rds-deletion-protection": {
        pass: [[a.rdsPrimary, a.rdsReplica1]],
        fail: [{ resources: [edit(a.rdsPrimary, "deletionProtection", false)], message: /deletionProtection is not true/ }],
        unknown: { resources: [edit(a.rdsPrimary, "deletionProtection", unknown)], path: "deletionProtection" },
    },
    "aws-rds-backup-retention": {
        pass: [[a.rdsPrimary, a.rdsReplica1]],
        fail: [
            { resources: [edit(a.rdsPrimary, "backupRetentionPeriod", undefined)], message: /backupRetentionPeriod is 0; expected at least 7/ },
            { resources: [edit(a.rdsPrimary, "backupRetentionPeriod", 3)], message: /is 3/ },
        ],
        unknown: { resources: [edit(a.rdsPrimary, "backupRetentionPeriod", unknown)], path: "backupRetentionPeriod" },
    },
    "aws-rds-monitoring-and-auth": {
        pass: [[a.rdsPrimary, a.rdsReplica1]],
        fail: [
            { resources: [edit(a.rdsPrimary, "iamDatabaseAuthenticationEnabled", false)], message: /RDS\.10/ },
            { resources: [edit(a.rdsPrimary, "monitoringInterval", 0)], message: /RDS\.6/ },
            { resources: [edit(a.rdsPrimary, "enabledCloudwatchLogsExports", ["upgrade"])], message: /lacks "postgresql"/ },
            { resources: [edit(a.rdsPrimary, "autoMinorVersionUpgrade", false)], message: /RDS\.13/ },
        ],
        unknown: { resources: [edit(a.rdsPrimary, "monitoringInterval", unknown)], path: "monitoringInterval" },
    },
    "aws-rds-static-parameters-pending-reboot": {
        pass: [[a.parameterGroup]],
        fail: [
            { resources: [edit(a.parameterGroup, "parameters.0.applyMethod", "immediate")], message: /shared_buffers is static but has applyMethod immediate/ },
            { resources: [edit(a.parameterGroup, "parameters.2.applyMethod", undefined)], message: /max_connections .* immediate \(default\)/ },
        ],
        unknown: { resources: [edit(a.parameterGroup, "parameters.0.applyMethod", unknown)], path: "parameters.0.applyMethod" },
    },
    "aws-elasticache-encryption": {
        pass: [[a.replicationGroup], [edit(a.replicationGroup, "atRestEncryptionEnabled", undefined)]],
        fail: [
            { resources: [edit(a.replicationGroup, "transitEncryptionEnabled", false)], message: /transitEncryptionEnabled is not true/ },
            { resources: [edit(edit(a.replicationGroup, "engine", "redis"), "atRestEncryptionEnabled", undefined)], message: /atRestEncryptionEnabled is not true/ },
        ],
        unknown: { resources: [edit(a.replicationGroup, "transitEncryptionEnabled", unknown)], path: "transitEncryptionEnabled" },
    },
    "aws-elasticache-automatic-failover": {
        pass: [[a.replicationGroup]],
        fail: [
            { resources: [edit(a.replicationGroup, "automaticFailoverEnabled", false)], message: /automaticFailoverEnabled is not true/ },
            { resources: [edit(a.replicationGroup, "multiAzEnabled", undefined)], message: /multiAzEnabled is not true/ },
        ],
        unknown: { resources: [edit(a.replicationGroup, "automaticFailoverEnabled", unknown)], path: "automaticFailoverEnabled" },
    },
    "aws-elasticache-backups": {
        pass: [[a.replicationGroup]],
        fail: [
            { resources: [edit(a.replicationGroup, "snapshotRetentionLimit", 0)], message: /snapshotRetentionLimit is 0/ },
            { resources: [edit(a.replicationGroup, "subnetGroupName", "default")], message: /default subnet group/ },
        ],
        unknown: { resources: [edit(a.replicationGroup, "snapshotRetentionLimit", unknown)], path: "snapshotRetentionLimit" },
    },
    "aws-eks-endpoint-private": {
        pass: [[a.eksCluster], [edit(edit(a.eksCluster, "vpcConfig.endpointPublicAccess", true), "vpcConfig.publicAccessCidrs", ["203.0.113.0/24"])]],
        fail: [
            { resources: [edit(a.eksCluster, "vpcConfig.endpointPublicAccess", undefined)], message: /open to 0\.0\.0\.0\/0/ },
            { resources: [edit(a.eksCluster, "vpcConfig.endpointPrivateAccess", false)], message: /endpointPrivateAccess is not true/ },
        ],
        unknown: { resources: [edit(a.eksCluster, "vpcConfig.endpointPrivateAccess", unknown)], path: "vpcConfig.endpointPrivateAccess" },
    },
    "aws-eks-secrets-encryption": {
        pass: [[a.eksCluster]],
        fail: [{ resources: [edit(a.eksCluster, "encryptionConfig", undefined)], message: /does not include "secrets"/ }],
        unknown: { resources: [edit(a.eksCluster, "encryptionConfig.resources", unknown)], path: "encryptionConfig.resources" },
    },
    "aws-eks-control-plane-logging": {
        pass: [[a.eksCluster]],
        fail: [{ resources: [edit(a.eksCluster, "enabledClusterLogTypes", ["api"])], message: /lacks audit, authenticator, controllerManager, scheduler/ }],
        unknown: { resources: [edit(a.eksCluster, "enabledClusterLogTypes", unknown)], path: "enabledClusterLogTypes" },
    },
    "aws-eks-supported-version": {
        pass: [[a.eksCluster]],
        fail: [
            { resources: [edit(a.eksCluster, "version", "1.31")], message: /1\.31 is not in the standard-support table/ },
            { resources: [edit(a.eksCluster, "version", "1.33")], message: /1\.33 left standard support on 2026-07-29/ },
            { resources: [edit(a.eksCluster, "version", undefined)], message: /version is unset/ },
            { resources: [edit(a.eksCluster, "upgradePolicy.supportType", "EXTENDED")], message: /EXTENDED/ },
            { resources: [edit(a.eksCluster, "accessConfig", undefined)], message: /CONFIG_MAP \(default\); expected API/ },
        ],
        unknown: { resources: [edit(a.eksCluster, "version", unknown)], path: "version" },
    },
    "aws-eks-node-group-min-size": {
        pass: [[a.nodeGroup, a.spotNodeGroup], [edit(edit(a.nodeGroup, "scalingConfig.minSize", 1), "tags.environment", "dev")]],
        fail: [
            { resources: [edit(a.nodeGroup, "scalingConfig.minSize", 1)], message: /minSize is 1; expected at least 2/ },
            { resources: [edit(a.nodeGroup, "scalingConfig.maxSize", 2)], message: /leaves the autoscaler no room/ },
        ],
        unknown: { resources: [edit(a.nodeGroup, "scalingConfig.minSize", unknown)], path: "scalingConfig.minSize" },
    },
    "aws-s3-block-public-access": {
        pass: [[a.bucket, a.publicAccessBlock]],
        fail: [
            { resources: [a.bucket], message: /has no public access block/ },
            { resources: [a.bucket, edit(a.publicAccessBlock, "restrictPublicBuckets", undefined)], message: /leaves restrictPublicBuckets off/ },
        ],
        unknown: { resources: [a.bucket, edit(a.publicAccessBlock, "blockPublicAcls", unknown)], path: "blockPublicAcls" },
    },
    "aws-s3-tls-only": {
        pass: [[a.bucketPolicy]],
        fail: [{ resources: [edit(a.bucketPolicy, "policy", JSON.stringify({ Version: "2012-10-17", Statement: [] }))], message: /no Deny on aws:SecureTransport/ }],
        unknown: { resources: [edit(a.bucketPolicy, "policy", unknown)], path: "policy" },
    },
    "aws-cloudfront-tls": {
        pass: [[a.distribution], [edit(edit(a.distribution, "viewerCertificate", { cloudfrontDefaultCertificate: true }), "tags.environment", "dev")]],
        fail: [
            { resources: [edit(a.distribution, "defaultCacheBehavior.viewerProtocolPolicy", "allow-all")], message: /allows HTTP/ },
            { resources: [edit(a.distribution, "viewerCertificate.minimumProtocolVersion", "TLSv1.1_2016")], message: /TLSv1\.1_2016; expected one of TLSv1\.2_2021/ },
            { resources: [edit(a.distribution, "viewerCertificate", { cloudfrontDefaultCertificate: true })], message: /default CloudFront certificate/ },
            { resources: [edit(a.distribution, "origins.0.originAccessControlId", undefined)], message: /S3 origin static-assets has no originAccessControlId/ },
        ],
        unknown: { resources: [edit(a.distribution, "viewerCertificate.minimumProtocolVersion", unknown)], path: "viewerCertificate.minimumProtocolVersion" },
    },
    "aws-sns-kms": {
        pass: [[a.topic]],
        fail: [
            { resources: [edit(a.topic, "kmsMasterKeyId", undefined)], message: /kmsMasterKeyId is unset/ },
            { resources: [edit(a.topic, "kmsMasterKeyId", "alias/aws/sns")], message: /CloudWatch alarms cannot publish/ },
        ],
        unknown: { resources: [edit(a.topic, "kmsMasterKeyId", unknown)], path: "kmsMasterKeyId" },
    },
    "aws-rds-read-replicas": {
        // After a failover the new writer has no replicas until they are rebuilt: the floor must not block that up.
        pass: [a.rdsTier, [edit(a.rdsPrimary, "tags.environment", "dev")], [a.rdsPrimary, a.rdsReplica1, a.lagAlarm(1), a.rdsPromoted2]],
        fail: [{ resources: [a.rdsPrimary, a.rdsReplica1, a.lagAlarm(1)], message: /has 1 read replica\(s\); expected at least 2/ }],
        unknown: { resources: [edit(a.rdsPrimary, "tags", unknown), a.rdsReplica1, a.rdsReplica2], path: "tags" },
    },
    "aws-rds-replica-lag-alarm": {
        pass: [a.rdsTier],
        fail: [
            { resources: [a.rdsPrimary, a.rdsReplica1, a.rdsReplica2, a.lagAlarm(1)], message: /replica-2" has no ReplicaLag alarm on DBInstanceIdentifier bookstore-prod-db-replica-2/ },
            { resources: [a.rdsPrimary, a.rdsReplica1, a.lagAlarm(1, 300)], message: /fires above 300 s; expected at most 60 s/ },
            { resources: [a.rdsPrimary, a.rdsReplica1, edit(a.lagAlarm(1), "alarmActions", [])], message: /no alarmActions/ },
        ],
        unknown: { resources: [a.rdsPrimary, a.rdsReplica1, edit(a.lagAlarm(1), "threshold", unknown)], path: "threshold" },
    },
};

describe("AWS policies", () => {
    it("has passing, failing and unknown-value cases for every AWS policy", () => {
        assert.deepEqual(Object.keys(CASES).sort(), awsPolicies.map((p) => p.name).sort());
    });

    it("pass together on the composed tiers (no rule contradicts another)", async () => {
        const all = [...a.rdsTier, a.parameterGroup, a.replicationGroup, a.eksCluster, a.nodeGroup, a.spotNodeGroup, a.bucket, a.publicAccessBlock, a.bucketPolicy, a.distribution, a.topic];
        assert.deepEqual(await analyze(all, { policies: awsPolicies }), []);
    });

    for (const [name, cases] of Object.entries(CASES)) {
        describe(name, () => {
            const only = () => [policyNamed(name)];
            cases.pass.forEach((resources, i) => it(`passes well-configured resources (case ${i + 1})`, async () => {
                assert.deepEqual(await analyze(resources, { policies: only() }), []);
            }));
            cases.fail.forEach((failing, i) => it(`reports a mandatory violation (case ${i + 1})`, async () => {
                const violations = await analyze(failing.resources, { policies: only() });
                assert.ok(violations.length > 0, "expected a violation");
                for (const v of violations) assert.deepEqual([v.policy, v.level], [name, "mandatory"]);
                assert.ok(violations.some((v) => failing.message.test(v.message)), `no message matched ${failing.message}: ${violations.map((v) => v.message).join(" | ")}`);
            }));
            it("reports a value unknown during preview as the engine's advisory, not a crash", async () => {
                const violations = await analyze(cases.unknown.resources, { policies: only() });
                assert.deepEqual(violations.map((v) => [v.policy, v.level, v.message]), [[name, "advisory", duringPreview(name, cases.unknown.path)]]);
            });
        });
    }

    it("reads a TLS-only deny whether the condition value is a string or a boolean", () => {
        const doc = (value: unknown) => JSON.stringify({ Statement: [{ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": value } } }] });
        assert.equal(deniesInsecureTransport(doc("false")), true);
        assert.equal(deniesInsecureTransport(doc(false)), true);
        assert.equal(deniesInsecureTransport(doc("true")), false);
    });

    it("uses the type tokens of @pulumi/aws's classes", () => {
        const aws = require("@pulumi/aws");
        const classes: Record<string, { __pulumiType: string }> = {
            [a.A.instance]: aws.rds.Instance, [a.A.parameterGroup]: aws.rds.ParameterGroup, [a.A.replicationGroup]: aws.elasticache.ReplicationGroup,
            [a.A.cluster]: aws.eks.Cluster, [a.A.nodeGroup]: aws.eks.NodeGroup, [a.A.bucket]: aws.s3.Bucket, [a.A.publicAccessBlock]: aws.s3.BucketPublicAccessBlock,
            [a.A.bucketPolicy]: aws.s3.BucketPolicy, [a.A.distribution]: aws.cloudfront.Distribution, [a.A.topic]: aws.sns.Topic, [a.A.alarm]: aws.cloudwatch.MetricAlarm,
        };
        for (const [token, cls] of Object.entries(classes)) assert.equal(cls.__pulumiType, token);
        for (const value of Object.values(require("../../policy/aws/types")) as { __pulumiType: string }[]) assert.ok(value.__pulumiType in classes, value.__pulumiType);
    });
});
