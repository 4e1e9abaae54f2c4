import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import { AlarmTarget, metricAlarm } from "./alerts";

export interface ValkeyCacheArgs {
    /** Replication group id (lowercase, ≤40 characters). */
    replicationGroupId: string;
    nodeType: string;
    shards: number;
    replicasPerShard: number;
    engineVersion: string;
    snapshotRetentionDays: number;
    subnetIds: pulumi.Input<string>[];
    securityGroupId: pulumi.Input<string>;
    logRetentionDays: number;
    alarms: AlarmTarget;
    tags: Record<string, string>;
}

/** Member cluster ids of a cluster-mode group: `<id>-<shard 0001..>-<node 001..>` (node 001 starts as the shard's primary). */
export function memberClusterIds(replicationGroupId: string, shards: number, replicasPerShard: number): string[] {
    const pad = (n: number, w: number) => String(n).padStart(w, "0");
    return [...Array(shards).keys()].flatMap((s) => [...Array(replicasPerShard + 1).keys()].map((r) => `${replicationGroupId}-${pad(s + 1, 4)}-${pad(r + 1, 3)}`));
}

/**
 * ElastiCache for Valkey, cluster mode enabled: the seed's 3 primaries + 3 replicas, Multi-AZ with
 * automatic failover, TLS required, encrypted at rest with a KMS key, an AUTH token from
 * @pulumi/random kept in Secrets Manager, daily snapshots, slow and engine logs; alarms on engine
 * CPU, memory and evictions per node. Cache, sessions and the SignalR backplane share it.
 */
export class ValkeyCache extends pulumi.ComponentResource {
    readonly configurationEndpoint: pulumi.Output<string>;
    readonly port = 6379;
    readonly authToken: pulumi.Output<string>;
    readonly authSecretArn: pulumi.Output<string>;
    /** The KMS key of the data at rest and of the AUTH secret. */
    readonly kmsKeyArn: pulumi.Output<string>;
    readonly alarmNames: string[] = [];

    constructor(name: string, args: ValkeyCacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:aws:ValkeyCache", name, {}, opts);
        /** Child names carry the component's: a URN names the parent's type, not its name. */
        const n = (child: string) => `${name}-${child}`;
        const p = { parent: this };
        const key = new aws.kms.Key(n("cache"), { description: `${args.replicationGroupId} at rest and AUTH secret`, enableKeyRotation: true, deletionWindowInDays: 30, tags: args.tags }, p);
        this.kmsKeyArn = key.arn;
        const subnets = new aws.elasticache.SubnetGroup(n("cache"), { name: `${args.replicationGroupId}-subnets`, subnetIds: args.subnetIds, tags: args.tags }, p);
        const token = new random.RandomPassword(n("auth-token"), {
            // AUTH tokens: 16-128 printable characters, no @ " / (ElastiCache UG — AUTH).
            length: 64, special: false,
        }, p);
        this.authToken = pulumi.secret(token.result);
        const secret = new aws.secretsmanager.Secret(n("auth-token"), {
            namePrefix: `${args.replicationGroupId}/auth-`, description: "Valkey AUTH token", kmsKeyId: key.arn, recoveryWindowInDays: 30, tags: args.tags,
        }, p);
        new aws.secretsmanager.SecretVersion(n("auth-token"), { secretId: secret.id, secretString: this.authToken }, p);
        this.authSecretArn = secret.arn;

        const logs = (kind: "slow-log" | "engine-log") => new aws.cloudwatch.LogGroup(kind, {
            name: `/bookstore/elasticache/${args.replicationGroupId}/${kind}`, retentionInDays: args.logRetentionDays, tags: args.tags,
        }, p);
        const slowLog = logs("slow-log");
        const engineLog = logs("engine-log");

        const group = new aws.elasticache.ReplicationGroup(n("cache"), {
            replicationGroupId: args.replicationGroupId,
            description: "BookStore cache, sessions and SignalR backplane",
            engine: "valkey",
            engineVersion: args.engineVersion,
            // Cluster mode is set at creation with a cluster-on group; switching it later is refused (terraform-provider-aws#35636).
            clusterMode: "enabled",
            parameterGroupName: "default.valkey8.cluster.on",
            nodeType: args.nodeType,
            numNodeGroups: args.shards,
            replicasPerNodeGroup: args.replicasPerShard,
            automaticFailoverEnabled: true,
            multiAzEnabled: args.replicasPerShard > 0,
            // TLS from creation: turning it on later below engine 7.0.5 replaces the group.
            transitEncryptionEnabled: true,
            transitEncryptionMode: "required",
            atRestEncryptionEnabled: true,
            kmsKeyId: key.arn,
            authToken: this.authToken,
            authTokenUpdateStrategy: "ROTATE",
            subnetGroupName: subnets.name,
            securityGroupIds: [args.securityGroupId],
            port: this.port,
            snapshotRetentionLimit: args.snapshotRetentionDays,
            snapshotWindow: "05:00-06:00",
            maintenanceWindow: "sun:06:30-sun:07:30",
            autoMinorVersionUpgrade: true,
            applyImmediately: false,
            logDeliveryConfigurations: [
                { destination: slowLog.name, destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log" },
                { destination: engineLog.name, destinationType: "cloudwatch-logs", logFormat: "json", logType: "engine-log" },
            ],
            tags: args.tags,
        }, { parent: this, protect: true });
        this.configurationEndpoint = group.configurationEndpointAddress;

        for (const member of memberClusterIds(args.replicationGroupId, args.shards, args.replicasPerShard)) {
            const alarm = (suffix: string, metricName: string, threshold: number, description: string) => {
                const alarmName = `${member}-${suffix}`;
                this.alarmNames.push(alarmName);
                metricAlarm(alarmName, alarmName, {
                    namespace: "AWS/ElastiCache", metricName, dimensions: { CacheClusterId: member },
                    statistic: "Average", comparisonOperator: "GreaterThanThreshold", threshold, period: 60, evaluationPeriods: 5,
                    treatMissingData: "missing", alarmDescription: description,
                }, args.alarms, { parent: this, dependsOn: [group] });
            };
            alarm("engine-cpu", "EngineCPUUtilization", 80, "Valkey engine thread above 80 % CPU");
            alarm("memory", "DatabaseMemoryUsagePercentage", 85, "Valkey memory above 85 %");
            alarm("evictions", "Evictions", 0, "keys are being evicted (cache too small)");
        }
        this.registerOutputs({ configurationEndpoint: this.configurationEndpoint });
    }
}

/** A StackExchange.Redis connection string for the cluster (TLS, AUTH token, cluster-aware). */
export function valkeyConnectionString(host: pulumi.Input<string>, port: number, token: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.secret(pulumi.interpolate`${host}:${port},ssl=true,password=${token},abortConnect=false`);
}
