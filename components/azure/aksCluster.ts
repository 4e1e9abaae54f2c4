// AksCluster: the AKS ManagedCluster with its system, user and spot pools, grants, monitoring and the Kubernetes provider.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as monitor from "@pulumi/azure-native/monitor";
import type { AksGatewayImplementation, AksSpec } from "./runtimeSpecs";
import { aksVersionProblem, DEFAULT_AKS_KUBERNETES_VERSION } from "../../policy/shared/aksVersions";
import { parseRegistryId } from "../../lib/registry";
import { nonInteractiveKubeconfig } from "./kubeconfig";
import { type PlatformOutputs } from "./platform";
import { AKS_RBAC_PROPAGATION_SECONDS, propagationWait } from "./propagationWait";
import { BuiltInRoles, roleDefinitionId } from "./roles";
import type { DiagnosticTarget } from "../wiring";

/**
 * The taint AKS puts on every spot node (and which we declare, so the API's answer causes no diff).
 * Workloads allowed on spot carry exactly this toleration (see kubernetesAppTier.ts).
 */
export const SPOT_TAINT = { key: "kubernetes.azure.com/scalesetpriority", value: "spot", effect: "NoSchedule" } as const;
/** The label AKS puts on every spot node; spot-tolerant workloads prefer nodes with it. */
export const SPOT_NODE_LABEL = { key: "kubernetes.azure.com/scalesetpriority", value: "spot" } as const;
/** AKS taint syntax `key=value:Effect`. */
export const taintString = (t: { key: string; value: string; effect: string }) => `${t.key}=${t.value}:${t.effect}`;
/** Keeps application pods off the system pool. */
export const SYSTEM_POOL_TAINT = "CriticalAddonsOnly=true:NoSchedule";

/**
 * The application routing add-on: with `approuting-istio` it hosts the web Gateway's implementation
 * (components/kubernetes/webGateway.ts), its default NGINX controller off (managed NGINX loses Azure
 * support after November 2026, https://learn.microsoft.com/azure/aks/app-routing-gateway-api).
 * Turning that implementation on (gatewayAPIImplementations.appRoutingIstio, ingressProfile.gatewayAPI)
 * needs API version 2026-02-01; azure-native 3.28 sends 2025-09-01, so docs/runbooks.md does it once.
 * With Application Gateway for Containers the add-on has nothing to do: off (also on a cluster that had it).
 */
export function webAppRoutingProfile(implementation: AksGatewayImplementation): containerservice.ManagedClusterArgs["ingressProfile"] {
    return implementation === "approuting-istio"
        ? { webAppRouting: { enabled: true, nginx: { defaultIngressControllerType: "None" } } }
        : { webAppRouting: { enabled: false } };
}

/**
 * Name of the managed-Prometheus data collection endpoint and rule of a cluster, as AKS's own
 * onboarding names them, cut to 44 characters: the 2022-06-01 spec states no limit, but the service
 * refuses longer ones; Microsoft's Azure/ARO-HCP dev-infrastructure/modules/metrics/datacollection.bicep
 * takes the same `take('MSProm-<location>-<cluster>', 44)`.
 */
export const managedPrometheusName = (location: string, clusterName: string) => `MSProm-${location}-${clusterName}`.slice(0, 44);

/** One autoscaled node pool of a pool spec: its Pulumi name, AKS name, zones and bounds. */
export interface PoolPlacement {
    logicalName: string;
    agentPoolName: string;
    availabilityZones?: string[];
    minCount: number;
    maxCount: number;
}

/**
 * The pools of one autoscaled pool spec. Across several zones: one pool per zone, because the
 * cluster autoscaler cannot ask a scale set for a node in a given zone, and a pod the hard zone
 * spread pins to a full zone stays Pending when the new node lands elsewhere (Learn, "Best
 * practices for zone resiliency", articles/aks/aks-zone-resiliency.md: "we recommend using a single
 * node pool for each zone"; kubernetes/autoscaler FAQ: "use separate node groups per zone"). The
 * spec's bounds are the whole set's: each zone's pool gets its share, rounded up. One zone or none:
 * the single pool as before (same names, so no existing pool is replaced).
 */
