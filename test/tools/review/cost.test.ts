import { strict as assert } from "assert";
import * as path from "path";
import { costOf } from "../../../tools/review/cost";
import { readPriceTable } from "../../../tools/review/prices";
import { sideBySide } from "../../../tools/review/commands";
import { runCli } from "../../../tools/cli";

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

    it("reports a meter without a price and a type without a model as unpriced, by name", () => {
        assert.deepEqual(cost.coverage.unpriced, ["signalr (signalr/Standard_S1/eastus2)", "gateway (azure-native:network:ApplicationGateway)"]);
        assert.equal(cost.resources.find((x) => x.name === "gateway")!.status, "unpriced");
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

    it("needs at least one --stack (usage error, exit 2)", async () => {
        const err: string[] = [];
        assert.equal(await runCli(["cost"], { out: () => undefined, err: (l) => err.push(l) }), 2);
        assert.match(err.join("\n"), /--stack/);
    });
});
