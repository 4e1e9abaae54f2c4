/**
 * Loopback stand-ins for the public price APIs, answering in their exact formats: the Azure Retail
 * Prices API (pages of `Items` linked by NextPageLink, OData `eq` filters joined by `and`; Learn:
 * "Azure Retail Prices overview") and the AWS Price List Bulk API (index → region index → offer
 * file, sent in small pieces). Real HTTP servers on 127.0.0.1; nothing of ours is faked.
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { AddressInfo } from "net";

export interface LoopbackServer {
    url: string;
    /** Every request's path and query, in order. */
    requests: string[];
    close(): Promise<void>;
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, base: string) => void | Promise<void>, pathname = ""): Promise<LoopbackServer> {
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
        requests.push(req.url!);
        void handler(req, res, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${pathname}`;
    return {
        url,
        requests,
        close: () => new Promise((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}

/** One item of the Retail Prices API, every field the API returns (Learn's response example). */
export interface RetailRow {
    currencyCode: string;
    tierMinimumUnits: number;
    retailPrice: number;
    unitPrice: number;
    armRegionName: string;
    location: string;
    effectiveStartDate: string;
    effectiveEndDate?: string;
    meterId: string;
    meterName: string;
    productId: string;
    skuId: string;
    productName: string;
    skuName: string;
    serviceName: string;
    serviceId: string;
    serviceFamily: string;
    unitOfMeasure: string;
    type: string;
    isPrimaryMeterRegion: boolean;
    armSkuName: string;
}

/** The `field eq 'value'` terms of an OData filter joined by `and` (what the tools send). */
function filterTerms(filter: string): [string, string][] {
    return filter.split(/\s+and\s+/).filter(Boolean).map((term) => {
        const match = /^(\w+) eq '((?:[^']|'')*)'$/.exec(term.trim());
        if (!match) throw new Error(`unsupported filter term: ${term}`);
        return [match[1], match[2].replace(/''/g, "'")];
    });
}

/**
 * The Retail Prices API over `rows`: applies the $filter (priceType is the row's `type`), pages
 * `pageSize` items at a time with a NextPageLink carrying $skip, as the real API does (100 a page).
 */
export function retailPricesApi(rows: RetailRow[], options: { pageSize?: number } = {}): Promise<LoopbackServer> {
    const pageSize = options.pageSize ?? 100;
    return serve((req, res, base) => {
        const url = new URL(req.url!, base);
        const filter = url.searchParams.get("$filter") ?? "";
        const skip = Number(url.searchParams.get("$skip") ?? 0);
        const terms = filterTerms(filter);
        const matching = rows.filter((row) => terms.every(([field, value]) => String(field === "priceType" ? row.type : (row as unknown as Record<string, unknown>)[field]) === value));
        const page = matching.slice(skip, skip + pageSize);
        const next = skip + pageSize < matching.length ? `${base}/api/retail/prices?$filter=${encodeURIComponent(filter)}&$skip=${skip + pageSize}` : null;
        res.setHeader("content-type", "application/json; charset=utf-8");
        res.end(JSON.stringify({ BillingCurrency: "USD", CustomerEntityId: "Default", CustomerEntityType: "Retail", Items: page, NextPageLink: next, Count: page.length }));
    }, "/api/retail/prices");
}

/**
 * The AWS Price List Bulk API over a directory in its layout (offers/v1.0/aws/index.json, each
 * service's current/region_index.json, each version's <region>/index.json), each file sent in
 * 7-byte pieces so that every JSON token is split somewhere.
 */
export function awsBulkApi(root: string): Promise<LoopbackServer> {
    return serve(async (req, res) => {
        const file = path.join(root, decodeURIComponent(new URL(req.url!, "http://localhost").pathname));
        if (!file.startsWith(root) || !fs.existsSync(file)) {
            res.statusCode = 404;
            res.end("<Error><Code>NoSuchKey</Code></Error>");
            return;
        }
        const body = fs.readFileSync(file);
        res.setHeader("content-type", "application/json");
        for (let i = 0; i < body.length; i += 7) {
            res.write(body.subarray(i, i + 7));
            await new Promise((resolve) => setImmediate(resolve));
        }
        res.end();
    });
}

/** A server that answers every request with `status` (an outage, a wrong path). */
export const failingApi = (status: number): Promise<LoopbackServer> => serve((_req, res) => {
    res.statusCode = status;
    res.end();
});

/** A server that accepts connections and never answers (a stuck proxy): the client's timeout must end the wait. */
export const silentApi = (): Promise<LoopbackServer> => serve(() => undefined);

/** A server that sends headers and the start of a body, then nothing more. */
export const stallingApi = (): Promise<LoopbackServer> => serve((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.write('{"BillingCurrency":"USD","Items":[');
});

/** A loopback URL where nothing listens (a port bound, then released). */
export async function closedPortUrl(pathname = "/"): Promise<string> {
    const server = await serve(() => undefined);
    await server.close();
    return `${server.url}${pathname}`;
}