export function zonalPools(base: { logicalName: string; agentPoolName: string }, zones: string[], minCount: number, maxCount: number): PoolPlacement[] {
    if (zones.length <= 1) {
        return [{ ...base, ...(zones.length === 1 ? { availabilityZones: zones } : {}), minCount, maxCount }];
    }
    const share = (n: number) => Math.ceil(n / zones.length);
    return zones.map((zone) => ({
        logicalName: `${base.logicalName}-z${zone}`,
        agentPoolName: `${base.agentPoolName}${zone}`,
        availabilityZones: [zone],
        minCount: share(minCount),
        maxCount: Math.max(share(maxCount), share(minCount)),
    }));
}

export interface AksClusterArgs {
    /** Short prefix for resource names. */
    namePrefix: string;
    environment: "dev" | "staging" | "prod";
    /** Pools, version, zones and network ranges (the stack config documents the defaults). */
    aks: AksSpec;
    /** Resource group, subnet, workspace, registry, Key Vault and subscription of the platform base. */
    platform: Pick<PlatformOutputs, "resourceGroupName" | "location" | "subscriptionId" | "tenantId" | "subnetIds" | "workspace" | "registry" | "keyVault">;
    /**
     * Who gets cluster-admin through Entra RBAC so the Kubernetes provider can deploy.
     * Default: the principal running `pulumi up`.
     */
    deployerObjectId?: pulumi.Input<string>;
    /** The deployer's principal type (ARM refuses a mismatch). Default "User"; the stack config's deployer section. */
    deployerPrincipalType?: "User" | "ServicePrincipal";
    /** Turn on the KEDA add-on (custom-metric scaling, components/kubernetes/keda.ts). Default false. */
    keda?: boolean;
    tags: Record<string, string>;
}

/**
 * AKS for the app tier: a ManagedCluster with a small inline system pool, a separate autoscaled
 * user pool and an optional spot pool; OIDC issuer and workload identity; Azure CNI overlay with
 * Cilium; local accounts off and Entra RBAC; Container Insights to the Log Analytics workspace and
 * managed Prometheus to an Azure Monitor workspace; a Kubernetes provider from the user credentials.
 */
export class AksCluster extends pulumi.ComponentResource {
    readonly clusterId: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    /** Kubernetes provider built from the cluster's (Entra, kubelogin) user credentials. */
    readonly provider: k8s.Provider;
    readonly oidcIssuerUrl: pulumi.Output<string>;
    /** The cluster's managed resource group (`MC_...`): nodes, and what AKS creates for them. */
    readonly nodeResourceGroup: pulumi.Output<string>;
    /** Azure Monitor workspace that receives the cluster's Prometheus metrics. */
    readonly monitorWorkspaceId: pulumi.Output<string>;
    /** Its Prometheus query endpoint (what KEDA's Prometheus scaler reads). */
    readonly monitorQueryEndpoint: pulumi.Output<string>;
    /** True when the spot pool exists (spot-tolerant workloads then get the toleration). */
    readonly hasSpotPool: boolean;
    readonly zones: string[];
    readonly diagnosticTarget: DiagnosticTarget;
    /** The kubelet identity's AcrPull on the stack's registry (and registry.existing): pods start after them. */
    readonly kubeletAcrPulls: authorization.RoleAssignment[];

