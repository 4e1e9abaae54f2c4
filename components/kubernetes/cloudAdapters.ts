/**
 * What the cloud-neutral Kubernetes tier asks of the cloud it runs on, as small typed values the
 * caller passes in (the Azure ones are in components/azure/aksAdapters.ts, the AWS ones in
 * components/aws/eksAdapters.ts): how a pod gets a cloud identity, where external secrets come
 * from, how spot nodes are marked, and which Gateway API implementation or Ingress controller
 * serves the web entry.
 */
import type * as pulumi from "@pulumi/pulumi";

/** A ServiceAccount in a namespace (the one the app's pods run as). */
export interface ServiceAccountRef {
    namespace: string;
    name: string;
}

/** How the app's pods get a cloud identity (Azure workload identity, EKS Pod Identity, ...). */
export interface CloudIdentity {
    /** Annotations on the app ServiceAccount, e.g. the identity's client id. */
    serviceAccountAnnotations: Record<string, pulumi.Input<string>>;
    /** Labels on every app pod, e.g. the label a mutating webhook selects pods by. */
    podLabels: Record<string, string>;
    /**
     * Creates the cloud-side binding of the ServiceAccount (a federated credential, an
     * association) as children of `parent` (the tier, so their URNs are the tier's children) and
     * returns the resource the pods start after (the binding and grants having taken effect).
     */
    bind(parent: pulumi.Resource, serviceAccount: ServiceAccountRef): pulumi.Resource | undefined;
}

/**
 * A Secrets Store CSI provider for the app's external secret references (`secretEnv`): the
 * tier creates one SecretProviderClass with this spec, mounts it and reads the Kubernetes
 * Secret the driver syncs.
 */
export interface CsiSecretStore {
    /** Pulumi name of the SecretProviderClass resource (part of its URN: keep it stable). */
    resourceName: string;
    /** `metadata.name` of the SecretProviderClass the pods mount. */
    className: string;
    /** Kubernetes Secret the driver syncs the objects into; env vars read it. */
    syncedSecretName: string;
    /** The SecretProviderClass `spec` for these secret names (sorted, at least one). */
    spec(secretNames: string[]): Record<string, unknown>;
}

/** How the cluster marks its spot nodes: the label spot-tolerant pods prefer and the taint they tolerate. */
export interface SpotNodes {
    nodeLabel: { key: string; value: string };
    taint: { key: string; value: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" };
}

/** The Gateway API implementation of the web entry. */
export interface GatewayClass {
    /** `gatewayClassName` of the Gateway. */
    className: string;
    /** `spec.infrastructure.annotations`: copied by the implementation onto its Service (e.g. a DNS label). */
    infrastructureAnnotations?: Record<string, string>;
    /** `metadata.annotations` of the Gateway (e.g. the cloud resource an implementation attaches it to). */
    annotations?: Record<string, pulumi.Input<string>>;
    /** `spec.addresses`: the implementation's named address(es) the Gateway takes (e.g. a load balancer frontend). */
    addresses?: { type: string; value: pulumi.Input<string> }[];
    /** Where edges connect when it is not the host name itself (e.g. a load balancer's generated FQDN). */
    originAddress?: pulumi.Input<string>;
    /** Resources the Gateway waits for (the implementation's controller and the grants it runs with). */
    dependsOn?: pulumi.Resource[];
}

/** An Ingress controller serving the web entry instead of a Gateway (e.g. the AWS Load Balancer Controller). */
export interface IngressClass {
    /** `spec.ingressClassName` of the Ingress. */
    className: string;
    /** The controller's annotations on the Ingress of the external service (some read its health path). */
    annotations(backend: { healthPath: string }): Record<string, pulumi.Input<string>>;
    /** Resources the Ingress waits for (the controller and its admission webhook). */
    dependsOn?: pulumi.Resource[];
}
