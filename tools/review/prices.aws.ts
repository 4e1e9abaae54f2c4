/**
 * The AWS price table (tools/review/prices.aws.json), rebuilt from the public, unauthenticated AWS
 * Price List Bulk API: the offer index → each service's region index → the service's offer file for
 * each region, read as a stream (offerStream.ts). A meter gets the OnDemand price of the one product
 * whose attributes it names; none or several prices: unpriced, with why (AWS Billing UG —
 * "Getting price list files using the AWS Price List Bulk API").
 */
import type { AwsMeter } from "./billing";
import type { PriceEntry, PriceTable, RefreshOptions } from "./prices";
import { streamMembers } from "./offerStream";
import { bodyText, fetchJson, fetchSource } from "./priceSource";

export const AWS_BULK_API = "https://pricing.us-east-1.amazonaws.com";
export const AWS_ABOUT = "AWS On-Demand list prices of the meters the eks stacks use; rebuild with `bookstore-infra prices refresh` (AWS Price List Bulk API).";

/** An offer file's product (the fields used). */
export interface OfferProduct {
    sku: string;
    productFamily?: string;
    attributes: Record<string, string>;
}

/** One OnDemand term of a SKU: its price dimensions. */
export interface OfferTerm {
    sku: string;
    effectiveDate: string;
    priceDimensions: Record<string, { unit: string; pricePerUnit: Record<string, string>; beginRange?: string; endRange?: string; description?: string }>;
}

/** A usage type without its region prefix ("USE1-NatGateway-Hours" → "NatGateway-Hours"; us-east-1 has none). */
export const bareUsageType = (usageType: string) => usageType.replace(/^[A-Z]{2,4}\d?-(?=.)/, "");

/** Whether an offer product is the meter's: same product family, usage type and every named attribute. */
export function productMatches(meter: AwsMeter, product: OfferProduct): boolean {
    const attributes = product.attributes ?? {};
    if (meter.productFamily && product.productFamily !== meter.productFamily) return false;
    if (meter.usageType && bareUsageType(attributes.usagetype ?? "") !== meter.usageType) return false;
    return Object.entries(meter.attributes ?? {}).every(([name, value]) => attributes[name] === value);
}

/** The USD prices of a term in the meter's unit; a free first tier (a $0 range with an end) is left out, as free grants are everywhere. */
export function termPrices(term: OfferTerm, unit: string): { prices: number[]; units: string[] } {
    const dimensions = Object.values(term.priceDimensions ?? {});
    const paid = dimensions.filter((d) => !(Number(d.pricePerUnit?.USD) === 0 && d.endRange !== undefined && d.endRange !== "Inf"));
    const chosen = paid.length > 0 ? paid : dimensions;
    return {
        prices: chosen.filter((d) => d.unit === unit).map((d) => Number(d.pricePerUnit?.USD)).filter((p) => Number.isFinite(p)),
        units: [...new Set(chosen.map((d) => d.unit))],
    };
}

/** The products of one offer file that any of `meters` names, and their OnDemand terms. */
export async function readOffer(url: string, meters: AwsMeter[], options: Pick<RefreshOptions, "progress" | "timeoutMs"> = {}): Promise<{ products: OfferProduct[]; terms: Map<string, OfferTerm[]> }> {
    const response = await fetchSource(url, options.timeoutMs);
    const products: OfferProduct[] = [];
    const terms = new Map<string, OfferTerm[]>();
    // An offer file runs to gigabytes (AmazonEC2): say how far the read has come every 100 MB.
    const STEP = 100 * 1024 * 1024;
    async function* counted(): AsyncIterable<string> {
        let read = 0;
        for await (const piece of bodyText(url, response, options.timeoutMs)) {
            if (Math.floor((read + piece.length) / STEP) > Math.floor(read / STEP)) options.progress?.(`prices: … ${Math.floor((read + piece.length) / STEP) * 100} MB of ${url} read`);
            read += piece.length;
            yield piece;
        }
    }
    await streamMembers(counted(), ["products", "terms.OnDemand"], (path, key, value) => {
        if (path === "products") {
            const product = value as OfferProduct;
            if (meters.some((m) => productMatches(m, product))) products.push(product);
        } else if (products.some((p) => p.sku === key)) {
            // The offer files list products before terms, so a wanted SKU is known when its terms arrive.
            terms.set(key, Object.values(value as Record<string, OfferTerm>));
        }
    });
    return { products, terms };
}

