/**
 * The Azure adapters of the cloud-neutral Kubernetes tier (components/kubernetes/cloudAdapters.ts):
 * workload identity federation for the app ServiceAccount, the Key Vault provider of the Secrets
 * Store CSI driver, AKS spot node marks, and the application routing add-on's Gateway API class.
 */
import * as pulumi from "@pulumi/pulumi";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import type { CloudIdentity, CsiSecretStore, GatewayClass, SpotNodes } from "../kubernetes/cloudAdapters";
import type { PlatformOutputs } from "./platform";
import { SPOT_NODE_LABEL, SPOT_TAINT } from "./aksCluster";
import { propagationWait } from "./propagationWait";

/** Gateway API class of the AKS application routing add-on (https://learn.microsoft.com/azure/aks/app-routing-gateway-api). */
export const GATEWAY_CLASS = "approuting-istio";
/** Azure cloud provider: a DNS label on the LoadBalancer Service gives `<label>.<region>.cloudapp.azure.com`. */
export const AZURE_DNS_LABEL_ANNOTATION = "service.beta.kubernetes.io/azure-dns-label-name";
/** Kubernetes Secret the Key Vault CSI driver syncs `secretEnv` references into. */
export const KEYVAULT_SECRET = "keyvault-secrets";
const KEYVAULT_PROVIDER_CLASS = "keyvault";

export interface AzureWorkloadIdentityArgs {
    /** The platform's workload identity, its grants, tenant and resource group. */
    platform: Pick<PlatformOutputs, "workloadIdentity" | "identityGrants" | "tenantId" | "resourceGroupName">;
    /** Name of the federated credential on the platform's workload identity. */
    federatedCredentialName: string;
    /**
     * OIDC issuer of the cluster. When set, the workload identity gets a federated credential for
     * the app ServiceAccount; leave it out when that credential is managed elsewhere.
     */
    oidcIssuerUrl?: pulumi.Input<string>;
    /** Grants the pods need beside the platform's identity grants, e.g. the kubelet's AcrPull on the registry. */
    workloadGrants?: pulumi.CustomResource[];
    /** Seconds to wait for new grants to take effect. Default RBAC_PROPAGATION_SECONDS (propagationWait.ts). */
    grantPropagationSeconds?: number;
}

/**
 * Microsoft Entra workload identity: the ServiceAccount names the platform's user-assigned
 * identity, pods opt in with `azure.workload.identity/use`, and a federated credential trusts the
 * cluster's OIDC issuer for `system:serviceaccount:<ns>:<name>`
 * (https://learn.microsoft.com/azure/aks/workload-identity-overview). Pods start once the grants
 * and the credential exist and have propagated (Azure RBAC is eventually consistent).
 */
export function azureWorkloadIdentity(args: AzureWorkloadIdentityArgs): CloudIdentity {
    const { platform } = args;
    return {
        serviceAccountAnnotations: {
            "azure.workload.identity/client-id": platform.workloadIdentity.clientId,
            "azure.workload.identity/tenant-id": platform.tenantId,
        },
        podLabels: { "azure.workload.identity/use": "true" },
        bind(parent, serviceAccount) {
            let federation: managedidentity.FederatedIdentityCredential | undefined;
            if (args.oidcIssuerUrl !== undefined) {
                federation = new managedidentity.FederatedIdentityCredential("service-account-federation", {
                    resourceGroupName: platform.resourceGroupName,
                    resourceName: platform.workloadIdentity.name,
                    federatedIdentityCredentialResourceName: args.federatedCredentialName,
                    issuer: args.oidcIssuerUrl,
                    subject: `system:serviceaccount:${serviceAccount.namespace}:${serviceAccount.name}`,
                    audiences: ["api://AzureADTokenExchange"],
                }, { parent });
            }
            // Pods pull with the kubelet's AcrPull and read Key Vault through the workload identity's
            // federated credential and grants: they start once those exist and have propagated.
            return propagationWait("workload-grants-propagation", {
                grants: [...platform.identityGrants, ...(args.workloadGrants ?? []), ...(federation ? [federation] : [])],
                seconds: args.grantPropagationSeconds,
            }, { parent });
        },
    };
}

/** The Azure Key Vault provider of the Secrets Store CSI driver, reading the platform's vault as the workload identity. */
export function keyVaultSecretStore(platform: Pick<PlatformOutputs, "workloadIdentity" | "keyVault" | "tenantId">): CsiSecretStore {
    return {
        resourceName: "keyvault-provider",
        className: KEYVAULT_PROVIDER_CLASS,
        syncedSecretName: KEYVAULT_SECRET,
        spec: (secretNames) => ({
            provider: "azure",
            parameters: {
                usePodIdentity: "false",
                clientID: platform.workloadIdentity.clientId,
                keyvaultName: platform.keyVault.name,
                tenantId: platform.tenantId,
                objects: `array:\n${secretNames.map((n) => `  - |\n    objectName: ${n}\n    objectType: secret\n`).join("")}`,
            },
            // The driver syncs a Kubernetes Secret while at least one pod mounts the volume.
            secretObjects: [{
                secretName: KEYVAULT_SECRET,
                type: "Opaque",
                data: secretNames.map((n) => ({ objectName: n, key: n })),
            }],
        }),
    };
}

/** How AKS marks spot nodes (aksCluster.ts puts the taint on the spot pool; AKS adds the label). */
export const AKS_SPOT_NODES: SpotNodes = { nodeLabel: SPOT_NODE_LABEL, taint: SPOT_TAINT };

/** The application routing add-on's Gateway API class; with a DNS label, the Gateway's public IP gets `<label>.<region>.cloudapp.azure.com`. */
export function appRoutingGateway(dnsLabel?: string): GatewayClass {
    return {
        className: GATEWAY_CLASS,
        ...(dnsLabel ? { infrastructureAnnotations: { [AZURE_DNS_LABEL_ANNOTATION]: dnsLabel } } : {}),
    };
}
