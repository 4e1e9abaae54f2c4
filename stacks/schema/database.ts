// The `database` section: its schema, the defaults per environment, and the resolved spec the database tier takes.
import { z } from "zod";
import { BudgetInput, PGBOUNCER_MAX_UNAVAILABLE } from "../../policy/shared/budget";
import { POSTGRES_SKUS, PostgresSkuTier, postgresSku } from "../../lib/postgresParameters";
import { pinnedImage } from "./app";
import { importedAs, PGBOUNCER_IMAGE_SOURCE } from "./registry";
import type { DatabaseSpec, ReplicaSpec, SkuSpec } from "../../components/azure/databaseSpec";
import { azureRegion, bool, int, ipv4Cidr, num, oneOf, pattern } from "./common";

/** Storage sizes Flexible Server offers (GiB). */
export const STORAGE_SIZES_GB = [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767] as const;

const skuName = z.string({ error: "expected a Flexible Server SKU such as \"Standard_D4ds_v5\" (B, Ddsv5 or Edsv5 series)" })
    .refine((name) => name in POSTGRES_SKUS, {
        error: "expected a Flexible Server SKU such as \"Standard_D4ds_v5\" (B, Ddsv5 or Edsv5 series)",
    });

const SkuSchema = z.strictObject({
    name: skuName
        .describe("Compute size, e.g. \"Standard_D4ds_v5\" (4 vCores, 16 GiB)."),
    tier: oneOf(["Burstable", "GeneralPurpose", "MemoryOptimized"]).optional()
        .describe("Compute tier; must match the series (B → Burstable, D → GeneralPurpose, E → "
            + "MemoryOptimized). Default: from the name."),
});

const storageSize = z.number({ error: `expected one of ${STORAGE_SIZES_GB.join(", ")} (GiB)` })
    .refine((size) => (STORAGE_SIZES_GB as readonly number[]).includes(size), {
        error: `expected one of ${STORAGE_SIZES_GB.join(", ")} (GiB)`,
    });

const ReplicaSchema = z.strictObject({
    location: azureRegion
        .describe("Azure region of the replica."),
    sku: SkuSchema.optional()
        .describe("Replica compute; must be >= the primary's. Default: the primary's."),
    storageSizeGB: storageSize.optional()
        .describe("Replica storage in GiB; must be >= the primary's. Default: the primary's."),
});

const RemoteNetworkSchema = z.strictObject({
    addressSpace: ipv4Cidr
        .describe("Address space of the VNet in that region; peered with the main VNet, so it must "
            + "not overlap it."),
    subnet: ipv4Cidr
        .describe("Subnet delegated to Flexible Server, inside `addressSpace`."),
});

/** The seed's PgBouncer settings. */
export const PgbouncerSchema = z.strictObject({
    poolMode: oneOf(["transaction", "session", "statement"]).default("transaction"),
    maxClientConn: int(1, 50000).default(1000),
    defaultPoolSize: int(1, 4950).default(25),
    reservePoolSize: int(0, 1000).default(5)
        .describe("Deployment only: extra server connections per pool under load (builtin PgBouncer "
            + "has no reserve pool)."),
    reservePoolTimeout: int(0, 3600).default(3)
        .describe("Deployment only: seconds a client waits before the reserve pool is used."),
    maxDbConnections: int(0, 5000).default(100)
        .describe("Deployment only: cap on server connections per database and PgBouncer process; 0 = "
            + "no cap."),
    serverIdleTimeout: int(0, 86400).default(600),
    serverLifetime: int(0, 86400).default(3600)
        .describe("Deployment only: seconds before a server connection is closed and reopened."),
    replicas: int(1, 20).default(3)
        .describe("Deployment only: PgBouncer pods. Default 3: the PDB lets one go, and the clients "
            + "must fit through the other two (the seed's app opens up to 1080-1200 client "
            + "connections, max_client_conn 1000)."),
    image: pinnedImage().default(importedAs(PGBOUNCER_IMAGE_SOURCE))
        .describe("Deployment only: a maintained PgBouncer image, pinned. Default: CloudNativePG's "
            + "image (Debian + PGDG PgBouncer, rebuilt on every release; Bitnami's free versioned "
            + "images are retired), as a copy in the stack's registry that `bookstore-infra "
            + "bootstrap` imports (PGBOUNCER_IMAGE_SOURCE)."),
    serverTlsSslmode: oneOf(["require", "verify-ca", "verify-full"]).default("require")
        .describe("Deployment only: TLS from PgBouncer to PostgreSQL (Azure requires TLS)."),
});

/** The seed's server parameters; memory-relative ones are computed from the SKU's RAM. */
export const ParametersSchema = z.strictObject({
    sharedBuffersPercent: int(10, 75).default(25),
    effectiveCacheSizePercent: int(10, 90).default(75),
    walBuffersMB: int(1, 2047).default(16),
    checkpointCompletionTarget: num(0.1, 1).default(0.9),
    maxWalSizeGB: int(1, 64).default(4),
    randomPageCost: num(0.1, 100).default(1.1),
    effectiveIoConcurrency: int(0, 1000).default(200),
    maxConnections: int(25, 5000).default(200),
});

