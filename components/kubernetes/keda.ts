import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ServiceSpec } from "../serviceSpec";
import { CUSTOM_METRIC_SIGNALS } from "./prometheus";
import { APP_RESOURCE_NAMES, APP_ROLES } from "../appContract";
import { roleService } from "../contracts";

/**
 * KEDA objects of the app tier, cloud-neutral: the cloud passes in where its managed Prometheus
 * answers queries and how the KEDA operator authenticates (components/azure/kedaAuth.ts,
 * components/aws/kedaAuth.ts). Field names as in KEDA's CRDs (keda.sh/v1alpha1, pinned in
 * tools/offline/schemas/keda-v2.20.2.json).
 */

export const KEDA_API_VERSION = "keda.sh/v1alpha1";
/** The TriggerAuthentication every Prometheus trigger of the namespace refers to. */
export const PROMETHEUS_TRIGGER_AUTH = "managed-prometheus";

/** Where the Prometheus scaler queries, and the trigger metadata the cloud's auth needs. */
export interface PrometheusSource {
    /** Base URL of the Prometheus HTTP API (the scaler appends /api/v1/query). */
    serverAddress: pulumi.Input<string>;
    /** Extra trigger metadata, e.g. `awsRegion` for SigV4 against Amazon Managed Prometheus. */
    metadata?: Record<string, string>;
}

/** How the KEDA operator authenticates to the managed Prometheus: a `podIdentity` block of a TriggerAuthentication. */
export type KedaPodIdentity =
    | { provider: "azure-workload"; identityId: pulumi.Input<string>; identityTenantId?: pulumi.Input<string> }
    // `identityOwner: keda`: the operator's own credentials (its EKS Pod Identity), no role to assume.
    | { provider: "aws"; identityOwner: "keda" };

/** One autoscaler per Deployment: KEDA's ScaledObject (which owns the HPA) when custom metrics are on, else the plain HPA v2. */
export function usesKeda(svc: ServiceSpec): boolean {
    return svc.hpa.customMetrics.enabled;
}

/**
 * The services whose /metrics the AKS PodMonitor must scrape beyond the api (always scraped): those
 * scaling on custom metrics; undefined when the api alone suffices (the PodMonitor keeps its label selector).
 */
export function scrapedServices(services: Record<string, ServiceSpec>, apiService: string): string[] | undefined {
    const scaled = Object.keys(services).filter((s) => s !== apiService && usesKeda(services[s]));
    return scaled.length > 0 ? [apiService, ...scaled].sort() : undefined;
}

/**
 * The `job` label of a service's request metrics: its OTEL_SERVICE_NAME, which is the app's Aspire
 * resource name for the api and the web (`apiservice`, `webfrontend`), else the service's own name.
 */
export function telemetryJob(service: string, services: Record<string, { ingress: { external: boolean } }>): string {
    const role = APP_ROLES.find((r) => roleService(services, r) === service);
    return role ? APP_RESOURCE_NAMES[role] : service;
}

