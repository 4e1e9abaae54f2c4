/**
 * The seed's PostgreSQL tuning as an RDS `postgres16` parameter group: values in RDS's units
 * (8 kB pages for buffers, MB for max_wal_size), computed from the instance class's memory, and
 * the apply method RDS requires per parameter class. Pure: tested directly and shown in the plan.
 */
import { formatBytes, PAGE_BYTES, PostgresTuning } from "../../lib/postgresParameters";
import { RDS_INSTANCE_CLASSES } from "../../lib/awsCatalog";

export interface RdsParameter {
    name: string;
    value: string;
    /**
     * `pending-reboot` for static (postmaster) parameters: RDS refuses `immediate` for them
     * (InvalidParameterCombination), and applies them at the next reboot (RDS UG — Working with
     * parameters on your RDS for PostgreSQL DB instance).
     */
    applyMethod: "immediate" | "pending-reboot";
}

/** The parameter group family of the engine's major version. */
export const POSTGRES_FAMILY = "postgres16";

/** PostgreSQL 16 defaults RDS keeps; listing a parameter at its default gives a perpetual diff (pulumi/pulumi-aws#2442). */
export const RDS_POSTGRES16_DEFAULTS = { checkpointCompletionTarget: 0.9 } as const;

const MB = 1024 * 1024;
const GB = 1024 * MB;

/** Static parameters of PostgreSQL 16 among the ones set here (context `postmaster`). */
export const STATIC_PARAMETERS = new Set(["shared_buffers", "wal_buffers", "max_connections"]);

/** The parameter group entries for an instance class. Memory-relative values use the class's nominal memory. */
export function rdsParameters(instanceClass: string, tuning: PostgresTuning): RdsParameter[] {
    const cls = RDS_INSTANCE_CLASSES[instanceClass];
    if (!cls) throw new Error(`unknown RDS instance class ${instanceClass}`);
    const ram = cls.memoryGiB * GB;
    const pages = (bytes: number) => String(Math.floor(bytes / PAGE_BYTES));
    const entries: [string, string][] = [
        ["shared_buffers", pages(ram * tuning.sharedBuffersPercent / 100)],
        ["effective_cache_size", pages(ram * tuning.effectiveCacheSizePercent / 100)],
        ["wal_buffers", pages(tuning.walBuffersMB * MB)],
        ["max_wal_size", String(tuning.maxWalSizeGB * 1024)],
        ["random_page_cost", String(tuning.randomPageCost)],
        ["effective_io_concurrency", String(tuning.effectiveIoConcurrency)],
        ["max_connections", String(tuning.maxConnections)],
    ];
    if (tuning.checkpointCompletionTarget !== RDS_POSTGRES16_DEFAULTS.checkpointCompletionTarget) {
        entries.push(["checkpoint_completion_target", String(tuning.checkpointCompletionTarget)]);
    }
    return entries.map(([name, value]) => ({ name, value, applyMethod: STATIC_PARAMETERS.has(name) ? "pending-reboot" : "immediate" }));
}

/** A page count in human units ("4GB"), for the README and plan readers. */
export const pagesDisplay = (pages: string) => formatBytes(Number(pages) * PAGE_BYTES);
