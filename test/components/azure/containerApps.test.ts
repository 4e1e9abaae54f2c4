import * as assert from "assert";
import { inputs, oneOfType, planOf, resourcesOfType, runPlan, stackVariant, nonEmpty } from "../../helpers/plan";

describe("Container Apps runtime (plan of prod)", () => {
    const doc = () => planOf("prod");
    const appNamed = (name: string) => inputs(oneOfType(doc(), "azure-native:app:ContainerApp", name));

    it("creates a zone-redundant workload-profiles environment in the platform subnet, logging to Log Analytics", () => {
        const env = inputs(oneOfType(doc(), "azure-native:app:ManagedEnvironment"));
        assert.strictEqual(env.zoneRedundant, true);
        assert.deepStrictEqual(env.workloadProfiles, [{ name: "Consumption", workloadProfileType: "Consumption" }]);
        assert.match(env.vnetConfiguration.infrastructureSubnetId, /\/virtualNetworks\/bookstore-prod-vnet\/subnets\/snet-container-apps$/);
        assert.strictEqual(env.appLogsConfiguration.destination, "log-analytics");
        assert.strictEqual(env.appLogsConfiguration.logAnalyticsConfiguration.sharedKey, "[secret]");
    });

    it("scales the api with the seed's KEDA rules: HTTP 50, CPU 70 %, memory 80 %, max 10", () => {
        const api = appNamed("api");
        assert.strictEqual(api.configuration.activeRevisionsMode, "Single");
        assert.deepStrictEqual(api.template.scale, {
            // 3, not the guide's 2: the environment is zone redundant (one replica per zone).
            minReplicas: 3,
            maxReplicas: 10,
            rules: [
                { name: "http-rule", http: { metadata: { concurrentRequests: "50" } } },
                { name: "cpu-rule", custom: { type: "cpu", metadata: { type: "Utilization", value: "70" } } },
                { name: "memory-rule", custom: { type: "memory", metadata: { type: "Utilization", value: "80" } } },
            ],
        });
        assert.deepStrictEqual(api.template.containers[0].resources, { cpu: 0.5, memory: "1Gi" });
        assert.strictEqual(api.configuration.ingress.external, false);
    });

    it("exports apiUrl, the load test's target: the api's internal-ingress FQDN over HTTPS, answered inside the environment only", () => {
        assert.match((doc().outputs as any).apiUrl, /^https:\/\/bookstore-api\.internal\.[a-z0-9]+\.eastus2\.azurecontainerapps\.io$/);
    });

    it("scales the web app to 8 on HTTP 50 and CPU 60 %, with public ingress", () => {
        const web = appNamed("web");
        assert.strictEqual(web.template.scale.maxReplicas, 8);
        assert.deepStrictEqual(web.template.scale.rules.map((r: any) => r.name), ["http-rule", "cpu-rule"]);
        assert.strictEqual(web.template.scale.rules[1].custom.metadata.value, "60");
        assert.strictEqual(web.configuration.ingress.external, true);
        assert.match(doc().outputs && (doc().outputs as any).webUrl, /^https:\/\/bookstore-web\.[a-z0-9]+\.eastus2\.azurecontainerapps\.io$/);
    });

    it("probes liveness, readiness and startup on /health", () => {
        const probes = appNamed("api").template.containers[0].probes;
        assert.deepStrictEqual(probes.map((p: any) => [p.type, p.httpGet.path, p.httpGet.port]),
            [["Liveness", "/health", 8080], ["Readiness", "/health", 8080], ["Startup", "/health", 8080]]);
        assert.deepStrictEqual([probes[0].initialDelaySeconds, probes[0].periodSeconds, probes[1].initialDelaySeconds, probes[1].periodSeconds], [30, 10, 5, 5]);
    });

    it("pulls with the workload identity and reads wired secrets as Key Vault references", () => {
        const api = appNamed("api");
        const identity = api.identity.userAssignedIdentities[0];
        assert.match(identity, /\/userAssignedIdentities\/bookstore-prod-workload$/);
        assert.deepStrictEqual(api.configuration.registries, [{ server: (doc().outputs as any).registryLoginServer, identity }]);
        const secret = api.configuration.secrets.find((s: any) => s.name === "connectionstrings--bookstore");
        assert.ok(secret, JSON.stringify(api.configuration.secrets));
        assert.strictEqual(secret.identity, identity);
        assert.match(secret.keyVaultUrl, /^https:\/\/bookstorekv\w+\.vault\.azure\.net\/secrets\//);
        assert.strictEqual(secret.value, undefined);
        const env = api.template.containers[0].env;
        assert.deepStrictEqual(env.find((e: any) => e.name === "ConnectionStrings__bookstore"), { name: "ConnectionStrings__bookstore", secretRef: "connectionstrings--bookstore" });
        assert.ok(env.some((e: any) => e.name === "AZURE_CLIENT_ID" && e.value === (doc().outputs as any).workloadIdentityClientId));
    });

    it("starts each app only after the workload identity may pull images and read Key Vault", () => {
        const grants = ["acr-pull", "kv-secrets-user"].map((name) => oneOfType(doc(), "azure-native:authorization:RoleAssignment", name).urn);
        for (const app of nonEmpty(resourcesOfType(doc(), "azure-native:app:ContainerApp"))) {
            for (const grant of grants) assert.ok(app.dependencies.includes(grant), `${app.name} does not wait for ${grant}`);
        }
    });

    it("creates no Kubernetes resources", () => {
        assert.deepStrictEqual(doc().resources.filter((r) => r.type.startsWith("kubernetes:") || r.type.startsWith("azure-native:containerservice:")), []);
        assert.strictEqual(resourcesOfType(doc(), "azure-native:app:ContainerApp").length, 2);
    });

    it("fails the plan with the service named when the cpu/memory pair is not allowed", () => {
        const file = stackVariant("prod", (config) => { config["bookstore:app"].services.api.memory = "3Gi"; });
        const run = runPlan("prod", { stackFile: file });
        assert.strictEqual(run.exitCode, 2, run.stderr);
        assert.match(run.stderr, /bookstore:app\.services\.api\.cpu: expected a Container Apps cpu\/memory pair .* for service "api", got \{"cpu":0\.5,"memory":"3Gi"\}/);
        assert.strictEqual(run.document, undefined);
    });
});
