// The in-cluster OpenTelemetry Collector the app's OTLP exporter sends to: its configuration, and a plain Deployment of it.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import { stringify } from "yaml";

/** OTLP/gRPC, the .NET OTLP exporter's default protocol (and the only one the Container Apps agent takes). */
export const OTLP_GRPC_PORT = 4317;
/** Where the collector's Prometheus exporter serves the app's metrics for the cluster's scraper. */
export const COLLECTOR_METRICS_PORT = 8889;
/** The collector's health_check extension (the probes' target). */
const HEALTH_PORT = 13133;

/**
 * The OpenTelemetry Collector contrib distribution (it carries the azuremonitor exporter), as the
 * repository `bookstore-infra bootstrap` imports into the stack's registry. 0.165.0: the collector
 * release of the Go module index at the time of writing (go.opentelemetry.io/collector/otelcol
 * v0.165.0, 2026); its azuremonitor exporter maps the stable HTTP conventions the app's ASP.NET Core
 * instrumentation emits (`http.response.status_code`, exporter/azuremonitorexporter/conventions.go, semconv v1.34.0).
 */
export const OTEL_COLLECTOR_CONTRIB_IMAGE = "otel/opentelemetry-collector-contrib:0.165.0";

/** What the app's pods get to export to a collector: its endpoint, over gRPC. */
export const otlpSettings = (endpoint: string): Record<string, string> => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
});

/** The Service name of the collector in the app namespace: the app's OTEL_EXPORTER_OTLP_ENDPOINT host. */
export const COLLECTOR_SERVICE = "otel-collector";

/** The app's OTLP endpoint for a collector Service in a namespace. */
export const collectorEndpoint = (namespace: string, service = COLLECTOR_SERVICE) =>
    `http://${service}.${namespace}.svc.cluster.local:${OTLP_GRPC_PORT}`;

/** Where each signal goes besides the Prometheus endpoint: exporter ids per pipeline (empty: not collected). */
export interface CollectorRoutes {
    /** Exporter id → its configuration, e.g. `azuremonitor: {}` or `awsxray: { region }`. */
    exporters: Record<string, unknown>;
    traces: string[];
    logs: string[];
}

/**
 * The collector's configuration: OTLP/gRPC in; metrics out on a Prometheus endpoint with every
 * resource attribute as a label, `namespace` and `pod` copied from the pod's k8s.* attributes
 * (OTEL_RESOURCE_ATTRIBUTES, set on the app pods) so per-pod queries select like cAdvisor's series;
 * traces and logs to the cloud's exporters. memory_limiter first and batch last, as the collector's
 * processor guidance orders them.
 */
