/**
 * Kubernetes workload hygiene: containers run as non-root without privilege escalation.
 */
import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import type * as k8s from "@pulumi/kubernetes";
import type { Unwrap } from "@pulumi/pulumi";
import { onlyTypes, PodSpec, podSpecOf, WORKLOAD_TYPES } from "../common";

export type Container = Unwrap<k8s.types.input.core.v1.Container>;

/** Every container of a Kubernetes workload, init containers included. */
export function podContainers(args: ResourceValidationArgs): { spec: PodSpec | undefined; containers: Container[] } {
    const spec = podSpecOf(args.type, args.props);
    return { spec, containers: [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])] as Container[] };
}

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
