import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import { RDS_BACKUP_WINDOW } from "../../lib/awsCatalog";
import { PROMOTED_REPLICA_ROLE } from "../../policy/shared/rdsRoles";
import type { PostgresTuning } from "../../lib/postgresParameters";
import { AlarmTarget, metricAlarm } from "./alerts";
import { managedPolicy, serviceTrustPolicy } from "./iam";
import { POSTGRES_FAMILY, rdsParameters } from "./rdsParameters";
import { liveRdsInstance, rdsRoles } from "./databaseRoles";

/** Where a replica outside the primary's region lives: its own provider, subnets, security group and alarm topic. */
export interface RemoteRegion {
    provider: aws.Provider;
    subnetIds: pulumi.Input<string>[];
    securityGroupId: pulumi.Input<string>;
    alarmTopicArn: pulumi.Input<string>;
}

export interface RdsReplicaArgs {
    region: string;
    instanceClass: string;
    multiAz: boolean;
    /** Set when `region` is not the primary's. */
    remote?: RemoteRegion;
}

export interface RdsDatabaseArgs {
    /** e.g. "bookstore-prod": instance identifiers derive from it (RDS wants lowercase). */
    baseName: string;
    /** The primary's region (the component's provider). */
    region: string;
    instanceClass: string;
    allocatedStorageGB: number;
    maxAllocatedStorageGB: number;
    multiAz: boolean;
    backupRetentionDays: number;
    adminUsername: string;
    databaseName: string;
    tuning: PostgresTuning;
    alerts: { replicationLagSeconds: number; cpuPercent: number; connectionsPercent: number; storagePercent: number };
    subnetIds: pulumi.Input<string>[];
    securityGroupId: pulumi.Input<string>;
    alarms: AlarmTarget;
    replicas: RdsReplicaArgs[];
    /**
     * The replica (1-based) `bookstore-infra failover` promoted to a standalone writer, as the stack
     * file records it. RDS's own report wins when an instance can be read (components/aws/databaseRoles.ts).
     */
    promotedReplica?: number;
    tags: Record<string, string>;
}

export interface RdsEndpoint {
    name: string;
    identifier: pulumi.Output<string>;
    address: pulumi.Output<string>;
    region: string;
    /** The DBI resource id (`db-…`), Performance Insights' key; set on the primary. */
    resourceId?: pulumi.Output<string>;
}

/** RDS's current CA (rds-ca-2019 expired in Aug 2024; RDS UG — Using SSL/TLS). */
export const RDS_CA = "rds-ca-rsa2048-g1";
/** The daily backup window of the instance that writes (UTC; before the maintenance window). */
const BACKUP_WINDOW = RDS_BACKUP_WINDOW;
/** Enhanced monitoring granularity in seconds (FSBP RDS.6). */
export const MONITORING_INTERVAL = 60;

/**
 * RDS for PostgreSQL 16: a Multi-AZ gp3 primary encrypted with its own KMS key, the seed's tuning
 * in a `postgres16` parameter group, the admin password from @pulumi/random kept in Secrets
 * Manager, read replicas (in-region and cross-region), and CloudWatch alarms: ReplicaLag per
 * replica, CPU, connections against max_connections and free storage.
 */
/**
 * The longest lag an idle source's replica reports: RDS for PostgreSQL's ReplicaLag is
 * `extract(epoch from now() - pg_last_xact_replay_timestamp())` on the replica (RDS UG, "Monitoring
 * and tuning the replication process"), which climbs while the source commits nothing, and "when no
 * user transactions are running on the source DB instance, the read replica reports a replication
 * lag of up to five minutes" (RDS UG, "Working with read replicas for Amazon RDS for PostgreSQL",
 * read replica limitations).
 */
export const IDLE_SOURCE_LAG_CAP_SECONDS = 300;
const LAG_PERIOD_SECONDS = 60;