export const AlertsSchema = z.strictObject({
    replicationLagSeconds: int(1, 86400).default(60)
        .describe("The seed's replica-lag limit (seconds; the seed: 60), counted only while writes are "
            + "outstanding: on Azure a log alert joins each replica's seconds metric with the primary's "
            + "unreplayed WAL; on eks the RDS ReplicaLag alarm outlasts the lag an idle source shows "
            + "(docs/signals.md)."),
    cpuPercent: int(1, 100).default(80),
    connectionsPercent: int(1, 100).default(80)
        .describe("Active connections as a share of max_connections."),
    storagePercent: int(1, 100).default(85),
});

/** Which replica the virtual endpoints pair with the primary, and which of the two writes now. */
const FailoverSchema = z.strictObject({
    replica: int(1, 5).optional()
        .describe("Replica (1-based) the reader virtual endpoint targets: the one `bookstore-infra "
            + "failover` can switch over to (Azure switches over only to the reader endpoint's "
            + "target). Default: the first replica outside `location` (it survives a region "
            + "loss), else replica 1."),
    promoted: bool().default(false)
        .describe("Written by `bookstore-infra failover`: true while that replica holds the writer "
            + "role."),
});

const RESERVED_LOGINS = ["azure_superuser", "azure_pg_admin", "admin", "administrator", "root", "guest", "public"];

/** A Flexible Server name: a DNS label of 3-63 lowercase letters, digits and hyphens (Learn, "Naming rules": Microsoft.DBforPostgreSQL/flexibleServers). */
const serverName = pattern(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "a server name of 3-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen");

export const DatabaseSchema = z.strictObject({
    version: oneOf(["14", "15", "16", "17"]).default("16")
        .describe("PostgreSQL major version. Default \"16\"."),
    sku: SkuSchema.optional()
        .describe("Compute. Default: Standard_D4ds_v5 GeneralPurpose in prod and staging, "
            + "Standard_D2ds_v5 in dev."),
    storage: z.strictObject({
        sizeGB: storageSize.default(128),
        autoGrow: bool().default(true),
    }).prefault({}),
    backup: z.strictObject({
        retentionDays: int(7, 35).default(7),
        geoRedundant: bool().optional()
            .describe("Default: on in prod."),
    }).prefault({}),
    highAvailability: oneOf(["ZoneRedundant", "SameZone", "Disabled"]).optional()
        .describe("Default: ZoneRedundant in prod, Disabled elsewhere."),
    replicas: z.array(ReplicaSchema, { error: "expected a list of replicas ({location, sku?, storageSizeGB?})" })
        .max(5, { error: "expected at most 5 replicas (Flexible Server's limit)" }).optional()
        .describe("Read replicas. Default: in prod one in `location` and one in `secondaryLocation`; "
            + "none elsewhere."),
    replicaNetworks: z.record(azureRegion, RemoteNetworkSchema, { error: "expected a map of region to {addressSpace, subnet}" }).default({})
        .describe("VNet per replica region other than `location`. Default: 10.41.0.0/16 (subnet "
            + "10.41.8.0/24), 10.42... in order."),
    pooler: oneOf(["builtin", "deployment"]).optional()
        .describe("`builtin` (Flexible Server's PgBouncer) or `deployment` (PgBouncer pods on AKS). "
            + "Default: builtin on containerapps, deployment on aks."),
    pgbouncer: PgbouncerSchema.prefault({}),
    parameters: ParametersSchema.prefault({}),
    reservedConnections: int(0, 100).default(15)
        .describe("Connections the platform keeps (Azure reserves 15 on Flexible Server)."),
    adminLogin: pattern(/^[a-z][a-z0-9_]{2,62}$/, "a login of 3-63 lowercase letters, digits or underscores")
        .refine((login) => !RESERVED_LOGINS.includes(login) && !login.startsWith("pg_"), {
            error: `expected a login other than ${RESERVED_LOGINS.join(", ")} or pg_*`,
        })
        .default("bookstoreadmin")
        .describe("Administrator login (cannot be changed after creation)."),
    alerts: AlertsSchema.prefault({}),
    failover: FailoverSchema.prefault({}),
    serverNames: z.strictObject({
        primary: serverName.optional(),
        replicas: z.array(serverName).default([])
            .describe("By replica position; a shorter list adopts only the first replicas."),
    }).optional()
        .describe("Physical names of servers that already exist (a stack first deployed when the "
            + "provider autonamed them): the program then keeps them instead of its own "
            + "`<prefix>-<env>-pg-<hash>` names, which would replace the servers. Omit on new "
            + "stacks."),
});

export type DatabaseConfig = z.infer<typeof DatabaseSchema>;
type ReplicaConfig = z.infer<typeof ReplicaSchema>;
export type PgbouncerSettings = DatabaseConfig["pgbouncer"];

