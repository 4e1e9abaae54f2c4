/**
 * Kubernetes scale and availability, on any cluster: Deployment replicas left to the HPA, HPA
 * floors, ceilings, scale-down stabilisation and metrics, container resources and probes, and a
 * PodDisruptionBudget for every serving workload.
 */
import { ReportViolation, ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import type * as k8s from "@pulumi/kubernetes";
import type { Unwrap } from "@pulumi/pulumi";
import { configSchema, describe, environmentsProperty, inScope, ofType, onlyTypes, podSpecOf, Scoped, SERVING_WORKLOAD_TYPES, settingsOf, tokenOf, WORKLOAD_TYPES } from "../common";
import { ContainerApp, Deployment, PodDisruptionBudget } from "../types";
import { autoscalerProps, autoscalersOf } from "./autoscalers";

type HpaProps = Unwrap<k8s.types.input.autoscaling.v2.HorizontalPodAutoscaler>;

/** An HPA rule applied to HPAs and to KEDA ScaledObjects (the HPA KEDA creates from one). */
function validateAutoscaler(check: (hpa: HpaProps, args: ResourceValidationArgs, reportViolation: ReportViolation) => void): ResourceValidation {
    return (args, reportViolation) => {
        const hpa = autoscalerProps(args.type, args.props);
        if (hpa) check(hpa, args, reportViolation);
    };
}

type DeploymentProps = Unwrap<k8s.types.input.apps.v1.Deployment>;

type LabelSelector = Unwrap<k8s.types.input.meta.v1.LabelSelector>;

/** Whether a label selector selects pods with these labels (matchLabels and matchExpressions). */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
    if (!selector) return false;
    const matchLabels = (selector.matchLabels ?? {}) as Record<string, string>;
    const expressions = selector.matchExpressions ?? [];
    if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return false;
    if (!Object.entries(matchLabels).every(([key, value]) => labels[key] === value)) return false;
    return expressions.every((expression) => {
        const value = labels[expression.key as string];
        const values = (expression.values ?? []) as string[];
        switch (expression.operator) {
            case "In": return value !== undefined && values.includes(value);
            case "NotIn": return value === undefined || !values.includes(value);
            case "Exists": return value !== undefined;
            case "DoesNotExist": return value === undefined;
            default: return false;
        }
    });
}

const namespaceOf = (props: { metadata?: { namespace?: string } }) => props.metadata?.namespace ?? "default";

/** The HPA that scales a Deployment, if any: same namespace, scaleTargetRef naming it. */
function hpaFor(deployment: DeploymentProps, hpas: HpaProps[]): HpaProps | undefined {
    return hpas.find((hpa) => hpa.spec?.scaleTargetRef?.kind === "Deployment"
        && hpa.spec.scaleTargetRef.name === deployment.metadata?.name
        && namespaceOf(hpa) === namespaceOf(deployment));
}

const k8sDeploymentReplicasSchema = configSchema({
    environments: environmentsProperty(["prod"]),
    minReplicas: { type: "integer", minimum: 1, default: 2, description: "Replica floor of a Deployment no HPA scales." },
});

export const k8sDeploymentReplicas: StackValidationPolicy = {
    name: "k8s-deployment-replicas",
    description: "Kubernetes Deployments run at least 2 replicas unless a HorizontalPodAutoscaler scales them.",
    configSchema: k8sDeploymentReplicasSchema,
    validateStack: (args, reportViolation) => {
        const settings = settingsOf<Scoped & { minReplicas: number }>(args, k8sDeploymentReplicasSchema);
        const hpas = autoscalersOf(args.resources);
        for (const resource of ofType(args.resources, tokenOf(Deployment))) {
            const deployment = resource.asType(Deployment)!;
            if (!inScope(settings, deployment) || hpaFor(deployment, hpas)) continue;
            const replicas = deployment.spec?.replicas ?? 1;
            if (replicas < settings.minReplicas) {
                reportViolation(`${describe(resource)} has spec.replicas ${replicas} and no HorizontalPodAutoscaler; expected at least ${settings.minReplicas}.`, resource.urn);
            }
        }
    },
};

const hpaMinReplicasSchema = configSchema({
    environments: environmentsProperty(["prod"]),
    minReplicas: { type: "integer", minimum: 1, default: 2, description: "Floor of an HPA's minReplicas." },
});

export const k8sHpaMinReplicas: ResourceValidationPolicy = {
    name: "k8s-hpa-min-replicas",
    description: "A HorizontalPodAutoscaler keeps at least 2 replicas.",
    configSchema: hpaMinReplicasSchema,
    validateResource: validateAutoscaler((hpa, args, reportViolation) => {
        const settings = settingsOf<Scoped & { minReplicas: number }>(args, hpaMinReplicasSchema);
        if (!inScope(settings, hpa)) return;
        const minReplicas = hpa.spec?.minReplicas ?? 1;
        if (minReplicas < settings.minReplicas) {
            reportViolation(`spec.minReplicas is ${minReplicas}; expected at least ${settings.minReplicas}.`);
        }
    }),
};

