import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCli } from "../../../tools/cli";
import { costOf, CostSection } from "../../../tools/review/cost";
import { isAwsMeter } from "../../../tools/review/billing";
import { metersOf } from "../../../tools/review/commands";
import { billingOf } from "../../../tools/review/meters";
import { eksCluster } from "../../../tools/review/meters.aws";
import { planInProcess } from "../../../tools/review/planRunner";
import { DEFAULT_AWS_PRICE_TABLE, readPriceTable } from "../../../tools/review/prices";
import { PROJECT_DIR } from "../../../tools/paths";

const FIXTURES = path.join(__dirname, "../../fixtures/review");
const AWS_TABLE = readPriceTable(path.join(FIXTURES, "prices.aws.pinned.json"));

describe("review: monthly cost of the AWS platform (prod-eks plan, pinned prices)", function () {
    this.timeout(300_000); // plans prod-eks in process: ~25 s alone, minutes on a loaded machine
    let cost: CostSection;
    const resource = (name: string, type?: string) => cost.resources.find((r) => r.name === name && (!type || r.type === type))!;

    before(() => {
        const planned = planInProcess(PROJECT_DIR, "prod-eks");
        assert.ok(planned.document, planned.stderr);
        cost = costOf(planned.document.resources, AWS_TABLE);
    });

    it("prices the node groups at min and max nodes: instance-hours and gp2 root volumes", () => {
        // app: m7g.xlarge 2-10 nodes × 730 h × $0.2 = $292 – $1,460; 20 GiB × 2-10 × $0.1 = $4 – $20
        assert.deepEqual(resource("app", "aws:eks/nodeGroup:NodeGroup").monthly, { min: 296, max: 1480 });
        // system: m7g.large 2-4 nodes × 730 h × $0.1 = $146 – $292; 20 GiB × 2-4 × $0.1 = $4 – $8
        assert.deepEqual(resource("system").monthly, { min: 150, max: 300 });
    });

    it("sums the eks tier: cluster fee, node groups, secrets key; Spot nodes unpriced by name", () => {
        // $73 cluster + app $296 – $1,480 + system $150 – $300 + spot volumes $0 – $20 + KMS key $1
        assert.deepEqual(cost.tiers.eks, { min: 520, max: 1874 });
        assert.equal(cost.unpricedByTier.eks, 1);
        assert.ok(cost.coverage.unpriced.includes("spot (ec2-spot/m7g.xlarge/us-east-1)"));
        assert.equal(resource("spot").status, "partly priced");
    });

    it("prices RDS per instance class and deployment, replicas with their source's storage; a region without prices is unpriced by name", () => {
        // primary and in-region replica: db.r6g.large Multi-AZ 730 h × $0.5 = $365 + 128 GB gp3 Multi-AZ × $0.25 = $32
        assert.deepEqual(resource("database-primary").monthly, { min: 397, max: 397 });
        assert.deepEqual(resource("database-replica-1").monthly, { min: 397, max: 397 });
        // + 5 alarms in us-east-1 × $0.1 + KMS key $1 + admin secret $0.4
        assert.deepEqual(cost.tiers.database, { min: 795.9, max: 795.9 });
        assert.ok(cost.coverage.unpriced.includes("database-replica-2 (rds/postgres/db.r6g.large/Multi-AZ/us-west-2, rds-storage/gp3/Multi-AZ/us-west-2)"));
        assert.equal(cost.unpricedByTier.database, 4);
    });

    it("sums the stack", () => {
        // network $98.55 NAT + $10.95 IPv4; app ALB $16.498; alb-alarms $0.4; alerts $1; cache 6 nodes $876 + 18 alarms $1.8 + key $1 + secret $0.4;
        // observability dashboard $3; eks $520 – $1,874; database $795.9
        assert.deepEqual(cost.tiers.network, { min: 109.5, max: 109.5 });
        assert.deepEqual(cost.tiers.cache, { min: 879.2, max: 879.2 });
        assert.deepEqual(cost.total, { min: 2326.3, max: 3680.3 });
    });

    it("reports types without a model by name, usage charges with their unit, free resources with what they belong to", () => {
        assert.ok(cost.coverage.unpriced.includes("observability-cluster (aws:amp/scraper:Scraper)"));
        assert.ok(cost.coverage.notEstimated.includes("network-nat-1: data processed (per GB)"));
        assert.ok(cost.coverage.notEstimated.includes("web: load balancer capacity units (per LCU-Hrs)"));
        assert.equal(resource("static-assets-assets", "aws:cloudfront/distribution:Distribution").status, "usage only");
        assert.equal(resource("network-s3").includedIn, "nothing: gateway endpoints (S3, DynamoDB) have no charge (Amazon VPC pricing)");
        assert.equal(resource("eks-admin-1", "aws:eks/accessEntry:AccessEntry").includedIn, "its EKS cluster (access control)");
        assert.equal(cost.resources.filter((r) => r.status === "unpriced" && r.lines[0]?.what.startsWith("no cost model")).length, 2);
    });

    it("puts resources registered under the stack into the tier they belong with", () => {
        assert.equal(resource("bookstore-prod-peer-us-west-2-1").tier, "network");
        assert.equal(resource("bookstore-prod-us-west-2-peer-1").tier, "network-us-west-2");
        assert.equal(resource("dashboard").tier, "observability");
        assert.equal(cost.resources.filter((r) => r.tier === "stack").length, 0);
    });
});