const SUFFIX: Record<string, number> = { "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

/**
 * A Kubernetes quantity ("1000", "500m") as the decimal KEDA's `threshold` takes: the Prometheus
 * scaler parses it with strconv.ParseFloat (pkg/scalers/prometheus_scaler.go, v2.20.2), so "500m" would fail.
 */
export function kedaThreshold(quantity: string): string {
    const match = /^(\d+(?:\.\d+)?)(m|k|M|G|Ki|Mi|Gi)?$/.exec(quantity);
    if (!match) throw new Error(`not a Kubernetes quantity: ${JSON.stringify(quantity)}`);
    const value = Number(match[1]) * SUFFIX[match[2] ?? ""];
    return String(Number(value.toPrecision(12)));
}

/**
 * The ScaledObject triggers of one service: its cpu/memory utilisation and one Prometheus trigger
 * per custom metric, computed from the app's request histogram (CUSTOM_METRIC_SIGNALS) of the
 * service's telemetry `job` (its OTEL_SERVICE_NAME).
 */
export function scaledObjectTriggers(svc: ServiceSpec, job: string, source: PrometheusSource) {
    const triggers: Record<string, unknown>[] = [];
    const resource = (type: "cpu" | "memory", utilization: number | null) => {
        // `metricType` on the trigger; metadata.type is deprecated since KEDA 2.10.
        if (utilization !== null) triggers.push({ type, metricType: "Utilization", metadata: { value: String(utilization) } });
    };
    resource("cpu", svc.scale.cpuUtilization);
    resource("memory", svc.scale.memoryUtilization);
    for (const m of svc.hpa.customMetrics.metrics) {
        const signal = CUSTOM_METRIC_SIGNALS[m.name];
        triggers.push({
            type: "prometheus",
            name: m.name.replace(/_/g, "-").toLowerCase(),
            metricType: signal.metricType,
            metadata: {
                serverAddress: source.serverAddress,
                query: signal.query(job),
                threshold: kedaThreshold(m.target),
                // No sample (no requests in the window, an idle api's percentile) is no load: 0, and CPU and
                // memory decide. An error (Prometheus unreachable, access denied) goes to `fallback` instead.
                ignoreNullValues: "true",
                ...source.metadata,
            },
            authenticationRef: { name: PROMETHEUS_TRIGGER_AUTH },
        });
    }
    return triggers;
}

/**
 * After this many failed polls a Prometheus trigger falls back (KEDA counts consecutive errors per
 * trigger; 3 × the 30 s polling interval).
 */
export const FALLBACK_FAILURE_THRESHOLD = 3;

/** The HPA KEDA creates for a ScaledObject (KEDA's default name: `keda-hpa-<ScaledObject name>`). */
export const kedaHpaName = (service: string) => `keda-hpa-${service}`;

/**
 * The ScaledObject of one service: the same bounds, metrics and behaviour its HPA v2 would have
 * (`advanced.horizontalPodAutoscalerConfig.behavior` is handed to the HPA KEDA owns).
 */
export function scaledObjectSpec(service: string, svc: ServiceSpec, job: string, source: PrometheusSource) {
    return {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: service },
        minReplicaCount: svc.minReplicas,
        maxReplicaCount: svc.maxReplicas,
        advanced: {
            // Deleting the ScaledObject hands the Deployment back at its current count, not at 0.
            restoreToOriginalReplicaCount: false,
            horizontalPodAutoscalerConfig: { name: kedaHpaName(service), behavior: svc.hpa.behavior },
        },
        // A failing Prometheus trigger proposes the floor (behaviour `static`, the default): the resource
        // triggers keep deciding, and a lost Prometheus never holds the count it had (KEDA docs, ScaledObject
        // specification, "fallback": Value and AverageValue triggers, not cpu/memory).
        fallback: { failureThreshold: FALLBACK_FAILURE_THRESHOLD, replicas: svc.minReplicas },
        triggers: scaledObjectTriggers(svc, job, source),
    };
}

/** The TriggerAuthentication spec: the operator's own cloud identity, no secret. */
export function triggerAuthenticationSpec(podIdentity: KedaPodIdentity) {
    return { podIdentity };
}

/** KEDA wiring of an app tier: the cloud's Prometheus source and operator identity. */
export interface KedaArgs {
    source: PrometheusSource;
    podIdentity: KedaPodIdentity;
    /** What the KEDA objects wait for: the add-on or chart (its CRDs), the operator's grants. */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The namespace's TriggerAuthentication, when any service scales through KEDA. */
export function createTriggerAuthentication(namespace: pulumi.Input<string>, keda: KedaArgs, opts: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource("keda-prometheus-auth", {
        apiVersion: KEDA_API_VERSION,
        kind: "TriggerAuthentication",
        metadata: { name: PROMETHEUS_TRIGGER_AUTH, namespace },
        spec: triggerAuthenticationSpec(keda.podIdentity),
    }, { ...opts, dependsOn: keda.dependsOn });
}

/** The service's ScaledObject (in place of its HPA v2); returns the name of the HPA KEDA creates. */
export function createScaledObject(service: string, svc: ServiceSpec, job: string, nsRef: pulumi.Input<string>, labels: Record<string, string>,
    keda: KedaArgs, dependsOn: pulumi.Resource[], opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
    const scaled = new k8s.apiextensions.CustomResource(`${service}-scaledobject`, {
        apiVersion: KEDA_API_VERSION,
        kind: "ScaledObject",
        metadata: { name: service, namespace: nsRef, labels },
        spec: scaledObjectSpec(service, svc, job, keda.source),
    }, { ...opts, dependsOn });
    return scaled.metadata.apply(() => kedaHpaName(service));
}

/** The namespace's KEDA TriggerAuthentication when any service scales on custom metrics; an error names the service when KEDA is not wired. */
export function kedaTriggerAuthentication(args: { services: Record<string, ServiceSpec>; keda?: KedaArgs }, ns: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions): pulumi.Resource | undefined {
    const scaled = Object.keys(args.services).filter((s) => usesKeda(args.services[s]));
    if (scaled.length === 0) return undefined;
    if (!args.keda) {
        throw new pulumi.RunError(`bookstore:app.services.${scaled[0]}.hpa.customMetrics.enabled: custom metrics scale through KEDA, which this cluster does not provide`);
    }
    return createTriggerAuthentication(ns, args.keda, opts);
}
