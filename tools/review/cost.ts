/**
 * The plan's cost section: each resource's monthly cost at the stack's minimum and maximum scale
 * (730 h/month), per tier and per stack, from the price table only. A meter without a price is
 * "unpriced" (by resource name), usage-based charges are "not estimated" (with their unit), and
 * the summary says how much of the stack is priced. Nothing is ever counted as zero silently.
 */
import { billingOf, isBillable } from "./meters";
import { CostItem, HOURS_PER_MONTH } from "./billing";
import type { PriceTable } from "./prices";
import { wrap } from "../offline/render";

export interface Range {
    min: number;
    max: number;
}

export interface CostLine {
    what: string;
    meter?: string;
    unit: string;
    quantity?: Range;
    unitPrice?: number;
    monthly?: Range;
    status: "priced" | "unpriced" | "not estimated";
}

export interface ResourceCost {
    urn: string;
    name: string;
    type: string;
    tier: string;
    /** priced: every billed meter has a price; included: no charge of its own (see `includedIn`). */
    status: "priced" | "partly priced" | "unpriced" | "included" | "usage only";
    includedIn?: string;
    monthly: Range;
    lines: CostLine[];
}

export interface CostSection {
    currency: string;
    hoursPerMonth: number;
    resources: ResourceCost[];
    tiers: Record<string, Range>;
    /** Unpriced resources per tier: a tier's sum leaves them out. */
    unpricedByTier: Record<string, number>;
    /** Resources per tier with at least one priced meter: a tier without any has no known sum. */
    pricedByTier: Record<string, number>;
    total: Range;
    /** The dates the prices used were read from their sources (YYYY-MM-DD, ascending): the estimate is "as of" them. */
    pricesAsOf: string[];
    coverage: {
        /** Cloud resources with a charge of their own (billed or usage-based). */
        chargeable: number;
        /** Of those, fully priced. */
        priced: number;
        /** Resources (by name) with a billed meter that has no price, or no billing model at all. */
        unpriced: string[];
        /** The same, by what is missing (a meter of the price table, or a cost model of a type) and why. */
        unpricedMeters: { meter: string; why: string; resources: string[] }[];
        /** "resource: what (unit)" of every usage-based charge left out of the sums. */
        notEstimated: string[];
    };
}

interface PlanResourceLike {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    provider: string | null;
    inputs: unknown;
}

const cents = (value: number) => Math.round(value * 100) / 100;
const add = (a: Range, b: Range): Range => ({ min: a.min + b.min, max: a.max + b.max });
const roundRange = (r: Range): Range => ({ min: cents(r.min), max: cents(r.max) });

/** The tier a resource belongs to: the name of its outermost component below the stack. */
export function tierOf(resource: PlanResourceLike, byUrn: Map<string, PlanResourceLike>): string {
    let tier = "stack";
    let current: PlanResourceLike | undefined = resource;
    while (current) {
        const parent: PlanResourceLike | undefined = current.parent ? byUrn.get(current.parent) : undefined;
        if (!parent || parent.type === "pulumi:pulumi:Stack") {
            if (current.provider === null && current.type !== "pulumi:pulumi:Stack") tier = current.name;
            break;
        }
        current = parent;
    }
    return tier;
}

/**
 * AWS resources the program registers directly under the stack (peering routes, tier security
 * groups, the dashboard) join the tier of what they belong with: network resources the tier of
 * their region's VPC (same provider), the dashboard the observability tier.
 */
function awsTierOf(resource: PlanResourceLike, resources: PlanResourceLike[], byUrn: Map<string, PlanResourceLike>): string {
    const home = /^aws:(ec2|vpc)\//.test(resource.type)
        ? resources.find((r) => r.type === "aws:ec2/vpc:Vpc" && r.provider === resource.provider)
        : resource.type === "aws:cloudwatch/dashboard:Dashboard" ? resources.find((r) => r.type === "bookstore:aws:Observability") : undefined;
    return home && home !== resource ? tierOf(home, byUrn) : "stack";
}

/** Why a meter has no price: the price table's note, or that the table lacks it. */
function whyUnpriced(table: PriceTable, meter: string, unit: string): string {
    const entry = table.entries[meter];
    if (!entry) return "not in the price table (run `bookstore-infra prices refresh`)";
    if (typeof entry.unitPrice === "number" && entry.meter.unit !== unit) return `the table prices it per ${entry.meter.unit}, not per ${unit}`;
    return entry.note ?? "no sourced price";
}

