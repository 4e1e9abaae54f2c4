import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { deployStack, desiredSizes, PROJECT_DIR, ScaleOrderError, scaleOrderProblems, scaleStack, ServerSize } from "../../tools/automation";
import { runCli } from "../../tools/cli";
import { EXIT } from "../../tools/cliSupport";
import { stackVariant } from "../helpers/plan";
import { FakePulumiCli } from "./automationFakeCli";

const SERVER = "azure-native:dbforpostgresql:Server";
const CONFIGURATION = "azure-native:dbforpostgresql:Configuration";
const urn = (type: string, name: string) => `urn:pulumi:prod::bookstore::bookstore:database:DatabaseTier$${type}::${name}`;

/**
 * The state `pulumi stack export` returns for prod as first deployed: D4ds_v5, 128 GiB, max_connections 200;
 * `writer`: the server Azure reported as the primary (outputs `replica.role`, as after a switchover and an up).
 */
function deployedProd(skuName = "Standard_D4ds_v5", writer = "bookstore-prod-pg"): string {
    const server = (name: string) => ({
        urn: urn(SERVER, name), type: SERVER,
        inputs: { sku: { name: skuName, tier: "GeneralPurpose" }, storage: { storageSizeGB: 128, autoGrow: "Enabled" } },
        outputs: { sku: { name: skuName, tier: "GeneralPurpose" }, storage: { storageSizeGB: 128, autoGrow: "Enabled" }, replica: { role: name === writer ? "Primary" : "AsyncReplica" } },
    });
    const maxConnections = (server: string) => ({ urn: urn(CONFIGURATION, `${server}-max-connections`), type: CONFIGURATION, inputs: { configurationName: "max_connections", value: "200" } });
    const resources = [
        server("bookstore-prod-pg"), maxConnections("bookstore-prod-pg"),
        server("bookstore-prod-pg-replica-1"), maxConnections("bookstore-prod-pg-replica-1"),
        server("bookstore-prod-pg-replica-2"), maxConnections("bookstore-prod-pg-replica-2"),
        { urn: urn("azure-native:keyvault:Secret", "database-connection-bookstore"), type: "azure-native:keyvault:Secret", inputs: {} },
    ];
    return JSON.stringify({ version: 3, deployment: { resources } });
}

