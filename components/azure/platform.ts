// PlatformBase: the Azure platform every tier builds on (resource group, VNet, Key Vault, registry, identity, workspace).
import * as pulumi from "@pulumi/pulumi";
import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as monitor from "@pulumi/azure-native/monitor";
import * as network from "@pulumi/azure-native/network";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as resources from "@pulumi/azure-native/resources";
import type * as types from "@pulumi/azure-native/types/input";
import { parseRegistryId } from "../../lib/registry";
import { acrLoginServer } from "../../policy/shared/images";
import { PrivateLink } from "./privateLink";
import { BuiltInRoles, roleDefinitionId } from "./roles";

/** Subnet names and the services each is delegated to (a delegation lets that service inject into it). */
export const SUBNET_LAYOUT = {
    containerApps: { name: "snet-container-apps", delegatedTo: ["Microsoft.App/environments"] },
    aks: { name: "snet-aks", delegatedTo: [] },
    postgres: { name: "snet-postgres", delegatedTo: ["Microsoft.DBforPostgreSQL/flexibleServers"] },
    privateEndpoints: { name: "snet-private-endpoints", delegatedTo: [] },
} as const;
export type SubnetKey = keyof typeof SUBNET_LAYOUT;
/**
 * The Application Gateway for Containers association subnet (AKS with AGC only): delegated to
 * Microsoft.ServiceNetworking/trafficControllers, which nothing else may then use
 * (https://learn.microsoft.com/azure/application-gateway/for-containers/application-gateway-for-containers-components).
 */
export const AGC_SUBNET = { name: "snet-agc", delegatedTo: "Microsoft.ServiceNetworking/trafficControllers" } as const;
const SUBNET_KEYS = Object.keys(SUBNET_LAYOUT) as SubnetKey[];

/** Inbound rule of every PostgreSQL subnet: the database (5432) and pooler (6432) ports from the VNet and its peers. */
export const ALLOW_POSTGRES_FROM_VNET: types.network.SecurityRuleArgs = {
    name: "allow-postgres-from-vnet", priority: 100, direction: "Inbound", access: "Allow", protocol: "Tcp",
    sourceAddressPrefix: "VirtualNetwork", sourcePortRange: "*",
    destinationAddressPrefix: "VirtualNetwork", destinationPortRanges: ["5432", "6432"],
};

export interface PlatformBaseArgs {
    /** Short prefix for resource names (e.g. "bookstore"). */
    namePrefix: string;
    /** Environment class; "prod" turns on private Key Vault access and a Premium registry by default. */
    environment: "dev" | "staging" | "prod";
    /** Azure region of the resource group and every regional resource. */
    location: string;
    /** Tags for every taggable resource. */
    tags: Record<string, string>;
    /** VNet address space, e.g. "10.40.0.0/16". */
    addressSpace: string;
    /** Subnet ranges; the stack config holds the defaults and rules. */
    subnets: Record<SubnetKey, string>;
    /** Log Analytics retention in days. Default: 90 in prod, 30 elsewhere. */
    logRetentionDays?: number;
    /** Registry SKU. Default: Premium in prod, Standard elsewhere. */
    registrySku?: "Basic" | "Standard" | "Premium";
    /** Who the alert action group emails. Default: nobody (alerts still show in Azure Monitor). */
    alertEmails?: string[];
    /** ARM id of an existing registry the workloads may also pull from; the workload identity gets AcrPull on it. */
    existingRegistryId?: string;
    /** Inbound rules of the AKS subnet's NSG, e.g. the web Gateway's (lib/network.ts aksWebInboundRule). Default none. */
    aksInboundRules?: types.network.SecurityRuleArgs[];
    /** Range of the Application Gateway for Containers association subnet (AGC_SUBNET); unset: no such subnet. */
    agcSubnet?: string;
}

/** What the next tiers consume from the platform base. */
export interface PlatformOutputs {
    resourceGroupName: pulumi.Output<string>;
    location: string;
    subscriptionId: pulumi.Output<string>;
    tenantId: pulumi.Output<string>;
    vnetId: pulumi.Output<string>;
    subnetIds: Record<SubnetKey, pulumi.Output<string>>;
    /** The Application Gateway for Containers association subnet, when `agcSubnet` was given. */
    agcSubnetId?: pulumi.Output<string>;
    workspace: { id: pulumi.Output<string>; name: pulumi.Output<string>; customerId: pulumi.Output<string> };
    appInsights: { id: pulumi.Output<string>; connectionString: pulumi.Output<string> };
    keyVault: {
        id: pulumi.Output<string>; name: pulumi.Output<string>; uri: pulumi.Output<string>;
        /**
         * In prod the vault answers only on its private endpoint: the endpoint, its DNS zone, VNet link and
         * zone group (a PrivateLink component). Whatever reads the vault at create time depends on it.
         */
        privateAccess?: pulumi.Resource;
    };
    workloadIdentity: { id: pulumi.Output<string>; name: pulumi.Output<string>; clientId: pulumi.Output<string>; principalId: pulumi.Output<string> };
    registry: {
        id: pulumi.Output<string>;
        loginServer: pulumi.Output<string>;
        /** The existing registry (`registry.existing`): its id and login server, when configured. */
        existing?: { id: string; loginServer: string };
    };
    /** Action group every tier's metric alerts notify. */
    actionGroupId: pulumi.Output<string>;
    /**
     * The workload identity's role assignments (AcrPull, Key Vault Secrets User). Workloads that
     * pull images or read secrets with the identity depend on them, or their first start fails.
     */
    identityGrants: pulumi.CustomResource[];
}

