/**
 * PostgreSQL Flexible Server sizing: the compute SKUs this project allows and the server
 * parameters derived from a SKU's memory. Pure (no Pulumi): the database component, the config
 * checks, the offline plan and the real-PostgreSQL test all use the same numbers.
 */

export type PostgresSkuTier = "Burstable" | "GeneralPurpose" | "MemoryOptimized";

export interface PostgresSku {
    tier: PostgresSkuTier;
    vCores: number;
    memoryGiB: number;
}

const series = (tier: PostgresSkuTier, prefix: string, suffix: string, sizes: [number, number][]) =>
    Object.fromEntries(sizes.map(([vCores, memoryGiB]) => [`Standard_${prefix}${vCores}${suffix}`, { tier, vCores, memoryGiB }]));

/**
 * Flexible Server compute sizes (vCores, GiB of RAM) per Azure's compute options table:
 * Burstable B-series, General Purpose Ddsv5, Memory Optimized Edsv5.
 */
export const POSTGRES_SKUS: Readonly<Record<string, PostgresSku>> = {
    "Standard_B1ms": { tier: "Burstable", vCores: 1, memoryGiB: 2 },
    "Standard_B2s": { tier: "Burstable", vCores: 2, memoryGiB: 4 },
    ...series("Burstable", "B", "ms", [[2, 8], [4, 16], [8, 32], [12, 48], [16, 64], [20, 80]]),
    ...series("GeneralPurpose", "D", "ds_v5", [[2, 8], [4, 16], [8, 32], [16, 64], [32, 128], [48, 192], [64, 256], [96, 384]]),
    ...series("MemoryOptimized", "E", "ds_v5", [[2, 16], [4, 32], [8, 64], [16, 128], [20, 160], [32, 256], [48, 384], [64, 512], [96, 672]]),
};

export const POSTGRES_SKU_NAMES = Object.keys(POSTGRES_SKUS) as [string, ...string[]];

export function postgresSku(name: string): PostgresSku {
    const sku = POSTGRES_SKUS[name];
    if (!sku) throw new Error(`unknown PostgreSQL Flexible Server SKU ${name}; known: ${POSTGRES_SKU_NAMES.join(", ")}`);
    return sku;
}

/** Tuning inputs, as in `bookstore:database.parameters` (defaults are the seed's). */
export interface PostgresTuning {
    /** shared_buffers as a share of RAM (seed: 25 %). */
    sharedBuffersPercent: number;
    /** effective_cache_size as a share of RAM (seed: 75 %). */
    effectiveCacheSizePercent: number;
    /** wal_buffers in MB (seed: 16). */
    walBuffersMB: number;
    /** checkpoint_completion_target (seed: 0.9). */
    checkpointCompletionTarget: number;
    /** max_wal_size in GB (seed: 4). */
    maxWalSizeGB: number;
    /** random_page_cost (seed: 1.1, SSD storage). */
    randomPageCost: number;
    /** effective_io_concurrency (seed: 200). */
    effectiveIoConcurrency: number;
    /** max_connections (seed: 200). */
    maxConnections: number;
}

/** One server parameter as Flexible Server takes it: a string in the parameter's own unit. */
export interface ServerParameter {
    name: string;
    value: string;
    /** The unit `value` is in, e.g. "8kB pages", "MB"; empty for plain numbers and flags. */
    unit: string;
    /** Static parameters only take effect after a server restart (azure-native does not restart). */
    restartRequired: boolean;
    /** The value in human units, e.g. "4GB", for plans and docs. */
    display: string;
}

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;
/** PostgreSQL's block size: shared_buffers, effective_cache_size and wal_buffers count 8 kB pages. */
export const PAGE_BYTES = 8 * KB;

/** Bytes in PostgreSQL's own notation (the largest unit that divides evenly), as `SHOW` prints it. */
export function formatBytes(bytes: number): string {
    for (const [unit, size] of [["TB", 1024 * GB], ["GB", GB], ["MB", MB], ["kB", KB]] as const) {
        if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
    }
    return `${bytes}B`;
}

const maxWalSize = (mib: number): ServerParameter => ({ name: "max_wal_size", value: String(mib), unit: "MB", restartRequired: false, display: formatBytes(mib * MB) });

function pages(bytes: number): number {
    return Math.floor(bytes / PAGE_BYTES);
}