/**
 * The seed's ReplicaLag alarm, judged only while the source writes. On an idle source the lag is a
 * sawtooth that starts again from 0 at least every IDLE_SOURCE_LAG_CAP_SECONDS, so it stays above
 * the threshold for at most cap − threshold seconds in a row: ceil((cap − threshold) / 60) one-minute
 * periods. The alarm needs every period's Minimum above the threshold for two periods more than that
 * (one to outlast the sawtooth, one for a sample either side of a period boundary): only a replica
 * that stays behind while the source writes holds it. For the seed's 60 s: 6 periods. Missing data
 * does not breach: it would bridge the sawtooth's drops (the replica's availability is not this alarm's).
 * The reasoning needs a threshold of at least one period (60 s): after each drop the next sample is under it.
 */
export function replicaLagAlarm(thresholdSeconds: number) {
    const periods = Math.ceil(Math.max(0, IDLE_SOURCE_LAG_CAP_SECONDS - thresholdSeconds) / LAG_PERIOD_SECONDS) + 2;
    return {
        statistic: "Minimum", comparisonOperator: "GreaterThanThreshold", threshold: thresholdSeconds,
        period: LAG_PERIOD_SECONDS, evaluationPeriods: periods, datapointsToAlarm: periods, treatMissingData: "notBreaching",
    };
}

export class RdsDatabase extends pulumi.ComponentResource {
    readonly primary: RdsEndpoint;
    readonly replicas: RdsEndpoint[] = [];
    readonly port = 5432;
    readonly adminUsername: string;
    readonly adminPassword: pulumi.Output<string>;
    readonly passwordSecretArn: pulumi.Output<string>;
    /** The KMS key of the primary's storage and of the password secret (readers of the secret need kms:Decrypt on it). */
    readonly kmsKeyArn: pulumi.Output<string>;
    readonly alarmNames: pulumi.Output<string>[] = [];
    /** Index in [primary, ...replicas] of the instance that writes, as RDS reports it (0 until a failover). */
    readonly writerIndex: pulumi.Output<number>;
    /** The writer's address: what PgBouncer's `bookstore` entry, the admin secret and the outputs point at. */
    readonly writerAddress: pulumi.Output<string>;

