import { strict as assert } from "assert";
import { changedPaths, diffPlans, DiffablePlan, DiffableResource } from "../../../tools/review/diff";
import { armPathParameters, replaceReasons } from "../../../tools/review/replacement";
import { renameHints, renderDiff, showValue } from "../../../tools/review/render";
import { costOf } from "../../../tools/review/cost";
import type { PriceTable } from "../../../tools/review/prices";

const PG = "azure-native:dbforpostgresql:Server";
const APP = "azure-native:app:ContainerApp";

function resource(type: string, name: string, inputs: unknown, protect = false): DiffableResource {
    return { urn: `urn:pulumi:prod::bookstore::${type}::${name}`, type, name, options: { protect }, inputs };
}

const plan = (resources: DiffableResource[], extra: Partial<DiffablePlan> = {}): DiffablePlan => ({ stack: "prod", resources, ...extra });

describe("review: plan diff", () => {
    it("lists changed input paths with old and new values", () => {
        assert.deepEqual(changedPaths({ a: { b: 1, c: [1, 2] }, d: "x" }, { a: { b: 2, c: [1] }, d: "x", e: true }), [
            { path: "a.b", old: 1, new: 2 },
            { path: "a.c[1]", old: 2 },
            { path: "e", new: true },
        ]);
    });

    it("updates a container app in place when maxReplicas rises", () => {
        const diff = diffPlans(plan([resource(APP, "api", { template: { scale: { maxReplicas: 10 } } })]), plan([resource(APP, "api", { template: { scale: { maxReplicas: 12 } } })]));
        assert.equal(diff.changes.length, 1);
        assert.equal(diff.changes[0].op, "update");
        assert.deepEqual(diff.changes[0].changes, [{ path: "template.scale.maxReplicas", old: 10, new: 12 }]);
        assert.deepEqual(diff.guardedReplacements, []);
    });

    it("predicts the replacement of a PostgreSQL server whose administratorLogin (create-only) changes, and guards it", () => {
        const old = plan([resource(PG, "pg", { administratorLogin: "bookstoreadmin", version: "16" }, true)]);
        const next = plan([resource(PG, "pg", { administratorLogin: "bookstoreowner", version: "16" }, true)]);
        const diff = diffPlans(old, next);
        assert.equal(diff.changes[0].op, "replace");
        assert.deepEqual(diff.changes[0].replaceReasons, [{ path: "administratorLogin", rule: "create-only in the Azure REST spec" }]);
        assert.equal(diff.guardedReplacements.length, 1);
        const text = renderDiff(diff).join("\n");
        assert.match(text, /^ \+- azure-native:dbforpostgresql:Server {2}pg {2}\[protect\] \[stateful\]$/m);
        assert.match(text, /REFUSED/);
    });

    it("a major version upgrade (version has no x-ms-mutability: updatable) is an update", () => {
        const diff = diffPlans(plan([resource(PG, "pg", { version: "16" }, true)]), plan([resource(PG, "pg", { version: "17" }, true)]));
        assert.equal(diff.changes[0].op, "update");
    });

    it("a new ARM name replaces (the id changes); a resource gone is a delete, guarded when stateful", () => {
        assert.deepEqual(armPathParameters(PG), ["resourceGroupName", "serverName"]);
        const diff = diffPlans(
            plan([resource(PG, "pg", { serverName: "a" }), resource("azure-native:storage:StorageAccount", "st", {})]),
            plan([resource(PG, "pg", { serverName: "b" })]),
        );
        assert.deepEqual(diff.changes.map((c) => c.op), ["replace", "delete"]);
        assert.equal(diff.guardedReplacements.length, 2);
    });

    it("moving any azure-native resource to another region replaces it (TrackedResource.location is create-only)", () => {
        assert.equal(replaceReasons("azure-native:cache:Redis", ["location"])[0].rule, "create-only in the Azure REST spec (TrackedResource.location)");
        assert.equal(replaceReasons("azure-native:dbforpostgresql:Server", ["location"]).length, 1);
    });

    it("a Redis Enterprise database's port and modules are create-only; its eviction policy is not", () => {
        assert.deepEqual(replaceReasons("azure-native:redisenterprise:Database", ["port", "modules[0].name", "evictionPolicy"]).map((r) => r.path), ["port", "modules[0].name"]);
    });

    it("knows Kubernetes immutable fields, AWS forceNew and replaceOnChanges", () => {
        assert.equal(replaceReasons("kubernetes:apps/v1:Deployment", ["spec.selector.matchLabels.app"])[0].rule, "immutable (Kubernetes provider forceNew)");
        assert.deepEqual(replaceReasons("kubernetes:apps/v1:Deployment", ["spec.replicas"]), []);
        assert.equal(replaceReasons("kubernetes:core/v1:Service", ["spec.clusterIP"]).length, 1);
        assert.equal(replaceReasons("aws:rds/instance:Instance", ["storageEncrypted"])[0].rule, "forceNew in the AWS provider");
        assert.equal(replaceReasons("azure-native:app:ContainerApp", ["template.scale.maxReplicas"], ["template.scale"])[0].rule, "replaceOnChanges option");
    });

    it("shows secrets as changed or unchanged from the plans' digests, never their values", () => {
        const old = plan([resource(APP, "api", { secret: "[secret]" })], { secretDigests: { [resource(APP, "api", {}).urn]: { secret: "aaa" } } });
        const same = plan([resource(APP, "api", { secret: "[secret]" })], { secretDigests: { [resource(APP, "api", {}).urn]: { secret: "aaa" } } });
        const changed = plan([resource(APP, "api", { secret: "[secret]" })], { secretDigests: { [resource(APP, "api", {}).urn]: { secret: "bbb" } } });
        assert.deepEqual(diffPlans(old, same).changes, []);
        const diff = diffPlans(old, changed);
        assert.deepEqual(diff.changes[0].changes, [{ path: "secret", secret: { changed: true } }]);
        assert.match(renderDiff(diff).join("\n"), /secret: \[secret\] changed/);
    });

    it("compares a JSON-valued input as the document it holds: one changed value is one path, never the whole string twice", () => {
        const workbook = (threshold: number) => JSON.stringify({ version: "Notebook/1.0", items: [{ type: 1, content: { json: "x".repeat(20_000) } }, { type: 3, content: { query: "requests | summarize count()", threshold } }] });
        const diff = diffPlans(plan([resource("azure-native:applicationinsights:Workbook", "workbook", { serializedData: workbook(10) })]), plan([resource("azure-native:applicationinsights:Workbook", "workbook", { serializedData: workbook(12) })]));
        assert.deepEqual(diff.changes[0].changes, [{ path: "serializedData(json).items[1].content.threshold", old: 10, new: 12 }]);
        const text = renderDiff(diff).join("\n");
        assert.ok(text.length < 1_000, `${text.length} characters`);
        // A create-only rule on the string still covers the paths inside it.
        assert.equal(replaceReasons("azure-native:applicationinsights:Workbook", ["serializedData(json).items[1]"], ["serializedData"])[0].rule, "replaceOnChanges option");
    });

    it("summarises a long value by its start, length and a hash that tells two long values apart", () => {
        const long = "a".repeat(5_000);
        assert.match(showValue(long), /^"a{47}… \(5,002 chars, sha256 [0-9a-f]{12}\)$/);
        assert.notEqual(showValue(long), showValue(`${long}b`));
        assert.equal(showValue("short"), '"short"');
        const diff = diffPlans(plan([resource(APP, "api", { script: long })]), plan([resource(APP, "api", { script: `${long}b` })]));
        assert.ok(renderDiff(diff).every((line) => line.length < 300));
    });

    it("says the cost change is unknown, not +$0.00, when a changed resource is unpriced", () => {
        const signalr = (capacity: number) => ({ ...resource("azure-native:signalrservice:SignalR", "signalr", { location: "eastus2", sku: { name: "Standard_S1", tier: "Standard", capacity } }), parent: null, provider: "p" });
        const empty: PriceTable = { currency: "USD", about: "", entries: {} };
        const old = plan([signalr(1)]);
        const next = plan([signalr(2)]);
        const text = renderDiff(diffPlans(old, next), { oldCost: costOf(old.resources as never, empty), newCost: costOf(next.resources as never, empty) }).join("\n");
        assert.match(text, /^Monthly cost: unknown \(1 unpriced\) \(change unknown: signalr changed and is unpriced\)$/m);
        assert.doesNotMatch(text, /\$0\.00/);
    });

    it("a refused delete + create of the same resource under a new name or parent suggests `aliases`", () => {
        const LA = "azure-native:operationalinsights:Workspace";
        const at = (chain: string, name: string): DiffableResource => ({ urn: `urn:pulumi:prod::bookstore::${chain}::${name}`, type: LA, name, options: { protect: true }, inputs: {} });
        const renamed = diffPlans(plan([at(`bookstore:observability:Observability$${LA}`, "logs")]), plan([at(`bookstore:observability:Observability$${LA}`, "workspace")]));
        assert.deepEqual(renameHints(renamed), [{ type: LA, from: "logs", to: "workspace", alias: 'aliases: [{ name: "logs" }]' }]);
        const text = renderDiff(renamed).join("\n");
        assert.match(text, /REFUSED/);
        assert.match(text, /logs → workspace \(azure-native:operationalinsights:Workspace\): add `aliases: \[\{ name: "logs" \}\]` to workspace's resource options/);
        const moved = diffPlans(plan([at(LA, "logs")]), plan([at(`bookstore:observability:Observability$${LA}`, "logs")]));
        assert.deepEqual(renameHints(moved).map((h) => h.alias), [`aliases: ["urn:pulumi:prod::bookstore::${LA}::logs"]`]);
    });
});

