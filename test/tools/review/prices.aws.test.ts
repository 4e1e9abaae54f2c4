import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCli } from "../../../tools/cli";
import type { AwsMeter } from "../../../tools/review/billing";
import { streamMembers } from "../../../tools/review/offerStream";
import { refreshAwsPrices } from "../../../tools/review/prices.aws";
import { awsBulkApi, closedPortUrl } from "../../helpers/priceApis";

const OFFERS = path.join(__dirname, "../../fixtures/review/aws-offers");

const bulkApi = () => awsBulkApi(OFFERS);

const aws = (key: string, serviceCode: string, regionCode: string, unit: string, rest: Partial<AwsMeter> = {}): AwsMeter => ({ key: `${key}/${regionCode}`, cloud: "aws", serviceCode, regionCode, unit, ...rest });
const LOCATION = { locationType: "AWS Region" };
const EC2 = aws("ec2/linux/m7g.xlarge", "AmazonEC2", "us-east-1", "Hrs", {
    productFamily: "Compute Instance",
    attributes: { instanceType: "m7g.xlarge", operatingSystem: "Linux", tenancy: "Shared", preInstalledSw: "NA", capacitystatus: "Used", licenseModel: "No License required", ...LOCATION },
});
const NAT_EAST = aws("nat-gateway", "AmazonEC2", "us-east-1", "Hrs", { productFamily: "NAT Gateway", usageType: "NatGateway-Hours" });
const NAT_WEST = aws("nat-gateway", "AmazonEC2", "us-west-2", "Hrs", { productFamily: "NAT Gateway", usageType: "NatGateway-Hours" });
const EBS = aws("ebs/gp2", "AmazonEC2", "us-east-1", "GB-Mo", { productFamily: "Storage", attributes: { volumeApiName: "gp2", ...LOCATION } });
const EKS = aws("eks-cluster", "AmazonEKS", "us-east-1", "Hrs", { productFamily: "Compute", usageType: "AmazonEKS-Hours:perCluster" });
const EKS_EXTENDED = aws("eks-extended-support", "AmazonEKS", "us-east-1", "Hrs", { productFamily: "Compute", usageType: "AmazonEKS-Hours:extendedSupport" });
const ALARM = aws("cloudwatch-alarm/standard", "AmazonCloudWatch", "us-east-1", "Alarms", { productFamily: "Alarm", attributes: { alarmType: "Standard" } });
const DASHBOARD = aws("cloudwatch-dashboard", "AmazonCloudWatch", "us-east-1", "Dashboards", { productFamily: "Dashboard", usageType: "DashboardsUsageHour" });
const SPOT = aws("ec2-spot/m7g.xlarge", "AmazonEC2", "us-east-1", "Hrs", { notInPriceList: "Spot prices are not in the AWS Price List" });
const NO_SERVICE = aws("secret", "AWSSecretsManager", "us-east-1", "Secrets", { usageType: "AWSSecretsManager-Secrets" });
const NO_REGION = aws("eks-cluster", "AmazonEKS", "eu-west-1", "Hrs", { productFamily: "Compute", usageType: "AmazonEKS-Hours:perCluster" });

