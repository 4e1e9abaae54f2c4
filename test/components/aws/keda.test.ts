import { strict as assert } from "assert";
import { parse } from "yaml";
import { ampQueryStatements, ampServerAddress, KEDA_CHART } from "../../../components/aws/kedaAuth";
import { scrapeConfiguration } from "../../../components/aws/observability";
import { validateManifest } from "../../../tools/offline/manifests";
import type { PlanResource } from "../../../tools/offline/render";
import { planned, planOf, stackVariant, ofType } from "../../helpers/plan";


describe("KEDA on EKS (components/aws/kedaAuth.ts)", function () {
    this.timeout(300000);

    it("queries AMP at the workspace URL without the trailing slash, with only aps:QueryMetrics on that workspace", () => {
        assert.equal(ampServerAddress("https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/"), "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1");
        assert.deepEqual(ampQueryStatements("arn:aws:aps:us-east-1:1:workspace/ws-1"), [{ Effect: "Allow", Action: ["aps:QueryMetrics"], Resource: "arn:aws:aps:us-east-1:1:workspace/ws-1" }]);
    });

    it("has the managed scraper collect the app pods' /metrics with the namespace and pod labels the triggers select on", () => {
        const job = parse(scrapeConfiguration("bookstore")).scrape_configs.find((j: any) => j.job_name === "bookstore-app");
        assert.deepEqual(job.kubernetes_sd_configs, [{ role: "pod", namespaces: { names: ["bookstore"] } }]);
        assert.equal(job.metrics_path, "/metrics");
        const targets = job.relabel_configs.filter((r: any) => r.target_label).map((r: any) => [r.source_labels[0], r.target_label]);
        assert.deepEqual(targets, [["__meta_kubernetes_namespace", "namespace"], ["__meta_kubernetes_pod_name", "pod"]]);
    });

    describe("prod-eks (custom metrics on the api)", () => {
        let resources: PlanResource[];
        const customMetrics = planned("prod-eks");
        before(() => {
            resources = customMetrics().resources;
        });

        it("installs KEDA's chart, pinned, with a Pod Identity role for its operator allowed only to query the AMP workspace", () => {
            const [release] = ofType(resources, "kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.chart === "keda");
            assert.deepEqual([release.inputs.version, release.inputs.repositoryOpts.repo, release.inputs.namespace], [KEDA_CHART.version, "https://kedacore.github.io/charts", "keda"]);
            const association = ofType(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation").find((a) => a.inputs.serviceAccount === "keda-operator")!;
            assert.equal(association.inputs.namespace, "keda");
            const policy = ofType(resources, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "keda-operator-policy")!;
            const workspace = ofType(resources, "aws:amp/workspace:Workspace")[0];
            assert.deepEqual(JSON.parse(policy.inputs.policy).Statement.map((s: any) => [s.Action, s.Resource.startsWith("arn:aws:aps:us-east-1:")]), [[["aps:QueryMetrics"], true]]);
            assert.ok(workspace);
        });

        it("scales the api with a ScaledObject signed with SigV4 from the operator's pod identity, and no HPA for it", () => {
            const hpas = ofType(resources, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").map((h) => h.inputs.metadata.name);
            assert.deepEqual(hpas, ["web-hpa"]);
            const scaled = ofType(resources, "kubernetes:keda.sh/v1alpha1:ScaledObject");
            assert.deepEqual(scaled.map((s) => s.inputs.metadata.name), ["api"]);
            const spec = scaled[0].inputs.spec;
            assert.deepEqual([spec.minReplicaCount, spec.maxReplicaCount, spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.selectPolicy], [2, 10, "Max"]);
            const prometheus = spec.triggers.filter((t: any) => t.type === "prometheus");
            assert.deepEqual(prometheus.map((t: any) => [t.metadata.threshold, t.metadata.awsRegion]), [["1000", "us-east-1"], ["0.5", "us-east-1"]]);
            for (const t of prometheus) assert.match(t.metadata.serverAddress, /^https:\/\/aps-workspaces\.us-east-1\.amazonaws\.com\/workspaces\/[^/]+$/);
            const [auth] = ofType(resources, "kubernetes:keda.sh/v1alpha1:TriggerAuthentication");
            assert.deepEqual(auth.inputs.spec, { podIdentity: { provider: "aws", identityOwner: "keda" } });
            assert.deepEqual(validateManifest(scaled[0].inputs as any), []);
            assert.deepEqual(validateManifest(auth.inputs as any), []);
        });
    });

    it("prod-eks with custom metrics off keeps both HPAs and installs no KEDA", () => {
        const { resources } = planOf("prod-eks", {
            stackFile: stackVariant("prod-eks", (config) => { config["bookstore:app"].services.api.hpa.customMetrics.enabled = false; }),
        });
        assert.deepEqual(ofType(resources, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").map((h) => h.inputs.metadata.name).sort(), ["api-hpa", "web-hpa"]);
        assert.deepEqual(resources.filter((r) => r.type.includes("keda") || r.name.startsWith("keda")).map((r) => r.name), []);
    });
});
