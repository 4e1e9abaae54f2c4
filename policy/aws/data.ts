/**
 * RDS for PostgreSQL and ElastiCache rules, after AWS Foundational Security Best Practices
 * (control ids in the descriptions; Security Hub CSPM user guide).
 */
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { configSchema, environmentsProperty, inScope, Scoped, settingsOf } from "../common";
import { PROMOTED_REPLICA_ROLE } from "../shared/rdsRoles";
import { RdsInstance, RdsParameterGroup, ReplicationGroup } from "./types";

/** A read replica: it names its source. */
export const isRdsReplica = (props: { replicateSourceDb?: string }) => typeof props.replicateSourceDb === "string" && props.replicateSourceDb !== "";

/**
 * A replica `bookstore-infra failover` promoted (tag role=promoted-replica): standalone now, encrypted
 * as it was created (an encrypted replica stays encrypted; its key cannot change), and without
 * replicas until they are rebuilt (docs/runbooks.md).
 */
export const isPromotedReplica = (props: { replicateSourceDb?: string; tags?: Record<string, string> }) =>
    !isRdsReplica(props) && props.tags?.role === PROMOTED_REPLICA_ROLE;

export const rdsNotPublic: ResourceValidationPolicy = {
    name: "aws-rds-not-public",
    description: "RDS instances are not publicly accessible (FSBP RDS.2).",
    validateResource: validateResourceOfType(RdsInstance, (db, _args, reportViolation) => {
        if (db.publiclyAccessible === true) reportViolation("publiclyAccessible is true; expected false (private subnets only).");
    }),
};

export const rdsEncrypted: ResourceValidationPolicy = {
    name: "aws-rds-encrypted",
    description: "RDS storage is encrypted (FSBP RDS.3); a cross-region replica names a KMS key in its own region.",
    validateResource: validateResourceOfType(RdsInstance, (db, _args, reportViolation) => {
        if (!isRdsReplica(db)) {
            if (db.storageEncrypted !== true && !isPromotedReplica(db)) reportViolation("storageEncrypted is not true; expected encryption at rest.");
        } else if (db.replicateSourceDb!.startsWith("arn:") && !db.kmsKeyId) {
            // A cross-region replica ignores storageEncrypted and needs a key in the destination region (aws:rds/instance.d.ts).
            reportViolation("a cross-region replica (source given by ARN) has no kmsKeyId; expected a KMS key in its region.");
        }
    }),
};

const multiAzSchema = configSchema({ environments: environmentsProperty(["prod"]) });

export const rdsMultiAz: ResourceValidationPolicy = {
    name: "aws-rds-multi-az",
    description: "Production RDS instances, replicas included, run Multi-AZ (FSBP RDS.5; the seed's critical replicas).",
    configSchema: multiAzSchema,
    validateResource: validateResourceOfType(RdsInstance, (db, args, reportViolation) => {
        if (!inScope(settingsOf<Scoped>(args, multiAzSchema), db)) return;
        if (db.multiAz !== true) reportViolation("multiAz is not true; an AZ outage takes this instance down.");
    }),
};

export const rdsDeletionProtection: ResourceValidationPolicy = {
    name: "aws-rds-deletion-protection",
    description: "RDS instances have deletion protection (FSBP RDS.8).",
    validateResource: validateResourceOfType(RdsInstance, (db, _args, reportViolation) => {
        if (db.deletionProtection !== true) reportViolation("deletionProtection is not true.");
    }),
};

const backupSchema = configSchema({ minDays: { type: "integer", minimum: 1, default: 7, description: "Shortest automated backup retention in days." } });

export const rdsBackupRetention: ResourceValidationPolicy = {
    name: "aws-rds-backup-retention",
    description: "RDS primaries keep automated backups for at least 7 days (FSBP RDS.11; the provider's default is 0, no backups).",
    configSchema: backupSchema,
    validateResource: validateResourceOfType(RdsInstance, (db, args, reportViolation) => {
        if (isRdsReplica(db)) return;
        const { minDays } = settingsOf<{ minDays: number }>(args, backupSchema);
        const days = db.backupRetentionPeriod ?? 0;
        if (days < minDays) reportViolation(`backupRetentionPeriod is ${days}; expected at least ${minDays}.`);
    }),
};