/**
 * The platform base: resource group, VNet with one subnet per tier and their NSGs,
 * Log Analytics + workspace-based Application Insights, an RBAC Key Vault, the workload
 * identity, and a container registry that identity pulls from.
 */
export class PlatformBase extends pulumi.ComponentResource implements PlatformOutputs {
    readonly resourceGroupName: pulumi.Output<string>;
    readonly location: string;
    readonly subscriptionId: pulumi.Output<string>;
    readonly tenantId: pulumi.Output<string>;
    readonly vnetId: pulumi.Output<string>;
    readonly subnetIds: PlatformOutputs["subnetIds"];
    readonly agcSubnetId?: pulumi.Output<string>;
    readonly workspace: PlatformOutputs["workspace"];
    readonly appInsights: PlatformOutputs["appInsights"];
    readonly keyVault: PlatformOutputs["keyVault"];
    readonly workloadIdentity: PlatformOutputs["workloadIdentity"];
    readonly registry: PlatformOutputs["registry"];
    readonly actionGroupId: pulumi.Output<string>;
    readonly identityGrants: pulumi.CustomResource[];

    constructor(name: string, args: PlatformBaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:platform:PlatformBase", name, {}, opts);
        const child = { parent: this };
        const prod = args.environment === "prod";
        const base = `${args.namePrefix}-${args.environment}`;
        const tags = args.tags;
        const client = authorization.getClientConfigOutput(child);
        this.subscriptionId = client.subscriptionId;
        this.tenantId = client.tenantId;
        this.location = args.location;

        const group = new resources.ResourceGroup("rg", {
            resourceGroupName: `${base}-rg`,
            location: args.location,
            tags,
        }, child);
        this.resourceGroupName = group.name;
        const rg = { resourceGroupName: group.name, location: args.location };

        // One NSG per subnet. PostgreSQL's explicitly allows the database and pooler ports from the VNet
        // (peered replica VNets included) and refuses the internet outright, whatever later rules say.
        const nsg = (subnet: string, securityRules: network.NetworkSecurityGroupArgs["securityRules"] = []) =>
            new network.NetworkSecurityGroup(`nsg-${subnet}`, { ...rg, securityRules, tags }, child);
        const postgresRules: network.NetworkSecurityGroupArgs["securityRules"] = [
            ALLOW_POSTGRES_FROM_VNET,
            {
                name: "deny-internet-inbound", priority: 4000, direction: "Inbound", access: "Deny", protocol: "*",
                sourceAddressPrefix: "Internet", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*",
            },
        ];
        const nsgs = {
            containerApps: nsg("container-apps"),
            aks: nsg("aks", args.aksInboundRules ?? []),
            postgres: nsg("postgres", postgresRules),
            privateEndpoints: nsg("private-endpoints"),
        };

        const vnet = new network.VirtualNetwork("vnet", {
            ...rg,
            virtualNetworkName: `${base}-vnet`,
            addressSpace: { addressPrefixes: [args.addressSpace] },
            subnets: SUBNET_KEYS.map((key): types.network.SubnetArgs => ({
                name: SUBNET_LAYOUT[key].name,
                addressPrefix: args.subnets[key],
                networkSecurityGroup: { id: nsgs[key].id },
                delegations: SUBNET_LAYOUT[key].delegatedTo.map((serviceName) => ({ name: key, serviceName })),
                // Private endpoints honour the subnet's NSG only with network policies on.
                ...(key === "privateEndpoints" ? { privateEndpointNetworkPolicies: "Enabled" } : {}),
            })).concat(args.agcSubnet === undefined ? [] : [{
                name: AGC_SUBNET.name,
                addressPrefix: args.agcSubnet,
                // No NSG of ours: the subnet holds only AGC's managed data plane (the pods' side is nsg-aks).
                delegations: [{ name: "applicationGatewayForContainers", serviceName: AGC_SUBNET.delegatedTo }],
            }]),
            tags,
        }, child);
        this.vnetId = vnet.id;
        const subnetId = (key: SubnetKey) => pulumi.interpolate`${vnet.id}/subnets/${SUBNET_LAYOUT[key].name}`;
        this.subnetIds = Object.fromEntries(SUBNET_KEYS.map((key) => [key, subnetId(key)])) as Record<SubnetKey, pulumi.Output<string>>;
        if (args.agcSubnet !== undefined) this.agcSubnetId = pulumi.interpolate`${vnet.id}/subnets/${AGC_SUBNET.name}`;

        const workspace = new operationalinsights.Workspace("logs", {
            ...rg,
            workspaceName: `${base}-logs`,
            sku: { name: "PerGB2018" },
            retentionInDays: args.logRetentionDays ?? (prod ? 90 : 30),
            tags,
        }, child);
        this.workspace = { id: workspace.id, name: workspace.name, customerId: workspace.customerId };

        const insights = new applicationinsights.Component("insights", {
            ...rg,
            resourceName: `${base}-insights`,
            kind: "web",
            applicationType: "web",
            ingestionMode: "LogAnalytics",
            workspaceResourceId: workspace.id,
            tags,
        }, child);
        this.appInsights = { id: insights.id, connectionString: insights.connectionString };

        const identity = new managedidentity.UserAssignedIdentity("workload-identity", {
            ...rg,
            resourceName: `${base}-workload`,
            tags,
        }, child);
        this.workloadIdentity = {
            id: identity.id, name: identity.name, clientId: identity.clientId, principalId: identity.principalId,
        };

        // Key Vault and registry names are global, so the provider's random suffix keeps them unique.
        const vault = new keyvault.Vault(`${args.namePrefix}kv`, {
            ...rg,
            properties: {
                tenantId: client.tenantId,
                sku: { family: "A", name: "standard" },
                enableRbacAuthorization: true,
                enableSoftDelete: true,
                softDeleteRetentionInDays: 90,
                enablePurgeProtection: true,
                publicNetworkAccess: prod ? "Disabled" : "Enabled",
                networkAcls: { defaultAction: prod ? "Deny" : "Allow", bypass: "AzureServices" },
            },
            tags,
        }, { ...child, protect: true });
        const vaultPrivateAccess = prod ? new PrivateLink("kv-private", {
            ...rg,
            vnetId: vnet.id,
            subnetId: this.subnetIds.privateEndpoints,
            targetResourceId: vault.id,
            groupId: "vault",
            dnsZoneName: "privatelink.vaultcore.azure.net",
            tags,
        }, child) : undefined;
        this.keyVault = {
            id: vault.id,
            name: vault.name,
            uri: vault.properties.apply((p) => p.vaultUri ?? ""),
            ...(vaultPrivateAccess ? { privateAccess: vaultPrivateAccess } : {}),
        };
        const secretsUser = new authorization.RoleAssignment("kv-secrets-user", {
            scope: vault.id,
            principalId: identity.principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: roleDefinitionId(client.subscriptionId, BuiltInRoles.keyVaultSecretsUser),
        }, child);

        const registry = new containerregistry.Registry(`${args.namePrefix}${args.environment}acr`, {
            ...rg,
            sku: { name: args.registrySku ?? (prod ? "Premium" : "Standard") },
            adminUserEnabled: false,
            anonymousPullEnabled: false,
            zoneRedundancy: prod ? "Enabled" : "Disabled",
            tags,
        }, { ...child, protect: true });
        const existing = args.existingRegistryId === undefined ? undefined
            : { id: args.existingRegistryId, loginServer: acrLoginServer(parseRegistryId(args.existingRegistryId).name) };
        this.registry = { id: registry.id, loginServer: registry.loginServer, existing };
        const acrPull = new authorization.RoleAssignment("acr-pull", {
            scope: registry.id,
            principalId: identity.principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: roleDefinitionId(client.subscriptionId, BuiltInRoles.acrPull),
        }, child);
        this.identityGrants = [acrPull, secretsUser];
        if (existing) {
            // The role definition id names the subscription of the scope (the registry may live in another one).
            this.identityGrants.push(new authorization.RoleAssignment("acr-pull-existing", {
                scope: existing.id,
                principalId: identity.principalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: roleDefinitionId(parseRegistryId(existing.id).subscriptionId, BuiltInRoles.acrPull),
            }, child));
        }

        const actionGroup = new monitor.ActionGroup("alerts", {
            resourceGroupName: group.name,
            location: "global",
            actionGroupName: `${base}-alerts`,
            groupShortName: args.namePrefix.slice(0, 12),
            enabled: true,
            emailReceivers: (args.alertEmails ?? []).map((emailAddress, i) => ({
                name: `email-${i + 1}`, emailAddress, useCommonAlertSchema: true,
            })),
            tags,
        }, child);
        this.actionGroupId = actionGroup.id;

        this.registerOutputs({
            actionGroupId: this.actionGroupId,
            resourceGroupName: this.resourceGroupName,
            vnetId: this.vnetId,
            subnetIds: this.subnetIds,
            workspace: this.workspace,
            appInsights: this.appInsights,
            keyVault: { id: this.keyVault.id, name: this.keyVault.name, uri: this.keyVault.uri },
            workloadIdentity: this.workloadIdentity,
            registry: this.registry,
        });
    }
}
