import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    deployStack,
    destroyStack,
    formatChangeSummary,
    installedPulumiCommand,
    isProductionStack,
    locatePulumiCli,
    OperationFailedError,
    previewStack,
    PROJECT_DIR,
    ProductionGuardError,
    PulumiCliMissingError,
    refreshStack,
    stackOutputs,
} from "../../tools/automation";
import { diagnosticEvent, failedEvent, FakePulumiCli, policyEvent, stepEvent, summaryEvent } from "./automationFakeCli";

const RG = "azure-native:resources:ResourceGroup";
const PG = "azure-native:dbforpostgresql:Server";
const KV = "azure-native:keyvault:Vault";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "automation-test-"));

function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(scratch, prefix));
}

describe("automation library (Automation API over a fake Pulumi CLI)", () => {
    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    describe("argument construction", () => {
        it("selects the stack in the project directory, then previews with the policy pack", async () => {
            const cli = new FakePulumiCli();
            await previewStack({ stack: "dev", runner: cli });
            assert.deepEqual(cli.commands(), ["stack select", "preview"]);
            assert.deepEqual(cli.callOf("stack select").args, ["stack", "select", "--stack", "dev", "--non-interactive"]);
            const preview = cli.callOf("preview");
            assert.equal(preview.cwd, PROJECT_DIR);
            assert.deepEqual(preview.args.slice(0, 3), ["preview", "--policy-pack", "policy"]);
            assert.deepEqual(preview.args.slice(preview.args.indexOf("--exec-kind"), preview.args.indexOf("--exec-kind") + 2), ["--exec-kind", "auto.local"]);
            assert.match(preview.args[preview.args.indexOf("--event-log") + 1], /^tcp:\/\/127\.0\.0\.1:\d+$/);
            assert.deepEqual(preview.args.slice(-3), ["--stack", "dev", "--non-interactive"]);
            assert.equal(preview.env.PULUMI_AUTOMATION_API, "true");
        });

        it("passes other policy packs and their config, or none", async () => {
            const cli = new FakePulumiCli();
            await previewStack({ stack: "dev", runner: cli, policyPacks: ["policy", "../org-pack"], policyPackConfigs: ["pc.json"] });
            const args = cli.callOf("preview").args;
            assert.deepEqual(args.slice(0, 7), ["preview", "--policy-pack", "policy", "--policy-pack", "../org-pack", "--policy-pack-config", "pc.json"]);

            const bare = new FakePulumiCli();
            await previewStack({ stack: "dev", runner: bare, policyPacks: [] });
            assert.ok(!bare.callOf("preview").args.includes("--policy-pack"));
        });

        it("deploys with --yes --skip-preview and the policy pack, and reads outputs and history after", async () => {
            const cli = new FakePulumiCli().on("stack output", (args) => ({
                stdout: args.includes("--show-secrets") ? '{"databaseAdminPassword":"s3cret","databasePort":5432}' : '{"databaseAdminPassword":"[secret]","databasePort":5432}',
            }));
            const result = await deployStack({ stack: "dev", runner: cli });
            assert.deepEqual(cli.commands(), ["stack select", "up", "stack output", "stack output", "stack history"]);
            assert.deepEqual(cli.callOf("up").args.slice(0, 5), ["up", "--yes", "--skip-preview", "--policy-pack", "policy"]);
            assert.deepEqual(result.outputs, { databaseAdminPassword: { value: "s3cret", secret: true }, databasePort: { value: 5432, secret: false } });
        });

        it("refreshes and destroys non-interactively", async () => {
            const cli = new FakePulumiCli();
            await refreshStack({ stack: "dev", runner: cli });
            await destroyStack({ stack: "dev", runner: cli });
            assert.deepEqual(cli.callOf("refresh").args.slice(0, 3), ["refresh", "--skip-preview", "--yes"]);
            assert.deepEqual(cli.callOf("destroy").args.slice(0, 3), ["destroy", "--yes", "--skip-preview"]);
            assert.ok(!cli.callOf("destroy").args.includes("--policy-pack"));
        });

        it("reads outputs with secrets decrypted and flagged", async () => {
            const cli = new FakePulumiCli().on("stack output", (args) => ({
                stdout: JSON.stringify({ databaseWriteHost: "db.example", databaseAdminPassword: args.includes("--show-secrets") ? "pw" : "[secret]" }),
            }));
            const outputs = await stackOutputs({ stack: "prod", runner: cli });
            assert.deepEqual(outputs, { databaseWriteHost: { value: "db.example", secret: false }, databaseAdminPassword: { value: "pw", secret: true } });
            assert.deepEqual(cli.calls[1].args, ["stack", "output", "--json", "--stack", "prod", "--non-interactive"]);
        });
    });

    describe("config passing", () => {
        it("writes config to the stack before the operation, qualifying bare keys with the project name", async () => {
            const cli = new FakePulumiCli();
            await previewStack({
                stack: "dev",
                runner: cli,
                config: { "app.services.api.minReplicas": { value: "3" }, "azure-native:location": { value: "westeurope" }, "cache.password": { value: "hunter2", secret: true } },
                configPath: true,
            });
            assert.deepEqual(cli.commands(), ["stack select", "config set-all", "preview"]);
            assert.deepEqual(cli.callOf("config set-all").args, [
                "config", "set-all", "--stack", "dev", "--path",
                "--plaintext", "bookstore:app.services.api.minReplicas=3",
                "--plaintext", "azure-native:location=westeurope",
                "--secret", "bookstore:cache.password=hunter2",
                "--non-interactive",
            ]);
        });

        it("hands extra environment to the CLI", async () => {
            const cli = new FakePulumiCli();
            await previewStack({ stack: "dev", runner: cli, envVars: { PULUMI_BACKEND_URL: "azblob://state" } });
            assert.equal(cli.callOf("preview").env.PULUMI_BACKEND_URL, "azblob://state");
        });
    });

    describe("engine events", () => {
        const previewEvents = [
            { preludeEvent: { config: {} } },
            stepEvent("resourcePreEvent", "same", RG, "bookstore-rg"),
            stepEvent("resourcePreEvent", "create", KV, "bookstore-kv"),
            stepEvent("resourcePreEvent", "replace", PG, "bookstore-db", true),
            policyEvent("storage-https-only", "warning", "Storage accounts should only accept HTTPS.\nSet enableHttpsTrafficOnly.", "bookstoresa"),
            diagnosticEvent("warning", "<{%fg 3%}>deprecated property<{%reset%}>\n", "bookstore-rg"),
            summaryEvent({ same: 1, create: 1, replace: 1 }),
        ];

        it("turns each resource, policy and diagnostic event into one progress line and keeps the change summary", async () => {
            const cli = new FakePulumiCli().on("preview", { events: previewEvents });
            const lines: string[] = [];
            const result = await previewStack({ stack: "dev", runner: cli, onProgress: (line) => lines.push(line) });
            assert.deepEqual(lines, [
                ` + create       ${KV}  bookstore-kv`,
                `+- replace      ${PG}  bookstore-db  [protected]`,
                "policy warning: bookstore-policy/storage-https-only (bookstoresa): Storage accounts should only accept HTTPS. Set enableHttpsTrafficOnly.",
                "warning: bookstore-rg: deprecated property",
            ]);
            assert.deepEqual(result.changeSummary, { same: 1, create: 1, replace: 1 });
            assert.equal(formatChangeSummary(result.changeSummary, true), "1 to create, 1 to replace, 1 unchanged");
            assert.deepEqual(result.protectedReplacements.map((step) => step.name), ["bookstore-db"]);
            assert.equal(result.policyViolations.length, 1);
            assert.equal(result.steps.length, 3);
        });

        it("shows an update's steps as they start and finish, and forwards raw events", async () => {
            const cli = new FakePulumiCli()
                .on("up", { events: [stepEvent("resourcePreEvent", "create", KV, "bookstore-kv"), stepEvent("resOutputsEvent", "create", KV, "bookstore-kv"), summaryEvent({ create: 1, same: 40 })] })
                .on("stack history", { stdout: "[]" });
            const lines: string[] = [];
            let raw = 0;
            const result = await deployStack({ stack: "dev", runner: cli, onProgress: (line) => lines.push(line), onEvent: () => raw++ });
            assert.deepEqual(lines, [` + creating     ${KV}  bookstore-kv`, ` + created      ${KV}  bookstore-kv`]);
            assert.equal(raw, 3);
            assert.equal(formatChangeSummary(result.changeSummary, false), "1 created, 40 unchanged");
        });
    });

    describe("errors", () => {
        it("reports a failed update with the CLI's error lines and what the events said", async () => {
            const cli = new FakePulumiCli().on("up", {
                exitCode: 255,
                stderr: "Updating (dev)\nerror: update failed\n",
                events: [stepEvent("resourcePreEvent", "create", KV, "bookstore-kv"), failedEvent("create", KV, "bookstore-kv"), diagnosticEvent("error", "Vault name already taken", "bookstore-kv")],
            });
            const err = await deployStack({ stack: "dev", runner: cli }).then(() => undefined, (e) => e);
            assert.ok(err instanceof OperationFailedError, String(err));
            assert.equal(err.message, 'up of stack "dev" failed: error: update failed');
            assert.deepEqual(err.log.failedSteps.map((step) => step.name), ["bookstore-kv"]);
            assert.deepEqual(err.log.diagnostics, [{ severity: "error", message: "Vault name already taken", urn: "urn:pulumi:dev::bookstore::azure-native:resources:ResourceGroup::bookstore-kv" }]);
            assert.ok(!cli.commands().includes("stack output"), "no outputs are read after a failed update");
        });

        it("keeps mandatory policy violations of a rejected preview", async () => {
            const cli = new FakePulumiCli().on("preview", {
                exitCode: 255,
                stderr: "error: preview failed: 1 mandatory policy violation\n",
                events: [policyEvent("postgres-protected", "mandatory", "Databases must be protected.", "bookstore-db", PG)],
            });
            const err = await previewStack({ stack: "dev", runner: cli }).then(() => undefined, (e) => e);
            assert.ok(err instanceof OperationFailedError);
            assert.deepEqual(err.log.policyViolations.map((v) => [v.policy, v.enforcementLevel]), [["postgres-protected", "mandatory"]]);
        });

        it("says which stack does not exist", async () => {
            const cli = new FakePulumiCli().on("stack select", { exitCode: 255, stderr: "error: no stack named 'staging' found\n" });
            await assert.rejects(previewStack({ stack: "staging", runner: cli }), { name: "OperationFailedError", message: `preview of stack "staging" failed: error: no stack named 'staging' found` });
            assert.deepEqual(cli.commands(), ["stack select"]);
        });
    });

    describe("missing Pulumi CLI", () => {
        it("stops at once with what to install and a pointer to the offline plan", async () => {
            const empty = tempDir("no-pulumi-");
            const env = { PATH: empty, HOME: empty };
            assert.equal(locatePulumiCli(env), undefined);
            const started = Date.now();
            const err = await installedPulumiCommand(env).then(() => undefined, (e) => e);
            // Bound generously: the point is that it fails instead of downloading or installing a CLI, not how fast.
            assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
            assert.ok(err instanceof PulumiCliMissingError);
            assert.match(err.message, /The Pulumi CLI was not found/);
            assert.match(err.message, /curl -fsSL https:\/\/get\.pulumi\.com \| sh/);
            assert.match(err.message, /npm run plan -- --stack <stack>/);
        });

        it("finds the CLI on PATH or in ~/.pulumi/bin and takes its version", async () => {
            const home = tempDir("pulumi-home-");
            const bin = path.join(home, ".pulumi", "bin");
            fs.mkdirSync(bin, { recursive: true });
            fs.writeFileSync(path.join(bin, "pulumi"), '#!/bin/sh\n[ "$1" = version ] && echo v3.248.0\n', { mode: 0o755 });
            const empty = tempDir("no-pulumi-");
            assert.equal(locatePulumiCli({ PATH: empty, HOME: home }), path.join(bin, "pulumi"));
            assert.equal(locatePulumiCli({ PATH: bin, HOME: empty }), path.join(bin, "pulumi"));
            const command = await installedPulumiCommand({ PATH: empty, HOME: home });
            assert.equal(command.version?.toString(), "3.248.0");
            assert.equal(command.command, path.join(bin, "pulumi"));
        });
    });

    describe("production guard", () => {
        it("knows production stacks by name or by the stack file's environment", () => {
            assert.equal(isProductionStack("prod", PROJECT_DIR), true);
            assert.equal(isProductionStack("acme/bookstore/prod", PROJECT_DIR), true);
            assert.equal(isProductionStack("dev", PROJECT_DIR), false);
            const project = tempDir("guard-project-");
            fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: bookstore\nruntime: nodejs\n");
            fs.writeFileSync(path.join(project, "Pulumi.eu.yaml"), "config:\n  bookstore:environment: prod\n");
            fs.writeFileSync(path.join(project, "Pulumi.qa.yaml"), "config:\n  bookstore:environment: staging\n");
            assert.equal(isProductionStack("eu", project), true);
            assert.equal(isProductionStack("qa", project), false);
        });

        it("refuses to destroy prod without the stack name typed again, before running anything", async () => {
            const cli = new FakePulumiCli();
            await assert.rejects(destroyStack({ stack: "prod", runner: cli }), ProductionGuardError);
            await assert.rejects(destroyStack({ stack: "prod", runner: cli, confirm: "dev" }), /--yes --confirm prod/);
            assert.deepEqual(cli.calls, []);
            await destroyStack({ stack: "prod", runner: cli, confirm: "prod" });
            assert.ok(cli.commands().includes("destroy"));
        });

        it("refuses an update of prod that replaces protected resources, unless confirmed", async () => {
            const replacing = () =>
                new FakePulumiCli().on("preview", {
                    events: [stepEvent("resourcePreEvent", "replace", PG, "bookstore-db", true), stepEvent("resourcePreEvent", "update", KV, "bookstore-kv", true), summaryEvent({ replace: 1, update: 1 })],
                });
            const refused = replacing();
            const err = await deployStack({ stack: "prod", runner: refused }).then(() => undefined, (e) => e);
            assert.ok(err instanceof ProductionGuardError, String(err));
            assert.deepEqual(err.replacements.map((step: { name: string }) => step.name), ["bookstore-db"]);
            assert.match(err.message, /replaces 1 protected resource/);
            assert.ok(!refused.commands().includes("up"), "up must not run");
            assert.equal(refused.callOf("preview").args[2], "policy", "the guard's preview runs with the policy pack");

            const confirmed = replacing();
            await deployStack({ stack: "prod", runner: confirmed, confirm: "prod" });
            assert.deepEqual(confirmed.commands().filter((c) => c === "preview" || c === "up"), ["up"]);
        });

        it("lets prod updates without protected replacements through after the preview, and dev without one", async () => {
            const prod = new FakePulumiCli().on("preview", { events: [stepEvent("resourcePreEvent", "update", KV, "bookstore-kv", true), stepEvent("resourcePreEvent", "replace", RG, "scratch"), summaryEvent({ update: 1, replace: 1 })] });
            await deployStack({ stack: "prod", runner: prod });
            assert.deepEqual(prod.commands().filter((c) => c === "preview" || c === "up"), ["preview", "up"]);

            const dev = new FakePulumiCli();
            await deployStack({ stack: "dev", runner: dev });
            assert.ok(!dev.commands().includes("preview"));
        });
    });
});