/** The entry of one meter from the products and terms of its offer file. */
export function priceEntry(meter: AwsMeter, offer: { products: OfferProduct[]; terms: Map<string, OfferTerm[]> }, source: string, today: string): PriceEntry {
    const base = { meter, unitPrice: null, source, retrieved: today };
    const products = offer.products.filter((p) => productMatches(meter, p));
    const found = products.flatMap((p) => (offer.terms.get(p.sku) ?? []).map((term) => ({ sku: p.sku, term, ...termPrices(term, meter.unit) })));
    const prices = [...new Set(found.flatMap((f) => f.prices))];
    if (prices.length === 1) {
        const match = found.find((f) => f.prices.length > 0)!;
        return { meter, unitPrice: prices[0], effectiveDate: match.term.effectiveDate.slice(0, 10), source: `${source}#${match.sku}`, retrieved: today };
    }
    if (prices.length > 1) return { ...base, note: `${prices.length} different prices matched: ${prices.sort((a, b) => a - b).join(", ")} (SKUs ${[...new Set(found.map((f) => f.sku))].join(", ")})` };
    const units = [...new Set(found.flatMap((f) => f.units))];
    if (units.length > 0) return { ...base, note: `the matching product is priced per ${units.join(", ")}, not per ${meter.unit}` };
    return { ...base, note: products.length > 0 ? "the matching product has no OnDemand price" : "no product of the offer file matched this meter" };
}

/**
 * The AWS price table for `meters`, read from the Bulk API at `api`: one index, one region index per
 * service, one offer file per service and region (only those the meters need).
 */
export async function refreshAwsPrices(meters: AwsMeter[], options: RefreshOptions = {}): Promise<PriceTable> {
    const api = (options.api ?? AWS_BULK_API).replace(/\/$/, "");
    const today = options.today ?? new Date().toISOString().slice(0, 10);
    const unique = [...new Map(meters.map((m) => [m.key, m])).values()].sort((a, b) => a.key.localeCompare(b.key));
    const entries: Record<string, PriceEntry> = {};
    for (const meter of unique.filter((m) => m.notInPriceList)) entries[meter.key] = { meter, unitPrice: null, retrieved: today, note: meter.notInPriceList };
    const priced = unique.filter((m) => !m.notInPriceList);
    if (priced.length === 0) return { currency: "USD", about: AWS_ABOUT, entries };
    const indexUrl = `${api}/offers/v1.0/aws/index.json`;
    options.progress?.(`prices: AWS Price List: ${indexUrl}`);
    const index = await fetchJson<{ offers?: Record<string, { currentRegionIndexUrl?: string }> }>(indexUrl, options.timeoutMs);
    for (const serviceCode of [...new Set(priced.map((m) => m.serviceCode))]) {
        const ofService = priced.filter((m) => m.serviceCode === serviceCode);
        const regionIndexPath = index.offers?.[serviceCode]?.currentRegionIndexUrl;
        if (!regionIndexPath) {
            for (const meter of ofService) entries[meter.key] = { meter, unitPrice: null, source: indexUrl, retrieved: today, note: `the price list index has no ${serviceCode} offer` };
            continue;
        }
        const regions = (await fetchJson<{ regions?: Record<string, { currentVersionUrl?: string }> }>(`${api}${regionIndexPath}`, options.timeoutMs)).regions ?? {};
        for (const regionCode of [...new Set(ofService.map((m) => m.regionCode))]) {
            const ofRegion = ofService.filter((m) => m.regionCode === regionCode);
            const offerPath = regions[regionCode]?.currentVersionUrl;
            if (!offerPath) {
                for (const meter of ofRegion) entries[meter.key] = { meter, unitPrice: null, source: indexUrl, retrieved: today, note: `the price list has no ${serviceCode} offer for ${regionCode}` };
                continue;
            }
            const url = `${api}${offerPath}`;
            options.progress?.(`prices: AWS Price List: ${serviceCode} ${regionCode} (${ofRegion.length} meters): ${url}`);
            const offer = await readOffer(url, ofRegion, options);
            for (const meter of ofRegion) entries[meter.key] = priceEntry(meter, offer, url, today);
        }
    }
    const sorted = Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)));
    return { currency: "USD", about: AWS_ABOUT, entries: sorted };
}
