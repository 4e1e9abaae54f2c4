import * as assert from "assert";
import { inputs, oneOfType, planOf, resourcesOfType } from "../../helpers/plan";
import { managedPrometheusName, zonalPools } from "../../../components/azure/aksCluster";

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

    it("autoscales one user and one spot pool per zone (Spot, Delete, -1), kept level, whose counts the plan leaves alone", () => {
        // Learn, AKS zone resiliency: with the cluster autoscaler, "a single node pool for each zone".
        const pools = resourcesOfType(doc(), "azure-native:containerservice:AgentPool");
        assert.deepStrictEqual(pools.map((p) => [p.name, inputs(p).agentPoolName, inputs(p).availabilityZones]).sort(), [
            ["spot-pool-z1", "spot1", ["1"]], ["spot-pool-z2", "spot2", ["2"]], ["spot-pool-z3", "spot3", ["3"]],
            ["user-pool-z1", "user1", ["1"]], ["user-pool-z2", "user2", ["2"]], ["user-pool-z3", "user3", ["3"]],
        ]);
        for (const user of pools.filter((p) => p.name.startsWith("user"))) {
            // userPool 2..10 over three zones: 1..4 each.
            assert.deepStrictEqual([inputs(user).mode, inputs(user).enableAutoScaling, inputs(user).minCount, inputs(user).maxCount], ["User", true, 1, 4]);
        }
        for (const spot of pools.filter((p) => p.name.startsWith("spot"))) {
            const s = inputs(spot);
            assert.deepStrictEqual([s.scaleSetPriority, s.scaleSetEvictionPolicy, s.spotMaxPrice, s.minCount, s.maxCount], ["Spot", "Delete", -1, 0, 4]);
            assert.deepStrictEqual(s.nodeTaints, ["kubernetes.azure.com/scalesetpriority=spot:NoSchedule"]);
            assert.deepStrictEqual(s.nodeLabels, { workload: "batch" });
        }
        for (const pool of pools) assert.deepStrictEqual(pool.options.ignoreChanges, ["count"]);
        assert.deepStrictEqual(inputs(cluster()).autoScalerProfile, { balanceSimilarNodeGroups: "true" });
    });

    it("names the control plane's version on every pool, so raising kubernetesVersion moves the pools too", () => {
        const version = inputs(cluster()).kubernetesVersion;
        const versions = [...inputs(cluster()).agentPoolProfiles, ...resourcesOfType(doc(), "azure-native:containerservice:AgentPool").map(inputs)]
            .map((p: any) => p.orchestratorVersion);
        assert.deepStrictEqual(versions, Array(versions.length).fill(version));
    });

    it("creates the Kubernetes provider only once the deployer's cluster-admin grant has had Learn's five minutes to propagate", () => {
        const grant = oneOfType(doc(), "azure-native:authorization:RoleAssignment", "aks-deployer-cluster-admin");
        const wait = oneOfType(doc(), "time:index/sleep:Sleep", "deployer-grant-propagation");
        assert.deepStrictEqual([inputs(wait).createDuration, wait.dependencies], ["300s", [grant.urn]]);
        const provider = oneOfType(doc(), "pulumi:providers:kubernetes", "aks");
        assert.ok(provider.dependencies.includes(wait.urn), "the provider does not wait for the grant to propagate");
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

describe("zonalPools and the managed-Prometheus names", () => {
    it("splits a pool spec over its zones, rounding each zone's bounds up; one zone or none keeps the single pool", () => {
        assert.deepStrictEqual(zonalPools({ logicalName: "user-pool", agentPoolName: "user" }, ["1", "2", "3"], 2, 10).map((p) => [p.agentPoolName, p.minCount, p.maxCount]),
            [["user1", 1, 4], ["user2", 1, 4], ["user3", 1, 4]]);
        assert.deepStrictEqual(zonalPools({ logicalName: "user-pool", agentPoolName: "user" }, [], 2, 10),
            [{ logicalName: "user-pool", agentPoolName: "user", minCount: 2, maxCount: 10 }]);
        assert.deepStrictEqual(zonalPools({ logicalName: "spot-pool", agentPoolName: "spot" }, ["2"], 0, 3),
            [{ logicalName: "spot-pool", agentPoolName: "spot", availabilityZones: ["2"], minCount: 0, maxCount: 3 }]);
    });

    it("cuts MSProm-<location>-<cluster> to the 44 characters the service takes", () => {
        assert.strictEqual(managedPrometheusName("eastus2", "bookstore-prod-aks"), "MSProm-eastus2-bookstore-prod-aks");
        const long = managedPrometheusName("southcentralus", "bookstoreplat-staging-aks");
        assert.strictEqual(long, "MSProm-southcentralus-bookstoreplat-staging-");
        assert.strictEqual(long.length, 44);
    });
});
