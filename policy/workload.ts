/**
 * Workload hygiene: reproducible images and unprivileged containers.
 */
import { ResourceValidationArgs, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import type * as k8s from "@pulumi/kubernetes";
import type { Unwrap } from "@pulumi/pulumi";
import { imagePinProblem } from "./shared/images";
import { onlyTypes, PodSpec, podSpecOf, tokenOf, WORKLOAD_TYPES } from "./common";
import { ContainerApp } from "./types";

type Container = Unwrap<k8s.types.input.core.v1.Container>;

function reportUnpinned(containers: { name?: string; image?: string }[], reportViolation: (message: string) => void): void {
    for (const container of containers) {
        const problem = container.image === undefined ? "has no image" : imagePinProblem(container.image);
        if (problem) reportViolation(`container "${container.name}" image ${JSON.stringify(container.image)} ${problem}; pin a tag or a digest.`);
    }
}

/** Every container of a Kubernetes workload, init containers included. */
function podContainers(args: ResourceValidationArgs): { spec: PodSpec | undefined; containers: Container[] } {
    const spec = podSpecOf(args.type, args.props);
    return { spec, containers: [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])] as Container[] };
}

export const imagePinned: ResourceValidationPolicy = {
    name: "image-pinned",
    description: "Container images are pinned to a tag or digest, never `latest` or untagged, so a deployment is reproducible.",
    validateResource: [
        validateResourceOfType(ContainerApp, (app, _args, reportViolation) => {
            reportUnpinned([...(app.template?.initContainers ?? []), ...(app.template?.containers ?? [])], reportViolation);
        }),
        (args, reportViolation) => {
            if (args.type === tokenOf(ContainerApp)) return;
            onlyTypes(args, WORKLOAD_TYPES);
            reportUnpinned(podContainers(args).containers, reportViolation);
        },
    ],
};

export const k8sRunAsNonRoot: ResourceValidationPolicy = {
    name: "k8s-run-as-non-root",
    description: "Kubernetes containers run as a non-root user (runAsNonRoot, or a non-zero runAsUser).",
    validateResource: (args, reportViolation) => {
        onlyTypes(args, WORKLOAD_TYPES);
        const { spec, containers } = podContainers(args);
        for (const container of containers) {
            const nonRoot = container.securityContext?.runAsNonRoot ?? spec?.securityContext?.runAsNonRoot;
            const user = container.securityContext?.runAsUser ?? spec?.securityContext?.runAsUser;
            if (nonRoot !== true && !(typeof user === "number" && user > 0)) {
                reportViolation(`container "${container.name}" may run as root; set securityContext.runAsNonRoot: true.`);
            }
        }
    },
};

export const k8sNoPrivilegeEscalation: ResourceValidationPolicy = {
    name: "k8s-no-privilege-escalation",
    description: "Kubernetes containers are not privileged and cannot gain privileges (allowPrivilegeEscalation: false).",
    validateResource: (args, reportViolation) => {
        onlyTypes(args, WORKLOAD_TYPES);
        for (const container of podContainers(args).containers) {
            if (container.securityContext?.privileged === true) reportViolation(`container "${container.name}" is privileged.`);
            if (container.securityContext?.allowPrivilegeEscalation !== false) {
                reportViolation(`container "${container.name}" does not set securityContext.allowPrivilegeEscalation: false.`);
            }
        }
    },
};

export const workloadPolicies = [imagePinned, k8sRunAsNonRoot, k8sNoPrivilegeEscalation];
