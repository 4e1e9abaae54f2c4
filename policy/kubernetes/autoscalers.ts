/**
 * A Deployment's autoscaler as the policies read it: a plain HPA v2, or a KEDA ScaledObject, which
 * owns an HPA with its bounds, behaviour and triggers (components/kubernetes/keda.ts). Both read
 * as HPA props, so every HPA rule holds for either.
 */
import type { PolicyResource } from "@pulumi/policy";
import type * as k8s from "@pulumi/kubernetes";
import type { Unwrap } from "@pulumi/pulumi";
import { ofType, tokenOf } from "../common";
import { HorizontalPodAutoscaler } from "../types";

type HpaProps = Unwrap<k8s.types.input.autoscaling.v2.HorizontalPodAutoscaler>;

/** KEDA's ScaledObject type token (keda.sh/v1alpha1 through the Kubernetes provider's CustomResource). */
export const SCALED_OBJECT_TYPE = "kubernetes:keda.sh/v1alpha1:ScaledObject";

/** A ScaledObject as the HPA KEDA creates from it; KEDA's defaults: minReplicaCount 0, maxReplicaCount 100 (keda.sh ScaledObject spec). */
export function scaledObjectAsHpa(props: Record<string, any>): HpaProps {
    const spec = props.spec ?? {};
    return {
        metadata: props.metadata,
        spec: {
            scaleTargetRef: spec.scaleTargetRef,
            minReplicas: spec.minReplicaCount ?? 0,
            maxReplicas: spec.maxReplicaCount ?? 100,
            behavior: spec.advanced?.horizontalPodAutoscalerConfig?.behavior,
            metrics: spec.triggers ?? [],
        },
    } as HpaProps;
}

/** The props of one HPA or ScaledObject resource, or undefined for any other type. */
export function autoscalerProps(type: string, props: unknown): HpaProps | undefined {
    if (type === tokenOf(HorizontalPodAutoscaler)) return props as HpaProps;
    if (type === SCALED_OBJECT_TYPE) return scaledObjectAsHpa(props as Record<string, any>);
    return undefined;
}

/** Every autoscaler of the stack: HPAs and ScaledObjects. */
export function autoscalersOf(resources: PolicyResource[]): HpaProps[] {
    return [...ofType(resources, tokenOf(HorizontalPodAutoscaler)), ...ofType(resources, SCALED_OBJECT_TYPE)]
        .map((r) => autoscalerProps(r.type, r.props)!);
}
