import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ServiceSpec } from "../serviceSpec";

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
 * PromQL of one custom metric for one Deployment: the sum over its pods. With `metricType: AverageValue`
 * the HPA divides it by the replica count, so the target is the per-pod average — what the seed's
 * `type: Pods` metric meant. Pods are matched by the Deployment's `<name>-<hash>-<hash>` names
 * (the `namespace` and `pod` target labels both scrapers set).
 */
export function customMetricQuery(metric: string, namespace: string, service: string): string {
    return `sum(${metric}{namespace=${JSON.stringify(namespace)},pod=~${JSON.stringify(`${service}-[a-z0-9]+-[a-z0-9]+`)}})`;
}

/** The ScaledObject triggers of one service: its cpu/memory utilisation and the custom Prometheus metrics. */
export function scaledObjectTriggers(service: string, svc: ServiceSpec, namespace: string, source: PrometheusSource) {
    const triggers: Record<string, unknown>[] = [];
    const resource = (type: "cpu" | "memory", utilization: number | null) => {
        // `metricType` on the trigger; metadata.type is deprecated since KEDA 2.10.
        if (utilization !== null) triggers.push({ type, metricType: "Utilization", metadata: { value: String(utilization) } });
    };
    resource("cpu", svc.scale.cpuUtilization);
    resource("memory", svc.scale.memoryUtilization);
    for (const m of svc.hpa.customMetrics.metrics) {
        triggers.push({
            type: "prometheus",
            name: m.name.replace(/_/g, "-").toLowerCase(),
            metricType: "AverageValue",
            metadata: {
                serverAddress: source.serverAddress,
                query: customMetricQuery(m.name, namespace, service),
                threshold: kedaThreshold(m.averageValue),
                // A lost target is an error (the HPA keeps its count), not a zero that scales down.
                ignoreNullValues: "false",
                ...source.metadata,
            },
            authenticationRef: { name: PROMETHEUS_TRIGGER_AUTH },
        });
    }
    return triggers;
}

/** The HPA KEDA creates for a ScaledObject (KEDA's default name: `keda-hpa-<ScaledObject name>`). */
export const kedaHpaName = (service: string) => `keda-hpa-${service}`;

/**
 * The ScaledObject of one service: the same bounds, metrics and behaviour its HPA v2 would have
 * (`advanced.horizontalPodAutoscalerConfig.behavior` is handed to the HPA KEDA owns).
 */
export function scaledObjectSpec(service: string, svc: ServiceSpec, namespace: string, source: PrometheusSource) {
    return {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: service },
        minReplicaCount: svc.minReplicas,
        maxReplicaCount: svc.maxReplicas,
        advanced: {
            // Deleting the ScaledObject hands the Deployment back at its current count, not at 0.
            restoreToOriginalReplicaCount: false,
            horizontalPodAutoscalerConfig: { name: kedaHpaName(service), behavior: svc.hpa.behavior },
        },
        triggers: scaledObjectTriggers(service, svc, namespace, source),
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
export function createScaledObject(service: string, svc: ServiceSpec, namespace: string, nsRef: pulumi.Input<string>, labels: Record<string, string>,
    keda: KedaArgs, dependsOn: pulumi.Resource[], opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
    const scaled = new k8s.apiextensions.CustomResource(`${service}-scaledobject`, {
        apiVersion: KEDA_API_VERSION,
        kind: "ScaledObject",
        metadata: { name: service, namespace: nsRef, labels },
        spec: scaledObjectSpec(service, svc, namespace, keda.source),
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