/** A project directory whose prod stack file asks for D8ds_v5 everywhere (a scale-up). */
function scaledUpProject(): string {
    const variant = stackVariant("prod", (config) => {
        const db = config["bookstore:database"];
        db.sku = { name: "Standard_D8ds_v5" };
        db.replicas = db.replicas?.map((r: Record<string, unknown>) => ({ ...r, sku: { name: "Standard_D8ds_v5" } }))
            ?? [{ location: "eastus2", sku: { name: "Standard_D8ds_v5" } }, { location: "westus2", sku: { name: "Standard_D8ds_v5" } }];
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scale-project-"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.copyFileSync(variant, path.join(dir, "Pulumi.prod.yaml"));
    return dir;
}

const size = (name: string, role: ServerSize["role"], vCores: number, storageGB = 128, maxConnections = 200, autoGrow = true): ServerSize =>
    ({ name, role, vCores, memoryGiB: vCores * 4, storageGB, autoGrow, maxConnections });

describe("scale order (replicas before the primary on the way up)", () => {
    const deployed = [size("pg", "primary", 4), size("pg-replica-1", "replica", 4)];

    it("finds a scale-up that one update would apply to the primary first: compute, storage, max_connections, autogrow", () => {
        assert.deepEqual(scaleOrderProblems(deployed, [size("pg", "primary", 8), size("pg-replica-1", "replica", 8)]), [
            "the primary's vCores goes to 8 while pg-replica-1 has 4",
            "the primary's memory (GiB) goes to 32 while pg-replica-1 has 16",
        ]);
        assert.deepEqual(scaleOrderProblems(deployed, [size("pg", "primary", 4, 256), size("pg-replica-1", "replica", 4, 256)]),
            ["the primary's storage (GiB) goes to 256 while pg-replica-1 has 128"]);
        assert.deepEqual(scaleOrderProblems(deployed, [size("pg", "primary", 4, 128, 400), size("pg-replica-1", "replica", 4, 128, 400)]),
            ["the primary's max_connections goes to 400 while pg-replica-1 has 200"]);
        const off = [size("pg", "primary", 4, 128, 200, false), size("pg-replica-1", "replica", 4, 128, 200, false)];
        assert.deepEqual(scaleOrderProblems(off, [size("pg", "primary", 4), size("pg-replica-1", "replica", 4)]),
            ["storage autogrow goes on at the primary while pg-replica-1 has it off"]);
    });

    it("lets through scale-downs (the primary goes first, as Azure wants), unchanged sizes and replicas already scaled", () => {
        assert.deepEqual(scaleOrderProblems(deployed, [size("pg", "primary", 2), size("pg-replica-1", "replica", 2)]), []);
        assert.deepEqual(scaleOrderProblems(deployed, deployed), []);
        assert.deepEqual(scaleOrderProblems([size("pg", "primary", 4), size("pg-replica-1", "replica", 8)], [size("pg", "primary", 8), size("pg-replica-1", "replica", 8)]), []);
        assert.deepEqual(scaleOrderProblems([], [size("pg", "primary", 8), size("pg-replica-1", "replica", 8)]), [], "a first deploy has nothing to order");
    });

    it("reads the desired sizes from the stack file: prod is D4ds_v5 (4 vCores, 16 GiB), 128 GiB, max_connections 200", () => {
        assert.deepEqual(desiredSizes("prod").map((s) => [s.name, s.role, s.vCores, s.memoryGiB, s.storageGB, s.maxConnections]), [
            ["bookstore-prod-pg", "primary", 4, 16, 128, 200],
            ["bookstore-prod-pg-replica-1", "replica", 4, 16, 128, 200],
            ["bookstore-prod-pg-replica-2", "replica", 4, 16, 128, 200],
        ]);
    });

    it("refuses `up` of a scale-up in one update, naming the rule and the scale command; nothing runs", async () => {
        const cli = new FakePulumiCli().on("stack export", { stdout: deployedProd() });
        const err = await deployStack({ stack: "prod", runner: cli, projectDir: scaledUpProject() }).then(() => undefined, (e) => e);
        assert.ok(err instanceof ScaleOrderError, String(err));
        assert.match(err.message, /vCores goes to 8 while bookstore-prod-pg-replica-1 has 4/);
        assert.match(err.message, /bookstore-infra scale --stack prod/);
        assert.ok(!cli.commands().includes("up") && !cli.commands().includes("preview"), "neither preview nor up ran");
    });

    it("`scale` updates the replicas and their parameters first (targeted), then everything", async () => {
        const cli = new FakePulumiCli().on("stack export", { stdout: deployedProd() });
        await scaleStack({ stack: "prod", runner: cli, projectDir: scaledUpProject(), confirm: "prod" });
        const ups = cli.calls.filter((c) => c.command === "up");
        assert.equal(ups.length, 2);
        const targets = ups[0].args.flatMap((arg, i) => (arg === "--target" ? [ups[0].args[i + 1].split("::").pop()] : []));
        assert.deepEqual(targets, ["bookstore-prod-pg-replica-1", "bookstore-prod-pg-replica-1-max-connections", "bookstore-prod-pg-replica-2", "bookstore-prod-pg-replica-2-max-connections"]);
        assert.ok(!ups[1].args.includes("--target"), "the second update is the whole stack");
    });

    it("after a switchover it orders by the roles Azure reports, not by names: the demoted primary first, the promoted replica last", async () => {
        const cli = new FakePulumiCli().on("stack export", { stdout: deployedProd("Standard_D4ds_v5", "bookstore-prod-pg-replica-2") });
        const dir = scaledUpProject();
        const file = path.join(dir, "Pulumi.prod.yaml");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/^(  bookstore:database:\n)/m, "$1    failover:\n      promoted: true\n"));
        assert.deepEqual(desiredSizes("prod", file).map((s) => [s.name, s.role]), [
            ["bookstore-prod-pg", "replica"], ["bookstore-prod-pg-replica-1", "replica"], ["bookstore-prod-pg-replica-2", "primary"],
        ]);
        await scaleStack({ stack: "prod", runner: cli, projectDir: dir, confirm: "prod" });
        const first = cli.calls.filter((c) => c.command === "up")[0];
        const targets = first.args.flatMap((arg, i) => (arg === "--target" ? [first.args[i + 1].split("::").pop()] : []));
        assert.deepEqual(targets, ["bookstore-prod-pg", "bookstore-prod-pg-max-connections", "bookstore-prod-pg-replica-1", "bookstore-prod-pg-replica-1-max-connections"]);
        const err = await deployStack({ stack: "prod", runner: new FakePulumiCli().on("stack export", { stdout: deployedProd("Standard_D4ds_v5", "bookstore-prod-pg-replica-2") }), projectDir: dir }).then(() => undefined, (e) => e);
        assert.ok(err instanceof ScaleOrderError && /vCores goes to 8 while bookstore-prod-pg has 4/.test(err.message), String(err));
    });

    it("CLI: `up` of prod refused with exit 5 when the stack file outgrows the deployed replicas; `scale` goes through", async () => {
        const io = () => { const lines: string[] = []; return { lines, out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) }; };
        // Deployed at D2ds_v5; Pulumi.prod.yaml asks for D4ds_v5.
        const refusedCli = new FakePulumiCli().on("stack export", { stdout: deployedProd("Standard_D2ds_v5") });
        const refusedIo = io();
        assert.equal(await runCli(["up", "--stack", "prod"], { ...refusedIo, runner: refusedCli }), EXIT.refused);
        assert.match(refusedIo.lines.join("\n"), /vCores goes to 4 while bookstore-prod-pg-replica-1 has 2[\s\S]*bookstore-infra scale --stack prod/);
        assert.ok(!refusedCli.commands().includes("up"));

        const scaleCli = new FakePulumiCli().on("stack export", { stdout: deployedProd("Standard_D2ds_v5") });
        const scaleIo = io();
        assert.equal(await runCli(["scale", "--stack", "prod", "--yes", "--confirm", "prod"], { ...scaleIo, runner: scaleCli }), EXIT.ok, scaleIo.lines.join("\n"));
        assert.equal(scaleCli.calls.filter((c) => c.command === "up").length, 2);
    });
});
