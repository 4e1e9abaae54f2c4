/**
 * The database tier's settings with every default resolved, owned by the database components
 * (database.ts, databaseNetwork.ts, databaseAlerts.ts, databaseFailover.ts). The stack config
 * (resolveDatabase of its database schema) fills the environment-dependent defaults.
 */
import type { PostgresSkuTier, PostgresTuning } from "../../lib/postgresParameters";
import type { PgbouncerSettings } from "../kubernetes/pgbouncer";

/** Flexible Server compute: size and tier. */
export interface SkuSpec {
    name: string;
    tier: PostgresSkuTier;
}

/** A read replica. */
export interface ReplicaSpec {
    location: string;
    sku: SkuSpec;
    storageSizeGB: number;
    /** Set for replicas outside the primary's region: the peered VNet they live in. */
    remoteNetwork?: { addressSpace: string; subnet: string };
}

/** The seed's server parameters; memory-relative ones are computed from the SKU's RAM (lib/postgresParameters.ts). */
export type ParametersSpec = PostgresTuning;

/** Alert thresholds of the database tier. */
export interface DatabaseAlertsSpec {
    /** The seed's replica-lag limit in seconds, judged while writes are outstanding. */
    replicationLagSeconds: number;
    cpuPercent: number;
    /** Active connections as a share of max_connections. */
    connectionsPercent: number;
    storagePercent: number;
}

export interface DatabaseSpec {
    /** PostgreSQL major version. */
    version: "14" | "15" | "16" | "17";
    sku: SkuSpec;
    storage: { sizeGB: number; autoGrow: boolean };
    backup: { retentionDays: number; geoRedundant: boolean };
    highAvailability: "ZoneRedundant" | "SameZone" | "Disabled";
    replicas: ReplicaSpec[];
    /** VNet per replica region other than the primary's. */
    replicaNetworks: Partial<Record<string, { addressSpace: string; subnet: string }>>;
    /** `builtin` (Flexible Server's PgBouncer) or `deployment` (PgBouncer pods in the cluster). */
    pooler: "builtin" | "deployment";
    pgbouncer: PgbouncerSettings;
    parameters: ParametersSpec;
    /** Connections the platform keeps (Azure reserves 15 on Flexible Server). */
    reservedConnections: number;
    /** Administrator login (cannot be changed after creation). */
    adminLogin: string;
    alerts: DatabaseAlertsSpec;
    /** The database the app uses. */
    databaseName: "bookstore";
    /** The virtual endpoints' pair (none without replicas): `replica` is 1-based; `promoted`: it writes now. */
    failover: { replica?: number; promoted: boolean };
    /** Physical names of servers that already exist, kept instead of the generated ones (adoption; omit on new stacks). */
    serverNames?: { primary?: string; replicas: string[] };
}