/** The parts of the stack config the database tier reads (structural, so there is no import cycle). */
export interface DatabaseContext {
    environment: "dev" | "staging" | "prod";
    platform: "containerapps" | "aks" | "eks";
    location: string;
    secondaryLocation: string;
    network: { addressSpace: string };
    app: { services: Record<string, { maxReplicas: number; dbPoolSize: number }> };
    database: DatabaseConfig;
}

// The resolved shapes are the database components' own Args (components/azure/databaseSpec.ts).
export type ResolvedSku = SkuSpec;
export type ResolvedReplica = ReplicaSpec;
/** The database tier with every environment-dependent default filled in. */
export type ResolvedDatabase = DatabaseSpec;

const DEFAULT_SKU = { prod: "Standard_D4ds_v5", staging: "Standard_D4ds_v5", dev: "Standard_D2ds_v5" } as const;

function resolveSku(sku: { name: string; tier?: PostgresSkuTier }): ResolvedSku {
    return { name: sku.name, tier: sku.tier ?? postgresSku(sku.name).tier };
}

/** Default VNet for the k-th region (0-based) that hosts a replica outside `location`. */
export function defaultRemoteNetwork(k: number): { addressSpace: string; subnet: string } {
    return { addressSpace: `10.${41 + k}.0.0/16`, subnet: `10.${41 + k}.8.0/24` };
}

/**
 * Fills the environment- and platform-dependent defaults: prod gets ZoneRedundant HA, geo backups
 * and two replicas (primary region and `secondaryLocation`); the pooler follows the platform.
 */
export function resolveDatabase(config: DatabaseContext): ResolvedDatabase {
    const db = config.database;
    const prod = config.environment === "prod";
    const sku = resolveSku(db.sku ?? { name: DEFAULT_SKU[config.environment] });
    const replicaSpecs: ReplicaConfig[] = db.replicas ?? (prod ? [{ location: config.location }, { location: config.secondaryLocation }] : []);
    const remoteRegions = [...new Set(replicaSpecs.map((r) => r.location).filter((l) => l !== config.location))];
    const replicas = replicaSpecs.map((r): ResolvedReplica => {
        const remoteIndex = remoteRegions.indexOf(r.location);
        return {
            location: r.location,
            sku: r.sku ? resolveSku(r.sku) : sku,
            storageSizeGB: r.storageSizeGB ?? db.storage.sizeGB,
            ...(remoteIndex >= 0 ? { remoteNetwork: db.replicaNetworks[r.location] ?? defaultRemoteNetwork(remoteIndex) } : {}),
        };
    });
    return {
        ...db,
        sku,
        highAvailability: db.highAvailability ?? (prod ? "ZoneRedundant" : "Disabled"),
        backup: { retentionDays: db.backup.retentionDays, geoRedundant: db.backup.geoRedundant ?? prod },
        replicas,
        pooler: db.pooler ?? (config.platform === "aks" ? "deployment" : "builtin"),
        databaseName: "bookstore",
        failover: { replica: replicas.length === 0 ? undefined : db.failover.replica ?? defaultFailoverReplica(replicas, config.location), promoted: db.failover.promoted },
    };
}

/** The first replica outside the primary's region (1-based), else the first. */
function defaultFailoverReplica(replicas: ResolvedReplica[], location: string): number {
    return replicas.findIndex((r) => r.location !== location) + 1 || 1;
}

/** The connection budget's inputs for a stack. */
export function budgetInputOf(config: DatabaseContext): BudgetInput {
    const db = resolveDatabase(config);
    const deployment = db.pooler === "deployment";
    return {
        services: Object.entries(config.app.services).map(([name, s]) => ({ name, maxReplicas: s.maxReplicas, dbPoolSize: s.dbPoolSize })),
        pooler: {
            kind: db.pooler,
            replicas: deployment ? db.pgbouncer.replicas : 1,
            maxUnavailable: deployment ? PGBOUNCER_MAX_UNAVAILABLE : 0,
            maxClientConn: db.pgbouncer.maxClientConn,
            defaultPoolSize: db.pgbouncer.defaultPoolSize,
            reservePoolSize: deployment ? db.pgbouncer.reservePoolSize : 0,
            maxDbConnections: deployment ? db.pgbouncer.maxDbConnections : 0,
        },
        readReplicas: db.replicas.length,
        maxConnections: db.parameters.maxConnections,
        reservedConnections: db.reservedConnections,
    };
}

/**
 * The per-replica pool size to write into the connection strings, when every service uses the
 * same one (they share the strings); undefined otherwise, leaving it to each service.
 */
export function sharedAppPoolSize(config: Pick<DatabaseContext, "app">): number | undefined {
    const sizes = new Set(Object.values(config.app.services).map((s) => s.dbPoolSize));
    return sizes.size === 1 ? [...sizes][0] : undefined;
}