export const rdsHardening: ResourceValidationPolicy = {
    name: "aws-rds-monitoring-and-auth",
    description: "RDS instances have IAM authentication (FSBP RDS.10), enhanced monitoring (RDS.6), PostgreSQL logs exported (RDS.36) and automatic minor upgrades (RDS.13).",
    validateResource: validateResourceOfType(RdsInstance, (db, _args, reportViolation) => {
        if (db.iamDatabaseAuthenticationEnabled !== true) reportViolation("iamDatabaseAuthenticationEnabled is not true (FSBP RDS.10).");
        if (!db.monitoringInterval) reportViolation("monitoringInterval is 0 or unset; expected enhanced monitoring (FSBP RDS.6).");
        if (!(db.enabledCloudwatchLogsExports ?? []).includes("postgresql")) reportViolation("enabledCloudwatchLogsExports lacks \"postgresql\" (FSBP RDS.36).");
        if (db.autoMinorVersionUpgrade === false) reportViolation("autoMinorVersionUpgrade is false (FSBP RDS.13).");
    }),
};

/** PostgreSQL parameters of context `postmaster` this platform may set. */
const STATIC_POSTGRES_PARAMETERS = ["shared_buffers", "max_connections", "wal_buffers", "max_worker_processes", "shared_preload_libraries", "max_wal_senders", "max_replication_slots", "max_locks_per_transaction", "max_prepared_transactions"];
const staticSchema = configSchema({
    parameters: { type: "array", items: { type: "string" }, default: STATIC_POSTGRES_PARAMETERS, description: "Static (postmaster) parameters: RDS refuses `immediate` for them." },
});

export const rdsStaticParameters: ResourceValidationPolicy = {
    name: "aws-rds-static-parameters-pending-reboot",
    description: "Static PostgreSQL parameters in an RDS parameter group use applyMethod pending-reboot; `immediate` fails the deploy with InvalidParameterCombination.",
    configSchema: staticSchema,
    validateResource: validateResourceOfType(RdsParameterGroup, (group, args, reportViolation) => {
        const { parameters } = settingsOf<{ parameters: string[] }>(args, staticSchema);
        for (const p of group.parameters ?? []) {
            // The provider's default applyMethod is immediate.
            if (parameters.includes(p.name) && (p.applyMethod ?? "immediate") !== "pending-reboot") {
                reportViolation(`parameter ${p.name} is static but has applyMethod ${p.applyMethod ?? "immediate (default)"}; expected pending-reboot.`);
            }
        }
    }),
};

export const elastiCacheEncryption: ResourceValidationPolicy = {
    name: "aws-elasticache-encryption",
    description: "ElastiCache replication groups encrypt in transit (FSBP ElastiCache.5) and at rest (ElastiCache.4).",
    validateResource: validateResourceOfType(ReplicationGroup, (group, _args, reportViolation) => {
        if (group.transitEncryptionEnabled !== true) reportViolation("transitEncryptionEnabled is not true; expected TLS.");
        // At-rest encryption defaults on for valkey and off for redis (aws:elasticache/replicationGroup.d.ts).
        const atRest = group.atRestEncryptionEnabled ?? (group.engine === "valkey");
        if (atRest !== true) reportViolation("atRestEncryptionEnabled is not true.");
    }),
};

export const elastiCacheFailover: ResourceValidationPolicy = {
    name: "aws-elasticache-automatic-failover",
    description: "ElastiCache replication groups fail over automatically across AZs (FSBP ElastiCache.3).",
    validateResource: validateResourceOfType(ReplicationGroup, (group, _args, reportViolation) => {
        if (group.automaticFailoverEnabled !== true) reportViolation("automaticFailoverEnabled is not true.");
        if (group.multiAzEnabled !== true) reportViolation("multiAzEnabled is not true.");
    }),
};

export const elastiCacheBackups: ResourceValidationPolicy = {
    name: "aws-elasticache-backups",
    description: "ElastiCache replication groups keep daily snapshots (FSBP ElastiCache.1) in their own subnet group (ElastiCache.7).",
    validateResource: validateResourceOfType(ReplicationGroup, (group, _args, reportViolation) => {
        if (!group.snapshotRetentionLimit) reportViolation("snapshotRetentionLimit is 0 or unset; expected automatic backups.");
        if (!group.subnetGroupName || group.subnetGroupName === "default") reportViolation("subnetGroupName is the default subnet group; expected the database subnets.");
    }),
};

export const awsDataPolicies = [
    rdsNotPublic, rdsEncrypted, rdsMultiAz, rdsDeletionProtection, rdsBackupRetention, rdsHardening, rdsStaticParameters,
    elastiCacheEncryption, elastiCacheFailover, elastiCacheBackups,
];
