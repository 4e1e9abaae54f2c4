/**
 * Reproducible images on every runtime: each container of a Container App or a Kubernetes
 * workload names a pinned tag or digest.
 */
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { imagePinProblem } from "../shared/images";
import { onlyTypes, tokenOf, WORKLOAD_TYPES } from "../common";
import { ContainerApp } from "../types";
import { podContainers } from "../kubernetes/workload";

function reportUnpinned(containers: { name?: string; image?: string }[], reportViolation: (message: string) => void): void {
    for (const container of containers) {
        const problem = container.image === undefined ? "has no image" : imagePinProblem(container.image);
        if (problem) reportViolation(`container "${container.name}" image ${JSON.stringify(container.image)} ${problem}; pin a tag or a digest.`);
    }
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