/**
 * Azure's own max_wal_size by disk size (Learn, "Server parameters: Write-ahead log / checkpoints",
 * max_wal_size, Azure-specific notes: "The value is computed based on the size of the disk selected
 * for the instance", and "Every time you change the disk size ... you should also adjust the value of
 * max_wal_size"; read 2026-12-07): [disk GiB, MiB].
 */
export const AZURE_MAX_WAL_SIZE_MIB: readonly (readonly [number, number])[] = [
    [32, 2048], [64, 4096], [128, 12288], [256, 20480], [512, 25600], [1024, 30720], [2048, 40960], [4096, 40960],
    [8192, 65536], [16384, 65536], [32767, 65536],
];

/** Azure's max_wal_size (MiB) for a disk: the row of the largest listed size not above it. */
export function azureMaxWalSizeMiB(storageGiB: number): number {
    return [...AZURE_MAX_WAL_SIZE_MIB].reverse().find(([disk]) => disk <= storageGiB)?.[1] ?? AZURE_MAX_WAL_SIZE_MIB[0][1];
}

/**
 * The seed's performance parameters for a server of the given SKU, converted to the units
 * Flexible Server's `Configuration` API expects. Memory-relative values are computed from the
 * SKU's RAM, so a bigger SKU gets proportionally bigger buffers. With the disk size (Azure), max_wal_size
 * is never below what Azure sets for that disk (the seed's 4 GB is a third of Azure's 12 GiB on 128 GiB:
 * checkpoints three times as often).
 */
export function serverParameters(skuName: string, tuning: PostgresTuning, storageGiB?: number): ServerParameter[] {
    const ramBytes = postgresSku(skuName).memoryGiB * GB;
    const sharedBuffers = pages(ramBytes * tuning.sharedBuffersPercent / 100);
    const effectiveCache = pages(ramBytes * tuning.effectiveCacheSizePercent / 100);
    const walBuffers = pages(tuning.walBuffersMB * MB);
    const inPages = (name: string, count: number, restartRequired: boolean): ServerParameter => ({
        name, value: String(count), unit: "8kB pages", restartRequired, display: formatBytes(count * PAGE_BYTES),
    });
    const plain = (name: string, value: number, restartRequired = false): ServerParameter => ({
        name, value: String(value), unit: "", restartRequired, display: String(value),
    });
    return [
        inPages("shared_buffers", sharedBuffers, true),
        inPages("effective_cache_size", effectiveCache, false),
        inPages("wal_buffers", walBuffers, true),
        plain("checkpoint_completion_target", tuning.checkpointCompletionTarget),
        maxWalSize(storageGiB === undefined ? tuning.maxWalSizeGB * 1024 : Math.max(tuning.maxWalSizeGB * 1024, azureMaxWalSizeMiB(storageGiB))),
        plain("random_page_cost", tuning.randomPageCost),
        plain("effective_io_concurrency", tuning.effectiveIoConcurrency),
        plain("max_connections", tuning.maxConnections, true),
    ];
}

/**
 * Flexible Server's enhanced metrics (transactions per second, cache hit ratio and the other
 * database-activity metrics the stack's workbook charts) are emitted only with this dynamic
 * parameter on (Learn, "Monitor metrics on Azure Database for PostgreSQL": Enhanced metrics).
 */
export const ENHANCED_METRICS_PARAMETER: ServerParameter = {
    name: "metrics.collector_database_activity", value: "on", unit: "", restartRequired: false, display: "on",
};

/** Settings of Flexible Server's built-in PgBouncer (all dynamic server parameters). */
export interface BuiltinPoolerSettings {
    poolMode: "session" | "transaction" | "statement";
    defaultPoolSize: number;
    maxClientConn: number;
    serverIdleTimeout: number;
}

/** Server parameters that turn on the built-in PgBouncer (port 6432) with the given settings. */
export function builtinPoolerParameters(settings: BuiltinPoolerSettings): ServerParameter[] {
    const flag = (name: string, value: string | number): ServerParameter => ({
        name, value: String(value), unit: "", restartRequired: false, display: String(value),
    });
    return [
        flag("pgbouncer.enabled", "true"),
        flag("pgbouncer.pool_mode", settings.poolMode),
        flag("pgbouncer.default_pool_size", settings.defaultPoolSize),
        flag("pgbouncer.max_client_conn", settings.maxClientConn),
        { ...flag("pgbouncer.server_idle_timeout", settings.serverIdleTimeout), unit: "s" },
    ];
}
