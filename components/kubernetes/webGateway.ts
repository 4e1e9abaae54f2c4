// The web entry on Kubernetes: Gateway API Gateway, HTTPRoute and TLS Secret.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { GatewayClass } from "./cloudAdapters";

/**
 * The web entry on Kubernetes: a Gateway API Gateway and HTTPRoute, served by the implementation
 * the caller names (on AKS Application Gateway for Containers, components/azure/applicationGatewayForContainers.ts,
 * or the application routing add-on's, components/azure/aksAdapters.ts).
 */
/** Gateway API group/version of the resources (standard channel, v1 since Gateway API v1.0). */
export const GATEWAY_API_VERSION = "gateway.networking.k8s.io/v1";
/** Kubernetes TLS Secret the HTTPS listener serves (from the stack secrets aksTlsCertificate / aksTlsPrivateKey). */
export const WEB_TLS_SECRET = "web-tls";

export interface GatewaySpecInput {
    /** Public host name the listeners and the route answer for. */
    host: pulumi.Input<string>;
    /** The Gateway API implementation and the annotations it copies onto its Service. */
    gateway: GatewayClass;
    /** Serve HTTPS with the `web-tls` Secret. */
    tls: boolean;
}

/** Gateway name of a service's web entry. */
export const gatewayName = (service: string) => `${service}-gateway`;

/** The Gateway: HTTP on 80 and, with a certificate, HTTPS on 443 terminating TLS; routes from its own namespace only. */
export function gatewaySpec(input: GatewaySpecInput): Record<string, unknown> {
    const allowedRoutes = { namespaces: { from: "Same" } };
    const listeners: Record<string, unknown>[] = [{ name: "http", port: 80, protocol: "HTTP", hostname: input.host, allowedRoutes }];
    if (input.tls) {
        listeners.push({
            name: "https", port: 443, protocol: "HTTPS", hostname: input.host, allowedRoutes,
            tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: WEB_TLS_SECRET }] },
        });
    }
    return {
        gatewayClassName: input.gateway.className,
        ...(input.gateway.infrastructureAnnotations ? { infrastructure: { annotations: input.gateway.infrastructureAnnotations } } : {}),
        listeners,
        ...(input.gateway.addresses ? { addresses: input.gateway.addresses } : {}),
    };
}

/**
 * A request header the edge in front of the Gateway adds (Front Door's `X-Azure-FDID`, a secret
 * one Cloudflare sets): the route matches only requests that carry it with exactly this value.
 */
export interface EdgeHeader {
    /** Header name (HTTP header names are case-insensitive; Gateway API matches them so). */
    name: string;
    /** The exact value (e.g. the Front Door profile's id, or a secret). */
    value: pulumi.Input<string>;
}

/**
 * The HTTPRoute: every path of the host to the service's ClusterIP Service (port 80), on all
 * listeners. With `edgeHeader`, only requests carrying that header with exactly that value match;
 * the others match no route, and the implementation answers 404 (Gateway API HTTPRouteMatch).
 */
export function httpRouteSpec(service: string, host: pulumi.Input<string>, edgeHeader?: EdgeHeader): Record<string, unknown> {
    const headers = edgeHeader ? { headers: [{ type: "Exact", name: edgeHeader.name, value: edgeHeader.value }] } : {};
    return {
        parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: gatewayName(service) }],
        hostnames: [host],
        rules: [{
            matches: [{ path: { type: "PathPrefix", value: "/" }, ...headers }],
            backendRefs: [{ group: "", kind: "Service", name: service, port: 80 }],
        }],
    };
}

export interface WebGatewayResourcesArgs extends GatewaySpecInput {
    service: string;
    namespace: pulumi.Input<string>;
    /** Certificate chain and key (secrets), when `tls`. */
    certificate?: { chain: pulumi.Input<string>; privateKey: pulumi.Input<string> };
    /** Resources the Gateway waits for besides the implementation's own (`gateway.dependsOn`). */
    dependsOn?: pulumi.Resource[];
    /** The header the edge in front adds; without it (browsers come straight to the Gateway) every request matches. */
    edgeHeader?: EdgeHeader;
}

/** Creates the TLS Secret, Gateway and HTTPRoute of the external service (children of `opts.parent`). */
export function createWebGateway(args: WebGatewayResourcesArgs, opts: pulumi.CustomResourceOptions): void {
    const gatewayDependsOn = [...(args.dependsOn ?? []), ...(args.gateway.dependsOn ?? [])];
    if (args.tls && args.certificate) {
        gatewayDependsOn.push(new k8s.core.v1.Secret(WEB_TLS_SECRET, {
            metadata: { name: WEB_TLS_SECRET, namespace: args.namespace },
            type: "kubernetes.io/tls",
            stringData: { "tls.crt": pulumi.secret(args.certificate.chain), "tls.key": pulumi.secret(args.certificate.privateKey) },
        }, opts));
    }
    const gateway = new k8s.apiextensions.CustomResource(gatewayName(args.service), {
        apiVersion: GATEWAY_API_VERSION,
        kind: "Gateway",
        metadata: {
            name: gatewayName(args.service), namespace: args.namespace,
            ...(args.gateway.annotations ? { annotations: args.gateway.annotations } : {}),
        },
        spec: gatewaySpec(args),
    }, { ...opts, dependsOn: gatewayDependsOn });
    new k8s.apiextensions.CustomResource(`${args.service}-route`, {
        apiVersion: GATEWAY_API_VERSION,
        kind: "HTTPRoute",
        metadata: { name: args.service, namespace: args.namespace },
        spec: httpRouteSpec(args.service, args.host, args.edgeHeader),
    }, { ...opts, dependsOn: [gateway] });
}
