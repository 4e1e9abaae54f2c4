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
import { usesKeda } from "../kubernetes/keda";
import type { PlatformOutputs } from "./platform";
import type { WebCustomDomainSpec } from "./customDomain";
import type { AppTierCommonArgs, AppTierOutputs } from "../contracts";

// The shared contracts moved to ./contracts (no cycle with the runtimes); re-exported for existing importers.
export { millicores, PROBE_TIMINGS, roleService, serviceSettings } from "../contracts";
export type { AppServiceOutput, AppTierCommonArgs, AppTierOutputs, KeyVaultReference, ServiceSettings } from "../contracts";

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
    const ingress = args.runtime.aks.ingress;
    // The Gateway's public IP always gets an Azure DNS label: the default host, and a stable
    // CNAME target for a host of your own.
    const dnsLabel = `${args.namePrefix}-${args.environment}`;
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
        ingress: {
            host: ingress.host ?? `${dnsLabel}.${args.platformBase.location}.cloudapp.azure.com`,
            gateway: appRoutingGateway(dnsLabel),
            tls: args.aksTls,
        },
        keda,
    });
}
