/**
 * The plan's cost section: each resource's monthly cost at the stack's minimum and maximum scale
 * (730 h/month), per tier and per stack, from the price table only. A meter without a price is
 * "unpriced" (by resource name), usage-based charges are "not estimated" (with their unit), and
 * the summary says how much of the stack is priced. Nothing is ever counted as zero silently.
 */
import { billingOf, CostItem, HOURS_PER_MONTH, isBillable } from "./meters";
import type { PriceTable } from "./prices";

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
    total: Range;
    coverage: {
        /** Cloud resources with a charge of their own (billed or usage-based). */
        chargeable: number;
        /** Of those, fully priced. */
        priced: number;
        /** Resources (by name) with a billed meter that has no price, or no billing model at all. */
        unpriced: string[];
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
    const coverage = { chargeable: 0, priced: 0, unpriced: [] as string[], notEstimated: [] as string[] };
    const unpricedByTier: Record<string, number> = {};
    const countUnpriced = (tier: string) => {
        unpricedByTier[tier] = (unpricedByTier[tier] ?? 0) + 1;
        tiers[tier] = tiers[tier] ?? { min: 0, max: 0 };
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
            countUnpriced(tier);
            continue;
        }
        const lines = billing.items.map((item) => priceLine(item, table));
        let monthly: Range = { min: 0, max: 0 };
        for (const line of lines) if (line.monthly) monthly = add(monthly, line.monthly);
        const billedLines = lines.filter((l) => l.status !== "not estimated");
        const pricedLines = billedLines.filter((l) => l.status === "priced");
        const status: ResourceCost["status"] = billedLines.length === 0 ? "usage only" : pricedLines.length === billedLines.length ? "priced" : pricedLines.length === 0 ? "unpriced" : "partly priced";
        if (status === "priced" || status === "usage only") coverage.priced += status === "priced" ? 1 : 0;
        if (status === "unpriced" || status === "partly priced") {
            coverage.unpriced.push(`${resource.name} (${billedLines.filter((l) => l.status === "unpriced").map((l) => l.meter).join(", ")})`);
            countUnpriced(tier);
        }
        for (const line of lines.filter((l) => l.status === "not estimated")) coverage.notEstimated.push(`${resource.name}: ${line.what} (per ${line.unit})`);
        costs.push({ ...base, status, monthly: roundRange(monthly), lines });
        tiers[tier] = add(tiers[tier] ?? { min: 0, max: 0 }, monthly);
        total = add(total, monthly);
    }
    for (const tier of Object.keys(tiers)) tiers[tier] = roundRange(tiers[tier]);
    return { currency: "USD", hoursPerMonth: HOURS_PER_MONTH, resources: costs, tiers, unpricedByTier, total: roundRange(total), coverage };
}

const money = (value: number) => `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
export const formatRange = (r: Range) => (r.min === r.max ? money(r.min) : `${money(r.min)} – ${money(r.max)}`);
/** A sum that leaves unpriced resources out says so. */
export const formatSum = (r: Range, unpriced = 0) => `${formatRange(r)}${unpriced > 0 ? ` + ${unpriced} unpriced` : ""}`;

/** One line: the stack's monthly range and how much of it is priced. */
export function costSummary(cost: CostSection): string {
    const usageOnly = cost.resources.filter((r) => r.status === "usage only").length;
    const unpriced = cost.coverage.unpriced.length;
    return `Monthly cost:  ${formatSum(cost.total, unpriced)} ${cost.currency} at min – max replicas (${cost.hoursPerMonth} h/month); ` +
        `priced ${cost.coverage.priced} of ${cost.coverage.chargeable} chargeable resources` +
        `${unpriced ? `, ${unpriced} unpriced` : ""}${usageOnly ? `, ${usageOnly} usage-based only` : ""}; ${cost.coverage.notEstimated.length} usage charges not estimated`;
}

/** The cost block printed after the plan (and by `bookstore-infra cost`). */
export function renderCost(cost: CostSection): string[] {
    const lines = ["", "Cost (monthly, USD, min – max replicas):"];
    for (const [tier, range] of Object.entries(cost.tiers).sort(([a], [b]) => a.localeCompare(b))) lines.push(`    ${tier.padEnd(24)}${formatSum(range, cost.unpricedByTier[tier])}`);
    lines.push(`    ${"total".padEnd(24)}${formatSum(cost.total, cost.coverage.unpriced.length)}`);
    if (cost.coverage.unpriced.length > 0) lines.push(`    Unpriced (no sourced price in the table): ${cost.coverage.unpriced.join("; ")}`);
    if (cost.coverage.notEstimated.length > 0) lines.push(`    Not estimated (usage-based): ${cost.coverage.notEstimated.join("; ")}`);
    return lines;
}
