// Replacement prediction for AKS: the provider's forceNewMap and the create-time rules AKS states in
// prose (createOnly.azure.json `maintained`), checked on real plans of prod-aks and stack variants.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import table from "../../../tools/review/createOnly.azure.json";
import { diffPlans } from "../../../tools/review/diff";
import { createOnlyPaths, putBodySchema } from "../../../tools/review/generateCreateOnly";
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

    it("replaces the user AgentPools when their vmSize changes, and updates the cluster's tier in place", () => {
        const diff = diffPlans(base(), resized());
        const userPools = ["user-pool-z1", "user-pool-z2", "user-pool-z3"];
        for (const name of userPools) {
            const pool = diff.changes.find((c) => c.type === POOL && c.name === name);
            assert.equal(pool?.op, "replace", name);
            assert.deepEqual(pool?.replaceReasons, [{ path: "vmSize", rule: "replaced by azure-native (its forceNewMap)" }]);
        }
        const cluster = diff.changes.find((c) => c.type === CLUSTER);
        assert.equal(cluster?.op, "update");
        assert.deepEqual(cluster?.changes.map((c) => c.path), ["sku.tier"]);
        // Other pools are untouched; an agent pool is not stateful, so nothing needs --allow-replace.
        assert.deepEqual(diff.changes.filter((c) => c.type === POOL).map((c) => c.name).sort(), userPools);
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
        // orchestratorVersion: a Kubernetes upgrade of the pool, in place (the control plane's raise moves it).
        for (const path of ["maxCount", "minCount", "nodeTaints[0]", "nodeLabels.workload", "upgradeSettings.maxSurge", "mode", "orchestratorVersion"]) {
            assert.deepEqual(replaceReasons(POOL, [path]), [], path);
        }
        assert.deepEqual(replaceReasons(CLUSTER, ["dnsPrefix"]).map((r) => r.rule), ["replaced by azure-native (its forceNewMap)"]);
        assert.deepEqual(replaceReasons(CLUSTER, ["kubernetesVersion", "sku.tier", "networkProfile.loadBalancerSku", "agentPoolProfiles[0].vmSize",
            "agentPoolProfiles[0].orchestratorVersion", "autoScalerProfile.balanceSimilarNodeGroups"]), []);
    });

    it("cites a source for every maintained entry", () => {
        for (const type of [POOL, CLUSTER]) {
            const entry = (table.types as Record<string, { maintained?: { path: string; rule: string; source: string }[] }>)[type];
            assert.ok(entry.maintained && entry.maintained.length > 0, type);
            for (const rule of entry.maintained) assert.ok(rule.path && rule.rule && rule.source.length > 20, `${type} ${rule.path}`);
        }
    });
});

describe("review: create-only table across spec files (Container Apps certificate)", () => {
    it("the generator follows a $ref into a sibling file of the checkout (./CommonDefinitions.json)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "specs-"));
        const folder = "specification/app/resource-manager/Microsoft.App/preview/2025-02-02-preview";
        fs.mkdirSync(path.join(dir, folder), { recursive: true });
        const main = {
            paths: { "/x/managedEnvironments/{environmentName}/certificates/{certificateName}": { put: { parameters: [{ name: "certificateEnvelope", in: "body", schema: { $ref: "./CommonDefinitions.json#/definitions/Certificate" } }] } } },
        };
        const common = {
            definitions: {
                Certificate: {
                    allOf: [{ $ref: "../../../../../common-types/resource-management/v5/types.json#/definitions/TrackedResource" }],
                    properties: { properties: { properties: { value: { type: "string", "x-ms-mutability": ["create"] }, certificateType: { type: "string" }, kv: { $ref: "#/definitions/Kv" } } } },
                },
                Kv: { properties: { keyVaultUrl: { type: "string", "x-ms-mutability": ["read", "create"] } } },
            },
        };
        fs.writeFileSync(path.join(dir, folder, "ManagedEnvironments.json"), JSON.stringify(main));
        fs.writeFileSync(path.join(dir, folder, "CommonDefinitions.json"), JSON.stringify(common));
        const schema = putBodySchema(main, "/certificates/{certificateName}");
        assert.deepEqual(createOnlyPaths({ doc: main, checkout: dir, file: `${folder}/ManagedEnvironments.json` }, schema), ["location", "properties.kv.keyVaultUrl", "properties.value"]);
        // Without the checkout the cross-file body stays unknown rather than guessed.
        assert.deepEqual(createOnlyPaths(main, schema), []);
    });

    it("predicts a certificate's replacement for a new PEM value or a new environment", () => {
        const CERT = "azure-native:app:Certificate";
        assert.deepEqual(replaceReasons(CERT, ["properties.value"]), [{ path: "properties.value", rule: "create-only in the Azure REST spec" }]);
        assert.deepEqual(replaceReasons(CERT, ["environmentName"]), [{ path: "environmentName", rule: "names the resource in its ARM id" }]);
        assert.deepEqual(replaceReasons(CERT, ["properties.certificateType"]), []);
    });
});
