/**
 * Lifecycle: versions that retire. AKS creates clusters only on Kubernetes minors in support,
 * and a cluster past end of standard support loses patches; the dated table is policy/shared/aksVersions.ts.
 */
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { aksVersionProblem, aksVersionStatus, AKS_VERSION_WARNING_DAYS } from "../shared/aksVersions";
import { configSchema, settingsOf } from "../common";
import { AgentPool, ManagedCluster } from "../types";

const endingSchema = configSchema({
    warningDays: {
        type: "integer", minimum: 0, default: AKS_VERSION_WARNING_DAYS,
        description: "Days before the end of standard support from which the version is reported.",
    },
});

/** The versions a policy judges on one resource: the control plane's and every pool's, each with where it is set. */
function versionsOf(resource: { kubernetesVersion?: unknown; orchestratorVersion?: unknown; agentPoolProfiles?: { name?: string; orchestratorVersion?: unknown }[] },
    name: string): { where: string; version: string }[] {
    const found: { where: string; version: string }[] = [];
    if (typeof resource.kubernetesVersion === "string") found.push({ where: "kubernetesVersion", version: resource.kubernetesVersion });
    if (typeof resource.orchestratorVersion === "string") found.push({ where: `agent pool "${name}" orchestratorVersion`, version: resource.orchestratorVersion });
    for (const pool of resource.agentPoolProfiles ?? []) {
        if (typeof pool.orchestratorVersion === "string") found.push({ where: `agentPoolProfiles "${pool.name}" orchestratorVersion`, version: pool.orchestratorVersion });
    }
    return found;
}

/**
 * The version skew AKS allows a node pool (AgentPool.orchestratorVersion, API 2025-09-01): "The node pool
 * version must have the same major version as the control plane. The node pool minor version must be
 * within two minor versions of the control plane version. The node pool version cannot be greater than
 * the control plane version." Undefined when the pool's version is within it.
 */
export function poolVersionSkewProblem(controlPlane: string, pool: string): string | undefined {
    const [cpMajor, cpMinor] = controlPlane.split(".").map(Number);
    const [major, minor] = pool.split(".").map(Number);
    if (major !== cpMajor) return `major ${major} differs from the control plane's ${cpMajor}`;
    if (minor > cpMinor) return `is newer than the control plane's ${controlPlane}`;
    if (cpMinor - minor > 2) return `is more than two minors behind the control plane's ${controlPlane}`;
    return undefined;
}

export const aksKubernetesVersionSupported: ResourceValidationPolicy = {
    name: "aks-kubernetes-version-supported",
    description: "AKS clusters and their node pools run a Kubernetes minor that is generally available and not past the end of AKS "
        + "standard support, the pools within the skew AKS allows.",
    validateResource: [
        validateResourceOfType(ManagedCluster, (cluster, args, reportViolation) => checkSupported(versionsOf(cluster, args.name), reportViolation, cluster.kubernetesVersion)),
        validateResourceOfType(AgentPool, (pool, args, reportViolation) => checkSupported(versionsOf(pool, pool.agentPoolName ?? args.name), reportViolation)),
    ],
};

/** Reports every version not in support and, with the control plane's version, every inline pool outside the skew. */
function checkSupported(versions: { where: string; version: string }[], reportViolation: (message: string) => void, controlPlane?: unknown): void {
    // No version: AKS picks its default, which is always in support.
    for (const { where, version } of versions) {
        const status = aksVersionStatus(version).status;
        if (status === "end-of-life" || status === "not-yet-ga" || status === "unknown") reportViolation(`${where}: ${aksVersionProblem(version)}.`);
        const skew = typeof controlPlane === "string" && where !== "kubernetesVersion" ? poolVersionSkewProblem(controlPlane, version) : undefined;
        if (skew) reportViolation(`${where} ${version} ${skew} (a node pool may not be newer, nor more than two minors older).`);
    }
}

export const aksKubernetesVersionEnding: ResourceValidationPolicy = {
    name: "aks-kubernetes-version-ending",
    description: "AKS clusters and their node pools are upgraded before their Kubernetes minor leaves standard support (a warning, not a block).",
    enforcementLevel: "advisory",
    configSchema: endingSchema,
    validateResource: [
        validateResourceOfType(ManagedCluster, (cluster, args, reportViolation) => checkEnding(versionsOf(cluster, args.name), args, reportViolation)),
        validateResourceOfType(AgentPool, (pool, args, reportViolation) => checkEnding(versionsOf(pool, pool.agentPoolName ?? args.name), args, reportViolation)),
    ],
};

function checkEnding(versions: { where: string; version: string }[], args: Parameters<typeof settingsOf>[0], reportViolation: (message: string) => void): void {
    const { warningDays } = settingsOf<{ warningDays: number }>(args, endingSchema);
    for (const { where, version } of versions) {
        if (aksVersionStatus(version, new Date(), warningDays).status === "ending") reportViolation(`${where}: ${aksVersionProblem(version, new Date(), warningDays)}.`);
    }
}

export const lifecyclePolicies = [aksKubernetesVersionSupported, aksKubernetesVersionEnding];
