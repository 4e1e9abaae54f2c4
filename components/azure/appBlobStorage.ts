// AppBlobStorage: the app's own blob storage on Azure (the `book-covers` container), reached with its workload identity.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as storage from "@pulumi/azure-native/storage";
import { entriesOf } from "../appContract";
import { PrivateLink } from "./privateLink";
import { BuiltInRoles, roleDefinitionId } from "./roles";
import type { DiagnosticTarget } from "../wiring";

export interface AppBlobStorageArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    subscriptionId: pulumi.Input<string>;
    /** Logical name of the account; Azure's global name gets the provider's random suffix (keep it ≤ 16 characters). */
    accountLogicalName: string;
    /** Zone-redundant storage (Standard_ZRS) instead of locally redundant (Standard_LRS). */
    zoneRedundant: boolean;
    /** The identity the app runs as: it gets Storage Blob Data Contributor on the account. */
    appPrincipalId: pulumi.Input<string>;
    /** Private endpoint in this subnet and public network access off. Default: none (public, TLS and Entra only). */
    privateEndpoint?: { vnetId: pulumi.Input<string>; subnetId: pulumi.Input<string> };
    /** Days deleted blobs and containers can be restored. Default 7. */
    softDeleteDays?: number;
    tags: Record<string, string>;
}

/**
 * The app's blob storage: a StorageV2 account with no anonymous access and no shared keys (Entra
 * only), HTTPS and TLS 1.2, soft delete, and the private container the app writes to
 * (components/appContract.ts); the app's identity may read and write it. The app's connection string
 * is the account's blob service URI: Aspire's Azure Blob client uses a service URI with
 * DefaultAzureCredential, which takes the workload identity from AZURE_CLIENT_ID (Aspire, "Connect
 * to Azure Blob Storage"). The role is granted on the account, not the container: the client's
 * health check lists containers. Account and container are protected.
 */
export class AppBlobStorage extends pulumi.ComponentResource {
    readonly accountId: pulumi.Output<string>;
    /** `https://<account>.blob.core.windows.net/`: the app's `ConnectionStrings__blobs`. */
    readonly serviceUri: pulumi.Output<string>;
    /** The app identity's role assignment: workloads wait for it to take effect. */
    readonly grant: authorization.RoleAssignment;
    readonly diagnosticTargets: DiagnosticTarget[];

    constructor(name: string, args: AppBlobStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:storage:AppBlobStorage", name, {}, opts);
        const child = { parent: this };
        const softDelete = { enabled: true, days: args.softDeleteDays ?? 7 };
        const account = new storage.StorageAccount(args.accountLogicalName, {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            kind: "StorageV2",
            sku: { name: args.zoneRedundant ? "Standard_ZRS" : "Standard_LRS" },
            accessTier: "Hot",
            enableHttpsTrafficOnly: true,
            minimumTlsVersion: "TLS1_2",
            allowBlobPublicAccess: false,
            allowSharedKeyAccess: false,
            defaultToOAuthAuthentication: true,
            allowCrossTenantReplication: false,
            publicNetworkAccess: args.privateEndpoint ? "Disabled" : "Enabled",
            tags: args.tags,
        }, { parent: this, protect: true });
        const blobService = new storage.BlobServiceProperties(`${name}-blob-service`, {
            resourceGroupName: args.resourceGroupName,
            accountName: account.name,
            blobServicesName: "default",
            deleteRetentionPolicy: softDelete,
            containerDeleteRetentionPolicy: softDelete,
        }, child);
        for (const entry of entriesOf("blob-container")) {
            new storage.BlobContainer(`${name}-${entry.container}`, {
                resourceGroupName: args.resourceGroupName,
                accountName: account.name,
                containerName: entry.container,
                publicAccess: "None",
            }, { parent: this, protect: true, dependsOn: [blobService] });
        }
        this.grant = new authorization.RoleAssignment(`${name}-blob-contributor`, {
            scope: account.id,
            principalId: args.appPrincipalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: roleDefinitionId(args.subscriptionId, BuiltInRoles.storageBlobDataContributor),
        }, child);
        if (args.privateEndpoint) {
            new PrivateLink(`${name}-private`, {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                vnetId: args.privateEndpoint.vnetId,
                subnetId: args.privateEndpoint.subnetId,
                targetResourceId: account.id,
                groupId: "blob",
                dnsZoneName: "privatelink.blob.core.windows.net",
                tags: args.tags,
            }, child);
        }
        this.accountId = account.id;
        this.serviceUri = account.primaryEndpoints.apply((e) => e.blob);
        this.diagnosticTargets = [
            { name: `${name}-account`, resourceId: account.id, resourceType: "Microsoft.Storage/storageAccounts" },
            { name: `${name}-blob`, resourceId: blobService.id, resourceType: "Microsoft.Storage/storageAccounts/blobServices" },
        ];
        this.registerOutputs({ accountId: this.accountId, serviceUri: this.serviceUri });
    }
}
