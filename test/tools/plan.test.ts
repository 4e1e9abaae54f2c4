import * as assert from "assert";
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { inputs, oneOfType, planOf, prefetchPlans, runPlan, stackVariant } from "../helpers/plan";
import { PROJECT_DIR } from "../helpers/planJobs";
import { serverNames } from "../../components/azure/databaseServers";
import type { PlanDocument } from "../../tools/offline/types";

/** A plan in a process of its own (never the shared cache), its JSON text. */
async function freshPlanJson(stack: string): Promise<string> {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "det-")), "plan.json");
    await promisify(execFile)(process.execPath, ["tools/bin/plan.js", "--stack", stack, "--quiet", "--json", file], { cwd: PROJECT_DIR });
    const text = fs.readFileSync(file, "utf8");
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    return text;
}

describe("offline plan", () => {
    // Plans of this file alone, started in the background as the run begins.
    prefetchPlans([{ stack: "prod", args: ["--critical-path"] }, { stack: "nosuchstack" }]);

    it("prints the resource tree under an honest header, and a summary", () => {
        const run = runPlan("prod");
        assert.strictEqual(run.exitCode, 0, run.stderr);
        assert.match(run.stdout, /^Offline plan of bookstore\/prod/);
        assert.match(run.stdout, /not a cloud preview/);
        assert.match(run.stdout, /pulumi:pulumi:Stack\s+bookstore-prod/);
        assert.match(run.stdout, /[├└]─ bookstore:platform:PlatformBase\s+platform/);
        assert.match(run.stdout, /azure-native:keyvault:Vault\s+\S+\s+\[protect\]/);
        const summary = run.stdout.match(/^(\d+) resources: (\d+) components, (\d+) custom; by provider: (.+)$/m);
        assert.ok(summary, run.stdout);
        assert.strictEqual(Number(summary[1]), run.document!.resources.length);
        assert.strictEqual(Number(summary[2]) + Number(summary[3]), Number(summary[1]));
        assert.match(summary[4], /azure-native \d+/);
    });

    it("writes JSON of the documented shape", () => {
        const doc = runPlan("prod").document!;
        assert.strictEqual(doc.project, "bookstore");
        assert.strictEqual(doc.stack, "prod");
        for (const r of doc.resources) {
            assert.deepStrictEqual(Object.keys(r), ["urn", "type", "name", "parent", "dependencies", "provider", "options", "inputs"]);
            assert.deepStrictEqual(Object.keys(r.options), ["protect", "ignoreChanges", "retainOnDelete", "deleteBeforeReplace"]);
        }
        const vault = doc.resources.find((r) => r.type === "azure-native:keyvault:Vault")!;
        assert.match(vault.urn, /^urn:pulumi:prod::bookstore::bookstore:platform:PlatformBase\$azure-native:keyvault:Vault::/);
        assert.strictEqual(vault.parent, "urn:pulumi:prod::bookstore::bookstore:platform:PlatformBase::platform");
        assert.strictEqual(vault.provider, "default:azure-native");
        const group = doc.resources.find((r) => r.type === "azure-native:resources:ResourceGroup")!;
        assert.match((doc.outputs as any).registryLoginServer, /^bookstoreprodacr[a-z0-9]{8}\.azurecr\.io$/);
        assert.strictEqual((group.inputs as any).resourceGroupName, "bookstore-prod-rg");
    });

    it("chains computed values as Azure would: ARM ids flow into dependants", () => {
        const doc = runPlan("prod").document!;
        const assignment = doc.resources.find((r) => r.name === "acr-pull")!;
        assert.match((assignment.inputs as any).scope,
            /^\/subscriptions\/00000000-0000-0000-0000-000000000000\/resourceGroups\/bookstore-prod-rg\/providers\/Microsoft\.ContainerRegistry\/registries\/bookstoreprodacr[a-z0-9]{8}$/);
    });

    it("is deterministic: two runs give byte-identical JSON", async () => {
        // The run's shared plan of dev (its own process, without --quiet) against one more of --quiet.
        const second = await freshPlanJson("dev");
        const first = runPlan("dev");
        assert.ok(first.json, first.stderr);
        assert.strictEqual(second, first.json);
    });

    const secretTag = stackVariant("dev", (config) => {
        config["bookstore:tags"].extra = { billingAccount: { secure: "AAABAGNpcGhlcnRleHQ=" } };
    });
    prefetchPlans([{ stack: "dev", stackFile: secretTag }]);
    it("masks secret config and never prints its value", () => {
        const run = runPlan("dev", { stackFile: secretTag });
        assert.strictEqual(run.exitCode, 0, run.stderr);
        const rg = run.document!.resources.find((r) => r.type === "azure-native:resources:ResourceGroup")!;
        assert.strictEqual((rg.inputs as any).tags.billingAccount, "[secret]");
        assert.strictEqual((rg.inputs as any).tags.environment, "dev");
        const json = JSON.stringify(run.document);
        assert.ok(!json.includes("offline-plan-placeholder-secret"));
        assert.ok(!json.includes("AAABAGNpcGhlcnRleHQ="));
        assert.ok(!run.stdout.includes("offline-plan-placeholder-secret"));
    });

    it("fails on invalid config with exit code 2, every bad key named, no stack trace, no JSON", () => {
        const file = stackVariant("prod", (config) => {
            config["bookstore:app"].services.api.minReplicas = "two";
            config["bookstore:platfrom"] = "aks";
        });
        const run = runPlan("prod", { stackFile: file });
        assert.strictEqual(run.exitCode, 2);
        assert.match(run.stderr, /bookstore:app\.services\.api\.minReplicas: expected an integer between 1 and 1000, got "two"/);
        assert.match(run.stderr, /bookstore:platfrom: unknown key/);
        assert.doesNotMatch(run.stderr, /^\s+at /m);
        assert.strictEqual(run.document, undefined);
    });

    it("fails clearly for a stack that has no stack file, listing the stacks there are", () => {
        const run = runPlan("nosuchstack");
        assert.strictEqual(run.exitCode, 2);
        assert.match(run.stderr, /Pulumi\.nosuchstack\.yaml: file not found\. There is no stack "nosuchstack"; the stacks of this project are: dev, dev-eks, prod, prod-aks, prod-cloudflare, prod-eks/);
    });

    it("says what the stack is before the tree, with a legend, in lines of at most 100 columns", () => {
        const run = runPlan("prod-aks");
        assert.strictEqual(run.exitCode, 0, run.stderr);
        const lines = run.stdout.split("\n");
        const tree = lines.findIndex((line) => /^\s+Type\s+Name$/.test(line));
        const head = lines.slice(0, tree).join("\n");
        assert.match(head, /^Stack: +platform aks, environment prod, regions eastus2, westus2$/m);
        assert.match(head, new RegExp(`^Resources: +${run.document!.resources.length}$`, "m"));
        assert.match(head, /^Policy: +bookstore-policy@0\.1\.0: passes, no violations$/m);
        assert.match(head, /^Connections: +within budget$/m);
        assert.match(head, /^First deploy: +~\d+ min critical path \(\d+ steps\), app ready at ~\d+ min/m);
        assert.match(head, /Legend: \+  to create[\s\S]*\[protect\]  protected/);
        // URLs are printed whole so they can be copied; every other line fits.
        const wide = lines.filter((line) => line.length > 100 && !/https?:\/\/|\/subscriptions\//.test(line));
        assert.deepStrictEqual(wide, []);
        assert.match(run.stdout, /azure-native:managedident…\S*ederatedIdentityCredential\s+service-account-federation/, "a long type loses its middle");
        assert.match(run.stdout, /^    dashboards:\n        aks: https:\/\/portal\.azure\.com\//m, "one dashboard a line");
        assert.match(run.stdout, /^    alertNames:\n      - bookstore-prod-/m, "one list item a line");
        assert.match(run.stderr, /^plan: running the program of prod-aks under the mock monitor/m, "phases on stderr");
    });

    it("models the first deploy's critical path and prints it with --critical-path", () => {
        const run = runPlan("prod", { args: ["--critical-path"] });
        assert.strictEqual(run.exitCode, 0, run.stderr);
        const model = run.document!.criticalPath as { totalSeconds: number; appReadySeconds: number; path: { name: string; finishSeconds: number }[] };
        assert.strictEqual(model.path[model.path.length - 1].finishSeconds, model.totalSeconds);
        assert.ok(model.appReadySeconds > 0 && model.appReadySeconds <= model.totalSeconds);
        assert.ok(model.path.some((step) => step.name === "bookstore-prod-pg"), "the primary database is on prod's path");
        assert.match(run.stdout, new RegExp(`^First deploy: +~${Math.round(model.totalSeconds / 60)} min critical path \\(${model.path.length} steps\\)`, "m"));
        assert.match(run.stdout, /^First-deploy critical path, modelled \(durations: tools\/offline\/deployDurations\.json\):$/m);
        assert.match(run.stdout, /^ +\d+ min +900 s  dbforpostgresql:Server bookstore-prod-pg \*$/m);
    });

    it("checks options before running the program: a bad --policy-config, a non-empty --manifests directory", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opts-"));
        fs.writeFileSync(path.join(dir, "mine.txt"), "not the plan's\n");
        const policyConfig = path.join(dir, "policy.json");
        fs.writeFileSync(policyConfig, JSON.stringify({ "no-such-policy": "mandatory" }));
        const run = runPlan("dev", { args: ["--manifests", dir, "--policy-config", policyConfig] });
        assert.strictEqual(run.exitCode, 2);
        assert.match(run.stderr, /--policy-config: Invalid policy pack config .*policy\.json[\s\S]*no-such-policy/);
        assert.match(run.stderr, /--manifests .*: the directory is not empty and was not written by the offline plan/);
        assert.doesNotMatch(run.stderr, /running the program/, "the program never ran");
        assert.strictEqual(run.stdout, "");
        assert.ok(fs.existsSync(path.join(dir, "mine.txt")), "nothing touched");
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("refuses an option taken for the --manifests directory (`--manifests --quiet`) instead of creating a folder named --quiet", () => {
        const run = runPlan("dev", { args: ["--manifests", "--quiet"] });
        assert.strictEqual(run.exitCode, 2);
        assert.match(run.stderr, /--manifests --quiet: expected a directory, got an option/);
        assert.ok(!fs.existsSync(path.join(PROJECT_DIR, "--quiet")), "no folder named --quiet");
    });

    it("exits 2 on a usage error (an option without its value), 0 on --version", () => {
        const missing = spawnSync(process.execPath, ["tools/bin/plan.js", "--stack"], { cwd: PROJECT_DIR, encoding: "utf8" });
        assert.strictEqual(missing.status, 2, missing.stderr);
        assert.match(missing.stderr, /option '-s, --stack <name>' argument missing/);
        const version = spawnSync(process.execPath, ["tools/bin/plan.js", "--version"], { cwd: PROJECT_DIR, encoding: "utf8" });
        assert.strictEqual(version.status, 0, version.stderr);
        assert.strictEqual(version.stdout.trim(), JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).version);
    });
});

describe("the test run's shared plans (test/helpers/plan.ts)", () => {
    it("plan with the environment they were asked with: a variable a test sets meanwhile reaches no other plan", () => {
        // A plan started in the background while a test had set BOOKSTORE_OFFLINE_LIVE_SERVERS used to
        // inherit it (prod's replicas then sent createMode Update, and --policy-config tests failed with exit 3).
        const names = serverNames("bookstore-prod", "00000000-0000-0000-0000-000000000000", "prod", 2);
        const live = JSON.stringify(Object.fromEntries([names.primary, ...names.replicas].map((n) => [n, { storageSizeGB: 128 }])));
        const replicaCreateMode = (doc: PlanDocument) => inputs(oneOfType(doc, "azure-native:dbforpostgresql:Server", "bookstore-prod-pg-replica-1")).createMode;
        const previous = process.env.BOOKSTORE_OFFLINE_LIVE_SERVERS;
        process.env.BOOKSTORE_OFFLINE_LIVE_SERVERS = live;
        let dayTwo: PlanDocument;
        try {
            dayTwo = planOf("prod");
        } finally {
            if (previous === undefined) delete process.env.BOOKSTORE_OFFLINE_LIVE_SERVERS;
            else process.env.BOOKSTORE_OFFLINE_LIVE_SERVERS = previous;
        }
        assert.strictEqual(replicaCreateMode(dayTwo), "Update", "the plan asked for with the variable set sees the live servers");
        assert.strictEqual(replicaCreateMode(planOf("prod")), "Replica", "the shipped plan does not");
    });
});
