import { strict as assert } from "assert";
import { e2eNamePrefix, e2eStackName, parseE2eStackName, randomSuffix } from "../../../tools/e2e/names";
import { selectStacks } from "../../../tools/e2e/janitor";
import { stackConfigFromEntries } from "../../../stacks/config";

describe("e2e stack names: platform and expiry in the name", () => {
    it("round-trips platform, suffix and expiry (rounded up to the minute, UTC)", () => {
        const name = e2eStackName("aks", "k3f9q2", new Date("2026-12-08T15:29:30.500Z"));
        assert.equal(name, "e2e-aks-k3f9q2-exp20261208t1530z");
        assert.deepEqual(parseE2eStackName(name), { platform: "aks", suffix: "k3f9q2", expiresAt: new Date("2026-12-08T15:30:00Z") });
        assert.deepEqual(parseE2eStackName(`acme/bookstore/${name}`)?.platform, "aks", "a fully qualified name is an e2e stack too");
    });

    it("refuses names it did not make: other stacks, other platforms, impossible dates", () => {
        for (const name of ["prod", "prod-eks", "e2e-gke-k3f9q2-exp20261208t1530z", "e2e-aks-K3F9Q2-exp20261208t1530z", "e2e-aks-k3f9q2-exp20261308t1530z", "e2e-aks-k3f9q2-exp20261208t2530z", "e2e-aks-k3f9q2-exp20261208t1530z-old"]) {
            assert.equal(parseE2eStackName(name), undefined, name);
        }
        assert.throws(() => e2eStackName("eks", "ABC", new Date()), /6 lowercase letters or digits/);
    });

    it("suffixes are 6 lowercase letters or digits, and the namePrefix they make is one the config accepts", () => {
        const suffixes = new Set(Array.from({ length: 200 }, randomSuffix));
        assert.ok([...suffixes].every((s) => /^[a-z0-9]{6}$/.test(s)));
        assert.ok(suffixes.size > 190, "suffixes repeat far too often");
        const config = { "bookstore:environment": "dev", "bookstore:namePrefix": e2eNamePrefix("k3f9q2"), "bookstore:tags": JSON.stringify({ owner: "o", costCenter: "c" }),
            "bookstore:app": JSON.stringify({ services: { web: { image: "bookstore/web:1.0.0", ingress: { external: true } } } }) };
        assert.equal(stackConfigFromEntries(config, () => false).config.namePrefix, "e2ek3f9q2");
    });
});

describe("e2e janitor: which stacks it selects", () => {
    const now = new Date("2026-12-08T12:00:00Z");
    const stacks = [
        { name: "prod" },
        { name: "prod-eks" },
        { name: "e2e-aks-aaaaaa-exp20261208t1159z" },
        { name: "e2e-eks-bbbbbb-exp20261208t1200z" },
        { name: "e2e-containerapps-cccccc-exp20261208t1201z" },
        { name: "acme/bookstore/e2e-eks-dddddd-exp20261201t0000z", updateInProgress: true },
        { name: "e2e-aks-eeeeee-exp20261130t0000z-copy" },
    ];

    it("selects e2e stacks whose expiry has passed, never other stacks, never one being updated", () => {
        const selected = selectStacks(stacks, now).map((c) => [c.stack, c.reason, c.selected]);
        assert.deepEqual(selected, [
            ["acme/bookstore/e2e-eks-dddddd-exp20261201t0000z", "update in progress", false],
            ["e2e-aks-aaaaaa-exp20261208t1159z", "expired", true],
            ["e2e-eks-bbbbbb-exp20261208t1200z", "expired", true],
            ["e2e-containerapps-cccccc-exp20261208t1201z", "not expired", false],
        ]);
    });

    it("with a named stack, selects that one e2e stack whatever its expiry", () => {
        const named = selectStacks(stacks, now, "e2e-containerapps-cccccc-exp20261208t1201z");
        assert.deepEqual(named.map((c) => [c.stack, c.reason, c.selected]), [["e2e-containerapps-cccccc-exp20261208t1201z", "named", true]]);
        assert.deepEqual(selectStacks(stacks, now, "prod"), []);
    });
});
