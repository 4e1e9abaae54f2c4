import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

/**
 * What RDS reports about an instance that decides its role (DescribeDBInstances, read at plan time
 * with `aws.rds.getInstance`): the source it replicates from, empty once it is standalone.
 */
export interface LiveRdsInstance {
    /** ReadReplicaSourceDBInstanceIdentifier: "" for a standalone instance (a primary, or a promoted replica). */
    replicateSourceDb: string;
}

/** The instance's role as RDS reports it, or undefined when it does not exist yet (a first deploy) or cannot be read. */
export function liveRdsInstance(identifier: string, region: string, opts: pulumi.InvokeOptions): pulumi.Output<LiveRdsInstance | undefined> {
    return pulumi.output(aws.rds.getInstance({ dbInstanceIdentifier: identifier, region }, opts)
        .then((i) => ({ replicateSourceDb: i.replicateSourceDb ?? "" }), () => undefined));
}

/** Which instance writes: 0 the primary, k replica k (1-based) promoted by `bookstore-infra failover`. */
export interface RdsRoles {
    writer: number;
    /** Where the writer came from: what RDS reports, or the stack file's record (no replica could be read). */
    source: "rds" | "stack file";
}

/**
 * The writer from what RDS reports for the replicas (index i: replica i + 1), the stack file's
 * record (`aws.database.promotedReplica`) as the fallback. PromoteReadReplica makes a replica a
 * standalone instance (RDS API PromoteReadReplica): a replica RDS reports without a source writes.
 * A promotion is one-way, so once RDS reports one, it wins over the record; with no replica
 * readable (a first deploy, an offline plan, an unreachable region) the record decides.
 */
export function rdsRoles(recorded: number | undefined, replicas: (LiveRdsInstance | undefined)[]): RdsRoles {
    const promoted = replicas.map((r, i) => (r !== undefined && r.replicateSourceDb === "" ? i + 1 : 0)).filter((k) => k > 0);
    if (promoted.length > 0) return { writer: recorded !== undefined && promoted.includes(recorded) ? recorded : promoted[0], source: "rds" };
    if (replicas.some((r) => r !== undefined)) return { writer: 0, source: "rds" };
    return { writer: recorded ?? 0, source: "stack file" };
}
