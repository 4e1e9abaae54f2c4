/**
 * The price tables (tools/review/prices.azure.json, prices.aws.json): one entry per meter the stacks
 * use, each with its unit price or null (unpriced), the date it took effect, where it came from and
 * when. `refreshPrices` rebuilds the Azure one from the public Azure Retail Prices API
 * (prices.aws.ts the AWS one from the AWS Price List Bulk API).
 */
import * as fs from "fs";
import * as path from "path";
import type { AnyMeter, Meter } from "./billing";
import { fetchJson } from "./priceSource";
import { PROJECT_DIR } from "../paths";

export interface PriceEntry {
    meter: AnyMeter;
    /** USD per `meter.unit`; null: no sourced price (reported as unpriced). */
    unitPrice: number | null;
    /** The API item's effectiveStartDate (AWS: the OnDemand term's effectiveDate). */
    effectiveDate?: string;
    /** The Azure item's meterId (or its first 8 characters where only those were transcribed). */
    meterId?: string;
    /** Where the price was read: the URL queried, or the dated capture of the same API it was transcribed from. */
    source?: string;
    /** When the source read the API (YYYY-MM-DD): the date the price is "as of". */
    retrieved?: string;
    /** Why an entry has no price (no API item matched, or several did). */
    note?: string;
}

export interface PriceTable {
    currency: string;
    /** What the table is and how to rebuild it. */
    about: string;
    entries: Record<string, PriceEntry>;
}

export const DEFAULT_PRICE_TABLE = path.join(PROJECT_DIR, "tools/review/prices.azure.json");
export const RETAIL_PRICES_API = "https://prices.azure.com/api/retail/prices";

export const DEFAULT_AWS_PRICE_TABLE = path.join(PROJECT_DIR, "tools/review/prices.aws.json");

/** One table from `file`, or without one the project's tables (Azure and AWS) as one. */
export function readPriceTable(file?: string): PriceTable {
    if (file) return JSON.parse(fs.readFileSync(file, "utf8")) as PriceTable;
    const azure = readPriceTable(DEFAULT_PRICE_TABLE);
    const aws = readPriceTable(DEFAULT_AWS_PRICE_TABLE);
    return { currency: azure.currency, about: `${azure.about} ${aws.about}`, entries: { ...azure.entries, ...aws.entries } };
}

/** One item of the API's `Items` (the fields used). */
export interface RetailPriceItem {
    currencyCode: string;
    retailPrice: number;
    unitPrice?: number;
    tierMinimumUnits?: number;
    armRegionName: string;
    effectiveStartDate: string;
    /** Present on rows that stop applying (Spot, retired prices). */
    effectiveEndDate?: string;
    meterId?: string;
    meterName: string;
    productName: string;
    skuName: string;
    armSkuName: string;
    serviceName: string;
    unitOfMeasure: string;
    type: string;
}

const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** The OData $filter of a meter: service, region, pay-as-you-go, and the ARM SKU where it has one. */
export function meterFilter(meter: Meter): string {
    const terms = [`serviceName eq ${quote(meter.serviceName)}`, `armRegionName eq ${quote(meter.armRegionName)}`, `priceType eq 'Consumption'`];
    if (meter.armSkuName) terms.push(`armSkuName eq ${quote(meter.armSkuName)}`);
    return terms.join(" and ");
}

/** The API items that are this meter: pay-as-you-go, its unit, and exactly the product, meter and SKU names it names. */
export function matchingItems(meter: Meter, items: RetailPriceItem[]): RetailPriceItem[] {
    return items.filter((item) =>
        item.type === "Consumption" &&
        item.unitOfMeasure === meter.unit &&
        (!meter.productName || item.productName === meter.productName) &&
        (!meter.meterName || item.meterName === meter.meterName) &&
        (!meter.skuName || item.skuName === meter.skuName) &&
        // Linux pay-as-you-go: Windows, Spot and Low Priority are other meters of the same SKU (unless asked for).
        !/Windows/.test(item.productName) && (Boolean(meter.skuName) || !/(Spot|Low Priority)/.test(item.skuName)));
}

