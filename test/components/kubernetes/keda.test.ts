import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { customMetricQuery, kedaThreshold, kedaTriggerAuthentication, scaledObjectSpec, scrapedServices, triggerAuthenticationSpec } from "../../../components/kubernetes/keda";
import { validateManifest, type ManifestEntry } from "../../../tools/offline/manifests";
import { AppSchema } from "../../../stacks/schema/app";
import { inputs, oneOfType, planned, plannedRun, stackVariant } from "../../helpers/plan";

/** The api service as the schema defaults it, with custom metrics on (the seed's). */
function seedApi() {
    const app = AppSchema.parse({ services: { api: { image: "bookstore/api:1.0.0", hpa: { customMetrics: { enabled: true } } } } }) as any;
    return app.services.api;
}
const source = { serverAddress: "https://amw.eastus2.prometheus.monitor.azure.com" };
const manifest = (kind: string, spec: unknown) => ({ apiVersion: "keda.sh/v1alpha1", kind, metadata: { name: "api", namespace: "bookstore" }, spec });

describe("KEDA builders (components/kubernetes/keda.ts)", () => {
    it("turns the seed's quantities into the decimal thresholds KEDA's Prometheus scaler parses", () => {
        assert.deepStrictEqual(["1000", "500m", "1.5", "2k", "250m"].map(kedaThreshold), ["1000", "0.5", "1.5", "2000", "0.25"]);
        assert.throws(() => kedaThreshold("fast"), /not a Kubernetes quantity: "fast"/);
    });

    it("queries the per-pod metric summed over the Deployment's pods only", () => {
        assert.strictEqual(customMetricQuery("http_requests_per_second", "bookstore", "api"),
            'sum(http_requests_per_second{namespace="bookstore",pod=~"api-[a-z0-9]+-[a-z0-9]+"})');
    });

    it("builds a ScaledObject and TriggerAuthentication KEDA v2.20.2's CRD schemas accept, and the schema rejects a broken one", () => {
        const spec = scaledObjectSpec("api", seedApi(), "bookstore", { ...source, metadata: { awsRegion: "us-east-1" } });
        assert.deepStrictEqual(validateManifest(manifest("ScaledObject", spec)), []);
        assert.deepStrictEqual(validateManifest(manifest("TriggerAuthentication", triggerAuthenticationSpec({ provider: "aws", identityOwner: "keda" }))), []);
        assert.deepStrictEqual(validateManifest(manifest("TriggerAuthentication", triggerAuthenticationSpec({ provider: "azure-workload", identityId: "id", identityTenantId: "t" }))), []);
        // KEDA trigger metadata is a map of strings: a numeric threshold is refused, as is a trigger without a type.
        const broken = { ...spec, triggers: [{ metadata: { threshold: 1000 } }] };
        const errors = validateManifest(manifest("ScaledObject", broken))!.join("\n");
        assert.match(errors, /spec\.triggers\[0\]\.metadata\.threshold: must be string/);
        assert.match(errors, /spec\.triggers\[0\]\.type: is required/);
    });
});

describe("a cluster without KEDA", () => {
    it("refuses a service with custom metrics, naming its key, before creating anything", () => {
        assert.throws(() => kedaTriggerAuthentication({ services: { api: seedApi() } }, "bookstore", {}),
            /^Error: bookstore:app\.services\.api\.hpa\.customMetrics\.enabled: custom metrics scale through KEDA, which this cluster does not provide$/);
        const off = { ...seedApi(), hpa: { ...seedApi().hpa, customMetrics: { enabled: false, metrics: [] } } };
        assert.strictEqual(kedaTriggerAuthentication({ services: { api: off } }, "bookstore", {}), undefined);
    });
});

describe("scraping what KEDA reads on AKS", () => {
    it("scrapes only the api unless another service scales on custom metrics", () => {
        const web = { ...seedApi(), hpa: { ...seedApi().hpa, customMetrics: { enabled: false, metrics: [] } } };
        assert.strictEqual(scrapedServices({ api: seedApi(), web }, "api"), undefined);
        assert.deepStrictEqual(scrapedServices({ api: web, web: seedApi() }, "api"), ["api", "web"]);
    });

    const webCustomMetrics = planned("prod-aks", { stackFile: stackVariant("prod-aks", (config) => { config["bookstore:app"].services.web.hpa = { ...config["bookstore:app"].services.web.hpa, customMetrics: { enabled: true } }; }) });
    it("prod-aks with custom metrics on the web app: its PodMonitor selects the api's and the web's pods", () => {
        const doc = webCustomMetrics();
        const monitor = inputs(oneOfType(doc, "kubernetes:azmonitoring.coreos.com/v1:PodMonitor"));
        assert.deepStrictEqual(monitor.spec.selector, { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["api", "web"] }] });
        const scaled = inputs(oneOfType(doc, "kubernetes:keda.sh/v1alpha1:ScaledObject"));
        assert.deepStrictEqual([scaled.metadata.name, scaled.spec.triggers.map((t: any) => t.type)], ["web", ["cpu", "prometheus", "prometheus"]]);
    });
});

describe("--manifests of prod-aks with custom metrics on", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keda-manifests-"));
    const stackFile = stackVariant("prod-aks", (config) => { config["bookstore:app"].services.api.hpa.customMetrics.enabled = true; });
    const withManifests = plannedRun("prod-aks", { stackFile, args: ["--manifests", dir] });
    it("writes the ScaledObject and TriggerAuthentication, valid against the pinned KEDA schemas", () => {
        try {
            const { document, stderr } = withManifests();
            assert.ok(document, stderr);
            const entries = (document.manifests as { resources: ManifestEntry[] }).resources;
            assert.deepStrictEqual(entries.filter((e) => e.kind === "ScaledObject" || e.kind === "TriggerAuthentication").map((e) => [e.kind, e.validation]).sort(),
                [["ScaledObject", "valid"], ["TriggerAuthentication", "valid"]]);
            const scaled = parse(fs.readFileSync(path.join(dir, "bookstore/scaledobject-api.yaml"), "utf8"));
            assert.strictEqual(scaled.spec.triggers.length, 4);
            assert.ok(!fs.existsSync(path.join(dir, "bookstore/horizontalpodautoscaler-api-hpa.yaml")));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
