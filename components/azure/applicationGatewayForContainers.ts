/**
 * Application Gateway for Containers (AGC), "bring your own deployment": the AGC resource, its
 * frontend and its subnet association are declared here, and the ALB Controller (Helm) runs in the
 * cluster with its own workload identity and exactly the grants Microsoft Learn documents. The web
 * Gateway (components/kubernetes/webGateway.ts) names the AGC and the frontend; the controller
 * programs AGC from it. Sources:
 * https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-deploy-application-gateway-for-containers-alb-controller
 * https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-create-application-gateway-for-containers-byo-deployment
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as servicenetworking from "@pulumi/azure-native/servicenetworking";
import type { GatewayClass } from "../kubernetes/cloudAdapters";
import { BuiltInRoles, roleDefinitionId } from "./roles";
import { propagationWait } from "./propagationWait";

/** The GatewayClass the ALB Controller installs and serves. */
export const AGC_GATEWAY_CLASS = "azure-alb-external";
/** Gateway annotation naming the AGC resource (ARM id) the controller programs (BYO deployment). */
export const ALB_ID_ANNOTATION = "alb.networking.azure.io/alb-id";
/** Gateway `spec.addresses[].type` naming the AGC frontend (by resource name) the Gateway listens on. */
export const ALB_FRONTEND_ADDRESS_TYPE = "alb.networking.azure.io/alb-frontend";
/** Namespace and ServiceAccount the chart runs the controller as (the federated credential's subject). */
export const ALB_CONTROLLER_NAMESPACE = "azure-alb-system";
export const ALB_CONTROLLER_SERVICE_ACCOUNT = "alb-controller-sa";
/** Learn: "ALB Controller requires a federated credential with the name of azure-alb-identity. Any other name is unsupported." */
export const ALB_FEDERATED_CREDENTIAL_NAME = "azure-alb-identity";
/**
 * The ALB Controller chart, pinned. 1.12.1 is the "Latest Helm Release" of Learn's ALB Controller
 * release notes (ms.date 2026-09-08; MicrosoftDocs/azure-docs
 * articles/application-gateway/for-containers/alb-controller-release-notes.md at 026714d8, read
 * 2026-12): Gateway API v1.5.1, Kubernetes >= 1.32, "Security patches, bug fixes". It supersedes
 * 1.11.5 and 1.11.3 (both listed with security patches); CNI overlay needs >= 1.5.2
 * (container-networking, Limitations). The values keys set below (albController.namespace,
 * albController.podIdentity.clientID) are in the chart's documented values (alb-controller-helm-chart.md,
 * ms.date 2026-06-23). https://learn.microsoft.com/azure/application-gateway/for-containers/alb-controller-release-notes
 */
export const ALB_CONTROLLER_CHART = { chart: "oci://mcr.microsoft.com/application-lb/charts/alb-controller", version: "1.12.1" } as const;

/** The chart values this program sets (the chart's `albController` section). */
export interface AlbControllerValues {
    albController: {
        /** Namespace of the controller's pods (the chart's default, named for the federated subject). */
        namespace: string;
        /** Workload identity the controller signs in as. */
        podIdentity: { clientID: pulumi.Input<string> };
    };
}

export function albControllerValues(clientId: pulumi.Input<string>): AlbControllerValues {
    return { albController: { namespace: ALB_CONTROLLER_NAMESPACE, podIdentity: { clientID: clientId } } };
}

/** The ARM id of a resource group (a role assignment's scope). */
const resourceGroupId = (subscriptionId: pulumi.Input<string>, group: pulumi.Input<string>) =>
    pulumi.interpolate`/subscriptions/${subscriptionId}/resourceGroups/${group}`;

/** The subject the controller's federated credential trusts. */
export const albControllerSubject = () => `system:serviceaccount:${ALB_CONTROLLER_NAMESPACE}:${ALB_CONTROLLER_SERVICE_ACCOUNT}`;

/** The web Gateway's class on AGC: the class, the AGC annotation and the frontend address, after the controller. */
export function agcGatewayClass(agc: { trafficControllerId: pulumi.Input<string>; frontendName: string; frontendFqdn: pulumi.Input<string>; ready: pulumi.Resource[] }): GatewayClass {
    return {
        className: AGC_GATEWAY_CLASS,
        annotations: { [ALB_ID_ANNOTATION]: agc.trafficControllerId },
        addresses: [{ type: ALB_FRONTEND_ADDRESS_TYPE, value: agc.frontendName }],
        originAddress: agc.frontendFqdn,
        dependsOn: agc.ready,
    };
}

export interface ApplicationGatewayForContainersArgs {
    /** `<namePrefix>-<environment>`: the base of the AGC and identity names. */
    baseName: string;
    resourceGroupName: pulumi.Input<string>;
    location: string;
    subscriptionId: pulumi.Input<string>;
    /** The delegated association subnet (PlatformBase `agcSubnetId`). */
    subnetId: pulumi.Input<string>;
    /** The cluster's OIDC issuer (the controller's federated credential trusts it). */
    oidcIssuerUrl: pulumi.Input<string>;
    /** The cluster's node resource group (the controller reads it). */
    nodeResourceGroup: pulumi.Input<string>;
    /** The cluster's Kubernetes provider (the controller's Helm release). */
    provider: k8s.Provider;
    /** Seconds to wait for the controller's grants to take effect. Default RBAC_PROPAGATION_SECONDS. */
    grantPropagationSeconds?: number;
    tags: Record<string, string>;
}