const day = (date: string) => date.slice(0, 10);

/**
 * The rows of a meter that apply on `today`: started, not ended, and of those the latest
 * effectiveStartDate (a meter can list its old and new price); of a tiered meter the first tier.
 */
export function itemsInEffect(items: RetailPriceItem[], today: string): RetailPriceItem[] {
    const current = items.filter((i) => day(i.effectiveStartDate) <= today && (!i.effectiveEndDate || day(i.effectiveEndDate) > today));
    if (current.length === 0) return [];
    const latest = current.map((i) => day(i.effectiveStartDate)).sort().at(-1)!;
    const ofLatest = current.filter((i) => day(i.effectiveStartDate) === latest);
    const firstTier = Math.min(...ofLatest.map((i) => i.tierMinimumUnits ?? 0));
    return ofLatest.filter((i) => (i.tierMinimumUnits ?? 0) === firstTier);
}

/** Every page of one query (the API pages by NextPageLink, 100 items a page). */
export async function fetchAllPages(api: string, filter: string, timeoutMs?: number): Promise<{ url: string; items: RetailPriceItem[] }> {
    const url = `${api}?$filter=${encodeURIComponent(filter)}`;
    const items: RetailPriceItem[] = [];
    let next: string | null = url;
    for (let page = 0; next && page < 50; page++) {
        const body: { Items?: RetailPriceItem[]; NextPageLink?: string | null } = await fetchJson(next, timeoutMs);
        items.push(...(body.Items ?? []));
        next = body.NextPageLink || null;
    }
    return { url, items };
}

/** The entry of one meter from the API items its query returned. */
export function retailEntry(meter: Meter, items: RetailPriceItem[], source: string, today: string): PriceEntry {
    const matches = matchingItems(meter, items);
    const inEffect = itemsInEffect(matches, today);
    const prices = [...new Set(inEffect.map((item) => item.retailPrice))];
    if (prices.length === 1) {
        const item = inEffect[0];
        return { meter, unitPrice: item.retailPrice, effectiveDate: day(item.effectiveStartDate), ...(item.meterId ? { meterId: item.meterId } : {}), source, retrieved: today };
    }
    const why = prices.length > 1
        ? `${prices.length} different prices matched: ${prices.join(", ")}`
        : matches.length > 0 ? `the matching items are not in effect on ${today}` : "no pay-as-you-go item of the API matched this meter";
    return { meter, unitPrice: null, source, retrieved: today, note: why };
}

export interface RefreshOptions {
    api?: string;
    today?: string;
    /** Called with a line of progress per step (the CLI prints them on stderr). */
    progress?: (line: string) => void;
    timeoutMs?: number;
}

/**
 * The price table for `meters`, read from the Retail Prices API at `api`: a meter matched by exactly
 * one price in effect gets it with its effective date, meter id, the query URL and today's date;
 * none or several: unpriced, with why.
 */
export async function refreshPrices(meters: Meter[], options: RefreshOptions = {}): Promise<PriceTable> {
    const api = options.api ?? RETAIL_PRICES_API;
    const today = options.today ?? new Date().toISOString().slice(0, 10);
    const entries: Record<string, PriceEntry> = {};
    const unique = [...new Map(meters.map((m) => [m.key, m])).values()].sort((a, b) => a.key.localeCompare(b.key));
    for (const [index, meter] of unique.entries()) {
        options.progress?.(`prices: Azure Retail Prices API ${index + 1}/${unique.length}: ${meter.key}`);
        const { url, items } = await fetchAllPages(api, meterFilter(meter), options.timeoutMs);
        entries[meter.key] = retailEntry(meter, items, url, today);
    }
    return { currency: "USD", about: "Azure retail pay-as-you-go prices of the meters the stacks use; rebuild with `bookstore-infra prices refresh` (Azure Retail Prices API).", entries };
}
