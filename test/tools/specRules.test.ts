import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { CapturedResource } from "../../tools/offline/capture";
import { UNKNOWN } from "../../tools/offline/capture";
import { formatSpecViolation, specRules, specRulesSection, specViolations } from "../../tools/offline/specRules";
import { rulesFor } from "../../tools/specs/generate";
import { checkWholeFiles, fileCommit, readMirror } from "../../tools/specs/mirror";
import { sdkApiVersion } from "../../tools/specs/sdk";
import { runPlan } from "../helpers/plan";

const ASSIGNMENT = "azure-native:redisenterprise:AccessPolicyAssignment";
const CLUSTER = "azure-native:redisenterprise:RedisEnterprise";

function resource(type: string, name: string, inputs: Record<string, unknown>): CapturedResource {
    return {
        urn: `urn:pulumi:prod::bookstore::bookstore:cache:Cache$${type}::${name}`, type, name, custom: true, dependencies: [],
        options: { protect: false, ignoreChanges: [], retainOnDelete: false, deleteBeforeReplace: false },
        wireInputs: inputs, wireState: inputs,
    };
}

/** The assignment as components/azure/cache.ts registered it before the fix: no explicit name. */
const oldAssignment = resource(ASSIGNMENT, "cache-workload-access", {
    resourceGroupName: "bookstore-prod-rg", clusterName: "bookstore-prod-redis", databaseName: "default",
    accessPolicyName: "default", user: { objectId: "00000000-0000-0000-0000-000000000001" },
});

