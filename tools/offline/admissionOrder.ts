/**
 * Webhooks and CRDs before their users: every custom resource is created after whatever installs its
 * CRD is ready, and every object an admission webhook with `failurePolicy: Fail` intercepts is created
 * after the controller that serves the webhook is ready, not merely after its Helm release exists.
 * A Helm release counts as ready when the provider awaits it (no `skipAwait`: helm's --wait, the
 * Deployments available) and its jobs (`waitForJobs`). A cluster add-on (AKS: KEDA, the Key Vault CSI
 * driver, managed Prometheus, application routing) is ready with the cluster.
 *
 * What each chart installs is transcribed from the chart at the pinned version (CHARTS, with the
 * source); a release of a chart or version not in the table is reported, so a new pin is read first.
 */
import { at, type GraphResource, kubernetesKind, namespaceOf, PlanGraph } from "./planGraph";

/** An admission webhook of a chart, as its templates and values define it. */
export interface WebhookSpec {
    name: string;
    /** `<group>/<Kind>` it intercepts ("" group: core). */
    kinds: string[];
    /** failurePolicy: fixed, or read from the release's values (with the chart's default). */
    failurePolicy: "Fail" | "Ignore" | { value: string; default: "Fail" | "Ignore" };
    /** The webhook exists only when this values key is true (chart default given). */
    enabledBy?: { value: string; default: boolean };
    /** Or exists unless this values key is true. */
    disabledBy?: string;
    /** Only objects in namespaces carrying this label are intercepted. */
    namespaceLabel?: { key: string; value: string };
    /** Objects carrying this label value are left alone (the controller's own). */
    excludesLabel?: { key: string; value: string };
}

export interface ChartSpec {
    /** The Release's `chart` input. */
    chart: string;
    versions: string[];
    source: string;
    /** API groups whose CRDs the chart installs. */
    crdGroups: string[];
    webhooks: WebhookSpec[];
}

export const CHARTS: ChartSpec[] = [
    {
        chart: "aws-load-balancer-controller",
        versions: ["1.14.1"],
        source: "kubernetes-sigs/aws-load-balancer-controller tag v2.14.1: helm/aws-load-balancer-controller/templates/webhook.yaml, values.yaml, crds/",
        crdGroups: ["elbv2.k8s.aws", "gateway.k8s.aws", "aga.k8s.aws"],
        webhooks: [
            {
                name: "mservice.elbv2.k8s.aws", kinds: ["/Service"],
                failurePolicy: { value: "serviceMutatorWebhookConfig.failurePolicy", default: "Fail" },
                enabledBy: { value: "enableServiceMutatorWebhook", default: true },
                excludesLabel: { key: "app.kubernetes.io/name", value: "aws-load-balancer-controller" },
            },
            {
                name: "mpod.elbv2.k8s.aws", kinds: ["/Pod"],
                failurePolicy: { value: "podMutatorWebhookConfig.failurePolicy", default: "Ignore" },
                namespaceLabel: { key: "elbv2.k8s.aws/pod-readiness-gate-inject", value: "enabled" },
                excludesLabel: { key: "app.kubernetes.io/name", value: "aws-load-balancer-controller" },
            },
            { name: "vingress.elbv2.k8s.aws", kinds: ["networking.k8s.io/Ingress"], failurePolicy: "Fail", disabledBy: "webhookConfig.disableIngressValidation" },
            {
                name: "mtargetgroupbinding/vtargetgroupbinding/vingressclassparams.elbv2.k8s.aws",
                kinds: ["elbv2.k8s.aws/TargetGroupBinding", "elbv2.k8s.aws/IngressClassParams"], failurePolicy: "Fail",
            },
        ],
    },
    {
        chart: "keda",
        versions: ["2.20.2"],
        source: "kedacore/charts tag v2.20.2: keda/templates/webhooks/validatingconfiguration.yaml (failurePolicy: {{ .Values.webhooks.failurePolicy }}), keda/values.yaml (webhooks.enabled true, failurePolicy Ignore)",
        crdGroups: ["keda.sh", "eventing.keda.sh"],
        webhooks: [{
            name: "keda-admission (vscaledobject, vscaledjob, vstriggerauthentication, ...)",
            kinds: ["keda.sh/ScaledObject", "keda.sh/ScaledJob", "keda.sh/TriggerAuthentication", "keda.sh/ClusterTriggerAuthentication"],
            failurePolicy: { value: "webhooks.failurePolicy", default: "Ignore" },
            enabledBy: { value: "webhooks.enabled", default: true },
        }],
    },
    {
        chart: "oci://mcr.microsoft.com/application-lb/charts/alb-controller",
        versions: ["1.12.1"],
        source: "Learn, ALB Controller Helm chart (alb-controller-helm-chart.md, ms.date 2026-06-23): installs the Gateway API CRDs "
            + "(albController.installGatewayApiCRDs, default true) and its own alb.networking.azure.io CRDs; no admission webhook in its values",
        crdGroups: ["gateway.networking.k8s.io", "alb.networking.azure.io"],
        webhooks: [],
    },
    {
        chart: "cluster-autoscaler",
        versions: ["9.52.1", "9.53.0", "9.59.0"],
        source: "kubernetes/autoscaler tags cluster-autoscaler-chart-9.52.1/9.53.0/9.59.0, charts/cluster-autoscaler/templates: a Deployment, RBAC, "
            + "ConfigMaps, a Service, a PDB (ServiceMonitor, PrometheusRule, VPA only when enabled); no crds/, no admission webhook",
        crdGroups: [],
        webhooks: [],
    },
];

