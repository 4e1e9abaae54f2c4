import * as assert from "assert";
import { grantWaitProvider, ROLE_ASSIGNMENT_PROPAGATION_SECONDS } from "../../components/grantPropagation";
import { inputs, oneOfType, planOf } from "../helpers/plan";

describe("grant propagation wait", () => {
    it("waits the given time on create", async () => {
        const started = Date.now();
        await grantWaitProvider.create!({ seconds: 0.2, grantIds: ["a"] });
        assert.ok(Date.now() - started >= 190, `${Date.now() - started} ms`);
    });

    it("waits again only when a grant is new or replaced", async () => {
        const same = await grantWaitProvider.diff!("id", { seconds: 600, grantIds: ["a", "b"] }, { seconds: 600, grantIds: ["b", "a"] });
        assert.deepStrictEqual([same.changes, same.replaces], [false, []]);
        const replaced = await grantWaitProvider.diff!("id", { seconds: 600, grantIds: ["a", "b"] }, { seconds: 600, grantIds: ["a", "c"] });
        assert.deepStrictEqual([replaced.changes, replaced.replaces], [true, ["grantIds"]]);
    });
});

describe("AKS workload start order (plan of prod-aks)", () => {
    const doc = () => planOf("prod-aks");
    const wait = () => oneOfType(doc(), "pulumi-nodejs:dynamic/bookstore:GrantPropagationWait", "workload-grants-propagation");
    const name = (urn: string) => urn.split("::").pop();

    it("waits for the kubelet's AcrPull, the federated credential and the identity's grants, for the documented 10 minutes", () => {
        assert.deepStrictEqual(wait().dependencies.map(name).sort(),
            ["acr-pull", "aks-kubelet-acr-pull", "kv-secrets-user", "service-account-federation"]);
        assert.strictEqual(inputs(wait()).seconds, ROLE_ASSIGNMENT_PROPAGATION_SECONDS);
        assert.strictEqual(inputs(wait()).grantIds.length, 4);
    });

    it("starts the app's and PgBouncer's pods only after that wait", () => {
        for (const deployment of ["api", "web", "pgbouncer-deployment"]) {
            const d = oneOfType(doc(), "kubernetes:apps/v1:Deployment", deployment);
            assert.ok(d.dependencies.includes(wait().urn), `${deployment}: ${d.dependencies.map(name).join(", ")}`);
        }
    });
});
