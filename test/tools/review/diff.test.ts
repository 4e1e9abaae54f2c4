import { strict as assert } from "assert";
import { changedPaths, diffPlans, DiffablePlan, DiffableResource } from "../../../tools/review/diff";
import { armPathParameters, replaceReasons } from "../../../tools/review/replacement";
import { renderDiff } from "../../../tools/review/render";

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
});