/**
 * AGC for the AKS web entry: the traffic controller, one frontend (its generated FQDN is the web
 * origin) and the association to the delegated subnet; the ALB Controller's identity, federated
 * credential and grants; the controller's Helm release once those have propagated.
 */
export class ApplicationGatewayForContainers extends pulumi.ComponentResource {
    readonly trafficControllerId: pulumi.Output<string>;
    readonly frontendName: string;
    /** The frontend's generated FQDN (`<id>.<id>.alb.azure.com`): edges and a host's CNAME point at it. */
    readonly frontendFqdn: pulumi.Output<string>;
    /** The web Gateway's class (AGC annotation and frontend address), ordered after the controller. */
    readonly gatewayClass: GatewayClass;

    constructor(name: string, args: ApplicationGatewayForContainersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:app:ApplicationGatewayForContainers", name, {}, opts);
        const child = { parent: this };
        const { resourceGroupName, location, tags } = args;

        // Names follow the spec's trafficControllerName/frontendName/associationName pattern
        // ^[A-Za-z0-9]([A-Za-z0-9-_.]{0,62}[A-Za-z0-9])?$ (servicenetworking 2025-01-01, checked by the plan's spec rules).
        const trafficController = new servicenetworking.TrafficControllerInterface("agc", {
            resourceGroupName, location, trafficControllerName: `${args.baseName}-agc`, tags,
        }, child);
        this.frontendName = "web";
        const frontend = new servicenetworking.FrontendsInterface("agc-frontend", {
            resourceGroupName, location, trafficControllerName: trafficController.name, frontendName: this.frontendName, tags,
        }, child);
        // One association per AGC today; Learn: it takes 5-6 minutes to create (BYO quickstart). The spec's
        // AssociationProperties requires associationType ("subnets", its only value) and subnet.id; every
        // servicenetworking resource is a TrackedResource, so each takes the location.
        const association = new servicenetworking.AssociationsInterface("agc-association", {
            resourceGroupName, location, trafficControllerName: trafficController.name, associationName: "web",
            associationType: "subnets", subnet: { id: args.subnetId }, tags,
        }, child);
        this.trafficControllerId = trafficController.id;
        this.frontendFqdn = frontend.fqdn;

        const identity = new managedidentity.UserAssignedIdentity("alb-controller-identity", {
            resourceGroupName, location, resourceName: `${args.baseName}-alb-controller`, tags,
        }, child);
        const federation = new managedidentity.FederatedIdentityCredential("alb-controller-federation", {
            resourceGroupName,
            resourceName: identity.name,
            federatedIdentityCredentialResourceName: ALB_FEDERATED_CREDENTIAL_NAME,
            issuer: args.oidcIssuerUrl,
            subject: albControllerSubject(),
            audiences: ["api://AzureADTokenExchange"],
        }, child);
        const grant = (logicalName: string, scope: pulumi.Input<string>, role: string) => new authorization.RoleAssignment(logicalName, {
            scope, principalId: identity.principalId, principalType: "ServicePrincipal",
            roleDefinitionId: roleDefinitionId(args.subscriptionId, role),
        }, child);
        const grants = [
            // On the resource group holding the AGC, as Learn's BYO quickstart delegates it ("Delegate AppGw for
            // Containers Configuration Manager role to RG containing Application Gateway for Containers resource",
            // `--scope $resourceGroupId`): a narrower scope is not documented to work.
            grant("alb-controller-agc-configuration-manager", resourceGroupId(args.subscriptionId, resourceGroupName),
                BuiltInRoles.appGwForContainersConfigurationManager),
            // Joining the association subnet (Microsoft.Network/virtualNetworks/subnets/join/action, in Network Contributor).
            grant("alb-controller-subnet-network-contributor", args.subnetId, BuiltInRoles.networkContributor),
            // Learn's controller quickstart: Reader on the cluster's managed (node) resource group.
            grant("alb-controller-node-resource-group-reader", resourceGroupId(args.subscriptionId, args.nodeResourceGroup), BuiltInRoles.reader),
        ];
        // The controller signs in through the federated credential with these grants: it starts once they have propagated.
        const grantsReady = propagationWait("alb-controller-grants-propagation", {
            grants: [...grants, federation], seconds: args.grantPropagationSeconds,
        }, child);

        const release = new k8s.helm.v3.Release("alb-controller", {
            name: "alb-controller",
            chart: ALB_CONTROLLER_CHART.chart,
            version: ALB_CONTROLLER_CHART.version,
            // Release and controller share azure-alb-system, created with the release (`helm install -n azure-alb-system
            // --create-namespace`); the chart also installs the Gateway API CRDs (albController.installGatewayApiCRDs, default true).
            namespace: ALB_CONTROLLER_NAMESPACE,
            createNamespace: true,
            // Ready means the controller's Deployment available and any job of the chart done (its CRDs installed):
            // the Gateway and HTTPRoute are created after it (tools/offline/admissionOrder.ts).
            waitForJobs: true,
            values: albControllerValues(identity.clientId),
        }, { ...child, provider: args.provider, dependsOn: [grantsReady] });

        // The Gateway is programmed by the running controller into an AGC whose association exists.
        this.gatewayClass = agcGatewayClass({
            trafficControllerId: this.trafficControllerId, frontendName: this.frontendName, frontendFqdn: this.frontendFqdn,
            ready: [release, frontend, association],
        });
        this.registerOutputs({ trafficControllerId: this.trafficControllerId, frontendFqdn: this.frontendFqdn });
    }
}
