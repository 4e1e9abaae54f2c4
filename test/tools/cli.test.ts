import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCli } from "../../tools/cli";
import { EXIT } from "../../tools/cliSupport";
import { PROJECT_DIR } from "../../tools/automation";
import { diagnosticEvent, failedEvent, FakePulumiCli, policyEvent, stepEvent, summaryEvent } from "./automationFakeCli";

const KV = "azure-native:keyvault:Vault";
const PG = "azure-native:dbforpostgresql:Server";
const BIN = path.join(PROJECT_DIR, "tools", "bin", "bookstore-infra.js");

interface CliRun {
    exitCode: number;
    out: string[];
    err: string[];
}

async function cli(args: string[], runner: FakePulumiCli): Promise<CliRun> {
    const out: string[] = [];
    const err: string[] = [];
    const exitCode = await runCli(args, { out: (line) => out.push(line), err: (line) => err.push(line), runner });
    return { exitCode, out, err };
}

/** The installed bin, as a user runs it, with a PATH and HOME that hold no Pulumi CLI. */
function binWithoutPulumi(args: string[]) {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "no-pulumi-"));
    const started = Date.now();
    const child = spawnSync(process.execPath, [BIN, ...args], { cwd: os.tmpdir(), encoding: "utf8", env: { PATH: empty, HOME: empty }, timeout: 60000 });
    fs.rmSync(empty, { recursive: true, force: true });
    return { exitCode: child.status, stdout: child.stdout, stderr: child.stderr, seconds: (Date.now() - started) / 1000 };
}

const replacingDatabase = () =>
    new FakePulumiCli().on("preview", {
        events: [stepEvent("resourcePreEvent", "replace", PG, "bookstore-db", true), summaryEvent({ replace: 1, same: 30 })],
    });

