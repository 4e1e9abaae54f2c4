import * as assert from "assert";
import type { PolicyResource } from "@pulumi/policy";
import { pdbMaxUnavailable } from "../../../policy/stack/budget";

/** A PodDisruptionBudget as stack validation sees it (type and props are all the function reads). */
const pdb = (spec: Record<string, unknown>) => ({ type: "kubernetes:policy/v1:PodDisruptionBudget", props: { spec } }) as unknown as PolicyResource;
const labels = { app: "pgbouncer" };
const selector = { matchLabels: labels };

describe("connection budget policy: the PgBouncer PDB", () => {
    it("takes maxUnavailable as a count or a percentage of the replicas (rounded up, as Kubernetes does)", () => {
        assert.strictEqual(pdbMaxUnavailable([pdb({ selector, maxUnavailable: 1 })], labels, 3), 1);
        assert.strictEqual(pdbMaxUnavailable([pdb({ selector, maxUnavailable: "50%" })], labels, 3), 2);
    });

    it("derives it from minAvailable, and is 0 without a PDB selecting the pods", () => {
        assert.strictEqual(pdbMaxUnavailable([pdb({ selector, minAvailable: 2 })], labels, 3), 1);
        assert.strictEqual(pdbMaxUnavailable([pdb({ selector: { matchLabels: { app: "web" } }, maxUnavailable: 1 })], labels, 3), 0);
        assert.strictEqual(pdbMaxUnavailable([], labels, 3), 0);
    });
});
