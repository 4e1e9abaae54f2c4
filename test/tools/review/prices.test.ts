import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { runCli } from "../../../tools/cli";
import { meterFilter, refreshPrices } from "../../../tools/review/prices";
import type { Meter } from "../../../tools/review/meters";

/** An item in the Retail Prices API's response format. */
function item(fields: Partial<Record<string, unknown>>) {
    return {
        currencyCode: "USD", tierMinimumUnits: 0, retailPrice: 1, unitPrice: 1, armRegionName: "eastus2", location: "US East 2",
        effectiveStartDate: "2025-06-01T00:00:00Z", meterId: "00000000-0000-0000-0000-000000000000", meterName: "", productId: "P", skuId: "P/S",
        productName: "", skuName: "", serviceName: "", serviceId: "S", serviceFamily: "Compute", unitOfMeasure: "1 Hour", type: "Consumption",
        isPrimaryMeterRegion: true, armSkuName: "", ...fields,
    };
}

/** A local stand-in for prices.azure.com: canned pages per $filter, paged by NextPageLink. */
async function cannedApi(pages: Record<string, unknown[][]>): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
        const url = new URL(req.url!, "http://localhost");
        const filter = url.searchParams.get("$filter") ?? "";
        requests.push(filter);
        const skip = Number(url.searchParams.get("$skip") ?? 0);
        const list = pages[filter] ?? [[]];
        const next = skip + 1 < list.length ? `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/retail/prices?$filter=${encodeURIComponent(filter)}&$skip=${skip + 1}` : null;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ BillingCurrency: "USD", CustomerEntityId: "Default", CustomerEntityType: "Retail", Items: list[skip] ?? [], NextPageLink: next, Count: (list[skip] ?? []).length }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/retail/prices`;
    return { url, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const VM: Meter = { key: "vm-linux/Standard_D4ds_v5/eastus2", serviceName: "Virtual Machines", armRegionName: "eastus2", armSkuName: "Standard_D4ds_v5", unit: "1 Hour" };
const REDIS: Meter = { key: "redis-enterprise/Balanced_B5/eastus2", serviceName: "Redis Cache", armRegionName: "eastus2", skuName: "Balanced_B5", unit: "1 Hour" };
const DNS: Meter = { key: "private-dns-zone", serviceName: "Azure DNS", armRegionName: "global", meterName: "Private Zone", unit: "1/Month" };

describe("review: prices refresh (Azure Retail Prices API)", () => {
    it("follows NextPageLink, keeps Linux pay-as-you-go, records price, date and source; ambiguous or missing meters stay unpriced", async () => {
        const api = await cannedApi({
            [meterFilter(VM)]: [
                [item({ serviceName: "Virtual Machines", armSkuName: "Standard_D4ds_v5", productName: "Virtual Machines Ddsv5 Series Windows", skuName: "D4ds v5", retailPrice: 0.9 })],
                [
                    item({ serviceName: "Virtual Machines", armSkuName: "Standard_D4ds_v5", productName: "Virtual Machines Ddsv5 Series", skuName: "D4ds v5 Spot", retailPrice: 0.05 }),
                    item({ serviceName: "Virtual Machines", armSkuName: "Standard_D4ds_v5", productName: "Virtual Machines Ddsv5 Series", skuName: "D4ds v5", retailPrice: 0.226, effectiveStartDate: "2025-09-01T00:00:00Z" }),
                    item({ serviceName: "Virtual Machines", armSkuName: "Standard_D4ds_v5", productName: "Virtual Machines Ddsv5 Series", skuName: "D4ds v5", retailPrice: 0.1, type: "Reservation" }),
                ],
            ],
            [meterFilter(REDIS)]: [[item({ serviceName: "Redis Cache", skuName: "Balanced_B5", retailPrice: 1 }), item({ serviceName: "Redis Cache", skuName: "Balanced_B5", retailPrice: 2 })]],
        });
        try {
            const table = await refreshPrices([VM, REDIS, DNS], { api: api.url, today: "2026-11-29" });
            assert.deepEqual(table.entries[VM.key], {
                meter: VM,
                unitPrice: 0.226,
                effectiveDate: "2025-09-01",
                source: `${api.url}?$filter=${encodeURIComponent(meterFilter(VM))}`,
                retrieved: "2026-11-29",
            });
            assert.equal(table.entries[REDIS.key].unitPrice, null);
            assert.match(table.entries[REDIS.key].note!, /2 different prices/);
            assert.equal(table.entries[DNS.key].unitPrice, null);
            assert.match(table.entries[DNS.key].note!, /no pay-as-you-go item/);
            assert.equal(meterFilter(VM), "serviceName eq 'Virtual Machines' and armRegionName eq 'eastus2' and priceType eq 'Consumption' and armSkuName eq 'Standard_D4ds_v5'");
            assert.equal(api.requests.filter((f) => f === meterFilter(VM)).length, 2);
        } finally {
            await api.close();
        }
    });

    it("`bookstore-infra prices refresh --plan` writes the table for exactly the plan's meters", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prices-"));
        const planFile = path.join(dir, "plan.json");
        fs.writeFileSync(planFile, JSON.stringify({ stack: "t", resources: [
            { urn: "u1", type: "azure-native:redisenterprise:RedisEnterprise", name: "cache", parent: null, provider: "p", inputs: { location: "eastus2", sku: { name: "Balanced_B5" } } },
        ] }));
        const api = await cannedApi({ [meterFilter(REDIS)]: [[item({ serviceName: "Redis Cache", skuName: "Balanced_B5", retailPrice: 0.5, productName: "Azure Managed Redis" })]] });
        const out: string[] = [];
        try {
            const code = await runCli(["prices", "refresh", "--plan", planFile, "--api", api.url, "--out", path.join(dir, "prices.json")], { out: (l) => out.push(l), err: (l) => out.push(l) });
            assert.equal(code, 0, out.join("\n"));
            const table = JSON.parse(fs.readFileSync(path.join(dir, "prices.json"), "utf8"));
            assert.deepEqual(Object.keys(table.entries), [REDIS.key]);
            assert.equal(table.entries[REDIS.key].unitPrice, 0.5);
        } finally {
            await api.close();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
