/**
 * Plan section `reachability`: whoever runs `pulumi up` must reach the Kubernetes API of every
 * cluster the same run deploys Kubernetes objects to. A private-only API endpoint answers only
 * inside the cluster's network (EKS API VpcConfigRequest: "If you disable public access, your
 * cluster's Kubernetes API server can only receive requests from within the cluster VPC"; AKS
 * private clusters likewise), and that network is created by this very run, so no deployer can be
 * in it: every Kubernetes object and Helm release of the first `up` would time out.
 */
import type { CapturedResource } from "./capture";
import { plain } from "./specRules";
import type { PlanSection } from "./types";

export interface Reachability {
    cluster: string;
    type: string;
    /** Where the API answers the deployer from: CIDRs, "anywhere", or nothing. */
    from: string[] | "anywhere";
}

/** How each cluster of the plan is reached, and the problems of the unreachable ones Kubernetes objects need. */
export function reachabilityOf(resources: CapturedResource[]): { clusters: Reachability[]; problems: string[] } {
    const clusters: Reachability[] = [];
    const problems: string[] = [];
    const deploysToKubernetes = resources.some((r) => r.custom && r.type.startsWith("kubernetes:"));
    for (const resource of resources) {
        const inputs = resource.wireInputs as Record<string, any>;
        if (resource.type === "aws:eks/cluster:Cluster") {
            const vpc = (plain(inputs.vpcConfig) ?? {}) as { endpointPublicAccess?: boolean; publicAccessCidrs?: string[] };
            // The provider's default is a public endpoint open to 0.0.0.0/0 (aws:eks/cluster.d.ts).
            const publicAccess = vpc.endpointPublicAccess ?? true;
            const cidrs = vpc.publicAccessCidrs ?? ["0.0.0.0/0"];
            const from = !publicAccess ? [] : cidrs.includes("0.0.0.0/0") ? "anywhere" as const : cidrs;
            clusters.push({ cluster: resource.name, type: resource.type, from });
            if (from.length === 0 && deploysToKubernetes) {
                problems.push(`EKS cluster "${plain(inputs.name) ?? resource.name}" has a private-only API endpoint (vpcConfig.endpointPublicAccess false), and this run creates the VPC `
                    + "it answers in and the Kubernetes objects together: no deployer can reach it. Set bookstore:aws.eks.publicAccessCidrs to the egress CIDRs of whoever runs `pulumi up`");
            }
        } else if (resource.type === "azure-native:containerservice:ManagedCluster") {
            const profile = (plain(inputs.apiServerAccessProfile) ?? {}) as { enablePrivateCluster?: boolean; authorizedIPRanges?: string[] };
            const from = profile.enablePrivateCluster ? [] : (profile.authorizedIPRanges ?? []).length > 0 ? profile.authorizedIPRanges! : "anywhere" as const;
            clusters.push({ cluster: resource.name, type: resource.type, from });
            if (from.length === 0 && deploysToKubernetes) {
                problems.push(`AKS cluster "${resource.name}" is a private cluster (apiServerAccessProfile.enablePrivateCluster), and this run creates its network and the Kubernetes objects together: no deployer can reach its API`);
            }
        }
    }
    return { clusters, problems };
}

export const reachabilitySection: PlanSection = ({ document, run }) => {
    const { clusters, problems } = reachabilityOf(run.resources);
    document.reachability = { clusters, problems };
    if (problems.length === 0) return 0;
    // Printed even with --quiet: the plan fails because of these.
    console.error("Unreachable Kubernetes API (the first `pulumi up` could not create the cluster's objects):");
    for (const problem of problems) console.error(`  - ${problem}`);
    return 1;
};
