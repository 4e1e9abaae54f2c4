import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { costOf, costSummary, formatSum, renderCost } from "../../../tools/review/cost";
import { readPriceTable } from "../../../tools/review/prices";
import { sideBySide } from "../../../tools/review/commands";
import { runCli } from "../../../tools/cli";
import { planned } from "../../helpers/plan";
import { copyProject } from "../../helpers/projectCopy";

const TABLE = readPriceTable(path.join(__dirname, "../../fixtures/review/prices.pinned.json"));
const STACK = "urn:pulumi:prod::bookstore::pulumi:pulumi:Stack::bookstore-prod";

function r(type: string, name: string, inputs: unknown, parent: string | null = STACK, provider: string | null = "default:azure-native") {
    return { urn: `urn:${type}::${name}`, type, name, parent, provider, inputs };
}

const RESOURCES = [
    { urn: STACK, type: "pulumi:pulumi:Stack", name: "bookstore-prod", parent: null, provider: null, inputs: {} },
    r("bookstore:app:ContainerAppsTier", "app", {}, STACK, null),
    r("azure-native:app:ContainerApp", "api", { location: "eastus2", template: { scale: { minReplicas: 3, maxReplicas: 10 }, containers: [{ resources: { cpu: 0.5, memory: "1Gi" } }] } }, "urn:bookstore:app:ContainerAppsTier::app"),
    r("bookstore:database:DatabaseTier", "database", {}, STACK, null),
    r("azure-native:dbforpostgresql:Server", "pg", { location: "eastus2", sku: { name: "Standard_D4ds_v5", tier: "GeneralPurpose" }, highAvailability: { mode: "ZoneRedundant" }, storage: { storageSizeGB: 128 } }, "urn:bookstore:database:DatabaseTier::database"),
    r("azure-native:dbforpostgresql:Configuration", "pg-param", {}, "urn:bookstore:database:DatabaseTier::database"),
    r("azure-native:operationalinsights:Workspace", "logs", { location: "eastus2" }),
    r("azure-native:signalrservice:SignalR", "signalr", { location: "eastus2", sku: { name: "Standard_S1", tier: "Standard", capacity: 2 } }),
    r("azure-native:network:ApplicationGateway", "gateway", { location: "eastus2" }),
];

