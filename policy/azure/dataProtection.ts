/**
 * Azure data protection: PostgreSQL backup retention and geo-redundant backups, and soft delete
 * for the storage account's blobs and containers.
 */
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { configSchema, describe, environmentsProperty, inScope, ofType, Scoped, settingsOf, tokenOf } from "../common";
import { isReplica } from "./availability";
import { BlobServiceProperties, PostgresServer, StorageAccount } from "../types";

const backupRetentionSchema = configSchema({
    minDays: { type: "integer", minimum: 1, default: 7, description: "Shortest point-in-time-restore window in days." },
});

export const postgresBackupRetention: ResourceValidationPolicy = {
    name: "postgres-backup-retention",
    description: "PostgreSQL primaries keep backups for at least 7 days (replicas have no backups of their own).",
    configSchema: backupRetentionSchema,
    validateResource: validateResourceOfType(PostgresServer, (server, args, reportViolation) => {
        if (isReplica(server)) return;
        const { minDays } = settingsOf<{ minDays: number }>(args, backupRetentionSchema);
        // Azure's default retention is 7 days.
        const days = server.backup?.backupRetentionDays ?? 7;
        if (days < minDays) reportViolation(`backup.backupRetentionDays is ${days}; expected at least ${minDays}.`);
    }),
};

const geoBackupSchema = configSchema({ environments: environmentsProperty(["prod"]) });

export const postgresGeoRedundantBackup: ResourceValidationPolicy = {
    name: "postgres-geo-redundant-backup",
    description: "Production PostgreSQL primaries keep geo-redundant backups (restorable in the paired region). Set at creation only.",
    configSchema: geoBackupSchema,
    validateResource: validateResourceOfType(PostgresServer, (server, args, reportViolation) => {
        if (isReplica(server) || !inScope(settingsOf<Scoped>(args, geoBackupSchema), server)) return;
        const geo = server.backup?.geoRedundantBackup ?? "Disabled";
        if (geo !== "Enabled") reportViolation(`backup.geoRedundantBackup is ${geo}; expected Enabled.`);
    }),
};

const softDeleteSchema = configSchema({
    minDays: { type: "integer", minimum: 1, maximum: 365, default: 7, description: "Shortest blob and container soft-delete retention in days." },
});

export const storageSoftDelete: StackValidationPolicy = {
    name: "storage-soft-delete",
    description: "Every storage account keeps deleted blobs and containers for at least 7 days (blob service soft delete).",
    configSchema: softDeleteSchema,
    validateStack: (args, reportViolation) => {
        const { minDays } = settingsOf<{ minDays: number }>(args, softDeleteSchema);
        const services = ofType(args.resources, tokenOf(BlobServiceProperties));
        for (const account of ofType(args.resources, tokenOf(StorageAccount))) {
            const names = [account.props.accountName, account.props.name];
            const service = services.find((s) => s.dependencies.includes(account) || names.includes(s.props.accountName));
            if (!service) {
                reportViolation(`${describe(account)} has no blob service properties; soft delete is off.`, account.urn);
                continue;
            }
            const props = service.asType(BlobServiceProperties)!;
            for (const [key, policy] of [
                ["deleteRetentionPolicy", props.deleteRetentionPolicy],
                ["containerDeleteRetentionPolicy", props.containerDeleteRetentionPolicy],
            ] as const) {
                if (policy?.enabled !== true) {
                    reportViolation(`${describe(account)}: ${key} is not enabled.`, account.urn);
                } else if ((policy.days ?? 7) < minDays) {
                    reportViolation(`${describe(account)}: ${key}.days is ${policy.days}; expected at least ${minDays}.`, account.urn);
                }
            }
        }
    },
};