function priceLine(item: CostItem, table: PriceTable): CostLine {
    if (item.kind === "usage") return { what: item.what, unit: item.unit, status: "not estimated" };
    const entry = table.entries[item.meter.key];
    const line: CostLine = { what: item.what, meter: item.meter.key, unit: item.meter.unit, quantity: item.quantity, status: "unpriced" };
    if (entry && typeof entry.unitPrice === "number" && entry.meter.unit === item.meter.unit) {
        line.unitPrice = entry.unitPrice;
        line.monthly = { min: entry.unitPrice * item.quantity.min, max: entry.unitPrice * item.quantity.max };
        line.status = "priced";
    }
    return line;
}

export function costOf(resources: PlanResourceLike[], table: PriceTable): CostSection {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const costs: ResourceCost[] = [];
    const tiers: Record<string, Range> = {};
    let total: Range = { min: 0, max: 0 };
    const coverage = { chargeable: 0, priced: 0, unpriced: [] as string[], unpricedMeters: [] as CostSection["coverage"]["unpricedMeters"], notEstimated: [] as string[] };
    const unpricedByTier: Record<string, number> = {};
    const pricedByTier: Record<string, number> = {};
    const asOf = new Set<string>();
    const count = (counts: Record<string, number>, tier: string) => {
        counts[tier] = (counts[tier] ?? 0) + 1;
        tiers[tier] = tiers[tier] ?? { min: 0, max: 0 };
    };
    const missing = (meter: string, why: string, resource: string) => {
        const known = coverage.unpricedMeters.find((m) => m.meter === meter);
        if (known) known.resources.push(resource);
        else coverage.unpricedMeters.push({ meter, why, resources: [resource] });
    };
    for (const resource of resources.filter(isBillable)) {
        const direct = tierOf(resource, byUrn);
        const tier = direct === "stack" && resource.type.startsWith("aws:") ? awsTierOf(resource, resources, byUrn) : direct;
        const billing = billingOf(resource, resources);
        const base = { urn: resource.urn, name: resource.name, type: resource.type, tier, monthly: { min: 0, max: 0 } };
        if ("included" in billing) {
            costs.push({ ...base, status: "included", includedIn: billing.included, lines: [] });
            continue;
        }
        coverage.chargeable += 1;
        if ("unknown" in billing) {
            costs.push({ ...base, status: "unpriced", lines: [{ what: `no cost model for ${resource.type}`, unit: "", status: "unpriced" }] });
            coverage.unpriced.push(`${resource.name} (${resource.type})`);
            missing(resource.type, billing.why ?? "no cost model for this type", resource.name);
            count(unpricedByTier, tier);
            continue;
        }
        const lines = billing.items.map((item) => priceLine(item, table));
        let monthly: Range = { min: 0, max: 0 };
        for (const line of lines) if (line.monthly) monthly = add(monthly, line.monthly);
        const billedLines = lines.filter((l) => l.status !== "not estimated");
        const pricedLines = billedLines.filter((l) => l.status === "priced");
        for (const line of pricedLines) asOf.add(table.entries[line.meter!]?.retrieved ?? "undated");
        const status: ResourceCost["status"] = billedLines.length === 0 ? "usage only" : pricedLines.length === billedLines.length ? "priced" : pricedLines.length === 0 ? "unpriced" : "partly priced";
        if (status === "priced") coverage.priced += 1;
        if (pricedLines.length > 0) count(pricedByTier, tier);
        if (status === "unpriced" || status === "partly priced") {
            const unpricedLines = billedLines.filter((l) => l.status === "unpriced");
            coverage.unpriced.push(`${resource.name} (${unpricedLines.map((l) => l.meter).join(", ")})`);
            for (const line of unpricedLines) missing(line.meter!, whyUnpriced(table, line.meter!, line.unit), resource.name);
            count(unpricedByTier, tier);
        }
        for (const line of lines.filter((l) => l.status === "not estimated")) coverage.notEstimated.push(`${resource.name}: ${line.what} (per ${line.unit})`);
        costs.push({ ...base, status, monthly: roundRange(monthly), lines });
        tiers[tier] = add(tiers[tier] ?? { min: 0, max: 0 }, monthly);
        total = add(total, monthly);
    }
    for (const tier of Object.keys(tiers)) tiers[tier] = roundRange(tiers[tier]);
    return { currency: "USD", hoursPerMonth: HOURS_PER_MONTH, resources: costs, tiers, unpricedByTier, pricedByTier, total: roundRange(total), pricesAsOf: [...asOf].sort(), coverage };
}