describe("review: prices refresh (AWS Price List Bulk API)", () => {
    it("streams index → region index → offer file and prices each meter from its one matching OnDemand product", async () => {
        const api = await bulkApi();
        try {
            const table = await refreshAwsPrices([EC2, NAT_EAST, NAT_WEST, EBS, EKS, EKS_EXTENDED, ALARM, DASHBOARD, SPOT, NO_REGION], { api: api.url, today: "2026-11-29" });
            const ec2Offer = `${api.url}/offers/v1.0/aws/AmazonEC2/20261101000000/us-east-1/index.json`;
            // Linux, shared, used capacity: not the Windows product, not the unused reservation, not the Reserved term.
            assert.deepEqual(table.entries[EC2.key], { meter: EC2, unitPrice: 0.1632, effectiveDate: "2026-11-01", source: `${ec2Offer}#EC2LINUX`, retrieved: "2026-11-29" });
            // us-east-1 usage types have no region prefix, us-west-2's do ("USW2-"); the usage type is compared without it.
            assert.equal(table.entries[NAT_EAST.key].unitPrice, 0.045);
            assert.equal(table.entries[NAT_EAST.key].effectiveDate, "2025-06-01");
            assert.equal(table.entries[NAT_WEST.key].unitPrice, 0.045);
            assert.equal(table.entries[EKS.key].unitPrice, 0.1);
            assert.equal(table.entries[EKS_EXTENDED.key].unitPrice, 0.5);
            // The free first tier ($0 for the first 10 alarms) is left out, like every free grant.
            assert.equal(table.entries[ALARM.key].unitPrice, 0.1);
        } finally {
            await api.close();
        }
    });

    it("says what it reads on stderr, and a failure names the URL and the cause", async () => {
        const api = await bulkApi();
        const progress: string[] = [];
        try {
            await refreshAwsPrices([EC2, EKS], { api: api.url, today: "2026-11-29", progress: (l) => progress.push(l) });
            assert.deepEqual(progress, [
                `prices: AWS Price List: ${api.url}/offers/v1.0/aws/index.json`,
                `prices: AWS Price List: AmazonEC2 us-east-1 (1 meters): ${api.url}/offers/v1.0/aws/AmazonEC2/20261101000000/us-east-1/index.json`,
                `prices: AWS Price List: AmazonEKS us-east-1 (1 meters): ${api.url}/offers/v1.0/aws/AmazonEKS/20261101000000/us-east-1/index.json`,
            ]);
            // A base URL that is not the Bulk API: the index is not there.
            await assert.rejects(refreshAwsPrices([EC2], { api: `${api.url}/nowhere` }), (err: Error) => err.message === `${api.url}/nowhere/offers/v1.0/aws/index.json: HTTP 404 Not Found`);
        } finally {
            await api.close();
        }
        const refused = await closedPortUrl("");
        await assert.rejects(refreshAwsPrices([EC2], { api: refused }), /\/offers\/v1\.0\/aws\/index\.json: connection refused by 127\.0\.0\.1 \(ECONNREFUSED\)/);
    });

    it("keeps unpriced, with why: several prices, another unit, Spot, a region the service has no offer for", async () => {
        const api = await bulkApi();
        try {
            const table = await refreshAwsPrices([EBS, DASHBOARD, SPOT, NO_REGION, NO_SERVICE], { api: api.url, today: "2026-11-29" });
            // The Local Zone gp2 product (0.12) is not a region's; the two region products disagree.
            assert.equal(table.entries[EBS.key].unitPrice, null);
            assert.equal(table.entries[EBS.key].note, "2 different prices matched: 0.1, 0.15 (SKUs GP2A, GP2B)");
            assert.equal(table.entries[DASHBOARD.key].note, "the matching product is priced per Dashboard-Mo, not per Dashboards");
            assert.equal(table.entries[SPOT.key].note, "Spot prices are not in the AWS Price List");
            assert.equal(table.entries[NO_REGION.key].note, "the price list has no AmazonEKS offer for eu-west-1");
            assert.equal(table.entries[NO_SERVICE.key].note, "the price list index has no AWSSecretsManager offer");
            // Only the offer files the meters need are read; Spot meters fetch nothing.
            assert.deepEqual(api.requests.filter((r) => r.includes("/20261101000000/")).sort(), [
                "/offers/v1.0/aws/AmazonCloudWatch/20261101000000/us-east-1/index.json",
                "/offers/v1.0/aws/AmazonEC2/20261101000000/us-east-1/index.json",
            ]);
        } finally {
            await api.close();
        }
    });

    it("`bookstore-infra prices refresh --plan --aws-api` writes the AWS table for the plan's meters and leaves the Azure table alone", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prices-aws-"));
        const planFile = path.join(dir, "plan.json");
        const provider = "urn:pulumi:t::bookstore::pulumi:providers:aws::aws-primary";
        fs.writeFileSync(planFile, JSON.stringify({ stack: "t", resources: [
            { urn: provider, type: "pulumi:providers:aws", name: "aws-primary", parent: null, provider: null, inputs: { region: "us-east-1" } },
            { urn: "u1", type: "aws:ec2/natGateway:NatGateway", name: "nat", parent: null, provider, inputs: {} },
        ] }));
        const api = await bulkApi();
        const out: string[] = [];
        try {
            const azureOut = path.join(dir, "azure.json");
            const code = await runCli(["prices", "refresh", "--plan", planFile, "--aws-api", api.url, "--aws-out", path.join(dir, "aws.json"), "--out", azureOut], { out: (l) => out.push(l), err: (l) => out.push(l) });
            assert.equal(code, 0, out.join("\n"));
            const table = JSON.parse(fs.readFileSync(path.join(dir, "aws.json"), "utf8"));
            assert.deepEqual(Object.keys(table.entries), ["nat-gateway/us-east-1"]);
            assert.equal(table.entries["nat-gateway/us-east-1"].unitPrice, 0.045);
            assert.equal(fs.existsSync(azureOut), false);
        } finally {
            await api.close();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("review: offer files read as a stream", () => {
    it("yields the members of the requested objects whatever the chunk boundaries, escapes included", async () => {
        const doc = JSON.stringify({ disclaimer: "a \"quoted\" {brace}", products: { "A\"1": { sku: "A\"1", attributes: { x: "}" } }, B: { sku: "B", list: [{ y: 1 }] } }, terms: { OnDemand: { B: { t: 1 } }, Reserved: { B: { t: 2 } } } });
        for (const size of [1, 2, 3, 5, doc.length]) {
            const seen: [string, string, unknown][] = [];
            async function* chunks() {
                for (let i = 0; i < doc.length; i += size) yield doc.slice(i, i + size);
            }
            await streamMembers(chunks(), ["products", "terms.OnDemand"], (p, key, value) => seen.push([p, key, value]));
            assert.deepEqual(seen, [
                ["products", "A\"1", { sku: "A\"1", attributes: { x: "}" } }],
                ["products", "B", { sku: "B", list: [{ y: 1 }] }],
                ["terms.OnDemand", "B", { t: 1 }],
            ], `chunks of ${size}`);
        }
    });

    it("fails on a file cut short", async () => {
        async function* chunks() {
            yield '{"products": {"A": {"sku": "A"';
        }
        await assert.rejects(streamMembers(chunks(), ["products"], () => undefined), /ended before its JSON did/);
    });
});
