import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "../../../stacks/config";
import { containerAppsPairProblem, SEED_CUSTOM_METRICS, SEED_HPA_BEHAVIOR } from "../../../stacks/schema/app";
import { memoryGi } from "../../../lib/containerApps";
import { roleService, serviceSettings } from "../../../components/contracts";
import { containerAppSecretName, containerAppsMemory, scaleRules } from "../../../components/azure/containerApps";
import { problemsOf, valid } from "../../helpers/config";

describe("app tier config", () => {
    it("defaults every service's HPA to the seed's api behaviour and custom metrics (off)", () => {
        const api = parseStackConfig(valid("aks")).app.services.api;
        assert.deepStrictEqual(api.hpa.behavior, {
            scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] },
            scaleUp: {
                stabilizationWindowSeconds: 0,
                policies: [{ type: "Percent", value: 100, periodSeconds: 30 }, { type: "Pods", value: 2, periodSeconds: 30 }],
                selectPolicy: "Max",
            },
        });
        assert.deepStrictEqual(api.hpa.customMetrics, {
            enabled: false,
            metrics: [{ name: "http_requests_per_second", target: "1000" }, { name: "api_response_time_p95", target: "500m" }],
        });
        assert.deepStrictEqual([SEED_HPA_BEHAVIOR.scaleDown.stabilizationWindowSeconds, SEED_CUSTOM_METRICS.length], [300, 2]);
    });

    it("rejects a cpu/memory pair Container Apps does not allow, naming the service", () => {
        const raw = valid("containerapps");
        raw.app.services.web.cpu = 0.5;
        raw.app.services.web.memory = "2Gi";
        const problems = problemsOf(raw);
        assert.strictEqual(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], /^bookstore:app\.services\.web\.cpu: expected a Container Apps cpu\/memory pair .* for service "web", got \{"cpu":0\.5,"memory":"2Gi"\}$/);
    });

    it("accepts exactly the documented pairs: 0.25 vCPU steps with 2Gi per vCPU, up to 4 vCPU", () => {
        const allowed: string[] = [];
        for (let quarter = 1; quarter <= 20; quarter++) {
            for (const memory of ["0.5Gi", "1Gi", "1.5Gi", "2Gi", "512Mi", "3.5Gi", "8Gi", "10Gi"]) {
                if (!containerAppsPairProblem(quarter / 4, memory)) allowed.push(`${quarter / 4}/${memory}`);
            }
        }
        assert.deepStrictEqual(allowed, ["0.25/0.5Gi", "0.25/512Mi", "0.5/1Gi", "0.75/1.5Gi", "1/2Gi", "1.75/3.5Gi", "4/8Gi"]);
        assert.strictEqual(memoryGi("512Mi"), 0.5);
    });

    it("checks the cpu/memory pair only on Container Apps (AKS requests are free-form)", () => {
        const raw = valid("aks");
        raw.app.services.api.cpu = 0.5;
        raw.app.services.api.memory = "512Mi";
        assert.doesNotThrow(() => parseStackConfig(raw));
    });

    it("rejects maxReplicas below minReplicas", () => {
        const raw = valid("aks");
        raw.app.services.api.minReplicas = 4;
        raw.app.services.api.maxReplicas = 3;
        assert.deepStrictEqual(problemsOf(raw), ["bookstore:app.services.api.maxReplicas: expected an integer >= minReplicas (4), got 3"]);
    });

    it("rejects the latest tag and untagged images", () => {
        const raw = valid("containerapps");
        raw.app.services.api.image = "bookstore/api:latest";
        raw.app.services.web.image = "bookstore/web";
        const problems = problemsOf(raw);
        assert.ok(problems.some((p) => p.startsWith("bookstore:app.services.api.image: expected an image pinned to a tag or digest (uses the mutable tag \"latest\")")), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("bookstore:app.services.web.image: expected an image pinned to a tag or digest (has no tag or digest)")), problems.join("\n"));
    });

    it("rejects a workload profile the environment does not declare, and sizes beyond a dedicated profile", () => {
        const raw = valid("containerapps");
        raw.app.services.api.workloadProfile = "big";
        raw.app.containerApps = { workloadProfiles: [{ name: "small", workloadProfileType: "D4" }] };
        raw.app.services.web.workloadProfile = "small";
        raw.app.services.web.cpu = 6;
        raw.app.services.web.memory = "12Gi";
        const problems = problemsOf(raw);
        assert.deepStrictEqual(problems, [
            'bookstore:app.services.api.workloadProfile: expected "Consumption" or a profile of app.containerApps.workloadProfiles (small), got "big"',
            'bookstore:app.services.web.cpu: expected at most 4 vCPU and 16Gi for service "web" on a D4 profile, got {"cpu":6,"memory":"12Gi"}',
        ]);
    });

    it("on aks: requests above limits, a second external service, no HPA metric, overlapping ranges", () => {
        const raw = valid("aks");
        raw.app.services.api.cpu = 2;
        raw.app.services.api.ingress = { external: true };
        raw.app.services.web.scale = { cpuUtilization: null, memoryUtilization: null };
        raw.app.aks = { kubernetesVersion: "1.36", podCidr: "10.40.0.0/16", userPool: { minCount: 5, maxCount: 3 } };
        const problems = problemsOf(raw);
        assert.deepStrictEqual(problems.sort(), [
            "bookstore:app.aks.podCidr: expected a range outside the VNet (10.40.0.0/16), got \"10.40.0.0/16\"",
            "bookstore:app.aks.userPool.maxCount: expected an integer >= minCount (5), got 3",
            "bookstore:app.services.api.cpu: expected a CPU request <= limits.cpu (1), got 2",
            'bookstore:app.services.web.ingress.external: expected only one external service on platform "aks" (its Gateway owns the host; "api" is external already), got true',
            'bookstore:app.services.web.scale: expected cpuUtilization, memoryUtilization or hpa.customMetrics on platform "aks" (the HPA needs a metric), got {"concurrentRequests":50,"cpuUtilization":null,"memoryUtilization":null}',
        ]);
    });

    it("rejects custom-metric HPAs on Container Apps", () => {
        const raw = valid("containerapps");
        raw.app.services.api.hpa = { customMetrics: { enabled: true } };
        assert.deepStrictEqual(problemsOf(raw), [
            'bookstore:app.services.api.hpa.customMetrics.enabled: expected false on platform "containerapps" (custom-metric HPAs are a Kubernetes feature), got true',
        ]);
    });
});