describe("provider-side spec checks", () => {
    it("refuses the old autonamed Redis access policy assignment, naming resource, property, value and rule", () => {
        const violations = specViolations([oldAssignment]);
        assert.strictEqual(violations.length, 1);
        const message = formatSpecViolation(violations[0]);
        assert.ok(message.startsWith(`${oldAssignment.urn}: accessPolicyAssignmentName "cache-workload-access" + 8 random hex digits`), message);
        assert.match(message, /expected pattern \^\[A-Za-z0-9\]\{1,60\}\$ \(accessPolicyAssignmentName in specification\/redisenterprise\/.*\/2025-07-01\/redisenterprise\.json \(API 2025-07-01, specs commit 15f38e5b507c\)\)$/);
    });

    it("accepts the explicit name and checks explicit names as sent", () => {
        const named = (name: string) => resource(ASSIGNMENT, "cache-workload-access", { ...oldAssignment.wireInputs, accessPolicyAssignmentName: name });
        assert.deepStrictEqual(specViolations([named("workloadaccess")]), []);
        assert.strictEqual(specViolations([named("workload-access")]).length, 1);
        assert.strictEqual(specViolations([named("a".repeat(61))]).length, 1);
    });

    it("checks names with lookahead patterns and string body patterns", () => {
        const cluster = (clusterName: string) => resource(CLUSTER, "cache-cluster", { resourceGroupName: "rg", clusterName });
        assert.deepStrictEqual(specViolations([cluster("bookstore-prod-redis")]), []);
        assert.match(formatSpecViolation(specViolations([cluster("bookstore--redis")])[0]), /clusterName "bookstore--redis" breaks the API spec/);
        assert.strictEqual(specViolations([cluster("x".repeat(61))]).length, 1);
        const badPolicy = resource(ASSIGNMENT, "a", { ...oldAssignment.wireInputs, accessPolicyAssignmentName: "ok", accessPolicyName: "-default" });
        assert.match(formatSpecViolation(specViolations([badPolicy])[0]), /accessPolicyName "-default" breaks the API spec: expected pattern/);
    });

    it("leaves values unknown during preview alone", () => {
        const unknownName = resource(CLUSTER, "cache-cluster", { resourceGroupName: "rg", clusterName: UNKNOWN });
        assert.deepStrictEqual(specViolations([unknownName]), []);
    });

    it("fails the plan section with exit 1 and records the violations in the JSON", () => {
        const document: any = { project: "bookstore", stack: "prod", resources: [], outputs: {} };
        const errors: string[] = [];
        const original = console.error;
        console.error = (line: string) => errors.push(line);
        try {
            const code = specRulesSection({ document, run: { resources: [oldAssignment], outputs: {}, unansweredInvokes: [] }, options: { stack: "prod" }, out: () => undefined });
            assert.strictEqual(code, 1);
        } finally {
            console.error = original;
        }
        assert.strictEqual(document.specRules.violations.length, 1);
        assert.match(errors.join("\n"), /cache-workload-access.*accessPolicyAssignmentName/);
    });

    it("passes every shipped stack", () => {
        for (const stack of ["prod", "prod-aks", "prod-cloudflare", "dev"]) {
            const run = runPlan(stack);
            assert.strictEqual(run.exitCode, 0, `${stack}: ${run.stderr}`);
            assert.deepStrictEqual((run.document as any).specRules.violations, [], stack);
            assert.ok((run.document as any).specRules.types > 0);
        }
    });

    it("keeps a table whose API versions are the ones azure-native uses, each type with the specs commit its file was read at", () => {
        const { table } = specRules();
        const mirror = readMirror();
        for (const [type, rules] of Object.entries(table.types)) {
            assert.strictEqual(rules.apiVersion, sdkApiVersion(type), type);
            assert.match(rules.commit ?? "", /^[0-9a-f]{40}$/, type);
            if (table.source.commit === "per-file") assert.strictEqual(rules.commit, mirror[rules.file]?.commit, `${type}: tools/specs/mirror.json`);
        }
    });

    it("refuses an AKS agent pool name the spec refuses (^[a-z][a-z0-9]{0,11}$), explicit or autonamed", () => {
        const POOL = "azure-native:containerservice:AgentPool";
        const pool = (inputs: Record<string, unknown>) => resource(POOL, "user-pool", { resourceGroupName: "rg", resourceName: "aks", ...inputs });
        assert.deepStrictEqual(specViolations([pool({ agentPoolName: "user" })]), []);
        assert.match(formatSpecViolation(specViolations([pool({ agentPoolName: "user-pool" })])[0]), /agentPoolName "user-pool" breaks the API spec: expected pattern/);
        // The provider's autoname (logical name + 8 hex digits) is 17 characters here: past maxLength 12, and a dash.
        const messages = specViolations([pool({})]).map(formatSpecViolation);
        assert.ok(messages.some((m) => /"user-pool" \+ 8 random hex digits.*maxLength 12 \(got 17\)/.test(m)), messages.join("\n"));
    });

    it("holds a blob service to its one name, `default` (a closed enum on the name parameter; ARM compares it case-insensitively)", () => {
        const SERVICE = "azure-native:storage:BlobServiceProperties";
        const service = (inputs: Record<string, unknown>) => resource(SERVICE, "static-assets-blob-service", { resourceGroupName: "rg", accountName: "st", ...inputs });
        assert.deepStrictEqual(specViolations([service({ blobServicesName: "default" })]), []);
        assert.deepStrictEqual(specViolations([service({ blobServicesName: "Default" })]), []);
        // Left out, the provider would autoname it "static-assets-blob-service" + 8 hex digits: refused.
        assert.match(formatSpecViolation(specViolations([service({})])[0]), /blobServicesName "static-assets-blob-service" \+ 8 random hex digits.*expected one of "default"/);
    });

    it("compares body enum values case-insensitively, as ARM does, and still refuses a value outside the enum", () => {
        const table = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "specs-")), "azure.json");
        fs.writeFileSync(table, JSON.stringify({ source: { repository: "r", commit: "c" }, types: { [CLUSTER]: { apiVersion: "v", file: "f", enums: { "sku.name": ["Balanced_B0", "Balanced_B1"] } } } }));
        const cluster = (name: string) => resource(CLUSTER, "cache-cluster", { resourceGroupName: "rg", clusterName: "c", sku: { name } });
        assert.deepStrictEqual(specViolations([cluster("balanced_b1")], table), []);
        assert.match(formatSpecViolation(specViolations([cluster("Balanced_B9")], table)[0]), /sku\.name "Balanced_B9" breaks the API spec: expected one of "Balanced_B0", "Balanced_B1"/);
    });

    it("checks autonames near the storage account limit: 16 characters + 8 fit in 24, 17 do not", () => {
        const ACCOUNT = "azure-native:storage:StorageAccount";
        const account = (logical: string) => resource(ACCOUNT, logical, { resourceGroupName: "rg" });
        assert.deepStrictEqual(specViolations([account("bookstorecprodst")]), []);
        assert.match(formatSpecViolation(specViolations([account("bookstorecfprodst")])[0]), /maxLength 24 \(got 25\)/);
        assert.match(formatSpecViolation(specViolations([account("bookstore-st")])[0]), /pattern \^\[a-z0-9\]\+\$/);
    });
});