    constructor(name: string, args: AksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:app:AksCluster", name, {}, opts);
        const child = { parent: this };
        const { platform, aks, tags } = args;
        const prod = args.environment === "prod";
        const base = `${args.namePrefix}-${args.environment}`;
        const clusterName = `${base}-aks`;
        const rg = { resourceGroupName: platform.resourceGroupName, location: platform.location };
        const zones = aks.zones ?? (prod ? ["1", "2", "3"] : []);
        this.zones = zones;
        const availabilityZones = zones.length > 0 ? zones : undefined;
        const role = (logicalName: string, scope: pulumi.Input<string>, principalId: pulumi.Input<string>, roleId: string,
            principalType?: "User" | "ServicePrincipal", dependsOn?: pulumi.Resource[]) =>
            new authorization.RoleAssignment(logicalName, {
                scope, principalId, principalType,
                roleDefinitionId: roleDefinitionId(platform.subscriptionId, roleId),
            }, { ...child, dependsOn });

        // The control plane's own identity manages load balancers and IPs in the node subnet; it
        // needs that right before the cluster is created, hence a user-assigned identity.
        const controlPlane = new managedidentity.UserAssignedIdentity("aks-control-plane", {
            ...rg, resourceName: `${base}-aks-control-plane`, tags,
        }, child);
        const subnetRole = role("aks-subnet-network-contributor", platform.subnetIds.aks, controlPlane.principalId,
            BuiltInRoles.networkContributor, "ServicePrincipal");
        // AKS creates the cluster's nodes and load balancer in that subnet as this identity, so the grant must be in effect.
        const subnetRoleInEffect = propagationWait("control-plane-grant-propagation", { grants: [subnetRole] }, child);

        const kubernetesVersion = aks.kubernetesVersion ?? DEFAULT_AKS_KUBERNETES_VERSION;
        // Near or past end of standard support: say so on every plan (the policy pack enforces it).
        const versionProblem = aksVersionProblem(kubernetesVersion);
        if (versionProblem) pulumi.log.warn(versionProblem, this);
        const systemMin = aks.systemPool.minCount ?? (prod ? 3 : 1);
        // Per-zone user and spot pools (zonalPools) are "similar" node groups the autoscaler keeps level.
        const perZonePools = zones.length > 1;
        const cluster = new containerservice.ManagedCluster("cluster", {
            ...rg,
            resourceName: clusterName,
            dnsPrefix: base,
            kubernetesVersion,
            // API 2025-09-01 ManagedClusterPropertiesAutoScalerProfile["balance-similar-node-groups"]; Learn's
            // zone-resiliency guidance pairs it with one pool per zone. Unset (AKS default false) otherwise.
            ...(perZonePools ? { autoScalerProfile: { balanceSimilarNodeGroups: "true" } } : {}),
            sku: { name: "Base", tier: aks.skuTier ?? (prod ? "Standard" : "Free") },
            identity: { type: "UserAssigned", userAssignedIdentities: [controlPlane.id] },
            agentPoolProfiles: [{
                name: "system",
                mode: "System",
                vmSize: aks.systemPool.vmSize,
                osType: "Linux",
                osSKU: "AzureLinux",
                type: "VirtualMachineScaleSets",
                enableAutoScaling: true,
                count: systemMin,
                minCount: systemMin,
                maxCount: Math.max(aks.systemPool.maxCount, systemMin),
                availabilityZones,
                // Every pool names the control plane's version, so raising kubernetesVersion moves them all
                // (a pool may not be newer, nor more than two minors older: AgentPool.orchestratorVersion, API 2025-09-01).
                orchestratorVersion: kubernetesVersion,
                vnetSubnetID: platform.subnetIds.aks,
                nodeTaints: [SYSTEM_POOL_TAINT],
                upgradeSettings: { maxSurge: "33%" },
            }],
            oidcIssuerProfile: { enabled: true },
            securityProfile: { workloadIdentity: { enabled: true } },
            // KEDA add-on (API 2025-09-01 ManagedClusterWorkloadAutoScalerProfile.keda); unset when off, so existing clusters see no diff.
            ...(args.keda ? { workloadAutoScalerProfile: { keda: { enabled: true } } } : {}),
            aadProfile: {
                managed: true,
                enableAzureRBAC: true,
                tenantID: platform.tenantId,
                adminGroupObjectIDs: aks.adminGroupObjectIds,
            },
            disableLocalAccounts: true,
            enableRBAC: true,
            networkProfile: {
                networkPlugin: "azure",
                networkPluginMode: "overlay",
                networkDataplane: "cilium",
                networkPolicy: "cilium",
                podCidr: aks.podCidr,
                serviceCidr: aks.serviceCidr,
                dnsServiceIP: aks.dnsServiceIP,
                outboundType: "loadBalancer",
                loadBalancerSku: "standard",
            },
            autoUpgradeProfile: { upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" },
            addonProfiles: {
                omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: platform.workspace.id, useAADAuth: "true" } },
                azureKeyvaultSecretsProvider: { enabled: true, config: { enableSecretRotation: "true", rotationPollInterval: "2m" } },
            },
            azureMonitorProfile: { metrics: { enabled: true, kubeStateMetrics: { metricLabelsAllowlist: "", metricAnnotationsAllowList: "" } } },
            ingressProfile: webAppRoutingProfile(aks.gateway.implementation),
            tags,
        }, {
            ...child,
            dependsOn: [subnetRole, subnetRoleInEffect],
            // The autoscaler owns node counts; a plan must not fight it.
            ignoreChanges: ["agentPoolProfiles[*].count"],
        });
        this.clusterId = cluster.id;
        this.clusterName = cluster.name;
        this.oidcIssuerUrl = cluster.oidcIssuerProfile.apply((p) => p?.issuerURL ?? "");
        this.nodeResourceGroup = cluster.nodeResourceGroup.apply((g) => g ?? "");
        this.diagnosticTarget = { name: "aks", resourceId: cluster.id, resourceType: "Microsoft.ContainerService/managedClusters" };