describe("review: the AWS price table in the repository", function () {
    this.timeout(300_000); // plans prod-eks in process: ~25 s alone, minutes on a loaded machine

    it("has an entry for exactly the meters of the eks stacks, each priced with its source or unpriced with why", () => {
        const table = readPriceTable(DEFAULT_AWS_PRICE_TABLE);
        const meters = ["prod-eks", "dev-eks"].flatMap((stack) => metersOf(planInProcess(PROJECT_DIR, stack).document!.resources)).filter(isAwsMeter);
        const byKey = new Map(meters.map((m) => [m.key, m]));
        assert.deepEqual(Object.keys(table.entries).sort(), [...byKey.keys()].sort());
        for (const [key, entry] of Object.entries(table.entries)) {
            // A changed model (attributes, unit) makes the committed entry stale: rebuild the table.
            assert.deepEqual(entry.meter, byKey.get(key), key);
            if (entry.unitPrice === null) assert.ok(entry.note, `${key}: an unpriced entry says why`);
            // A price names its source (a URL, or a repository at a commit and the file) and the date it was read.
            else assert.ok(/^(https:\/\/|[\w.-]+\/[\w.-]+@[0-9a-f]{40}:\S+)/.test(entry.source ?? "") && /^\d{4}-\d{2}-\d{2}$/.test(entry.retrieved ?? ""), `${key}: a price has its source and capture date`);
        }
    });
});

