import { ValkeyCache } from "../../components/aws/cache";
import { RdsDatabase } from "../../components/aws/database";
import { EksStackConfig, isProd } from "../config";
import { awsInstanceClass, resolveAwsReplicas } from "../schema/aws";
import type { AwsFoundation } from "./foundation";

/** The PostgreSQL database every endpoint serves. */
export const DATABASE_NAME = "bookstore";

/** The data tier: RDS for PostgreSQL (primary and replicas) and ElastiCache for Valkey. */
export function composeData(config: EksStackConfig, base: AwsFoundation): { database: RdsDatabase; cache: ValkeyCache } {
    const aws = config.aws;
    const prod = isProd(config);
    const db = aws.database;
    const database = new RdsDatabase("database", {
        baseName: base.baseName,
        region: base.region,
        instanceClass: awsInstanceClass(config.environment, aws),
        allocatedStorageGB: db.allocatedStorageGB,
        maxAllocatedStorageGB: db.maxAllocatedStorageGB,
        multiAz: db.multiAz ?? prod,
        backupRetentionDays: db.backupRetentionDays,
        adminUsername: db.adminUsername,
        databaseName: DATABASE_NAME,
        tuning: db.parameters,
        alerts: db.alerts,
        subnetIds: base.network.databaseSubnetIds,
        securityGroupId: base.groups.database.id,
        alarms: { topicArn: base.alarms.arn, tags: base.tags },
        replicas: resolveAwsReplicas(config.environment, aws).map((r) => ({
            region: r.region,
            instanceClass: r.instanceClass,
            multiAz: r.multiAz,
            remote: r.crossRegion && base.remote?.region === r.region ? {
                provider: base.remote.provider,
                subnetIds: base.remote.network.databaseSubnetIds,
                securityGroupId: base.remote.databaseGroup.id,
                alarmTopicArn: base.remote.alarms.arn,
            } : undefined,
        })),
        promotedReplica: db.promotedReplica,
        tags: base.tags,
    }, { providers: [base.provider] });

    const cache = new ValkeyCache("cache", {
        replicationGroupId: `${base.baseName}-valkey`,
        nodeType: aws.cache.nodeType ?? (prod ? "cache.r7g.large" : "cache.t4g.small"),
        shards: aws.cache.shards,
        replicasPerShard: aws.cache.replicasPerShard,
        engineVersion: aws.cache.engineVersion,
        snapshotRetentionDays: aws.cache.snapshotRetentionDays,
        subnetIds: base.network.databaseSubnetIds,
        securityGroupId: base.groups.cache.id,
        logRetentionDays: aws.eks.logRetentionDays,
        alarms: { topicArn: base.alarms.arn, tags: base.tags },
        tags: base.tags,
    }, { providers: [base.provider] });
    return { database, cache };
}