describe("review: monthly cost", () => {
    const cost = costOf(RESOURCES, TABLE);

    it("prices a container app at min and max replicas, 730 h/month", () => {
        // 0.5 vCPU × 3 replicas × 2,628,000 s × $0.00002 = $78.84; 1 GiB × 3 × 2,628,000 × $0.000002 = $15.768 → $94.608
        // at 10 replicas: $262.80 + $52.56 = $315.36
        const api = cost.resources.find((x) => x.name === "api")!;
        assert.deepEqual(api.monthly, { min: 94.61, max: 315.36 });
        assert.equal(api.tier, "app");
    });

    it("prices an HA PostgreSQL server as two copies of compute and storage", () => {
        // 2 × 730 h × $0.5 = $730; 2 × 128 GB × $0.1 = $25.6
        const pg = cost.resources.find((x) => x.name === "pg")!;
        assert.deepEqual(pg.monthly, { min: 755.6, max: 755.6 });
        assert.deepEqual(cost.tiers.database, { min: 755.6, max: 755.6 });
    });

    it("sums per tier and per stack", () => {
        assert.deepEqual(cost.tiers.app, { min: 94.61, max: 315.36 });
        assert.deepEqual(cost.total, { min: 850.21, max: 1070.96 });
    });

    it("reports a meter without a price and a type without a model as unpriced, by name and with why", () => {
        assert.deepEqual(cost.coverage.unpriced, ["signalr (signalr/Standard_S1/eastus2)", "gateway (azure-native:network:ApplicationGateway)"]);
        assert.deepEqual(cost.coverage.unpricedMeters, [
            { meter: "signalr/Standard_S1/eastus2", why: "not in the price table (run `bookstore-infra prices refresh`)", resources: ["signalr"] },
            { meter: "azure-native:network:ApplicationGateway", why: "no cost model for this type", resources: ["gateway"] },
        ]);
        assert.equal(cost.resources.find((x) => x.name === "gateway")!.status, "unpriced");
    });

    it("says why a modelled type stays unpriced: Application Gateway for Containers has sourced prices but no meter names", () => {
        const agc = costOf([{ urn: "urn:agc", type: "azure-native:servicenetworking:TrafficControllerInterface", name: "agc", provider: "p", parent: "", inputs: { location: "eastus2" } }] as never, readPriceTable());
        assert.deepEqual(agc.coverage.unpriced, ["agc (azure-native:servicenetworking:TrafficControllerInterface)"]);
        assert.match(agc.coverage.unpricedMeters[0].why, /^Application Gateway for Containers bills hourly .* not its meter names \(shared\/reference\/price-sources\.md, A1\)$/);
    });

    it("never shows what is unknown as $0.00: a sum with nothing priced is unknown, one of usage only says so", () => {
        assert.equal(formatSum({ min: 0, max: 0 }, { priced: 0, unpriced: 3 }), "unknown (3 unpriced)");
        assert.equal(formatSum({ min: 0, max: 0 }, { priced: 0, unpriced: 0 }), "usage-based only");
        assert.equal(formatSum({ min: 12, max: 30 }, { priced: 2, unpriced: 1 }), "$12.00 – $30.00 + 1 unpriced");
        const none = costOf(RESOURCES, { currency: "USD", about: "empty", entries: {} });
        const text = [costSummary(none), ...renderCost(none)].join("\n");
        assert.doesNotMatch(text, /\$0\.00/);
        assert.match(costSummary(none), /^Monthly cost: {2}unknown \(4 unpriced\); priced 0 of 5 chargeable resources, 4 unpriced, 1 usage-based only; no prices;/);
        assert.match(text, /^ {4}database {16}unknown \(1 unpriced\)$/m);
    });

    it("reports usage-based charges as not estimated with their unit, and configuration as included", () => {
        assert.ok(cost.coverage.notEstimated.includes("logs: log ingestion (per 1 GB)"));
        assert.ok(cost.coverage.notEstimated.includes("api: requests (per 1M requests)"));
        assert.equal(cost.resources.find((x) => x.name === "logs")!.status, "usage only");
        assert.equal(cost.resources.find((x) => x.name === "pg-param")!.status, "included");
        assert.equal(cost.coverage.priced, 2);
        assert.equal(cost.coverage.chargeable, 5);
    });
});