describe("spec table generator", () => {
    /** A tiny checkout: one spec file in the layout of azure-rest-api-specs. */
    function checkout(version: string): { dir: string; file: string } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "specs-"));
        const file = `specification/redisenterprise/resource-manager/Microsoft.Cache/RedisEnterprise/stable/${version}/redisenterprise.json`;
        const spec = {
            swagger: "2.0", info: { version },
            paths: {
                "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Cache/redisEnterprise/{clusterName}": {
                    put: {
                        parameters: [
                            { $ref: "../../../../../../common-types/resource-management/v3/types.json#/parameters/ResourceGroupNameParameter" },
                            { $ref: "#/parameters/ClusterName" },
                            { name: "parameters", in: "body", schema: { $ref: "#/definitions/Cluster" } },
                        ],
                    },
                },
            },
            definitions: {
                Cluster: {
                    properties: {
                        sku: { properties: { name: { type: "string", enum: ["A", "B"], "x-ms-enum": { modelAsString: true } } } },
                        properties: { "x-ms-client-flatten": true, $ref: "#/definitions/Props" },
                        status: { readOnly: true, type: "string", enum: ["Up"] },
                    },
                },
                Props: {
                    properties: {
                        tier: { type: "string", enum: ["Free", "Paid"], "x-ms-enum": { modelAsString: false } },
                        pools: { type: "array", items: { properties: { mode: { type: "string", enum: ["System", "User"] }, label: { type: "string", pattern: "^[a-z]+$" } } } },
                    },
                },
            },
            parameters: { ClusterName: { name: "clusterName", in: "path", pattern: "^[a-z]+$", minLength: 3, maxLength: 10 } },
        };
        fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), JSON.stringify(spec));
        return { dir, file };
    }

    it("records the name parameter, closed enums under SDK (flattened) paths and patterns; skips open and read-only enums", () => {
        const { dir, file } = checkout("2025-07-01");
        const rules = rulesFor(dir, CLUSTER, file, "2025-07-01", "0".repeat(40));
        assert.deepStrictEqual(rules.name, { parameter: "clusterName", pointer: "#/parameters/ClusterName", pattern: "^[a-z]+$", minLength: 3, maxLength: 10 });
        assert.deepStrictEqual(rules.enums, { tier: ["Free", "Paid"], "pools[].mode": ["System", "User"] });
        assert.deepStrictEqual(rules.patterns, { "pools[].label": "^[a-z]+$" });
    });

    it("takes the name from an excerpt's shared path parameter when the PUT was not kept, and says the body is unknown", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "specs-"));
        const file = "specification/containerservice/resource-manager/Microsoft.ContainerService/aks/stable/2025-09-01/managedClusters.json";
        fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), JSON.stringify({ parameters: { Pool: { name: "agentPoolName", in: "path", pattern: "^[a-z]+$", maxLength: 12 } } }));
        const POOL = "azure-native:containerservice:AgentPool";
        const rules = rulesFor(dir, POOL, file, "2025-09-01", "1".repeat(40), ["/parameters/Pool"]);
        assert.deepStrictEqual(rules.name, { parameter: "agentPoolName", pointer: "#/parameters/Pool", pattern: "^[a-z]+$", maxLength: 12 });
        assert.strictEqual(rules.commit, "1".repeat(40));
        assert.match(rules.unresolved?.[0] ?? "", /PUT not in the excerpt/);
        // A whole file without the PUT is an error, not a silently empty rule set.
        assert.throws(() => rulesFor(dir, POOL, file, "2025-09-01", "1".repeat(40)), /no PUT for azure-native:containerservice:AgentPool/);
        // The API version comes from the folder when an excerpt has no `info`.
        assert.throws(() => rulesFor(dir, POOL, file, "2024-01-01", "1".repeat(40), []), /is API version 2025-09-01/);
    });

    it("keeps a spec pattern no regex engine compiles out of the checks (alertsmanagement ruleGroupName), recording why", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "specs-"));
        const file = "specification/alertsmanagement/resource-manager/Microsoft.AlertsManagement/stable/2023-03-01/PrometheusRuleGroups.json";
        fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), JSON.stringify({ parameters: { G: { name: "ruleGroupName", in: "path", pattern: "^[^:@/#{}%&+*<>?\\]+$" } } }));
        const rules = rulesFor(dir, "azure-native:alertsmanagement:PrometheusRuleGroup", file, "2023-03-01", "2".repeat(40), ["/parameters/G"]);
        assert.strictEqual(rules.name?.pattern, undefined);
        assert.match(rules.name?.unusablePattern ?? "", /Unterminated character class/);
        // The shipped table has the same quirk: the plan checks the rule group without crashing on it.
        const group = resource("azure-native:alertsmanagement:PrometheusRuleGroup", "hpa-at-max", { resourceGroupName: "rg", ruleGroupName: "bookstore-prod-hpa-at-max" });
        assert.deepStrictEqual(specViolations([group]), []);
    });

    it("refuses a whole mirror file whose length differs from the file as read (a bad copy)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "specs-"));
        const file = "specification/x/stable/2025-01-01/x.json";
        fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), "{}\n");
        assert.doesNotThrow(() => checkWholeFiles(dir, { [file]: { commit: "c".repeat(40), totalChars: 3 } }));
        assert.throws(() => checkWholeFiles(dir, { [file]: { commit: "c".repeat(40), totalChars: 4 } }), /x\.json: 3 characters, but the file at c+ has 4/);
        // Excerpts are partial by design: their length is not checked.
        assert.doesNotThrow(() => checkWholeFiles(dir, { [file]: { commit: "c".repeat(40), totalChars: 4, excerpt: ["/parameters"] } }));
    });

    it("takes a file's commit from the checkout, else from the mirror manifest, and refuses a file with neither", () => {
        const file = "specification/x/stable/2025-01-01/x.json";
        assert.strictEqual(fileCommit(file, "a".repeat(40), { [file]: { commit: "b".repeat(40), totalChars: 1 } }), "a".repeat(40));
        assert.strictEqual(fileCommit(file, undefined, { [file]: { commit: "b".repeat(40), totalChars: 1 } }), "b".repeat(40));
        assert.throws(() => fileCommit(file, undefined, {}), /x\.json: no commit/);
    });

    it("refuses a spec file of another API version than azure-native uses", () => {
        const { dir, file } = checkout("2024-01-01");
        assert.throws(() => rulesFor(dir, CLUSTER, file, "2025-07-01", "0".repeat(40)), /is API version 2024-01-01; azure-native uses 2025-07-01/);
    });
});
