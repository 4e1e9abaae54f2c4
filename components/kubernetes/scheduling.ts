// Pod placement of the Kubernetes app tier: the spot pool's toleration and preference, the zone and host spread.
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import type { SpotNodes } from "./cloudAdapters";

/** Toleration and preferred affinity that let a pod use the spot pool without depending on it. */
export function spotScheduling(spot: SpotNodes): { tolerations: k8sInput.core.v1.Toleration[]; affinity: k8sInput.core.v1.Affinity } {
    const { nodeLabel, taint } = spot;
    return {
        tolerations: [{ key: taint.key, operator: "Equal", value: taint.value, effect: taint.effect }],
        affinity: {
            nodeAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{
                    weight: 50,
                    preference: { matchExpressions: [{ key: nodeLabel.key, operator: "In", values: [nodeLabel.value] }] },
                }],
            },
        },
    };
}

/**
 * Spread over zones (hard when the nodes span zones) and hosts. `nodeTaintsPolicy: Honor` leaves
 * nodes whose taints the pod does not tolerate (the CriticalAddonsOnly system pool; spot unless
 * spot-tolerant) out of the skew: otherwise a zone with only system nodes counts as an empty
 * domain and the replica the hard spread sends there stays Pending. GA since Kubernetes 1.33
 * (KEP-3094, https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/#node-inclusion-policies).
 */
export function topologySpread(selector: Record<string, string>, zoneRedundant: boolean): k8sInput.core.v1.TopologySpreadConstraint[] {
    const spread = (topologyKey: string, whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway") => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable,
        labelSelector: { matchLabels: selector },
        matchLabelKeys: ["pod-template-hash"],
        nodeAffinityPolicy: "Honor",
        nodeTaintsPolicy: "Honor",
    });
    return [
        spread("topology.kubernetes.io/zone", zoneRedundant ? "DoNotSchedule" : "ScheduleAnyway"),
        spread("kubernetes.io/hostname", "ScheduleAnyway"),
    ];
}
