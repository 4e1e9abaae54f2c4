import * as assert from "assert";
import { RBAC_PROPAGATION_SECONDS } from "../../../components/azure/propagationWait";
import { inputs, oneOfType, planOf } from "../../helpers/plan";

describe("AKS workload start order (plan of prod-aks)", () => {
    const doc = () => planOf("prod-aks");
    const wait = () => oneOfType(doc(), "time:index/sleep:Sleep", "workload-grants-propagation");
    const name = (urn: string) => urn.split("::").pop();

    it("waits for the kubelet's AcrPull, the federated credential and the identity's grants (blob account included), for the documented 10 minutes", () => {
        assert.deepStrictEqual(wait().dependencies.map(name).sort(),
            ["acr-pull", "aks-kubelet-acr-pull", "app-blobs-blob-contributor", "kv-secrets-user", "service-account-federation"]);
        assert.strictEqual(inputs(wait()).createDuration, `${RBAC_PROPAGATION_SECONDS}s`);
        assert.strictEqual(Object.keys(inputs(wait()).triggers).length, 5);
    });

    it("starts the app's and PgBouncer's pods only after that wait", () => {
        for (const deployment of ["api", "web", "pgbouncer-deployment"]) {
            const d = oneOfType(doc(), "kubernetes:apps/v1:Deployment", deployment);
            assert.ok(d.dependencies.includes(wait().urn), `${deployment}: ${d.dependencies.map(name).join(", ")}`);
        }
    });
});