describe("review: bookstore-infra cost (stacks side by side)", () => {
    it("puts each stack's tiers, total and priced share in one column per stack", async () => {
        const a = costOf(RESOURCES, TABLE);
        const b = costOf(RESOURCES.filter((x) => x.name !== "api"), TABLE);
        const lines = sideBySide({ prod: a, "prod-aks": b });
        assert.match(lines[1], /^ {20}prod {30}prod-aks$/);
        assert.equal(lines.find((l) => l.startsWith("app")), `app${" ".repeat(17)}$94.61 – $315.36${" ".repeat(18)}—`);
        // A sum that leaves unpriced resources out says how many.
        assert.equal(lines.find((l) => l.startsWith("total")), `total${" ".repeat(15)}$850.21 – $1,070.96 + 2 unpriced  $755.60 + 2 unpriced`);
        assert.equal(lines.find((l) => l.startsWith("priced")), `priced${" ".repeat(14)}2 of 5 resources${" ".repeat(18)}1 of 4 resources`);
    });

    it("`cost --stack prod --stack prdo` names the unknown stack before planning anything (usage error, exit 2)", async () => {
        const err: string[] = [];
        assert.equal(await runCli(["cost", "--stack", "prod", "--stack", "prdo"], { out: () => undefined, err: (l) => err.push(l) }), 2);
        assert.match(err.join("\n"), /--stack: no stack "prdo" \(no Pulumi.<stack>.yaml\); the stacks are: dev, dev-eks, prod, prod-aks, prod-cloudflare, prod-eks/);
        assert.doesNotMatch(err.join("\n"), /planning/);
    });

    it("`cost` without --stack prices every stack of the project, saying on stderr what it plans", async function () {
        this.timeout(300_000);
        const dir = copyProject({ keepStack: (stack) => stack === "dev" || stack === "dev-eks" });
        const out: string[] = [];
        const err: string[] = [];
        try {
            assert.equal(await runCli(["cost", "--json"], { out: (l) => out.push(l), err: (l) => err.push(l), projectDir: dir }), 0, err.join("\n"));
            assert.deepEqual(Object.keys(JSON.parse(out.join("\n"))), ["dev", "dev-eks"]);
            assert.equal(err[0], "cost: planning 2 stacks (dev, dev-eks) offline …");
            for (const stack of ["dev", "dev-eks"]) {
                assert.ok(err.some((l) => new RegExp(`^cost: planned ${stack} \\([12] of 2, [\\d.]+ s\\)$`).test(l)), err.join("\\n"));
                // Each plan's phases as they start: a plan takes seconds, the command is never silent that long.
                assert.ok(err.some((l) => new RegExp(`^cost: ${stack}: running the program of ${stack} under the mock monitor \\([\\d.]+ s\\)$`).test(l)), err.join("\\n"));
                assert.ok(err.some((l) => new RegExp(`^cost: ${stack}: checking policy \\([\\d.]+ s\\)$`).test(l)), err.join("\\n"));
            }
            assert.ok(!err.some((l) => /^plan: |: done \(/.test(l)), "the plan's own lines are not passed on raw");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("review: the shipped price tables on the prod stack", function () {
    this.timeout(120_000);
    const prod = planned("prod");

    it("prices prod's database, cache and edge from the dated sources, and says as of when and what stays unpriced", () => {
        const cost = costOf(prod().resources, readPriceTable());
        const monthly = (name: string) => cost.resources.find((r) => r.name === name)!.monthly;
        // Primary with its zone-redundant standby: 2 × 730 h × $0.356 + 2 × 128 GB × $0.115.
        assert.deepEqual(monthly("bookstore-prod-pg"), { min: 549.2, max: 549.2 });
        // Each read replica: 730 h × $0.356 + 128 GB × $0.115 (westus2 prices the same).
        assert.deepEqual(monthly("bookstore-prod-pg-replica-2"), { min: 274.6, max: 274.6 });
        // Managed Redis B5 with high availability: two instances, 2 × 730 h × $0.156.
        assert.deepEqual(monthly("cache-cluster"), { min: 227.76, max: 227.76 });
        // api: 0.5 vCPU and 1 GiB × 3–10 replicas × 2,628,000 s at $0.000024 and $0.000003.
        assert.deepEqual(monthly("api"), { min: 118.26, max: 394.2 });
        assert.deepEqual(monthly("frontdoor-profile"), { min: 35, max: 35 });
        assert.deepEqual(cost.pricesAsOf, ["2026-08-15"]);
        assert.match(costSummary(cost), /; list prices as of 2026-08-15;/);
        const why = Object.fromEntries(cost.coverage.unpricedMeters.map((m) => [m.meter, m]));
        assert.deepEqual(why["private-endpoint/eastus2"].resources.sort(), ["app-blobs-private-pe", "cache-private-pe", "kv-private-pe"]);
        assert.match(why["private-endpoint/eastus2"].why, /no dated source reachable offline/);
        assert.match(why["azure-native:loadtestservice:LoadTest"].why, /^Azure Load Testing bills virtual-user hours .*no dated source has that meter/);
        // Usage-based or included, not unpriced: what bills only by use, and what has no charge of its own.
        for (const type of ["azure-native:monitor:ActionGroup", "azure-native:managedidentity:FederatedIdentityCredential"]) assert.equal(why[type], undefined, type);
        // Every cost line fits 100 columns.
        for (const line of renderCost(cost)) assert.ok(line.length <= 100, line);
    });
});
