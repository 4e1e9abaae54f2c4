// Built-in Azure roles the tiers grant, and the role definition id ARM expects for one.
import * as pulumi from "@pulumi/pulumi";

/** Built-in Azure role definition ids (the same in every tenant). */
export const BuiltInRoles = {
    acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
    /** Reads certificates including their private key (the secret behind a Key Vault certificate). */
    keyVaultCertificateUser: "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
    networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    aksRbacClusterAdmin: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    /** Reads every resource in the scope (the ALB Controller reads the cluster's node resource group). */
    reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    /** "AppGw for Containers Configuration Manager": the ALB Controller configures an Application Gateway for Containers. */
    appGwForContainersConfigurationManager: "fbc52c3f-28ad-4303-a892-8a056630b8f1",
    /** "Storage Blob Data Contributor": read, write and delete blobs and containers (the app's book covers). */
    storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    /** "SignalR App Server": an app server connects with its Entra identity instead of an access key. */
    signalrAppServer: "420fcaa2-552c-430f-98ca-3264be4806c7",
} as const;

export function roleDefinitionId(subscriptionId: pulumi.Input<string>, role: string): pulumi.Output<string> {
    return pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}`;
}
