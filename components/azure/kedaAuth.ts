import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import type { KedaArgs } from "../kubernetes/keda";
import { roleDefinitionId } from "./roles";
import { propagationWait } from "./propagationWait";

/** "Monitoring Data Reader": query an Azure Monitor workspace's Prometheus metrics (built-in role, same id in every tenant). */
export const MONITORING_DATA_READER = "b0d8363b-8ddd-447d-831f-62ca05bff136";

/**
 * The ServiceAccount the AKS KEDA add-on runs its operator as; the scaler's workload-identity token
 * is issued to it (Azure Monitor docs — "Integrate KEDA with your AKS cluster": the federated
 * credential's subject is system:serviceaccount:kube-system:keda-operator).
 */
export const KEDA_ADDON_OPERATOR = { namespace: "kube-system", serviceAccount: "keda-operator" } as const;

export interface AzureKedaAuthArgs {
    /** e.g. "bookstore-prod": names the identity and its federated credential. */
    baseName: string;
    resourceGroupName: pulumi.Input<string>;
    location: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    tenantId: pulumi.Input<string>;
    /** The AKS cluster's OIDC issuer. */
    oidcIssuerUrl: pulumi.Input<string>;
    /** Azure Monitor workspace holding the cluster's managed Prometheus metrics, and its query endpoint. */
    monitorWorkspaceId: pulumi.Input<string>;
    queryEndpoint: pulumi.Input<string>;
    /** Seconds to wait for the grant to propagate before KEDA queries. Default RBAC_PROPAGATION_SECONDS. */
    grantPropagationSeconds?: number;
    tags: Record<string, string>;
}

/**
 * The identity the KEDA add-on's operator queries managed Prometheus with: its own user-assigned
 * identity (only Monitoring Data Reader on the workspace — not the app's Key Vault grants),
 * federated with the operator's ServiceAccount; the scaler authenticates with `azure-workload`
 * (KEDA docs — Prometheus scaler, "Azure Monitor Managed Service for Prometheus").
 */
export class AzureKedaAuth extends pulumi.ComponentResource {
    /** What the app tier's KEDA objects need (components/kubernetes/keda.ts). */
    readonly keda: KedaArgs;
    readonly identityClientId: pulumi.Output<string>;

    constructor(name: string, args: AzureKedaAuthArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:app:AzureKedaAuth", name, {}, opts);
        const child = { parent: this };
        const identity = new managedidentity.UserAssignedIdentity("keda-operator", {
            resourceGroupName: args.resourceGroupName, location: args.location, resourceName: `${args.baseName}-keda`, tags: args.tags,
        }, child);
        const federation = new managedidentity.FederatedIdentityCredential("keda-operator", {
            resourceGroupName: args.resourceGroupName,
            resourceName: identity.name,
            federatedIdentityCredentialResourceName: `${args.baseName}-aks-keda-operator`,
            issuer: args.oidcIssuerUrl,
            subject: `system:serviceaccount:${KEDA_ADDON_OPERATOR.namespace}:${KEDA_ADDON_OPERATOR.serviceAccount}`,
            audiences: ["api://AzureADTokenExchange"],
        }, child);
        const reader = new authorization.RoleAssignment("keda-monitoring-data-reader", {
            scope: args.monitorWorkspaceId,
            principalId: identity.principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: roleDefinitionId(args.subscriptionId, MONITORING_DATA_READER),
        }, child);
        const ready = propagationWait("keda-grants-propagation", { grants: [reader, federation], seconds: args.grantPropagationSeconds }, child);
        this.identityClientId = identity.clientId;
        this.keda = {
            source: { serverAddress: args.queryEndpoint },
            podIdentity: { provider: "azure-workload", identityId: identity.clientId, identityTenantId: args.tenantId },
            dependsOn: [ready],
        };
        this.registerOutputs({ identityClientId: this.identityClientId });
    }
}
