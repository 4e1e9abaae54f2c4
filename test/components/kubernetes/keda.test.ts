import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { kedaThreshold, kedaTriggerAuthentication, scaledObjectSpec, scrapedServices, telemetryJob, triggerAuthenticationSpec } from "../../../components/kubernetes/keda";
import { validateManifest, type ManifestEntry } from "../../../tools/offline/manifests";
import { AppSchema } from "../../../stacks/schema/app";
import { inputs, oneOfType, planned, plannedManifests, stackVariant } from "../../helpers/plan";

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

    it("computes the seed's two metrics from the app's request histogram: a throughput averaged per pod, a p95 compared as it is", () => {
        const spec = scaledObjectSpec("api", seedApi(), "apiservice", source);
        const prometheus = spec.triggers.filter((t: any) => t.type === "prometheus") as any[];
        assert.deepStrictEqual(prometheus.map((t) => [t.name, t.metricType, t.metadata.threshold, t.metadata.ignoreNullValues]), [
            ["http-requests-per-second", "AverageValue", "1000", "true"],
            ["api-response-time-p95", "Value", "0.5", "true"],
        ]);
        assert.strictEqual(prometheus[0].metadata.query,
            'sum(rate(http_server_request_duration_seconds_count{job="apiservice",http_route!~"/health|/alive|/api/notifications/stream"}[2m]))');
        assert.strictEqual(prometheus[1].metadata.query,
            'histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{job="apiservice",http_route!~"/health|/alive|/api/notifications/stream"}[5m]))) >= 0');
    });

    it("falls back to the floor when Prometheus fails, so a lost Prometheus never holds the peak", () => {
        assert.deepStrictEqual(scaledObjectSpec("api", seedApi(), "apiservice", source).fallback, { failureThreshold: 3, replicas: 2 });
    });

    it("queries each service's telemetry job: the app's Aspire resource name (OTEL_SERVICE_NAME)", () => {
        const services = { api: { ingress: { external: false } }, web: { ingress: { external: true } }, worker: { ingress: { external: false } } };
        assert.deepStrictEqual(["api", "web", "worker"].map((s) => telemetryJob(s, services)), ["apiservice", "webfrontend", "worker"]);
    });

    it("takes only the metrics the platform computes, naming the key", () => {
        const result = AppSchema.safeParse({ services: { api: { image: "bookstore/api:1.0.0", hpa: { customMetrics: { enabled: true, metrics: [{ name: "queue_length", target: "5" }] } } } } });
        assert.ok(!result.success);
        assert.match(JSON.stringify(result.error.issues[0]), /expected one of \\"http_requests_per_second\\" \| \\"api_response_time_p95\\"/);
        assert.deepStrictEqual(result.error.issues[0].path, ["services", "api", "hpa", "customMetrics", "metrics", 0, "name"]);
    });

    it("builds a ScaledObject and TriggerAuthentication KEDA v2.20.2's CRD schemas accept, and the schema rejects a broken one", () => {
        const spec = scaledObjectSpec("api", seedApi(), "apiservice", { ...source, metadata: { awsRegion: "us-east-1" } });
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
        const scaled = inputs(oneOfType(doc, "kubernetes:keda.sh/v1alpha1:ScaledObject", "web-scaledobject"));
        assert.deepStrictEqual([scaled.metadata.name, scaled.spec.triggers.map((t: any) => t.type)], ["web", ["cpu", "prometheus", "prometheus"]]);
        // The web's triggers read the web's own requests.
        assert.match(scaled.spec.triggers[1].metadata.query, /\{job="webfrontend",/);
    });
});

describe("--manifests of prod-aks (custom metrics on)", () => {
    const { run: withManifests, dir } = plannedManifests("prod-aks");
    it("writes the ScaledObject and TriggerAuthentication, valid against the pinned KEDA schemas", () => {
        const { document, stderr } = withManifests();
        assert.ok(document, stderr);
        const entries = (document.manifests as { resources: ManifestEntry[] }).resources;
        assert.deepStrictEqual(entries.filter((e) => e.kind === "ScaledObject" || e.kind === "TriggerAuthentication").map((e) => [e.kind, e.validation]).sort(),
            [["ScaledObject", "valid"], ["TriggerAuthentication", "valid"]]);
        const scaled = parse(fs.readFileSync(path.join(dir, "bookstore/scaledobject-api.yaml"), "utf8"));
        assert.strictEqual(scaled.spec.triggers.length, 4);
        assert.ok(!fs.existsSync(path.join(dir, "bookstore/horizontalpodautoscaler-api-hpa.yaml")));
    });
});
