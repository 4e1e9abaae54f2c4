/**
 * Dated AWS facts the AWS schema, composition and policies share. Pure data, no Pulumi.
 */

/**
 * EKS Kubernetes versions this program offers and the end of their EKS standard support
 * (14 months after release; then paid extended support). Source: endoflife.date/amazon-eks
 * (checked 2026-11-29), consistent with "EKS UG — Understand the Kubernetes version lifecycle".
 * 1.34's standard support ends 2026-12-02: upgrade prod-eks before then if it ever pins 1.34.
 */
export const EKS_VERSIONS: Readonly<Record<string, { released: string; standardSupportEnds: string }>> = {
    "1.34": { released: "2025-10-06", standardSupportEnds: "2026-12-02" },
    "1.35": { released: "2026-01-28", standardSupportEnds: "2027-03-27" },
};

/**
 * RDS instance classes offered for PostgreSQL, with vCPUs and memory (GiB), from "RDS UG — DB
 * instance class hardware specifications". Memory drives the parameter group's buffers and the
 * replica floor.
 */
export const RDS_INSTANCE_CLASSES: Readonly<Record<string, { vCpus: number; memoryGiB: number }>> = {
    "db.t4g.medium": { vCpus: 2, memoryGiB: 4 },
    "db.t4g.large": { vCpus: 2, memoryGiB: 8 },
    "db.m6g.large": { vCpus: 2, memoryGiB: 8 },
    "db.m6g.xlarge": { vCpus: 4, memoryGiB: 16 },
    "db.m7g.large": { vCpus: 2, memoryGiB: 8 },
    "db.m7g.xlarge": { vCpus: 4, memoryGiB: 16 },
    "db.r6g.large": { vCpus: 2, memoryGiB: 16 },
    "db.r6g.xlarge": { vCpus: 4, memoryGiB: 32 },
    "db.r6g.2xlarge": { vCpus: 8, memoryGiB: 64 },
    "db.r7g.large": { vCpus: 2, memoryGiB: 16 },
    "db.r7g.xlarge": { vCpus: 4, memoryGiB: 32 },
    "db.r7g.2xlarge": { vCpus: 8, memoryGiB: 64 },
};

/** Short region codes ElastiCache uses in endpoint names (e.g. `use1`). */
export function elastiCacheRegionCode(region: string): string {
    const [area, direction, n] = region.split("-");
    return `${area}${direction.charAt(0)}${n}`;
}

/**
 * RDS's daily backup window (UTC) for the writer, and for a replica promoted by `bookstore-infra
 * failover` (PromoteReadReplica's PreferredBackupWindow, then the program's backupWindow).
 */
export const RDS_BACKUP_WINDOW = "03:00-04:00";

// The promoted replica's role tag lives in the policy pack, which must load on its own.
