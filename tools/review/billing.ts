/**
 * The vocabulary of the cost models of every cloud: meters (what a price table entry prices),
 * billed and usage-based line items, and how a resource is billed. Shared by meters.ts (Azure, and
 * the dispatch by type) and meters.aws.ts (AWS); quantities only, never prices.
 */
export const HOURS_PER_MONTH = 730;

/** A meter of the Azure Retail Prices API: the $filter fields and the client-side match of one item. */
export interface Meter {
    /** Stable key of the price table entry. */
    key: string;
    serviceName: string;
    armRegionName: string;
    armSkuName?: string;
    /** The item's productName, meterName and skuName, each compared for equality (the Retail Prices API's exact strings). */
    productName?: string;
    meterName?: string;
    skuName?: string;
    /** Unit the quantity is in; must equal the item's unitOfMeasure. */
    unit: string;
}

/**
 * A meter of the AWS Price List (Bulk API offer files): the offer (service code) and region file it
 * is in, and the product it is: product family, usage type (without its region prefix) and
 * attributes, each compared for equality; `unit` must equal the OnDemand price dimension's unit.
 */
export interface AwsMeter {
    key: string;
    cloud: "aws";
    serviceCode: string;
    regionCode: string;
    productFamily?: string;
    usageType?: string;
    attributes?: Record<string, string>;
    unit: string;
    /** Why the price list cannot price this meter (e.g. Spot): the refresh keeps it unpriced with this note. */
    notInPriceList?: string;
}

export type AnyMeter = Meter | AwsMeter;

export const isAwsMeter = (meter: AnyMeter): meter is AwsMeter => (meter as AwsMeter).cloud === "aws";

export interface BilledItem {
    kind: "billed";
    what: string;
    meter: AnyMeter;
    quantity: { min: number; max: number };
}

export interface UsageItem {
    kind: "usage";
    what: string;
    unit: string;
}

export type CostItem = BilledItem | UsageItem;

/** How a resource is billed: items, or `included` (no charge of its own: part of `by`), or unknown (no model; `why` when we know why). */
export type Billing = { items: CostItem[] } | { included: string } | { unknown: true; why?: string };

/** A plan resource as the cost models read it. */
export interface BillableResource {
    type: string;
    name: string;
    inputs: unknown;
    urn?: string;
    provider?: string | null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Inputs = Record<string, any>;

export const usage = (what: string, unit: string): UsageItem => ({ kind: "usage", what, unit });
export const billed = (what: string, meter: AnyMeter, min: number, max = min): BilledItem => ({ kind: "billed", what, meter, quantity: { min, max } });
