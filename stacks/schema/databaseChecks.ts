// Cross-key rules of the database tier: what one key alone cannot say (tiers vs SKUs, budget, replica networks).
import { connectionBudget } from "../../policy/shared/budget";
import { contains, overlaps, parseCidr, hasHostBits } from "../../lib/network";
import { PostgresSkuTier, postgresSku } from "../../lib/postgresParameters";
import type { Report, StackCheck } from "./checks";
import { budgetInputOf, resolveDatabase, type DatabaseContext } from "./database";

const TIER_OF_SERIES: Record<string, PostgresSkuTier> = { B: "Burstable", D: "GeneralPurpose", E: "MemoryOptimized" };
const path = (...rest: (string | number)[]) => ["database", ...rest];

function checkSkuTier(sku: { name: string; tier?: string } | undefined, at: (string | number)[], report: Report) {
    if (!sku?.tier) return;
    const expected = postgresSku(sku.name).tier;
    if (sku.tier !== expected) {
        const series = Object.entries(TIER_OF_SERIES).find(([, tier]) => tier === expected)?.[0];
        report([...at, "tier"], `expected "${expected}" for ${sku.name} (${series}-series)`, sku.tier);
    }
}

/** Cross-key rules of the database tier. */
export const databaseChecks: StackCheck[] = [
    // Adopted names are positional: one more than there are replicas would name nothing.
    (config: DatabaseContext, report) => {
        const adopted = config.database.serverNames?.replicas ?? [];
        const replicas = resolveDatabase(config).replicas.length;
        if (adopted.length > replicas) report(path("serverNames", "replicas"), `expected at most ${replicas} name(s), one per replica`, adopted);
    },
    (config: DatabaseContext, report) => {
        checkSkuTier(config.database.sku, path("sku"), report);
        config.database.replicas?.forEach((r, i) => checkSkuTier(r.sku, path("replicas", i, "sku"), report));
    },
    // Burstable is for development only, and Azure supports neither replicas nor HA on it.
    (config: DatabaseContext, report) => {
        const db = resolveDatabase(config);
        if (db.sku.tier !== "Burstable") return;
        if (config.environment !== "dev") {
            report(path("sku", "name"), `expected a GeneralPurpose or MemoryOptimized SKU in ${config.environment} (Burstable is for dev only)`, db.sku.name);
        }
        if (db.replicas.length > 0) {
            report(path("replicas"), `expected no replicas on a Burstable primary (${db.sku.name}); Azure has no replicas on Burstable`, db.replicas.map((r) => r.location));
        }
        if (db.highAvailability !== "Disabled") {
            report(path("highAvailability"), `expected "Disabled" on a Burstable primary (${db.sku.name})`, db.highAvailability);
        }
        if (db.pooler === "builtin") {
            report(path("pooler"), `expected "deployment" with a Burstable SKU: the built-in PgBouncer needs GeneralPurpose or MemoryOptimized`, db.pooler);
        }
    },
    (config: DatabaseContext, report) => {
        const db = resolveDatabase(config);
        if (db.pooler === "deployment" && config.platform !== "aks") {
            report(path("pooler"), `expected "builtin" on platform ${config.platform} (the PgBouncer Deployment runs on AKS)`, db.pooler);
        }
    },
    // Replicas must be at least as large as the primary (compute and storage), and autogrow follows the primary.
    (config: DatabaseContext, report) => {
        const db = resolveDatabase(config);
        const primary = postgresSku(db.sku.name);
        db.replicas.forEach((replica, i) => {
            const sku = postgresSku(replica.sku.name);
            if (sku.vCores < primary.vCores || sku.memoryGiB < primary.memoryGiB) {
                report(path("replicas", i, "sku", "name"),
                    `expected a SKU at least as large as the primary's ${db.sku.name} (${primary.vCores} vCores, ${primary.memoryGiB} GiB)`, replica.sku.name);
            }
            if (sku.tier === "Burstable") {
                report(path("replicas", i, "sku", "name"), "expected a GeneralPurpose or MemoryOptimized SKU (no Burstable replicas)", replica.sku.name);
            }
            if (replica.storageSizeGB < db.storage.sizeGB) {
                report(path("replicas", i, "storageSizeGB"), `expected at least the primary's ${db.storage.sizeGB} GiB`, replica.storageSizeGB);
            }
        });
    },
    // Replicas outside the primary region live in their own peered VNet: ranges must not collide.
    (config: DatabaseContext, report) => {
        const db = resolveDatabase(config);
        const seen: { region: string; cidr: string }[] = [{ region: "network.addressSpace", cidr: config.network.addressSpace }];
        const regions = new Map(db.replicas.filter((r) => r.remoteNetwork).map((r) => [r.location, r.remoteNetwork!]));
        for (const [region, net] of regions) {
            const at = path("replicaNetworks", region);
            if (hasHostBits(net.addressSpace)) { report([...at, "addressSpace"], "expected a network address without host bits", net.addressSpace); continue; }
            if (hasHostBits(net.subnet) || !contains(parseCidr(net.addressSpace), parseCidr(net.subnet))) {
                report([...at, "subnet"], `expected a subnet inside ${net.addressSpace}`, net.subnet);
            }
            const clash = seen.find((s) => overlaps(parseCidr(s.cidr), parseCidr(net.addressSpace)));
            if (clash) report([...at, "addressSpace"], `expected a range that does not overlap ${clash.region} (${clash.cidr}); the VNets are peered`, net.addressSpace);
            seen.push({ region: `replicaNetworks.${region}`, cidr: net.addressSpace });
        }
    },
    (config: DatabaseContext, report) => {
        const count = resolveDatabase(config).replicas.length;
        const { replica, promoted } = config.database.failover;
        if (replica !== undefined && replica > count) {
            report(path("failover", "replica"), `expected a replica number from 1 to ${count} (the stack has ${count} replica(s))`, replica);
        }
        if (promoted && count === 0) report(path("failover", "promoted"), "expected false: there is no replica to hold the writer role", promoted);
    },
    // The connection budget, with the numbers, so the fix is obvious.
    (config: DatabaseContext, report) => {
        const budget = connectionBudget(budgetInputOf(config));
        if (budget.clientConnections > budget.clientLimit) {
            report(path("pgbouncer", "maxClientConn"),
                `expected room for the app's ${budget.clientConnections} client connections (${budget.lines[0]}; ${budget.lines[1]})`,
                config.database.pgbouncer.maxClientConn);
        }
        if (budget.serverConnections > budget.serverLimit) {
            report(path("parameters", "maxConnections"),
                `expected room for the pooler's ${budget.serverConnections} server connections (${budget.lines[2]}; ${budget.lines[3]})`,
                config.database.parameters.maxConnections);
        }
    },
];

