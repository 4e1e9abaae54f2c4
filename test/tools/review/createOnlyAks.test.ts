// Replacement prediction for AKS: the provider's forceNewMap and the create-time rules AKS states in
// prose (createOnly.azure.json `maintained`), checked on real plans of prod-aks and stack variants.
import { strict as assert } from "assert";
import table from "../../../tools/review/createOnly.azure.json";
import { diffPlans } from "../../../tools/review/diff";
import { renderDiff } from "../../../tools/review/render";
import { replaceReasons } from "../../../tools/review/replacement";
import { planned, stackVariant } from "../../helpers/plan";

const POOL = "azure-native:containerservice:AgentPool";
const CLUSTER = "azure-native:containerservice:ManagedCluster";

describe("review: AKS replacement prediction", () => {
    const base = planned("prod-aks");
    // A bigger user-pool VM and the Premium control-plane tier in one change.
    const resized = planned("prod-aks", { stackFile: stackVariant("prod-aks", (config) => {
        config["bookstore:app"].aks.userPool.vmSize = "Standard_D8ds_v5";
        config["bookstore:app"].aks.skuTier = "Premium";
    }) });
    // A new service CIDR (and the DNS service address inside it).
    const renumbered = planned("prod-aks", { stackFile: stackVariant("prod-aks", (config) => {
        config["bookstore:app"].aks.serviceCidr = "10.1.0.0/16";
        config["bookstore:app"].aks.dnsServiceIP = "10.1.0.10";
    }) });

    it("replaces the user AgentPool when its vmSize changes, and updates the cluster's tier in place", () => {
        const diff = diffPlans(base(), resized());
        const pool = diff.changes.find((c) => c.type === POOL && c.name === "user-pool");
        assert.equal(pool?.op, "replace");
        assert.deepEqual(pool?.replaceReasons, [{ path: "vmSize", rule: "replaced by azure-native (its forceNewMap)" }]);
        const cluster = diff.changes.find((c) => c.type === CLUSTER);
        assert.equal(cluster?.op, "update");
        assert.deepEqual(cluster?.changes.map((c) => c.path), ["sku.tier"]);
        // Other pools are untouched; an agent pool is not stateful, so nothing needs --allow-replace.
        assert.deepEqual(diff.changes.filter((c) => c.type === POOL).map((c) => c.name), ["user-pool"]);
        assert.deepEqual(diff.guardedReplacements, []);
    });

    it("replaces the cluster when its service CIDR changes, and flags it as stateful", () => {
        const diff = diffPlans(base(), renumbered());
        const cluster = diff.changes.find((c) => c.type === CLUSTER);
        assert.equal(cluster?.op, "replace");
        assert.deepEqual(cluster?.replaceReasons.map((r) => r.path).sort(), ["networkProfile.dnsServiceIP", "networkProfile.serviceCidr"]);
        assert.deepEqual(diff.guardedReplacements.map((c) => c.type), [CLUSTER]);
        assert.match(renderDiff(diff).join("\n"), /^ \+- azure-native:containerservice:ManagedCluster {2}cluster .*\[stateful\]$/m);
    });

    it("names the create-time rule AKS states in prose (zones, OS disk type) and keeps in-place changes as updates", () => {
        assert.deepEqual(replaceReasons(POOL, ["availabilityZones[0]"]), [{ path: "availabilityZones[0]", rule: "create-time only in AKS (azure-native sends an update, which AKS refuses)" }]);
        assert.equal(replaceReasons(POOL, ["osDiskType"]).length, 1);
        for (const path of ["maxCount", "minCount", "nodeTaints[0]", "nodeLabels.workload", "upgradeSettings.maxSurge", "mode"]) {
            assert.deepEqual(replaceReasons(POOL, [path]), [], path);
        }
        assert.deepEqual(replaceReasons(CLUSTER, ["dnsPrefix"]).map((r) => r.rule), ["replaced by azure-native (its forceNewMap)"]);
        assert.deepEqual(replaceReasons(CLUSTER, ["kubernetesVersion", "sku.tier", "networkProfile.loadBalancerSku", "agentPoolProfiles[0].vmSize"]), []);
    });

    it("cites a source for every maintained entry", () => {
        for (const type of [POOL, CLUSTER]) {
            const entry = table.types[type];
            assert.ok("maintained" in entry && entry.maintained.length > 0, type);
            for (const rule of entry.maintained) assert.ok(rule.path && rule.rule && rule.source.length > 20, `${type} ${rule.path}`);
        }
    });
});