describe("bookstore-infra CLI", () => {
    describe("preview", () => {
        it("streams a line per resource event, then the change summary; the policy pack is on by default", async () => {
            const runner = new FakePulumiCli().on("preview", {
                events: [
                    stepEvent("resourcePreEvent", "same", KV, "unchanged-kv"),
                    stepEvent("resourcePreEvent", "create", KV, "bookstore-kv"),
                    stepEvent("resourcePreEvent", "update", PG, "bookstore-db", true),
                    summaryEvent({ create: 1, update: 1, same: 1 }),
                ],
            });
            const run = await cli(["preview", "--stack", "dev"], runner);
            assert.equal(run.exitCode, EXIT.ok, run.err.join("\n"));
            assert.deepEqual(run.out, [
                "Previewing dev (policy pack: policy)",
                `   + create       ${KV}  bookstore-kv`,
                `   ~ update       ${PG}  bookstore-db`,
                "",
                "Preview of dev: 1 to create, 1 to update, 1 unchanged (12 s)",
            ]);
            assert.deepEqual(runner.callOf("preview").args.slice(0, 3), ["preview", "--policy-pack", "policy"]);
            assert.deepEqual(runner.callOf("preview").args.slice(-3), ["--stack", "dev", "--non-interactive"]);
        });

        it("takes other policy packs, none, and config", async () => {
            const packs = new FakePulumiCli();
            await cli(["preview", "--stack", "dev", "--policy-pack", "policy", "--policy-pack", "/opt/org-pack", "--policy-pack-config", "pc.json"], packs);
            assert.deepEqual(packs.callOf("preview").args.slice(0, 7), ["preview", "--policy-pack", "policy", "--policy-pack", "/opt/org-pack", "--policy-pack-config", "pc.json"]);

            const none = new FakePulumiCli();
            const run = await cli(["preview", "-s", "dev", "--no-policy-pack", "-c", "app.services.api.minReplicas=3", "--config-path"], none);
            assert.equal(run.out[0], "Previewing dev (no policy pack)");
            assert.ok(!none.callOf("preview").args.includes("--policy-pack"));
            assert.deepEqual(none.callOf("config set-all").args, ["config", "set-all", "--stack", "dev", "--path", "--plaintext", "bookstore:app.services.api.minReplicas=3", "--non-interactive"]);
        });

        it("prints one JSON document with --json and sends progress to stderr", async () => {
            const runner = new FakePulumiCli().on("preview", {
                events: [stepEvent("resourcePreEvent", "create", KV, "bookstore-kv"), policyEvent("kv-purge-protection", "warning", "Key Vaults need purge protection.", "bookstore-kv", KV), summaryEvent({ create: 1 })],
            });
            const run = await cli(["preview", "--stack", "dev", "--json"], runner);
            assert.equal(run.exitCode, EXIT.ok);
            const document = JSON.parse(run.out.join("\n"));
            assert.equal(document.command, "preview");
            assert.equal(document.ok, true);
            assert.deepEqual(document.changeSummary, { create: 1 });
            assert.deepEqual(document.steps.map((step: { op: string; name: string }) => [step.op, step.name]), [["create", "bookstore-kv"]]);
            assert.equal(document.policyViolations[0].policy, "kv-purge-protection");
            assert.equal(run.err.length, 2, "one progress line per event on stderr");
        });

        it("exits 3 on a mandatory policy violation (as the offline plan does) and 1 on any other failure", async () => {
            const violating = new FakePulumiCli().on("preview", {
                exitCode: 255,
                stderr: "error: preview failed\n",
                events: [policyEvent("postgres-protected", "mandatory", "Databases must be protected.", "bookstore-db", PG)],
            });
            const rejected = await cli(["preview", "--stack", "dev"], violating);
            assert.equal(rejected.exitCode, EXIT.policyViolation);
            assert.ok(rejected.out.includes("Policy: 1 mandatory, 0 advisory violation(s)"));
            assert.match(rejected.err.join("\n"), /preview of stack "dev" failed: error: preview failed/);

            const broken = new FakePulumiCli().on("up", {
                exitCode: 255,
                stderr: "error: update failed\n",
                events: [failedEvent("create", KV, "bookstore-kv"), diagnosticEvent("error", "name already taken", "bookstore-kv")],
            });
            const failed = await cli(["up", "--stack", "dev"], broken);
            assert.equal(failed.exitCode, EXIT.failed);
            assert.ok(failed.out.includes("   x create failed azure-native:keyvault:Vault  bookstore-kv"), failed.out.join("\n"));
            assert.ok(failed.out.includes("Failed: bookstore-kv"));
        });
    });

    describe("production guard", () => {
        it("refuses destroy of prod without --yes --confirm prod, and never calls the CLI's destroy", async () => {
            for (const args of [[], ["--yes"], ["--confirm", "prod"], ["--yes", "--confirm", "dev"]]) {
                const runner = new FakePulumiCli();
                const run = await cli(["destroy", "--stack", "prod", ...args], runner);
                assert.equal(run.exitCode, EXIT.refused, `destroy --stack prod ${args.join(" ")}`);
                assert.match(run.err.join("\n"), /--yes/);
                assert.ok(!runner.commands().includes("destroy"));
            }
            const confirmed = new FakePulumiCli().on("destroy", { events: [stepEvent("resourcePreEvent", "delete", KV, "bookstore-kv"), summaryEvent({ delete: 1 })] });
            const run = await cli(["destroy", "--stack", "prod", "--yes", "--confirm", "prod"], confirmed);
            assert.equal(run.exitCode, EXIT.ok, run.err.join("\n"));
            assert.ok(run.out.includes("Destroy of prod: 1 deleted (12 s)"));
        });

        it("destroys a dev stack with --yes alone", async () => {
            const runner = new FakePulumiCli();
            assert.equal((await cli(["destroy", "--stack", "dev"], runner)).exitCode, EXIT.refused);
            assert.equal((await cli(["destroy", "--stack", "dev", "--yes"], runner)).exitCode, EXIT.ok);
            assert.ok(runner.commands().includes("destroy"));
        });

        it("refuses up of prod that replaces a protected resource unless --yes --confirm prod", async () => {
            const refused = replacingDatabase();
            const run = await cli(["up", "--stack", "prod", "--confirm", "prod"], refused);
            assert.equal(run.exitCode, EXIT.refused);
            assert.match(run.err.join("\n"), /replaces 1 protected resource\(s\)[\s\S]*bookstore-db[\s\S]*--yes --confirm prod/);
            assert.ok(!refused.commands().includes("up"));

            const asJson = await cli(["up", "--stack", "prod", "--json"], replacingDatabase());
            assert.equal(asJson.exitCode, EXIT.refused);
            const document = JSON.parse(asJson.out.join("\n"));
            assert.deepEqual([document.command, document.ok, document.exitCode], ["up", false, EXIT.refused]);
            assert.deepEqual(document.protectedReplacements.map((step: { name: string }) => step.name), ["bookstore-db"]);
            assert.match(document.error, /Refusing to update production stack "prod"/);

            const confirmed = replacingDatabase();
            const ok = await cli(["up", "--stack", "prod", "--yes", "--confirm", "prod"], confirmed);
            assert.equal(ok.exitCode, EXIT.ok, ok.err.join("\n"));
            assert.ok(confirmed.commands().includes("up"));
        });
    });

    describe("outputs", () => {
        const withOutputs = () =>
            new FakePulumiCli().on("stack output", (args) => ({
                stdout: JSON.stringify({ databaseWriteHost: "bookstore-db.postgres.database.azure.com", databaseAdminPassword: args.includes("--show-secrets") ? "pw" : "[secret]" }),
            }));

        it("masks secrets unless --show-secrets", async () => {
            const masked = await cli(["outputs", "--stack", "prod"], withOutputs());
            assert.deepEqual(masked.out, ["databaseWriteHost: bookstore-db.postgres.database.azure.com", "databaseAdminPassword: [secret]"]);
            const shown = await cli(["outputs", "--stack", "prod", "--show-secrets", "--json"], withOutputs());
            assert.deepEqual(JSON.parse(shown.out.join("\n")), { databaseWriteHost: "bookstore-db.postgres.database.azure.com", databaseAdminPassword: "pw" });
        });
    });

    describe("usage", () => {
        it("exits 2 on an unknown option or a missing --stack, 0 on --help", async () => {
            assert.equal((await cli(["preview", "--stack", "dev", "--frobnicate"], new FakePulumiCli())).exitCode, EXIT.usage);
            const missing = await cli(["up"], new FakePulumiCli());
            assert.equal(missing.exitCode, EXIT.usage);
            assert.match(missing.err.join("\n"), /--stack/);
            const help = await cli(["--help"], new FakePulumiCli());
            assert.equal(help.exitCode, EXIT.ok);
            for (const command of ["plan", "preview", "up", "destroy", "refresh", "outputs", "doctor"]) assert.match(help.out.join("\n"), new RegExp(`\\n  ${command}[ |]`));
        });
    });

    describe("exit codes and JSON error documents", () => {
        it("a usage error exits 2 and, with --json, prints a JSON error document on stdout", async () => {
            const missingValue = await cli(["plan", "--stack"], new FakePulumiCli());
            assert.equal(missingValue.exitCode, EXIT.usage);
            assert.match(missingValue.err.join("\n"), /option '-s, --stack <name>' argument missing/);

            const noStack = await cli(["preview", "--json"], new FakePulumiCli());
            assert.equal(noStack.exitCode, EXIT.usage);
            const document = JSON.parse(noStack.out.join("\n"));
            assert.deepEqual([document.command, document.ok, document.exitCode], ["preview", false, EXIT.usage]);
            assert.match(document.error, /required option '-s, --stack <name>' not specified/);

            const badConfig = await cli(["up", "--stack", "dev", "-c", "novalue", "--json"], new FakePulumiCli());
            assert.equal(badConfig.exitCode, EXIT.usage);
            assert.match(JSON.parse(badConfig.out.join("\n")).error, /--config: expected key=value, got "novalue"/);
        });

        it("plan --json prints a JSON error document when it fails; a missing stack lists the stacks there are", async () => {
            const run = await cli(["plan", "--stack", "nosuchstack", "--json"], new FakePulumiCli());
            assert.equal(run.exitCode, EXIT.usage);
            const document = JSON.parse(run.out.join("\n"));
            assert.deepEqual([document.command, document.ok, document.exitCode], ["plan", false, EXIT.usage]);
            assert.match(document.error, /Pulumi\.nosuchstack\.yaml: file not found/);
            assert.match(document.error, /the stacks of this project are: dev, dev-eks, prod, prod-aks, prod-cloudflare, prod-eks/);
        });

        it("accepts deploy as up, and prints its version", async () => {
            const runner = new FakePulumiCli();
            const run = await cli(["deploy", "--stack", "dev"], runner);
            assert.equal(run.exitCode, EXIT.ok, run.err.join("\n"));
            assert.ok(runner.commands().includes("up"));
            const version = await cli(["--version"], new FakePulumiCli());
            assert.equal(version.exitCode, EXIT.ok);
            assert.deepEqual(version.out, [JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).version]);
        });
    });

    describe("the bin on a machine without the Pulumi CLI", () => {
        it("answers argument and guard checks first: they need no cloud", () => {
            const dev = binWithoutPulumi(["destroy", "--stack", "dev"]);
            assert.equal(dev.exitCode, EXIT.refused, dev.stderr);
            assert.match(dev.stderr, /Refusing to destroy "dev" without --yes/);
            assert.doesNotMatch(dev.stderr, /Pulumi CLI was not found/);

            const prod = binWithoutPulumi(["destroy", "--stack", "prod", "--yes", "--json"]);
            assert.equal(prod.exitCode, EXIT.refused, prod.stderr);
            const document = JSON.parse(prod.stdout);
            assert.deepEqual([document.command, document.ok, document.exitCode], ["destroy", false, EXIT.refused]);
            assert.match(document.error, /Refusing to destroy production stack "prod"[\s\S]*--yes --confirm prod/);
        });

        it("with --json, the missing CLI is a JSON error document on stdout", () => {
            const run = binWithoutPulumi(["preview", "--stack", "dev", "--json"]);
            assert.equal(run.exitCode, EXIT.cliMissing, run.stderr);
            const document = JSON.parse(run.stdout);
            assert.deepEqual([document.command, document.ok, document.exitCode], ["preview", false, EXIT.cliMissing]);
            assert.match(document.error, /The Pulumi CLI was not found/);
        });

        it("stops every cloud command at once with exit 4, what to install and a pointer to plan", () => {
            for (const args of [["preview", "--stack", "dev"], ["destroy", "--stack", "prod", "--yes", "--confirm", "prod"], ["outputs", "--stack", "dev"], ["doctor", "--stack", "prod"]]) {
                const run = binWithoutPulumi(args);
                assert.equal(run.exitCode, EXIT.cliMissing, `${args.join(" ")}: ${run.stderr}`);
                assert.equal(run.stdout, "", "nothing starts");
                assert.match(run.stderr, /The Pulumi CLI was not found/);
                assert.match(run.stderr, /https:\/\/www\.pulumi\.com\/docs\/install/);
                assert.match(run.stderr, /npm run plan -- --stack <stack>/);
                assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
                assert.ok(run.seconds < 20, `took ${run.seconds} s`);
            }
        });

        it("still plans offline", () => {
            const run = binWithoutPulumi(["plan", "--stack", "dev", "--json"]);
            assert.equal(run.exitCode, 0, run.stderr);
            const document = JSON.parse(run.stdout);
            assert.equal(document.stack, "dev");
            assert.ok(document.resources.some((resource: { type: string }) => resource.type === "azure-native:resources:ResourceGroup"));
        });
    });
});