describe("app tier building blocks", () => {
    const svc = parseStackConfig(valid("containerapps")).app.services.api;

    it("turns the seed's triggers into KEDA rules and leaves out disabled ones", () => {
        assert.deepStrictEqual(scaleRules({ concurrentRequests: 50, cpuUtilization: 70, memoryUtilization: null }), [
            { name: "http-rule", http: { metadata: { concurrentRequests: "50" } } },
            { name: "cpu-rule", custom: { type: "cpu", metadata: { type: "Utilization", value: "70" } } },
        ]);
    });

    it("states Container Apps memory in Gi, whatever unit the config used", () => {
        assert.deepStrictEqual(["512Mi", "1536Mi", "1Gi", "0.5Gi"].map(containerAppsMemory), ["0.5Gi", "1.5Gi", "1Gi", "0.5Gi"]);
    });

    it("names Container App secrets within Azure's alphabet", () => {
        assert.strictEqual(containerAppSecretName("ConnectionStrings__bookstore-replica-1"), "connectionstrings--bookstore-replica-1");
        assert.strictEqual(containerAppSecretName("_Azure__SignalR_"), "azure--signalr");
    });

    it("merges basics, wiring and the service's own settings; a name set twice names the key", () => {
        const wiring = { env: { ConnectionStrings__redis: "r:6380" }, secrets: { ConnectionStrings__bookstore: { value: "pw" } } };
        const settings = serviceSettings("api", { ...svc, env: { FEATURE_X: "on" }, secretEnv: { Stripe__Key: "stripe-key" } }, wiring,
            { ASPNETCORE_HTTP_PORTS: "8080", ConnectionStrings__redis: "ignored" });
        assert.deepStrictEqual({ ...settings.plain }, { ASPNETCORE_HTTP_PORTS: "8080", ConnectionStrings__redis: "r:6380", FEATURE_X: "on" });
        assert.deepStrictEqual(Object.keys(settings.secrets), ["ConnectionStrings__bookstore"]);
        assert.deepStrictEqual(settings.keyVault, [{ env: "Stripe__Key", secretName: "stripe-key" }]);
        assert.throws(() => serviceSettings("api", { ...svc, env: { ConnectionStrings__bookstore: "x" } }, wiring, {}),
            (err: Error) => err instanceof pulumi.RunError && /^bookstore:app\.services\.api\.env\.ConnectionStrings__bookstore: /.test(err.message));
    });

    it("finds the web and api services by name, else by ingress", () => {
        const ext = { ingress: { external: true } }, int = { ingress: { external: false } };
        assert.deepStrictEqual([roleService({ front: ext, back: int }, "web"), roleService({ front: ext, back: int }, "api")], ["front", "back"]);
        assert.strictEqual(roleService({ web: int, api: ext }, "web"), "web");
    });
});