/** API groups served by Kubernetes itself (no CRD needed), as the plan's types name them. */
const BUILT_IN_GROUPS = new Set(["", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io",
    "admissionregistration.k8s.io", "apiextensions.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "scheduling.k8s.io", "node.k8s.io",
    "certificates.k8s.io", "flowcontrol.apiserver.k8s.io", "events.k8s.io", "helm.sh", "yaml", "kustomize"]);

/** CRD groups an AKS ManagedCluster installs through its add-ons, by the input that turns each on. */
const AKS_ADDON_CRDS: { group: string; enabledAt: string; addon: string }[] = [
    { group: "keda.sh", enabledAt: "workloadAutoScalerProfile.keda.enabled", addon: "KEDA add-on" },
    { group: "secrets-store.csi.x-k8s.io", enabledAt: "addonProfiles.azureKeyvaultSecretsProvider.enabled", addon: "Key Vault Secrets Store CSI driver" },
    { group: "azmonitoring.coreos.com", enabledAt: "azureMonitorProfile.metrics.enabled", addon: "Azure Monitor managed Prometheus" },
    // approuting-istio: the Gateway API CRDs come with the add-on's Gateway API implementation, turned on by a documented one-off step.
    { group: "gateway.networking.k8s.io", enabledAt: "ingressProfile.webAppRouting.enabled", addon: "application routing (Gateway API)" },
];

export interface AdmissionFinding {
    urn: string;
    problem: string;
}

const RELEASE = "kubernetes:helm.sh/v3:Release";

const chartOf = (release: GraphResource) => CHARTS.find((c) => c.chart === release.inputs.chart && c.versions.includes(String(release.inputs.version)));

/** A release whose resources are ready when the provider reports it created. */
export const releaseAwaited = (release: GraphResource) => release.inputs.skipAwait !== true && release.inputs.waitForJobs === true;

function valueAt(release: GraphResource, path: string): unknown {
    return at(release.inputs.values ?? {}, path);
}

function activeFailingWebhooks(release: GraphResource, chart: ChartSpec): WebhookSpec[] {
    return chart.webhooks.filter((w) => {
        if (w.enabledBy && (valueAt(release, w.enabledBy.value) ?? w.enabledBy.default) !== true) return false;
        if (w.disabledBy && valueAt(release, w.disabledBy) === true) return false;
        const policy = typeof w.failurePolicy === "string" ? w.failurePolicy : (valueAt(release, w.failurePolicy.value) ?? w.failurePolicy.default);
        return policy === "Fail";
    });
}

/** Whether a webhook intercepts an object of the plan (kind, namespace label, excluded label). */
function intercepts(webhook: WebhookSpec, object: GraphResource, graph: PlanGraph, cluster: GraphResource): boolean {
    const kind = kubernetesKind(object.type);
    if (!kind || !webhook.kinds.includes(`${kind.group}/${kind.kind}`)) return false;
    const labels = object.inputs.metadata?.labels ?? {};
    if (webhook.excludesLabel && labels[webhook.excludesLabel.key] === webhook.excludesLabel.value) return false;
    if (webhook.namespaceLabel) {
        const ns = graph.ofType("kubernetes:core/v1:Namespace").find((n) => graph.clusterOf(n)?.urn === cluster.urn && n.inputs.metadata?.name === namespaceOf(object));
        if (ns?.inputs.metadata?.labels?.[webhook.namespaceLabel.key] !== webhook.namespaceLabel.value) return false;
    }
    return true;
}

