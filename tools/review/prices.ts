/**
 * The price tables (tools/review/prices.azure.json, prices.aws.json): one entry per meter the stacks
 * use, each with its unit price or null (unpriced), the date it took effect, where it came from and
 * when. `refreshPrices` rebuilds the Azure one from the public Azure Retail Prices API
 * (prices.aws.ts the AWS one from the AWS Price List Bulk API).
 */
import * as fs from "fs";
import * as path from "path";
import type { AnyMeter, Meter } from "./billing";
import { PROJECT_DIR } from "../paths";

export interface PriceEntry {
    meter: AnyMeter;
    /** USD per `meter.unit`; null: no sourced price (reported as unpriced). */
    unitPrice: number | null;
    /** The API item's effectiveStartDate (AWS: the OnDemand term's effectiveDate). */
    effectiveDate?: string;
    /** The URL the price was read from. */
    source?: string;
    /** When it was read (YYYY-MM-DD). */
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
    armRegionName: string;
    effectiveStartDate: string;
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

/** The API items that are this meter: pay-as-you-go, its unit, and the product/meter/SKU names it names. */
export function matchingItems(meter: Meter, items: RetailPriceItem[]): RetailPriceItem[] {
    return items.filter((item) =>
        item.type === "Consumption" &&
        item.unitOfMeasure === meter.unit &&
        (!meter.productName || item.productName.includes(meter.productName)) &&
        (!meter.meterName || item.meterName.includes(meter.meterName)) &&
        (!meter.skuName || item.skuName === meter.skuName) &&
        // Linux pay-as-you-go: Windows, Spot and Low Priority are other meters of the same SKU (unless asked for).
        !/Windows/.test(item.productName) && (Boolean(meter.skuName) || !/(Spot|Low Priority)/.test(item.skuName)));
}

/** Every page of one query (the API pages by NextPageLink). */
export async function fetchAllPages(api: string, filter: string, fetchFn: typeof fetch = fetch): Promise<{ url: string; items: RetailPriceItem[] }> {
    const url = `${api}?$filter=${encodeURIComponent(filter)}`;
    const items: RetailPriceItem[] = [];
    let next: string | null = url;
    for (let page = 0; next && page < 50; page++) {
        const response = await fetchFn(next);
        if (!response.ok) throw new Error(`${next}: HTTP ${response.status}`);
        const body = (await response.json()) as { Items?: RetailPriceItem[]; NextPageLink?: string | null };
        items.push(...(body.Items ?? []));
        next = body.NextPageLink || null;
    }
    return { url, items };
}

/**
 * The price table for `meters`, read from the Retail Prices API at `api`: a meter matched by exactly
 * one price gets it with its effective date, the query URL and today's date; none or several: unpriced, with why.
 */
export async function refreshPrices(meters: Meter[], options: { api?: string; today?: string; fetchFn?: typeof fetch } = {}): Promise<PriceTable> {
    const api = options.api ?? RETAIL_PRICES_API;
    const today = options.today ?? new Date().toISOString().slice(0, 10);
    const entries: Record<string, PriceEntry> = {};
    const unique = [...new Map(meters.map((m) => [m.key, m])).values()].sort((a, b) => a.key.localeCompare(b.key));
    for (const meter of unique) {
        const { url, items } = await fetchAllPages(api, meterFilter(meter), options.fetchFn);
        const matches = matchingItems(meter, items);
        const prices = [...new Set(matches.map((item) => item.retailPrice))];
        if (prices.length === 1) {
            const item = matches[0];
            entries[meter.key] = { meter, unitPrice: item.retailPrice, effectiveDate: item.effectiveStartDate.slice(0, 10), source: url, retrieved: today };
        } else {
            entries[meter.key] = { meter, unitPrice: null, source: url, retrieved: today, note: prices.length === 0 ? "no pay-as-you-go item of the API matched this meter" : `${prices.length} different prices matched: ${prices.join(", ")}` };
        }
    }
    return { currency: "USD", about: "Azure retail pay-as-you-go prices of the meters the stacks use; rebuild with `bookstore-infra prices refresh` (Azure Retail Prices API).", entries };
}