export const k8sHpaMaxReplicas: ResourceValidationPolicy = {
    name: "k8s-hpa-max-replicas",
    description: "A HorizontalPodAutoscaler's maxReplicas is above its minReplicas, so it can scale out.",
    validateResource: validateAutoscaler((hpa, _args, reportViolation) => {
        const minReplicas = hpa.spec?.minReplicas ?? 1;
        const maxReplicas = hpa.spec?.maxReplicas;
        if (maxReplicas === undefined || maxReplicas <= minReplicas) {
            reportViolation(`spec.maxReplicas is ${maxReplicas}; expected more than minReplicas (${minReplicas}).`);
        }
    }),
};

const stabilizationSchema = configSchema({
    minSeconds: { type: "integer", minimum: 0, default: 300, description: "Shortest scale-down stabilization window." },
});

export const k8sHpaScaleDownStabilization: ResourceValidationPolicy = {
    name: "k8s-hpa-scale-down-stabilization",
    description: "A HorizontalPodAutoscaler waits at least 300 s before scaling down, so load spikes don't flap replicas.",
    configSchema: stabilizationSchema,
    validateResource: validateAutoscaler((hpa, args, reportViolation) => {
        const { minSeconds } = settingsOf<{ minSeconds: number }>(args, stabilizationSchema);
        // Kubernetes' default scale-down window is 300 s.
        const seconds = hpa.spec?.behavior?.scaleDown?.stabilizationWindowSeconds ?? 300;
        if (seconds < minSeconds) {
            reportViolation(`spec.behavior.scaleDown.stabilizationWindowSeconds is ${seconds}; expected at least ${minSeconds}.`);
        }
    }),
};

export const k8sHpaMetrics: ResourceValidationPolicy = {
    name: "k8s-hpa-metrics",
    description: "A HorizontalPodAutoscaler declares at least one metric.",
    validateResource: validateAutoscaler((hpa, _args, reportViolation) => {
        if ((hpa.spec?.metrics ?? []).length === 0) {
            reportViolation("spec.metrics is empty; declare the CPU, memory or custom metrics it scales on.");
        }
    }),
};

export const containerResources: ResourceValidationPolicy = {
    name: "container-resources",
    description: "Every container declares CPU and memory: requests and limits on Kubernetes, an allocation on Container Apps.",
    validateResource: [
        validateResourceOfType(ContainerApp, (app, _args, reportViolation) => {
            for (const container of app.template?.containers ?? []) {
                if (container.resources?.cpu === undefined || container.resources?.memory === undefined) {
                    reportViolation(`container "${container.name}" has no resources.cpu and resources.memory.`);
                }
            }
        }),
        (args, reportViolation) => {
            if (args.type === tokenOf(ContainerApp)) return;
            onlyTypes(args, WORKLOAD_TYPES);
            for (const container of podSpecOf(args.type, args.props)?.containers ?? []) {
                const missing = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"].filter((path) => {
                    const [group, resource] = path.split(".");
                    return (container.resources as any)?.[group]?.[resource] === undefined;
                });
                if (missing.length > 0) reportViolation(`container "${container.name}" has no resources.${missing.join(", resources.")}.`);
            }
        },
    ],
};

export const containerProbes: ResourceValidationPolicy = {
    name: "container-probes",
    description: "Every serving container has liveness and readiness probes, so broken replicas restart and get no traffic.",
    validateResource: [
        validateResourceOfType(ContainerApp, (app, _args, reportViolation) => {
            for (const container of app.template?.containers ?? []) {
                const types = (container.probes ?? []).map((probe) => probe.type);
                const missing = ["Liveness", "Readiness"].filter((type) => !types.includes(type));
                if (missing.length > 0) reportViolation(`container "${container.name}" has no ${missing.join(" or ")} probe.`);
            }
        }),
        (args, reportViolation) => {
            if (args.type === tokenOf(ContainerApp)) return;
            onlyTypes(args, SERVING_WORKLOAD_TYPES);
            for (const container of podSpecOf(args.type, args.props)?.containers ?? []) {
                const missing = (["livenessProbe", "readinessProbe"] as const).filter((probe) => container[probe] === undefined);
                if (missing.length > 0) reportViolation(`container "${container.name}" has no ${missing.join(" or ")}.`);
            }
        },
    ],
};

export const k8sPodDisruptionBudget: StackValidationPolicy = {
    name: "k8s-pod-disruption-budget",
    description: "Every Deployment with 2 or more replicas (or HPA floor) has a PodDisruptionBudget selecting its pods, "
        + "so node drains and upgrades keep it serving.",
    validateStack: (args, reportViolation) => {
        const hpas = autoscalersOf(args.resources);
        const budgets = ofType(args.resources, tokenOf(PodDisruptionBudget)).map((r) => r.asType(PodDisruptionBudget)!);
        for (const resource of ofType(args.resources, tokenOf(Deployment))) {
            const deployment = resource.asType(Deployment)!;
            const hpa = hpaFor(deployment, hpas);
            const replicas = hpa ? hpa.spec?.minReplicas ?? 1 : deployment.spec?.replicas ?? 1;
            if (replicas < 2) continue;
            const labels = (deployment.spec?.template?.metadata?.labels ?? {}) as Record<string, string>;
            const covered = budgets.some((pdb) => namespaceOf(pdb) === namespaceOf(deployment) && selectorMatches(pdb.spec?.selector, labels));
            if (!covered) {
                reportViolation(`${describe(resource)} runs ${replicas} replicas but no PodDisruptionBudget in namespace "${namespaceOf(deployment)}" selects its pods.`, resource.urn);
            }
        }
    },
};