        const pools = (base: { logicalName: string; agentPoolName: string }, bounds: { minCount: number; maxCount: number },
            poolArgs: Partial<containerservice.AgentPoolArgs>) => {
            for (const placement of zonalPools(base, zones, bounds.minCount, bounds.maxCount)) {
                new containerservice.AgentPool(placement.logicalName, {
                    resourceGroupName: platform.resourceGroupName,
                    resourceName: cluster.name,
                    agentPoolName: placement.agentPoolName,
                    mode: "User",
                    osType: "Linux",
                    osSKU: "AzureLinux",
                    type: "VirtualMachineScaleSets",
                    enableAutoScaling: true,
                    availabilityZones: placement.availabilityZones,
                    orchestratorVersion: kubernetesVersion,
                    vnetSubnetID: platform.subnetIds.aks,
                    count: placement.minCount,
                    minCount: placement.minCount,
                    maxCount: placement.maxCount,
                    ...poolArgs,
                }, { ...child, ignoreChanges: ["count"] });
            }
        };
        pools({ logicalName: "user-pool", agentPoolName: "user" }, aks.userPool, {
            vmSize: aks.userPool.vmSize,
            upgradeSettings: { maxSurge: "33%" },
        });
        this.hasSpotPool = aks.spotPool !== undefined;
        if (aks.spotPool) {
            pools({ logicalName: "spot-pool", agentPoolName: "spot" }, aks.spotPool, {
                vmSize: aks.spotPool.vmSize,
                scaleSetPriority: "Spot",
                scaleSetEvictionPolicy: "Delete",
                spotMaxPrice: -1,
                nodeTaints: [taintString(SPOT_TAINT)],
                nodeLabels: aks.spotPool.nodeLabels,
            });
        }

        // Kubelets pull images with their own identity; the deployer administers through Entra RBAC.
        const kubeletObjectId = cluster.identityProfile.apply((p) => p?.kubeletidentity?.objectId ?? "");
        this.kubeletAcrPulls = [role("aks-kubelet-acr-pull", platform.registry.id, kubeletObjectId, BuiltInRoles.acrPull, "ServicePrincipal")];
        const existingRegistry = platform.registry.existing;
        if (existingRegistry) {
            // registry.existing: the kubelet pulls from it too; the role definition id names the registry's subscription.
            this.kubeletAcrPulls.push(new authorization.RoleAssignment("aks-kubelet-acr-pull-existing", {
                scope: existingRegistry.id, principalId: kubeletObjectId, principalType: "ServicePrincipal",
                roleDefinitionId: roleDefinitionId(parseRegistryId(existingRegistry.id).subscriptionId, BuiltInRoles.acrPull),
            }, child));
        }
        const deployer = args.deployerObjectId ?? authorization.getClientConfigOutput(child).objectId;
        const deployerAdmin = role("aks-deployer-cluster-admin", cluster.id, deployer, BuiltInRoles.aksRbacClusterAdmin,
            args.deployerPrincipalType ?? "User");

        const workspace = this.monitoring(clusterName, cluster, args, child);
        this.monitorWorkspaceId = workspace.id;
        this.monitorQueryEndpoint = workspace.metrics.apply((m) => m?.prometheusQueryEndpoint ?? "");

