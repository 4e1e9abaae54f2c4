/**
 * Lifecycle: versions that retire. AKS creates clusters only on Kubernetes minors in support,
 * and a cluster past end of standard support loses patches; the dated table is policy/shared/aksVersions.ts.
 */
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { aksVersionProblem, aksVersionStatus, AKS_VERSION_WARNING_DAYS } from "../shared/aksVersions";
import { configSchema, settingsOf } from "../common";
import { ManagedCluster } from "../types";

const endingSchema = configSchema({
    warningDays: {
        type: "integer", minimum: 0, default: AKS_VERSION_WARNING_DAYS,
        description: "Days before the end of standard support from which the version is reported.",
    },
});

export const aksKubernetesVersionSupported: ResourceValidationPolicy = {
    name: "aks-kubernetes-version-supported",
    description: "AKS clusters run a Kubernetes minor that is generally available and not past the end of AKS standard support.",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, reportViolation) => {
        // No version: AKS picks its default, which is always in support.
        if (typeof cluster.kubernetesVersion !== "string") return;
        const status = aksVersionStatus(cluster.kubernetesVersion).status;
        if (status === "end-of-life" || status === "not-yet-ga" || status === "unknown") {
            reportViolation(`${aksVersionProblem(cluster.kubernetesVersion)}.`);
        }
    }),
};

export const aksKubernetesVersionEnding: ResourceValidationPolicy = {
    name: "aks-kubernetes-version-ending",
    description: "AKS clusters are upgraded before their Kubernetes minor leaves standard support (a warning, not a block).",
    enforcementLevel: "advisory",
    configSchema: endingSchema,
    validateResource: validateResourceOfType(ManagedCluster, (cluster, args, reportViolation) => {
        if (typeof cluster.kubernetesVersion !== "string") return;
        const { warningDays } = settingsOf<{ warningDays: number }>(args, endingSchema);
        if (aksVersionStatus(cluster.kubernetesVersion, new Date(), warningDays).status === "ending") {
            reportViolation(`${aksVersionProblem(cluster.kubernetesVersion, new Date(), warningDays)}.`);
        }
    }),
};

export const lifecyclePolicies = [aksKubernetesVersionSupported, aksKubernetesVersionEnding];
