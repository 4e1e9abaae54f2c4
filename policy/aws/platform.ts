/** The platform's own AWS rules: the seed's read-replica floor and a ReplicaLag alarm on every replica. */
import { StackValidationPolicy } from "@pulumi/policy";
import { configSchema, describe, environmentsProperty, inScope, ofType, Scoped, settingsOf, tokenOf } from "../common";
import { isPromotedReplica, isRdsReplica } from "./data";
import { MetricAlarm, RdsInstance } from "./types";

const floorSchema = configSchema({
    environments: environmentsProperty(["prod"]),
    minReplicas: { type: "integer", minimum: 0, default: 2, description: "Read replicas each production RDS primary keeps (the scaling guide's two)." },
});

export const rdsReplicaFloor: StackValidationPolicy = {
    name: "aws-rds-read-replicas",
    description: "Each production RDS primary has at least 2 read replicas (the scaling guide: one in-region, one cross-region); "
        + "suspended after `bookstore-infra failover` promoted a replica, until the replicas are rebuilt (docs/runbooks.md).",
    configSchema: floorSchema,
    validateStack: (args, reportViolation) => {
        const settings = settingsOf<Scoped & { minReplicas: number }>(args, floorSchema);
        const instances = ofType(args.resources, tokenOf(RdsInstance));
        // A failover leaves the new writer without replicas; blocking the up that follows it would block the recovery.
        if (instances.some((i) => isPromotedReplica(i.props))) return;
        const replicas = instances.filter((i) => isRdsReplica(i.props));
        for (const primary of instances.filter((i) => !isRdsReplica(i.props) && inScope(settings, i.props))) {
            const ids = [primary.props.identifier, primary.props.arn].filter(Boolean);
            const count = replicas.filter((r) => r.dependencies.includes(primary) || ids.includes(r.props.replicateSourceDb)).length;
            if (count < settings.minReplicas) reportViolation(`${describe(primary)} has ${count} read replica(s); expected at least ${settings.minReplicas}.`, primary.urn);
        }
    },
};

const lagSchema = configSchema({
    maxThresholdSeconds: { type: "integer", minimum: 1, default: 60, description: "Highest acceptable ReplicaLag alarm threshold (the seed: 60 s)." },
});

export const replicaLagAlarm: StackValidationPolicy = {
    name: "aws-rds-replica-lag-alarm",
    description: "Every RDS read replica has a CloudWatch alarm on ReplicaLag for its identifier, at 60 s or less, that notifies someone.",
    configSchema: lagSchema,
    validateStack: (args, reportViolation) => {
        const { maxThresholdSeconds } = settingsOf<{ maxThresholdSeconds: number }>(args, lagSchema);
        const alarms = ofType(args.resources, tokenOf(MetricAlarm)).filter((a) => a.props.metricName === "ReplicaLag" && a.props.namespace === "AWS/RDS");
        for (const replica of ofType(args.resources, tokenOf(RdsInstance)).filter((i) => isRdsReplica(i.props))) {
            // `identifier` names the instance in CloudWatch; `id` is the DBI resource id (terraform-provider-aws#31232).
            const alarm = alarms.find((a) => a.props.dimensions?.DBInstanceIdentifier === replica.props.identifier);
            if (!alarm) {
                reportViolation(`${describe(replica)} has no ReplicaLag alarm on DBInstanceIdentifier ${replica.props.identifier}.`, replica.urn);
            } else if (!(alarm.props.threshold <= maxThresholdSeconds)) {
                reportViolation(`${describe(alarm)} fires above ${alarm.props.threshold} s; expected at most ${maxThresholdSeconds} s.`, alarm.urn);
            } else if ((alarm.props.alarmActions ?? []).length === 0) {
                reportViolation(`${describe(alarm)} has no alarmActions; nobody is told.`, alarm.urn);
            }
        }
    },
};

export const awsPlatformPolicies = [rdsReplicaFloor, replicaLagAlarm];
