/**
 * The app tier's one interface. `platform` picks the runtime (Azure Container Apps or
 * Kubernetes on AKS); whatever runs the services, the rest of the program reads these outputs.
 */

import * as pulumi from "@pulumi/pulumi";
import type { AzureRuntimeSpec } from "./runtimeSpecs";
import type { AksCluster } from "./aksCluster";
import { AppPlatform, ContainerAppsTier } from "./containerApps";
import { APP_SERVICE_ACCOUNT, KubernetesAppTier } from "../kubernetes/kubernetesAppTier";
import { AKS_SPOT_NODES, appRoutingGateway, azureWorkloadIdentity, keyVaultSecretStore } from "./aksAdapters";
import { AzureKedaAuth } from "./kedaAuth";
import { ApplicationGatewayForContainers } from "./applicationGatewayForContainers";
import type { GatewayClass } from "../kubernetes/cloudAdapters";
import type { EdgeHeader } from "../kubernetes/webGateway";
import { usesKeda } from "../kubernetes/keda";
import type { PlatformOutputs } from "./platform";
import type { WebCustomDomainSpec } from "./customDomain";
import type { AppTierCommonArgs, AppTierOutputs } from "../contracts";

/** The runtime sections of the app config a runtime needs beside the services. */
export type RuntimeConfig = AzureRuntimeSpec;

/** What `createAppTier` needs beside the services: the runtime sections, the subnet and, on aks, the cluster. */
export interface AppTierArgs extends AppTierCommonArgs {
    /** The platform base the services run on and are granted access to. */
    platform: AppPlatform;
    platformKind: "containerapps" | "aks";
    runtime: RuntimeConfig;
    /** Platform base outputs both runtimes read (subnets, workspace, ...). */
    platformBase: PlatformOutputs;
    /** The AKS cluster (platform "aks"). */
    aksCluster?: AksCluster;
    /** AKS web Gateway certificate chain and key (the stack secrets aksTlsCertificate / aksTlsPrivateKey). */
    aksTls?: { chain: pulumi.Input<string>; privateKey: pulumi.Input<string> };
    /** A host name of ours the web app serves itself (containerapps; Cloudflare below Enterprise). */
    webCustomDomain?: WebCustomDomainSpec;
    /** aks: the header the edge in front adds (Front Door's X-Azure-FDID, a Cloudflare secret), which the web HTTPRoute then requires. Default: none. */
    webEdgeHeader?: EdgeHeader;
}

/**
 * Creates the app tier on the runtime `platformKind` names. Both runtimes take the same services
 * and wiring and return the same outputs, so later tiers never ask which one runs.
 */
export function createAppTier(name: string, args: AppTierArgs): AppTierOutputs {
    if (args.platformKind === "containerapps") {
        return new ContainerAppsTier(name, {
            ...args,
            workspace: args.platformBase.workspace,
            subnetId: args.platformBase.subnetIds.containerApps,
            containerApps: args.runtime.containerApps,
        });
    }
    const cluster = args.aksCluster;
    if (!cluster) throw new Error("the aks app tier needs the AksCluster (create it before the app tier)");
    const dnsLabel = `${args.namePrefix}-${args.environment}`;
    const entry = aksWebEntry(name, args, cluster, dnsLabel);
    // Custom metrics scale through the cluster's KEDA add-on, reading the cluster's managed Prometheus.
    const keda = Object.values(args.services).some(usesKeda) ? new AzureKedaAuth(`${name}-keda`, {
        baseName: dnsLabel,
        resourceGroupName: args.platformBase.resourceGroupName,
        location: args.platformBase.location,
        subscriptionId: args.platformBase.subscriptionId,
        tenantId: args.platformBase.tenantId,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
        monitorWorkspaceId: cluster.monitorWorkspaceId,
        queryEndpoint: cluster.monitorQueryEndpoint,
        tags: args.tags,
    }).keda : undefined;
    return new KubernetesAppTier(name, {
        ...args,
        provider: cluster.provider,
        registryLoginServer: args.platform.registry.loginServer,
        podSettings: { APPLICATIONINSIGHTS_CONNECTION_STRING: args.platform.appInsights.connectionString },
        identity: azureWorkloadIdentity({
            platform: args.platform,
            federatedCredentialName: `${args.namePrefix}-${args.environment}-aks-${APP_SERVICE_ACCOUNT}`,
            oidcIssuerUrl: cluster.oidcIssuerUrl,
            workloadGrants: cluster.kubeletAcrPulls,
        }),
        secretStore: keyVaultSecretStore(args.platform),
        spot: cluster.hasSpotPool ? AKS_SPOT_NODES : undefined,
        zoneRedundant: cluster.zones.length > 1,
        ingress: { ...entry, tls: args.aksTls, edgeHeader: args.webEdgeHeader },
        keda,
    });
}

/**
 * The AKS web entry's host and Gateway class. Application Gateway for Containers: its frontend's
 * generated FQDN is the default host and, for a host of your own, the CNAME target and the address
 * edges connect to. approuting-istio: the Gateway's public IP always gets an Azure DNS label, the
 * default host and the CNAME target.
 */
function aksWebEntry(name: string, args: AppTierArgs, cluster: AksCluster, dnsLabel: string): { host: pulumi.Input<string>; gateway: GatewayClass } {
    const { ingress, gateway } = args.runtime.aks;
    if (gateway.implementation === "approuting-istio") {
        return { host: ingress.host ?? `${dnsLabel}.${args.platformBase.location}.cloudapp.azure.com`, gateway: appRoutingGateway(dnsLabel) };
    }
    const subnetId = args.platformBase.agcSubnetId;
    if (!subnetId) throw new Error("Application Gateway for Containers needs the platform's association subnet (PlatformBase agcSubnet)");
    const agc = new ApplicationGatewayForContainers(`${name}-agc`, {
        baseName: dnsLabel,
        resourceGroupName: args.platformBase.resourceGroupName,
        location: args.platformBase.location,
        subscriptionId: args.platformBase.subscriptionId,
        subnetId,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
        nodeResourceGroup: cluster.nodeResourceGroup,
        provider: cluster.provider,
        tags: args.tags,
    });
    return { host: ingress.host ?? agc.frontendFqdn, gateway: agc.gatewayClass };
}
