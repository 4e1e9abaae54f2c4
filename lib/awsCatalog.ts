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
 * The retention periods CloudWatch Logs accepts (PutRetentionPolicy `retentionInDays`: "Possible
 * values are: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
 * 2922, 3288, and 3653", aws/api-models-aws cloudwatch-logs-2014-03-28.json `Days`): any other number fails the log group's create.
 */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * The Region code of AZ IDs (EC2 User Guide, "AZ IDs": an AZ ID is the Region's code and `az<n>`,
 * e.g. `use1-az1` in us-east-1, `apse1-az2` in ap-southeast-1, `euc1-az3` in eu-central-1): the
 * area, the initials of the direction words, the number.
 */
export function azIdRegionCode(region: string): string | undefined {
    const match = /^([a-z]{2})-(gov-)?([a-z]+)-(\d+)$/.exec(region);
    if (!match) return undefined;
    const initials = { north: "n", south: "s", east: "e", west: "w", central: "c", northeast: "ne", northwest: "nw", southeast: "se", southwest: "sw" }[match[3]];
    return initials === undefined ? undefined : `${match[1]}${match[2] ? "g" : ""}${initials}${match[4]}`;
}

/**
 * AZ IDs where EKS places no cluster subnets (EKS UG, "View Amazon EKS networking requirements for
 * VPC and subnets": "The subnets can't reside in the following Availability Zones", read 2026-12-07
 * from awsdocs/amazon-eks-user-guide latest/ug/networking/network-reqs.adoc).
 */
export const EKS_DISALLOWED_AZ_IDS: readonly string[] = ["use1-az3", "usw1-az2", "cac1-az3"];

/**
 * RDS's daily backup window (UTC) for the writer, and for a replica promoted by `bookstore-infra
 * failover` (PromoteReadReplica's PreferredBackupWindow, then the program's backupWindow).
 */
export const RDS_BACKUP_WINDOW = "03:00-04:00";

// The promoted replica's role tag lives in the policy pack, which must load on its own.