/** Kinds a Helm release or a cluster add-on may create of its own (every chart we install ships Pods and Services). */
const CREATED_BY_PACKAGES = ["/Service", "/Pod"];

export function admissionOrder(graph: PlanGraph): AdmissionFinding[] {
    const findings: AdmissionFinding[] = [];
    const releases = graph.ofType(RELEASE);
    for (const release of releases) {
        if (!chartOf(release)) {
            findings.push({ urn: release.urn, problem: `chart ${release.inputs.chart} ${release.inputs.version} is not in the table of CRDs and webhooks (tools/offline/admissionOrder.ts): read the chart at that version and add it` });
        }
    }
    // CRDs before their custom resources.
    for (const object of graph.resources) {
        const kind = kubernetesKind(object.type);
        const cluster = graph.clusterOf(object);
        if (!kind || !cluster || BUILT_IN_GROUPS.has(kind.group)) continue;
        const upstream = graph.upstream(object.urn);
        const addon = cluster.type === "azure-native:containerservice:ManagedCluster"
            ? AKS_ADDON_CRDS.find((a) => a.group === kind.group && at(cluster.inputs, a.enabledAt) === true) : undefined;
        if (addon && upstream.has(cluster.urn)) continue;
        const installers = releases.filter((r) => graph.clusterOf(r)?.urn === cluster.urn && chartOf(r)?.crdGroups.includes(kind.group));
        const ready = installers.filter((r) => upstream.has(r.urn) && releaseAwaited(r));
        if (ready.length > 0) continue;
        const waiting = installers.filter((r) => upstream.has(r.urn));
        findings.push({
            urn: object.urn,
            problem: installers.length === 0
                ? `${kind.group}/${kind.kind} is a custom resource no release or add-on of the stack installs a CRD for`
                : waiting.length > 0
                    ? `${kind.group}/${kind.kind}: its CRD comes from ${waiting.map((r) => r.name).join(", ")}, which the provider does not await to readiness (set waitForJobs, keep skipAwait off)`
                    : `${kind.group}/${kind.kind} can be created before ${installers.map((r) => r.name).join(", ")} has installed its CRD`,
        });
    }
    // Objects a failing webhook intercepts after the controller is ready (or before its webhook exists).
    for (const release of releases) {
        const chart = chartOf(release);
        const cluster = graph.clusterOf(release);
        if (!chart || !cluster) continue;
        const webhooks = activeFailingWebhooks(release, chart);
        if (webhooks.length === 0) continue;
        const ownRelease = (o: GraphResource) => o.urn === release.urn;
        const before = (o: GraphResource) => graph.precedes(o.urn, release.urn);
        const afterReady = (o: GraphResource) => graph.precedes(release.urn, o.urn) && releaseAwaited(release);
        const objects = graph.inCluster(cluster).filter((o) => !ownRelease(o) && !before(o));
        for (const webhook of webhooks) {
            for (const object of objects) {
                if (afterReady(object)) continue;
                const packaged = (object.type === RELEASE) && webhook.kinds.some((k) => CREATED_BY_PACKAGES.includes(k));
                if (!packaged && !intercepts(webhook, object, graph, cluster)) continue;
                findings.push({
                    urn: object.urn,
                    problem: `${webhook.name} (failurePolicy Fail, ${release.name}) refuses it until the controller is ready: `
                        + (graph.precedes(release.urn, object.urn) ? "the release is not awaited to readiness (set waitForJobs, keep skipAwait off)" : `create it after ${release.name}, or turn the webhook off`),
                });
            }
            for (const addon of graph.ofType("aws:eks/addon:Addon").filter((a) => a.inputs.clusterName === cluster.inputs.name && !graph.precedes(a.urn, release.urn))) {
                if (graph.precedes(release.urn, addon.urn) && releaseAwaited(release)) continue;
                if (!webhook.kinds.some((k) => CREATED_BY_PACKAGES.includes(k))) continue;
                findings.push({ urn: addon.urn, problem: `the add-on's Services and Pods meet ${webhook.name} (failurePolicy Fail, ${release.name}) before its controller is ready` });
            }
        }
    }
    return findings;
}
