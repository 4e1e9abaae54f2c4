/**
 * The Kubernetes tier's cloud adapters: what differs per cloud arrives as values (the Gateway
 * class, spot marks, the CSI secret store), so the same code serves AKS and any other cluster;
 * the AKS values reproduce what the tier set before it was cloud-neutral.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { gatewaySpec } from "../../../components/kubernetes/webGateway";
import { spotScheduling } from "../../../components/kubernetes/scheduling";
import { AKS_SPOT_NODES, appRoutingGateway, keyVaultSecretStore } from "../../../components/azure/aksAdapters";
import { PROJECT_DIR } from "../../helpers/planJobs";

describe("Kubernetes tier: cloud adapters", () => {
    it("imports nothing from azure-native or the Azure components", () => {
        const dir = path.join(PROJECT_DIR, "components/kubernetes");
        for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
            const text = fs.readFileSync(path.join(dir, file), "utf8");
            assert.doesNotMatch(text, /@pulumi\/azure-native|from "\.\.\/azure\//, file);
        }
    });

    it("serves the web entry with the Gateway class the caller names, no Azure annotation unless asked", () => {
        const spec = gatewaySpec({ host: "shop.example.com", tls: false, gateway: { className: "eg" } });
        assert.strictEqual(spec.gatewayClassName, "eg");
        assert.strictEqual(spec.infrastructure, undefined);
    });

    it("on AKS: the app routing class, the DNS label on the Gateway's public IP", () => {
        const spec = gatewaySpec({ host: "shop.example.com", tls: false, gateway: appRoutingGateway("bookstore-prod") });
        assert.strictEqual(spec.gatewayClassName, "approuting-istio");
        assert.deepStrictEqual(spec.infrastructure, { annotations: { "service.beta.kubernetes.io/azure-dns-label-name": "bookstore-prod" } });
    });

    it("tolerates and prefers the spot marks it is given (AKS: kubernetes.azure.com/scalesetpriority=spot)", () => {
        const other = spotScheduling({ nodeLabel: { key: "example.io/spot", value: "yes" }, taint: { key: "example.io/spot", value: "yes", effect: "NoSchedule" } });
        assert.deepStrictEqual(other.tolerations, [{ key: "example.io/spot", operator: "Equal", value: "yes", effect: "NoSchedule" }]);
        const aks = spotScheduling(AKS_SPOT_NODES);
        assert.deepStrictEqual(aks.tolerations, [{ key: "kubernetes.azure.com/scalesetpriority", operator: "Equal", value: "spot", effect: "NoSchedule" }]);
        const term = (aks.affinity.nodeAffinity as any).preferredDuringSchedulingIgnoredDuringExecution[0];
        assert.deepStrictEqual(term.preference.matchExpressions, [{ key: "kubernetes.azure.com/scalesetpriority", operator: "In", values: ["spot"] }]);
    });

    it("Key Vault CSI store: one secret object per name, synced into the Secret the env vars read", () => {
        const store = keyVaultSecretStore({ workloadIdentity: { clientId: "cid" } as any, keyVault: { name: "kv" } as any, tenantId: "tid" as any });
        const spec = store.spec(["a", "b"]) as any;
        assert.strictEqual(spec.provider, "azure");
        assert.strictEqual(spec.parameters.objects, "array:\n  - |\n    objectName: a\n    objectType: secret\n  - |\n    objectName: b\n    objectType: secret\n");
        assert.deepStrictEqual(spec.secretObjects, [{ secretName: store.syncedSecretName, type: "Opaque", data: [{ objectName: "a", key: "a" }, { objectName: "b", key: "b" }] }]);
        assert.strictEqual(store.resourceName, "keyvault-provider"); // part of the URN of a deployed resource
    });
});
