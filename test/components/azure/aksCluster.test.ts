import * as assert from "assert";
import { inputs, oneOfType, planOf, resourcesOfType } from "../../helpers/plan";

describe("AksCluster (plan of prod-aks)", () => {
    const doc = () => planOf("prod-aks");
    const cluster = () => oneOfType(doc(), "azure-native:containerservice:ManagedCluster");

    it("keeps only a small system pool inline, tainted CriticalAddonsOnly, across three zones", () => {
        const pools = inputs(cluster()).agentPoolProfiles;
        assert.strictEqual(pools.length, 1);
        const [system] = pools;
        assert.deepStrictEqual([system.name, system.mode, system.nodeTaints, system.availabilityZones],
            ["system", "System", ["CriticalAddonsOnly=true:NoSchedule"], ["1", "2", "3"]]);
        assert.deepStrictEqual([system.enableAutoScaling, system.minCount, system.maxCount], [true, 3, 5]);
        assert.deepStrictEqual(cluster().options.ignoreChanges, ["agentPoolProfiles[*].count"]);
    });

    it("autoscales a separate user pool and a spot pool (Spot, Delete, -1) whose counts the plan leaves alone", () => {
        const user = oneOfType(doc(), "azure-native:containerservice:AgentPool", "user-pool");
        assert.deepStrictEqual([inputs(user).mode, inputs(user).enableAutoScaling, inputs(user).minCount, inputs(user).maxCount], ["User", true, 2, 10]);
        const spot = oneOfType(doc(), "azure-native:containerservice:AgentPool", "spot-pool");
        const s = inputs(spot);
        assert.deepStrictEqual([s.scaleSetPriority, s.scaleSetEvictionPolicy, s.spotMaxPrice], ["Spot", "Delete", -1]);
        assert.deepStrictEqual(s.nodeTaints, ["kubernetes.azure.com/scalesetpriority=spot:NoSchedule"]);
        assert.deepStrictEqual(s.nodeLabels, { workload: "batch" });
        for (const pool of [user, spot]) {
            assert.deepStrictEqual(pool.options.ignoreChanges, ["count"]);
            assert.deepStrictEqual(inputs(pool).availabilityZones, ["1", "2", "3"]);
        }
    });

    it("turns on OIDC and workload identity, Azure CNI overlay, Entra RBAC without local accounts", () => {
        const c = inputs(cluster());
        assert.deepStrictEqual([c.oidcIssuerProfile, c.securityProfile.workloadIdentity], [{ enabled: true }, { enabled: true }]);
        assert.deepStrictEqual([c.networkProfile.networkPlugin, c.networkProfile.networkPluginMode], ["azure", "overlay"]);
        assert.strictEqual(c.disableLocalAccounts, true);
        assert.deepStrictEqual([c.aadProfile.managed, c.aadProfile.enableAzureRBAC], [true, true]);
        assert.strictEqual(c.sku.tier, "Standard");
        assert.strictEqual(c.kubernetesVersion, "1.36");
    });

    it("sends Container Insights to the workspace and Prometheus metrics to an Azure Monitor workspace", () => {
        const c = inputs(cluster());
        assert.strictEqual(c.addonProfiles.omsagent.enabled, true);
        assert.match(c.addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID, /\/workspaces\/bookstore-prod-logs$/);
        assert.strictEqual(c.azureMonitorProfile.metrics.enabled, true);
        const rules = resourcesOfType(doc(), "azure-native:monitor:DataCollectionRule").filter((r) => r.parent === cluster().parent);
        assert.deepStrictEqual(rules.map((r) => r.name).sort(), ["container-insights", "prometheus"]);
        const associations = resourcesOfType(doc(), "azure-native:monitor:DataCollectionRuleAssociation").filter((r) => r.parent === cluster().parent);
        assert.deepStrictEqual(associations.map((a) => inputs(a).resourceUri),
            Array(3).fill("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/bookstore-prod-rg/providers/Microsoft.ContainerService/managedClusters/bookstore-prod-aks"));
    });

    it("builds the Kubernetes provider from the user credentials, as a secret", () => {
        const provider = oneOfType(doc(), "pulumi:providers:kubernetes", "aks");
        assert.strictEqual(inputs(provider).kubeconfig, "[secret]");
    });

    it("grants the kubelet AcrPull, the control plane the node subnet and the deployer cluster-admin", () => {
        const roles = resourcesOfType(doc(), "azure-native:authorization:RoleAssignment").map((r) => r.name);
        for (const name of ["aks-kubelet-acr-pull", "aks-subnet-network-contributor", "aks-deployer-cluster-admin"]) assert.ok(roles.includes(name), roles.join(", "));
    });

    it("needs no Key Vault grant for the web certificate (the Gateway serves a Kubernetes TLS Secret)", () => {
        const roles = resourcesOfType(doc(), "azure-native:authorization:RoleAssignment").map((r) => r.name);
        assert.ok(!roles.includes("aks-app-routing-keyvault-certificate-user"), roles.join(", "));
    });
});