export function collectorConfig(routes: CollectorRoutes): Record<string, unknown> {
    const processors = ["memory_limiter", "batch"];
    const pipeline = (exporters: string[], extra: string[] = []) => ({ receivers: ["otlp"], processors: [processors[0], ...extra, processors[1]], exporters });
    const pipelines: Record<string, unknown> = { metrics: pipeline(["prometheus"], ["resource/pod-labels"]) };
    if (routes.traces.length > 0) pipelines.traces = pipeline(routes.traces);
    if (routes.logs.length > 0) pipelines.logs = pipeline(routes.logs);
    return {
        receivers: { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` } } } },
        processors: {
            memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 20 },
            "resource/pod-labels": {
                attributes: [
                    { key: "namespace", from_attribute: "k8s.namespace.name", action: "insert" },
                    { key: "pod", from_attribute: "k8s.pod.name", action: "insert" },
                ],
            },
            batch: {},
        },
        exporters: {
            prometheus: { endpoint: `0.0.0.0:${COLLECTOR_METRICS_PORT}`, resource_to_telemetry_conversion: { enabled: true } },
            ...routes.exporters,
        },
        extensions: { health_check: { endpoint: `0.0.0.0:${HEALTH_PORT}` } },
        service: { extensions: ["health_check"], pipelines },
    };
}

export interface OtelCollectorArgs {
    provider: k8s.Provider;
    /** The app namespace (the collector serves only it): its name, and the Namespace's output to wait for. */
    namespaceName: string;
    namespace: pulumi.Input<string>;
    /** The collector image (a distribution that has the routes' exporters, e.g. otelcol-contrib). */
    image: pulumi.Input<string>;
    routes: CollectorRoutes;
    /** Secret settings the exporters read from the environment (e.g. APPLICATIONINSIGHTS_CONNECTION_STRING). */
    secretEnv?: Record<string, pulumi.Input<string>>;
    /** Pods. Default 2 (one may drain while the other receives). */
    replicas?: number;
    /** The pods start after these (e.g. the kubelet's pull grant on the registry). */
    startAfter?: pulumi.Resource[];
}

/**
 * The OpenTelemetry Collector as a Deployment and ClusterIP Service `otel-collector` in the app
 * namespace: two replicas behind the Service, hardened like the app's pods (non-root, read-only
 * root, no capabilities), health-probed on the health_check extension.
 */
export class OtelCollector extends pulumi.ComponentResource {
    /** The app's OTEL_EXPORTER_OTLP_ENDPOINT. */
    readonly endpoint: string;

    constructor(name: string, args: OtelCollectorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:kubernetes:OtelCollector", name, {}, opts);
        const k = { parent: this, provider: args.provider };
        const labels = { "app.kubernetes.io/name": COLLECTOR_SERVICE, "app.kubernetes.io/part-of": "bookstore", "app.kubernetes.io/managed-by": "pulumi" };
        const selector = { "app.kubernetes.io/name": COLLECTOR_SERVICE };
        const config = new k8s.core.v1.ConfigMap(`${name}-config`, {
            metadata: { name: `${COLLECTOR_SERVICE}-config`, namespace: args.namespace, labels },
            data: { "config.yaml": stringify(collectorConfig(args.routes)) },
        }, k);
        const secretNames = Object.keys(args.secretEnv ?? {});
        const secret = secretNames.length > 0 ? new k8s.core.v1.Secret(`${name}-env`, {
            metadata: { name: `${COLLECTOR_SERVICE}-env`, namespace: args.namespace, labels },
            type: "Opaque",
            stringData: Object.fromEntries(Object.entries(args.secretEnv!).map(([n, v]) => [n, pulumi.secret(v)])),
        }, k) : undefined;
        const env: k8sInput.core.v1.EnvVar[] = secretNames.map((n) => ({ name: n, valueFrom: { secretKeyRef: { name: `${COLLECTOR_SERVICE}-env`, key: n } } }));
        const probe = { httpGet: { path: "/", port: "health" }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 };
        new k8s.apps.v1.Deployment(name, {
            metadata: { name: COLLECTOR_SERVICE, namespace: args.namespace, labels },
            spec: {
                replicas: args.replicas ?? 2,
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels },
                    spec: {
                        securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [{
                            name: "otel-collector",
                            image: args.image,
                            args: ["--config=/conf/config.yaml"],
                            ports: [
                                { name: "otlp-grpc", containerPort: OTLP_GRPC_PORT, protocol: "TCP" },
                                { name: "metrics", containerPort: COLLECTOR_METRICS_PORT, protocol: "TCP" },
                                { name: "health", containerPort: HEALTH_PORT, protocol: "TCP" },
                            ],
                            env,
                            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
                            livenessProbe: probe,
                            readinessProbe: probe,
                            securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ["ALL"] } },
                            volumeMounts: [{ name: "config", mountPath: "/conf", readOnly: true }],
                        }],
                        volumes: [{ name: "config", configMap: { name: config.metadata.name } }],
                    },
                },
            },
        }, { ...k, dependsOn: [config, ...(secret ? [secret] : []), ...(args.startAfter ?? [])] });
        new k8s.core.v1.Service(name, {
            metadata: { name: COLLECTOR_SERVICE, namespace: args.namespace, labels },
            spec: {
                type: "ClusterIP", selector,
                ports: [
                    { name: "otlp-grpc", port: OTLP_GRPC_PORT, targetPort: "otlp-grpc", protocol: "TCP", appProtocol: "grpc" },
                    { name: "metrics", port: COLLECTOR_METRICS_PORT, targetPort: "metrics", protocol: "TCP" },
                ],
            },
        }, k);
        new k8s.policy.v1.PodDisruptionBudget(name, {
            metadata: { name: `${COLLECTOR_SERVICE}-pdb`, namespace: args.namespace, labels },
            spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
        }, k);
        this.endpoint = collectorEndpoint(args.namespaceName);
        this.registerOutputs({});
    }
}
