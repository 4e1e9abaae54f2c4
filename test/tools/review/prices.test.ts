import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCli } from "../../../tools/cli";
import { metersOf } from "../../../tools/review/commands";
import { isAwsMeter, Meter } from "../../../tools/review/billing";
import { DEFAULT_PRICE_TABLE, meterFilter, readPriceTable, refreshPrices, retailEntry } from "../../../tools/review/prices";
import { closedPortUrl, failingApi, retailPricesApi, silentApi, stallingApi } from "../../helpers/priceApis";
import { planned } from "../../helpers/plan";
import { RETAIL_ROWS, row } from "../../fixtures/review/retailRows";

const SHIPPED = readPriceTable(DEFAULT_PRICE_TABLE);

async function cli(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const exitCode = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { exitCode, out: out.join("\n"), err: err.join("\n") };
}

describe("review: prices refresh (Azure Retail Prices API)", function () {
    this.timeout(120_000);
    const plans = ["dev", "prod", "prod-aks", "prod-cloudflare"].map((stack) => planned(stack));

    it("every meter the Azure stacks use matches the real rows' shape, and prices as the shipped table does", async () => {
        const meters = plans.flatMap((plan) => metersOf(plan().resources)).filter((m): m is Meter => !isAwsMeter(m));
        // Three items a page: every meter's query follows NextPageLink at least once where it has more rows.
        const api = await retailPricesApi(RETAIL_ROWS, { pageSize: 3 });
        const progress: string[] = [];
        try {
            const table = await refreshPrices(meters, { api: api.url, today: "2026-12-07", progress: (l) => progress.push(l) });
            assert.deepEqual(Object.keys(table.entries), Object.keys(SHIPPED.entries).filter((k) => !isAwsMeter(SHIPPED.entries[k].meter)));
            for (const [key, entry] of Object.entries(table.entries)) {
                assert.equal(entry.unitPrice, SHIPPED.entries[key].unitPrice, `${key}: ${entry.note ?? ""}`);
                // The shipped price is a dated fact: its source and the day the source read the API; an unpriced one says why.
                const shipped = SHIPPED.entries[key];
                if (shipped.unitPrice === null) assert.ok(shipped.note, key);
                else assert.ok(/^(Azure Retail Prices API|[\w.-]+\/[\w.-]+@[0-9a-f]{40}:\S+)/.test(shipped.source ?? "") && /^\d{4}-\d{2}-\d{2}$/.test(shipped.retrieved ?? ""), key);
            }
            // The whole-instance row of Standard_D4ds_v5 (skuName "4 vCore"), not the per-core one.
            assert.deepEqual(table.entries["postgres-flexible/GeneralPurpose/Standard_D4ds_v5/eastus2"], {
                meter: SHIPPED.entries["postgres-flexible/GeneralPurpose/Standard_D4ds_v5/eastus2"].meter,
                unitPrice: 0.356, effectiveDate: "2023-03-01", meterId: "a73b46eb-0000-0000-0000-000000000000",
                source: `${api.url}?$filter=${encodeURIComponent("serviceName eq 'Azure Database for PostgreSQL' and armRegionName eq 'eastus2' and priceType eq 'Consumption' and armSkuName eq 'Standard_D4ds_v5'")}`,
                retrieved: "2026-12-07",
            });
            assert.equal(table.entries["vm-linux-spot/Standard_D4ds_v5/eastus2"].note, "the matching items are not in effect on 2026-12-07");
            assert.equal(table.entries["private-dns-zone"].note, "no pay-as-you-go item of the API matched this meter");
            assert.ok(api.requests.some((r) => r.includes("%24skip=3") || r.includes("$skip=3")), "a NextPageLink was followed");
            assert.equal(progress.length, Object.keys(table.entries).length);
            assert.match(progress[0], /^prices: Azure Retail Prices API 1\/18: /);
        } finally {
            await api.close();
        }
    });

    it("takes the latest price in effect: a meter listed twice keeps its newer price once it starts, not before", () => {
        const meter: Meter = { key: "ultra", serviceName: "Azure Database for PostgreSQL", armRegionName: "eastus2", meterName: "Ultra Disk Storage", unit: "1 GB/Month" };
        const rows = [0.125, 0.135].map((retailPrice, i) => row({ serviceName: meter.serviceName, productName: "Az DB for PostgreSQL Flexible Server Ultra Disk", skuName: "Ultra", meterName: "Ultra Disk Storage", unitOfMeasure: "1 GB/Month", retailPrice, effectiveStartDate: ["2024-09-01T00:00:00Z", "2026-08-01T00:00:00Z"][i] }));
        assert.equal(retailEntry(meter, rows, "src", "2026-12-07").unitPrice, 0.135);
        assert.equal(retailEntry(meter, rows, "src", "2026-07-31").unitPrice, 0.125);
        // Two prices in effect for one meter: unpriced, with both named.
        const twice = [...rows, row({ ...rows[1], retailPrice: 0.2 })];
        assert.equal(retailEntry(meter, twice, "src", "2026-12-07").note, "2 different prices matched: 0.135, 0.2");
    });

    it("on a failure names the URL and the cause (refused, DNS, HTTP status, timeout, a stalled answer)", async () => {
        const meter = SHIPPED.entries["signalr/Standard_S1/eastus2"].meter as Meter;
        const refused = await closedPortUrl("/api/retail/prices");
        await assert.rejects(refreshPrices([meter], { api: refused }), (err: Error) => err.message.startsWith(`${refused}?$filter=`) && /connection refused by 127\.0\.0\.1 \(ECONNREFUSED\)/.test(err.message));
        await assert.rejects(refreshPrices([meter], { api: "http://prices.invalid/api/retail/prices" }), /PriceSourceError: http:\/\/prices\.invalid\/api\/retail\/prices\?\$filter=.*: DNS lookup of prices\.invalid failed \((ENOTFOUND|EAI_AGAIN)\)/);
        const down = await failingApi(503);
        const silent = await silentApi();
        const stalling = await stallingApi();
        try {
            await assert.rejects(refreshPrices([meter], { api: down.url }), /: HTTP 503 Service Unavailable$/);
            await assert.rejects(refreshPrices([meter], { api: silent.url, timeoutMs: 300 }), /: no answer within 0\.3 s \(timeout\)$/);
            await assert.rejects(refreshPrices([meter], { api: stalling.url, timeoutMs: 300 }), /: the answer stopped arriving for 0\.3 s \(timeout\)$/);
        } finally {
            await Promise.all([down.close(), silent.close(), stalling.close()]);
        }
    });

    it("`prices refresh` checks the source before planning: a dead --api fails at once, naming it, and no table changes", async () => {
        const before = fs.readFileSync(DEFAULT_PRICE_TABLE, "utf8");
        const api = await closedPortUrl("/api/retail/prices");
        const run = await cli(["prices", "refresh", "--stack", "dev", "--api", api]);
        assert.equal(run.exitCode, 1, run.err);
        assert.match(run.err, new RegExp(`prices refresh: cannot read the price source: ${api.replace(/[.?$]/g, "\\$&")}: connection refused`));
        assert.match(run.err, /No price table was changed\./);
        assert.doesNotMatch(run.err, /planning/);
        assert.equal(fs.readFileSync(DEFAULT_PRICE_TABLE, "utf8"), before);
    });

    it("an unknown --stack is a usage error before anything is planned or fetched", async () => {
        const run = await cli(["prices", "refresh", "--stack", "prod", "--stack", "prdo"]);
        assert.equal(run.exitCode, 2);
        assert.match(run.err, /--stack: no stack "prdo" \(no Pulumi.<stack>.yaml\); the stacks are: dev, dev-eks, prod, /);
        assert.doesNotMatch(run.err, /planning|checking/);
    });

    it("`prices refresh --plan` writes the table for exactly the plan's meters, with progress on stderr", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prices-"));
        const planFile = path.join(dir, "plan.json");
        fs.writeFileSync(planFile, JSON.stringify({ stack: "t", resources: [
            { urn: "u1", type: "azure-native:redisenterprise:RedisEnterprise", name: "cache", parent: null, provider: "p", inputs: { location: "eastus2", sku: { name: "Balanced_B5" }, highAvailability: "Enabled" } },
        ] }));
        const api = await retailPricesApi(RETAIL_ROWS);
        try {
            const run = await cli(["prices", "refresh", "--plan", planFile, "--api", api.url, "--out", path.join(dir, "prices.json")]);
            assert.equal(run.exitCode, 0, run.err);
            assert.match(run.err, /^prices: Azure Retail Prices API 1\/1: redis-enterprise\/Balanced_B5\/eastus2$/m);
            const table = JSON.parse(fs.readFileSync(path.join(dir, "prices.json"), "utf8"));
            assert.deepEqual(Object.keys(table.entries), ["redis-enterprise/Balanced_B5/eastus2"]);
            assert.equal(table.entries["redis-enterprise/Balanced_B5/eastus2"].unitPrice, 0.156);
            assert.equal(meterFilter(table.entries["redis-enterprise/Balanced_B5/eastus2"].meter), "serviceName eq 'Redis Cache' and armRegionName eq 'eastus2' and priceType eq 'Consumption'");
        } finally {
            await api.close();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