describe("review: AWS cost models", () => {
    const provider = { urn: "urn:p", type: "pulumi:providers:aws", name: "p", inputs: { region: "eu-west-1" }, provider: null };
    const rds = (name: string, inputs: Record<string, unknown>) => ({ urn: `urn:${name}`, type: "aws:rds/instance:Instance", name, inputs, provider: "urn:p" });
    const billedOf = (billing: ReturnType<typeof billingOf>) => ("items" in billing ? billing.items.filter((i) => i.kind === "billed") : []);

    it("bills provisioned IOPS: io1 all of them, gp3 those above the 3,000 / 12,000 baseline", () => {
        const io1 = rds("io1", { engine: "postgres", instanceClass: "db.m7g.large", storageType: "io1", allocatedStorage: 100, iops: 5000 });
        const gp3Small = rds("gp3-small", { engine: "postgres", instanceClass: "db.m7g.large", storageType: "gp3", allocatedStorage: 100, iops: 3000 });
        const gp3Big = rds("gp3-big", { engine: "postgres", instanceClass: "db.m7g.large", storageType: "gp3", allocatedStorage: 400, iops: 15000 });
        const all = [provider, io1, gp3Small, gp3Big];
        assert.deepEqual(billedOf(billingOf(io1, all)).map((i) => [i.meter.key, i.quantity.max]), [
            ["rds/postgres/db.m7g.large/Single-AZ/eu-west-1", 730], ["rds-storage/io1/Single-AZ/eu-west-1", 100], ["rds-iops/io1/Single-AZ/eu-west-1", 5000],
        ]);
        assert.equal(billedOf(billingOf(gp3Small, all)).length, 2);
        assert.deepEqual(billedOf(billingOf(gp3Big, all))[2].quantity, { min: 3000, max: 3000 });
    });

    it("charges the cluster fee, and extended support past the version's standard support unless the upgrade policy is STANDARD", () => {
        const keys = (items: ReturnType<typeof eksCluster>) => items.map((item) => (item.kind === "billed" ? item.meter.key : item.what));
        // 1.34's standard support ends 2026-12-02 (lib/awsCatalog.ts).
        assert.deepEqual(keys(eksCluster({ version: "1.34", upgradePolicy: { supportType: "STANDARD" } }, "us-east-1", "2027-01-01")), ["eks-cluster/us-east-1"]);
        assert.deepEqual(keys(eksCluster({ version: "1.34" }, "us-east-1", "2027-01-01")), ["eks-cluster/us-east-1", "eks-extended-support/us-east-1"]);
        assert.deepEqual(keys(eksCluster({ version: "1.34" }, "us-east-1", "2026-11-29")), ["eks-cluster/us-east-1", "extended support from 2026-12-02 (Kubernetes 1.34; upgradePolicy.supportType is not STANDARD)"]);
        assert.deepEqual(keys(eksCluster({ version: "1.29" }, "us-east-1", "2026-11-29")), ["eks-cluster/us-east-1", "extended support from an unknown date (Kubernetes 1.29; upgradePolicy.supportType is not STANDARD)"]);
    });

    it("bills one ALB per ingress group, and only for the alb class", () => {
        const ingress = (name: string, className: string, group?: string) => ({
            urn: `urn:${name}`, type: "kubernetes:networking.k8s.io/v1:Ingress", name, provider: "urn:k",
            inputs: { metadata: { annotations: group ? { "alb.ingress.kubernetes.io/group.name": group } : {} }, spec: { ingressClassName: className } },
        });
        const a = ingress("a", "alb", "shared");
        const b = ingress("b", "alb", "shared");
        const other = ingress("other", "nginx");
        const all = [a, b, other];
        assert.equal(billedOf(billingOf(a, all))[0].meter.key, "alb/unknown-region");
        assert.deepEqual(billingOf(b, all), { included: "the ALB of ingress group shared (a)" });
        assert.deepEqual(billingOf(other, all), { included: "the cluster's nodes" });
    });
});

describe("review: bookstore-infra cost --stack prod --stack prod-eks", function () {
    this.timeout(300_000); // plans prod-eks in process: ~25 s alone, minutes on a loaded machine

    it("puts the Azure and the AWS stack side by side, tier by tier", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cost-aws-"));
        const azure = readPriceTable(path.join(FIXTURES, "prices.pinned.json"));
        const table = path.join(dir, "prices.json");
        fs.writeFileSync(table, JSON.stringify({ ...azure, entries: { ...azure.entries, ...AWS_TABLE.entries } }));
        const out: string[] = [];
        try {
            const code = await runCli(["cost", "--stack", "prod", "--stack", "prod-eks", "--price-table", table], { out: (l) => out.push(l), err: () => undefined });
            assert.equal(code, 0, out.join("\n"));
            assert.match(out[1], /^ {20}prod {30}prod-eks$/);
            // A tier only one stack has shows "—" in the other's column.
            assert.equal(out.find((l) => l.startsWith("eks ")), `eks${" ".repeat(17)}—${" ".repeat(33)}$520.00 – $1,874.00 + 1 unpriced`);
            assert.match(out.find((l) => l.startsWith("total"))!, /\$2,326\.30 – \$3,680\.30 \+ \d+ unpriced$/);
            assert.ok(out.includes("prod-eks:"));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