    constructor(name: string, args: RdsDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:aws:RdsDatabase", name, {}, opts);
        /** Child names carry the component's: a URN names the parent's type, not its name. */
        const n = (child: string) => `${name}-${child}`;
        const p = { parent: this };
        const stateful = { parent: this, protect: true };
        this.adminUsername = args.adminUsername;

        // After `bookstore-infra failover` a promoted replica writes; which one is read from RDS, like EKS's version.
        const replicaIdentifier = (k: number) => `${args.baseName}-db-replica-${k}`;
        const live = args.replicas.map((r, i) => liveRdsInstance(replicaIdentifier(i + 1), r.region, p));
        this.writerIndex = pulumi.all(live).apply((replicas) => {
            const roles = rdsRoles(args.promotedReplica, replicas);
            if (roles.source === "rds" && roles.writer !== (args.promotedReplica ?? 0)) {
                pulumi.log.warn(`RDS reports ${roles.writer === 0 ? `${args.baseName}-db` : replicaIdentifier(roles.writer)} as the writer; aws.database.promotedReplica `
                    + `records ${args.promotedReplica ?? "none"}: following RDS. Record it (bookstore-infra failover does) so offline plans agree.`, this);
            }
            return roles.writer;
        });
        const isWriter = (index: number) => this.writerIndex.apply((w) => w === index);
        const whenWriter = <T>(index: number, value: T | pulumi.Output<T>) =>
            isWriter(index).apply((writes) => (writes ? pulumi.output(value) : pulumi.output(undefined))) as pulumi.Output<T | undefined>;

        const key = new aws.kms.Key(n("database"), { description: `${args.baseName} PostgreSQL storage, secrets and Performance Insights`, enableKeyRotation: true, deletionWindowInDays: 30, tags: args.tags }, p);
        this.kmsKeyArn = key.arn;
        const subnetGroup = new aws.rds.SubnetGroup(n("database"), { namePrefix: `${args.baseName}-db-`, subnetIds: args.subnetIds, tags: args.tags }, p);
        // namePrefix: a new major version's group is created and attached before the old one is deleted (terraform-provider-aws#6448).
        const parameterGroup = (pgName: string, instanceClass: string, o: pulumi.CustomResourceOptions) => new aws.rds.ParameterGroup(pgName, {
            namePrefix: `${args.baseName}-${POSTGRES_FAMILY}-`,
            family: POSTGRES_FAMILY,
            description: `BookStore tuning for ${instanceClass} (scaling guide)`,
            parameters: rdsParameters(instanceClass, args.tuning),
            tags: args.tags,
        }, o);
        const primaryParameters = parameterGroup("postgres16", args.instanceClass, p);
        const monitoringRole = new aws.iam.Role(n("monitoring"), { assumeRolePolicy: serviceTrustPolicy("monitoring.rds.amazonaws.com"), tags: args.tags }, p);
        const monitoringPolicy = new aws.iam.RolePolicyAttachment(n("monitoring"), { role: monitoringRole.name, policyArn: managedPolicy("service-role/AmazonRDSEnhancedMonitoringRole") }, p);

        const password = new random.RandomPassword(n("admin-password"), {
            length: 32, special: true,
            // RDS refuses / @ " and spaces; these need no escaping in connection strings or PgBouncer's user list.
            overrideSpecial: "-_.",
            minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 1,
        }, p);
        this.adminPassword = pulumi.secret(password.result);
        // Observability shared by primary and replicas: Performance Insights, enhanced monitoring, logs, current CA.
        const observed = {
            performanceInsightsEnabled: true,
            performanceInsightsRetentionPeriod: 7,
            monitoringInterval: MONITORING_INTERVAL,
            monitoringRoleArn: monitoringRole.arn,
            enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
            caCertIdentifier: RDS_CA,
            autoMinorVersionUpgrade: true,
            publiclyAccessible: false,
            iamDatabaseAuthenticationEnabled: true,
            storageType: "gp3",
            copyTagsToSnapshot: true,
            deletionProtection: true,
            // Changes wait for the maintenance window; static parameters wait for a reboot either way.
            applyImmediately: false,
        };
        const finalSnapshotSuffix = new random.RandomId(n("final-snapshot"), { byteLength: 4, keepers: { identifier: `${args.baseName}-db` } }, p);
        const primary = new aws.rds.Instance(n("primary"), {
            identifier: `${args.baseName}-db`,
            engine: "postgres",
            engineVersion: "16",
            instanceClass: args.instanceClass,
            multiAz: args.multiAz,
            allocatedStorage: args.allocatedStorageGB,
            maxAllocatedStorage: args.maxAllocatedStorageGB,
            storageEncrypted: true,
            kmsKeyId: key.arn,
            performanceInsightsKmsKeyId: key.arn,
            dbName: args.databaseName,
            username: args.adminUsername,
            password: this.adminPassword,
            port: this.port,
            dbSubnetGroupName: subnetGroup.name,
            vpcSecurityGroupIds: [args.securityGroupId],
            parameterGroupName: primaryParameters.name,
            backupRetentionPeriod: args.backupRetentionDays,
            backupWindow: BACKUP_WINDOW,
            maintenanceWindow: "sun:04:30-sun:05:30",
            skipFinalSnapshot: false,
            // Snapshot identifiers are unique per account and region: a fixed one fails the second destroy
            // after a re-create (DBSnapshotAlreadyExists). A new suffix per instance; in-place, not ForceNew.
            finalSnapshotIdentifier: pulumi.interpolate`${args.baseName}-db-final-${finalSnapshotSuffix.hex}`,
            ...observed,
            tags: args.tags,
        }, { ...stateful, dependsOn: [monitoringPolicy] });
        this.primary = { name: "bookstore", identifier: primary.identifier, address: primary.address, region: args.region, resourceId: primary.resourceId };

        const instances: pulumi.Output<string>[] = [primary.address];

        const secret = new aws.secretsmanager.Secret(n("admin-password"), {
            namePrefix: `${args.baseName}/postgres/admin-`, description: "PostgreSQL admin login (PgBouncer authenticates with it)", kmsKeyId: key.arn,
            recoveryWindowInDays: 30, tags: args.tags,
        }, p);
        this.passwordSecretArn = secret.arn;

        // --- alarms on the primary ---
        const rdsAlarm = (logicalName: string, identifier: pulumi.Input<string>, spec: { metricName: string; comparisonOperator: string; threshold: number; description: string }, target: AlarmTarget, o: pulumi.CustomResourceOptions) => {
            const alarmName = pulumi.interpolate`${identifier}-${logicalName.split("-").pop()}`;
            this.alarmNames.push(alarmName);
            return metricAlarm(logicalName, alarmName, {
                namespace: "AWS/RDS", metricName: spec.metricName, dimensions: { DBInstanceIdentifier: identifier },
                statistic: "Average", comparisonOperator: spec.comparisonOperator, threshold: spec.threshold,
                period: 60, evaluationPeriods: 5, treatMissingData: "missing", alarmDescription: spec.description,
            }, target, o);
        };
        rdsAlarm("primary-cpu", primary.identifier, { metricName: "CPUUtilization", comparisonOperator: "GreaterThanThreshold", threshold: args.alerts.cpuPercent, description: `CPU above ${args.alerts.cpuPercent} % for 5 minutes` }, args.alarms, p);
        const connections = Math.floor(args.tuning.maxConnections * args.alerts.connectionsPercent / 100);
        rdsAlarm("primary-connections", primary.identifier, { metricName: "DatabaseConnections", comparisonOperator: "GreaterThanThreshold", threshold: connections, description: `connections above ${args.alerts.connectionsPercent} % of max_connections ${args.tuning.maxConnections}` }, args.alarms, p);
        const freeBytes = Math.floor(args.allocatedStorageGB * 1024 ** 3 * (100 - args.alerts.storagePercent) / 100);
        rdsAlarm("primary-storage", primary.identifier, { metricName: "FreeStorageSpace", comparisonOperator: "LessThanThreshold", threshold: freeBytes, description: `less than ${100 - args.alerts.storagePercent} % of the allocated storage free` }, args.alarms, p);

        // --- read replicas ---
        const remoteGroups = new Map<string, aws.rds.SubnetGroup>();
        args.replicas.forEach((replica, i) => {
            const k = i + 1;
            const remote = replica.remote;
            const ro: pulumi.CustomResourceOptions = remote ? { parent: this, provider: remote.provider } : p;
            let regional: Record<string, pulumi.Input<unknown>> = {};
            let group = replica.instanceClass === args.instanceClass && !remote ? primaryParameters : undefined;
            if (remote) {
                // A cross-region replica needs a key, subnet group and parameter group in its own region.
                const remoteKey = new aws.kms.Key(n(`replica-${k}`), { description: `${args.baseName} PostgreSQL replica ${k} (${replica.region})`, enableKeyRotation: true, deletionWindowInDays: 30, tags: args.tags }, ro);
                let subnets = remoteGroups.get(replica.region);
                if (!subnets) {
                    subnets = new aws.rds.SubnetGroup(n(`database-${replica.region}`), { namePrefix: `${args.baseName}-db-`, subnetIds: remote.subnetIds, tags: args.tags }, ro);
                    remoteGroups.set(replica.region, subnets);
                }
                // The source is the primary's ARN across regions (and with a subnet group; aws:rds/instance.d.ts).
                regional = { replicateSourceDb: primary.arn, kmsKeyId: remoteKey.arn, performanceInsightsKmsKeyId: remoteKey.arn, dbSubnetGroupName: subnets.name, vpcSecurityGroupIds: [remote.securityGroupId] };
            } else {
                regional = { replicateSourceDb: primary.identifier, vpcSecurityGroupIds: [args.securityGroupId], performanceInsightsKmsKeyId: key.arn };
            }
            group ??= parameterGroup(`postgres16-replica-${k}`, replica.instanceClass, ro);
            // Minimal replica arguments: username, password, engine, storage and dbName come from the source (pulumi/pulumi-aws#574).
            const { replicateSourceDb, ...placement } = regional;
            const instance = new aws.rds.Instance(n(`replica-${k}`), {
                identifier: replicaIdentifier(k),
                instanceClass: replica.instanceClass,
                multiAz: replica.multiAz,
                parameterGroupName: group.name,
                // Once promoted it writes: no source (changing the source of a replica is refused, and
                // removing it is how the provider promotes), the writer's backups, and a final snapshot.
                replicateSourceDb: isWriter(k).apply((writes) => (writes ? pulumi.output(undefined) : pulumi.output(replicateSourceDb))) as pulumi.Output<string | undefined>,
                backupRetentionPeriod: whenWriter(k, args.backupRetentionDays),
                backupWindow: whenWriter(k, BACKUP_WINDOW),
                skipFinalSnapshot: isWriter(k).apply((writes) => !writes),
                finalSnapshotIdentifier: whenWriter(k, pulumi.interpolate`${replicaIdentifier(k)}-final-${finalSnapshotSuffix.hex}`),
                ...placement,
                ...observed,
                // The policy pack tells a promoted replica (encrypted from its source, no replicas yet) by this tag.
                tags: isWriter(k).apply((writes) => ({ ...args.tags, role: writes ? PROMOTED_REPLICA_ROLE : "read-replica" })),
            }, { ...ro, protect: true, dependsOn: [group, monitoringPolicy] });
            instances.push(instance.address);
            this.replicas.push({ name: `bookstore-replica-${k}`, identifier: instance.identifier, address: instance.address, region: replica.region });
            const target = remote ? { topicArn: remote.alarmTopicArn, tags: args.tags } : args.alarms;
            // The seed's alarm: ReplicaLag above 60 s while the source writes (per replica; `identifier`, never `id`, names the instance).
            const lag = args.alerts.replicationLagSeconds;
            const alarmName = pulumi.interpolate`${instance.identifier}-replica-lag`;
            this.alarmNames.push(alarmName);
            metricAlarm(`replica-${k}-lag`, alarmName, {
                namespace: "AWS/RDS", metricName: "ReplicaLag", dimensions: { DBInstanceIdentifier: instance.identifier },
                ...replicaLagAlarm(lag),
                // A promoted replica writes and reports no lag (missing data never breaches).
                alarmDescription: isWriter(k).apply((writes) => (writes ? `replica ${k} (${replica.region}) was promoted: it writes and reports no lag`
                    : `replica ${k} (${replica.region}) more than ${lag} s behind the primary while it writes`)),
            }, target, ro);
            rdsAlarm(`replica-${k}-cpu`, instance.identifier, { metricName: "CPUUtilization", comparisonOperator: "GreaterThanThreshold", threshold: args.alerts.cpuPercent, description: `CPU above ${args.alerts.cpuPercent} % for 5 minutes` }, target, ro);
        });
        // The chosen instance's address only: the secret waits for that instance, not for every replica.
        this.writerAddress = this.writerIndex.apply((writer) => instances[writer]);
        new aws.secretsmanager.SecretVersion(n("admin-password"), {
            secretId: secret.id,
            secretString: pulumi.secret(pulumi.all([this.writerAddress, this.adminPassword]).apply(([host, pw]) => JSON.stringify({
                engine: "postgres", host, port: this.port, dbname: args.databaseName, username: args.adminUsername, password: pw,
            }))),
        }, p);
        this.registerOutputs({ primary: this.primary.address, replicas: this.replicas.map((r) => r.address), writer: this.writerAddress });
    }

    /**
     * The server behind each endpoint name (`bookstore`, then `bookstore-replica-N`): the writer, then
     * each replica while the primary writes. After a promotion no replica follows the new writer (the
     * others replicate the old primary, stale or gone with its region), so every name leads to it.
     */
    endpointHosts(): pulumi.Output<string>[] {
        return [this.writerAddress, ...this.replicas.map((r) => pulumi.all([this.writerIndex, r.address, this.writerAddress])
            .apply(([writer, own, writerAddress]) => (writer === 0 ? own : writerAddress)))];
    }
}