const money = (value: number) => `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
export const formatRange = (r: Range) => (r.min === r.max ? money(r.min) : `${money(r.min)} – ${money(r.max)}`);

/** How much of a sum is known: resources with a priced meter, and resources left out of it. */
export interface SumCoverage {
    priced: number;
    unpriced: number;
}

/**
 * A sum as a person may read it: never $0.00 for what is unknown. Nothing priced in it: "unknown"
 * (or, with nothing unpriced either, only usage-based charges); some resources left out: says how many.
 */
export function formatSum(r: Range, coverage: SumCoverage): string {
    if (coverage.priced === 0) return coverage.unpriced > 0 ? `unknown (${coverage.unpriced} unpriced)` : "usage-based only";
    return `${formatRange(r)}${coverage.unpriced > 0 ? ` + ${coverage.unpriced} unpriced` : ""}`;
}

export const tierCoverage = (cost: CostSection, tier: string): SumCoverage => ({ priced: cost.pricedByTier?.[tier] ?? 0, unpriced: cost.unpricedByTier[tier] ?? 0 });
export const totalCoverage = (cost: CostSection): SumCoverage => ({ priced: Object.values(cost.pricedByTier ?? {}).reduce((a, b) => a + b, 0), unpriced: cost.coverage.unpriced.length });

/** "as of 2026-06-18 – 2026-08-15": the capture dates of the prices in the estimate. */
export function pricesAsOf(cost: CostSection): string {
    const dates = cost.pricesAsOf ?? [];
    if (dates.length === 0) return "no prices";
    return `list prices as of ${dates.length === 1 ? dates[0] : `${dates[0]} – ${dates[dates.length - 1]}`}`;
}

/** One line: the stack's monthly range, how much of it is priced, and as of when. */
export function costSummary(cost: CostSection): string {
    const usageOnly = cost.resources.filter((r) => r.status === "usage only").length;
    const unpriced = cost.coverage.unpriced.length;
    return `Monthly cost:  ${formatSum(cost.total, totalCoverage(cost))}${totalCoverage(cost).priced > 0 ? ` ${cost.currency} at min – max replicas (${cost.hoursPerMonth} h/month)` : ""}; ` +
        `priced ${cost.coverage.priced} of ${cost.coverage.chargeable} chargeable resources` +
        `${unpriced ? `, ${unpriced} unpriced` : ""}${usageOnly ? `, ${usageOnly} usage-based only` : ""}; ${pricesAsOf(cost)}; ${cost.coverage.notEstimated.length} usage charges not estimated`;
}

/** The usage-based charges left out, grouped by charge: "requests (per 1M requests): api, web". */
function notEstimatedByCharge(cost: CostSection): string[] {
    const byCharge = new Map<string, string[]>();
    for (const item of cost.coverage.notEstimated) {
        const at = item.indexOf(": ");
        const charge = item.slice(at + 2);
        byCharge.set(charge, [...(byCharge.get(charge) ?? []), item.slice(0, at)]);
    }
    return [...byCharge.entries()].map(([charge, resources]) => `${charge}: ${resources.join(", ")}`);
}

/** The cost block printed after the plan (and by `bookstore-infra cost`), within 100 columns. */
export function renderCost(cost: CostSection): string[] {
    const lines = ["", `Cost (monthly, ${cost.currency}, min – max replicas, ${pricesAsOf(cost)}):`];
    for (const tier of Object.keys(cost.tiers).sort()) lines.push(`    ${tier.padEnd(24)}${formatSum(cost.tiers[tier], tierCoverage(cost, tier))}`);
    lines.push(`    ${"total".padEnd(24)}${formatSum(cost.total, totalCoverage(cost))}`);
    lines.push(`    priced ${cost.coverage.priced} of ${cost.coverage.chargeable} chargeable resources`);
    if (cost.coverage.unpricedMeters.length > 0) {
        lines.push("    Unpriced, and why:");
        for (const m of cost.coverage.unpricedMeters) lines.push(...wrap(`        ${m.meter} (${m.resources.join(", ")}): ${m.why}`));
    }
    if (cost.coverage.notEstimated.length > 0) {
        lines.push("    Not estimated (usage-based):");
        for (const line of notEstimatedByCharge(cost)) lines.push(...wrap(`        ${line}`));
    }
    return lines;
}
