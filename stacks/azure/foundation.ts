/**
 * The Azure composition's foundation: the platform base (resource group, VNet, Key Vault,
 * registry, identity, workspace) and, on platform "aks", the cluster; plus the collectors every
 * later tier fills (stack outputs, the app's wiring, diagnostic targets).
 */
import * as pulumi from "@pulumi/pulumi";
import { AksCluster } from "../../components/azure/aksCluster";
import { PlatformBase } from "../../components/azure/platform";
import type { AppWiring, DiagnosticTarget } from "../../components/wiring";
import { agcToPodsInboundRule, aksWebInboundRule, type NsgRule } from "../../lib/network";
import { isProd, StackConfig, stackTags } from "../config";
import { deployerPrincipalType, providerSignIn } from "../schema/deployer";
import { aksWebEdge } from "../schema/edge";
import { usesKeda } from "../../components/kubernetes/keda";

/** Stack outputs: what operators and internal tools read after `pulumi up`. */
export type AzureStackOutputs = Record<string, pulumi.Input<unknown>>;

/** What every tier of the Azure composition builds on, and the lists the tiers add to. */
export interface AzureFoundation {
    config: StackConfig;
    tags: Record<string, string>;
    platform: PlatformBase;
    /** The AKS cluster (platform "aks"). */
    aksCluster?: AksCluster;
    /** `<namePrefix>-<environment>`: the base of the edge and observability resource names. */
    baseName: string;
    prod: boolean;
    outputs: AzureStackOutputs;
    /** Settings each tier hands the app tier. */
    wirings: AppWiring[];
    /** Resources whose logs and metrics go to the workspace (filled by every tier, in order). */
    diagnosticTargets: DiagnosticTarget[];
}

/** True when the AKS web entry is Application Gateway for Containers (its subnet, controller and NSG rule). */
export function usesAgc(config: StackConfig): boolean {
    return config.platform === "aks" && config.app.aks.gateway.implementation === "application-gateway-for-containers";
}

/**
 * nsg-aks's inbound rules: with AGC, its association subnet to the external service's pods (no
 * Internet: the public frontend is AGC's); with approuting-istio, the edge in front of the Gateway's
 * load balancer; none on containerapps (the subnet is unused).
 */
export function aksInboundRules(config: StackConfig): NsgRule[] {
    if (config.platform !== "aks") return [];
    if (!usesAgc(config)) return [aksWebInboundRule(aksWebEdge(config))];
    const ports = Object.values(config.app.services).filter((svc) => svc.ingress.external).map((svc) => svc.port);
    return ports.length === 0 ? [] : [agcToPodsInboundRule(config.app.aks.gateway.subnet, config.app.aks.podCidr, ports)];
}

/** The platform base and, on aks, the cluster (the database tier's pooler runs on it). */
export function composeFoundation(config: StackConfig): AzureFoundation {
    const tags = stackTags(config);
    const platform = new PlatformBase("platform", {
        namePrefix: config.namePrefix,
        environment: config.environment,
        location: config.location,
        tags,
        addressSpace: config.network.addressSpace,
        subnets: config.network.subnets,
        logRetentionDays: config.monitoring.logRetentionDays,
        registrySku: config.registry.sku,
        existingRegistryId: config.registry.existing?.resourceId,
        alertEmails: config.monitoring.alertEmails,
        aksInboundRules: aksInboundRules(config),
        agcSubnet: usesAgc(config) ? config.app.aks.gateway.subnet : undefined,
    });
    const outputs: AzureStackOutputs = {
        resourceGroupName: platform.resourceGroupName,
        location: platform.location,
        keyVaultName: platform.keyVault.name,
        registryLoginServer: platform.registry.loginServer,
        workloadIdentityClientId: platform.workloadIdentity.clientId,
    };
    const diagnosticTargets: DiagnosticTarget[] = [];

    const aksCluster = config.platform === "aks"
        ? new AksCluster("aks", {
            namePrefix: config.namePrefix, environment: config.environment, aks: config.app.aks, platform, tags,
            keda: Object.values(config.app.services).some(usesKeda),
            deployerPrincipalType: deployerPrincipalType(config.deployer.principalType,
                providerSignIn((key) => new pulumi.Config("azure-native").get(key), process.env)),
        })
        : undefined;
    if (aksCluster) {
        diagnosticTargets.push(aksCluster.diagnosticTarget);
        outputs.aksClusterName = aksCluster.clusterName;
        outputs.prometheusWorkspaceId = aksCluster.monitorWorkspaceId;
    }
    return {
        config, tags, platform, aksCluster, outputs, diagnosticTargets, wirings: [],
        baseName: `${config.namePrefix}-${config.environment}`,
        prod: isProd(config),
    };
}