        const credentials = containerservice.listManagedClusterUserCredentialsOutput({
            resourceGroupName: platform.resourceGroupName,
            resourceName: cluster.name,
            // Entra-only clusters need kubelogin; "exec" writes a kubeconfig that calls it, in
            // device-code mode, which waits for a person: rewritten to the configured non-interactive mode.
            format: "exec",
        }, child);
        const kubeconfig = pulumi.secret(credentials.apply((c) =>
            nonInteractiveKubeconfig(Buffer.from(c.kubeconfigs?.[0]?.value ?? "", "base64").toString("utf8"), aks.kubeloginMode)));
        // Local accounts are off: every Kubernetes call is authorized by this grant, which answers 403 until it
        // has propagated. The provider, and so every object created with it, waits for that.
        const deployerGrantInEffect = propagationWait("deployer-grant-propagation", {
            grants: [deployerAdmin], seconds: AKS_RBAC_PROPAGATION_SECONDS,
        }, child);
        this.provider = new k8s.Provider("aks", { kubeconfig }, { ...child, dependsOn: [deployerAdmin, deployerGrantInEffect] });

        this.registerOutputs({
            clusterId: this.clusterId,
            clusterName: this.clusterName,
            oidcIssuerUrl: this.oidcIssuerUrl,
            monitorWorkspaceId: this.monitorWorkspaceId,
        });
    }

    /** Container Insights (to Log Analytics) and managed Prometheus (to an Azure Monitor workspace) data collection. */
    private monitoring(clusterName: string, cluster: containerservice.ManagedCluster, args: AksClusterArgs, child: pulumi.CustomResourceOptions): monitor.AzureMonitorWorkspace {
        const { platform, tags } = args;
        const rg = { resourceGroupName: platform.resourceGroupName, location: platform.location };
        const insightsStreams = ["Microsoft-ContainerInsights-Group-Default"];
        const insightsRule = new monitor.DataCollectionRule("container-insights", {
            ...rg,
            dataCollectionRuleName: `MSCI-${platform.location}-${clusterName}`,
            kind: "Linux",
            dataSources: {
                extensions: [{
                    name: "ContainerInsightsExtension",
                    extensionName: "ContainerInsights",
                    streams: insightsStreams,
                    extensionSettings: { dataCollectionSettings: { interval: "1m", namespaceFilteringMode: "Off", enableContainerLogV2: true } },
                }],
            },
            destinations: { logAnalytics: [{ name: "ciworkspace", workspaceResourceId: platform.workspace.id }] },
            dataFlows: [{ streams: insightsStreams, destinations: ["ciworkspace"] }],
            tags,
        }, child);
        new monitor.DataCollectionRuleAssociation("container-insights", {
            resourceUri: cluster.id,
            associationName: "ContainerInsightsExtension",
            dataCollectionRuleId: insightsRule.id,
        }, child);

        const workspace = new monitor.AzureMonitorWorkspace("prometheus", {
            ...rg, azureMonitorWorkspaceName: `${args.namePrefix}-${args.environment}-amw`, tags,
        }, child);
        const endpoint = new monitor.DataCollectionEndpoint("prometheus", {
            ...rg, dataCollectionEndpointName: managedPrometheusName(platform.location, clusterName), kind: "Linux", tags,
        }, child);
        const prometheusRule = new monitor.DataCollectionRule("prometheus", {
            ...rg,
            dataCollectionRuleName: managedPrometheusName(platform.location, clusterName),
            kind: "Linux",
            dataCollectionEndpointId: endpoint.id,
            dataSources: { prometheusForwarder: [{ name: "PrometheusDataSource", streams: ["Microsoft-PrometheusMetrics"], labelIncludeFilter: {} }] },
            destinations: { monitoringAccounts: [{ name: "MonitoringAccount1", accountResourceId: workspace.id }] },
            dataFlows: [{ streams: ["Microsoft-PrometheusMetrics"], destinations: ["MonitoringAccount1"] }],
            tags,
        }, child);
        // The cluster finds its endpoint through this fixed association name.
        new monitor.DataCollectionRuleAssociation("prometheus-endpoint", {
            resourceUri: cluster.id, associationName: "configurationAccessEndpoint", dataCollectionEndpointId: endpoint.id,
        }, child);
        new monitor.DataCollectionRuleAssociation("prometheus-rule", {
            resourceUri: cluster.id, associationName: managedPrometheusName(platform.location, clusterName), dataCollectionRuleId: prometheusRule.id,
        }, child);
        return workspace;
    }
}
