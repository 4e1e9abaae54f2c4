// The web entry through a Kubernetes Ingress (networking.k8s.io/v1), for clusters whose entry is an Ingress controller.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import type { IngressClass } from "./cloudAdapters";

/** The Ingress spec: every path of the host to the service's ClusterIP Service (its `http` port), on the controller's class. */
export function ingressSpec(service: string, host: string, className: string): k8sInput.networking.v1.IngressSpec {
    return {
        ingressClassName: className,
        rules: [{ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: service, port: { name: "http" } } } }] } }],
    };
}

export interface WebIngressArgs {
    service: string;
    namespace: pulumi.Input<string>;
    host: string;
    labels: Record<string, string>;
    healthPath: string;
    ingressClass: IngressClass;
}

/** Creates the external service's Ingress (a child of `opts.parent`), after the controller. */
export function createWebIngress(args: WebIngressArgs, opts: pulumi.CustomResourceOptions): k8s.networking.v1.Ingress {
    return new k8s.networking.v1.Ingress(args.service, {
        metadata: {
            name: args.service,
            namespace: args.namespace,
            labels: args.labels,
            annotations: args.ingressClass.annotations({ healthPath: args.healthPath }),
        },
        spec: ingressSpec(args.service, args.host, args.ingressClass.className),
    }, { ...opts, dependsOn: args.ingressClass.dependsOn });
}
