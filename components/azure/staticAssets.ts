// StaticAssets: the static files in Storage (Front Door in front of them: ./frontDoor.ts).
import * as pulumi from "@pulumi/pulumi";
import * as storage from "@pulumi/azure-native/storage";
import type { DiagnosticTarget } from "../wiring";
import { STATIC_CONTAINER } from "../staticFiles";

export interface StaticAssetsArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** Logical name of the account; Azure's global name gets the provider's random suffix (keep it ≤ 16 characters). */
    accountLogicalName: string;
    /** Zone-redundant storage (Standard_ZRS) instead of locally redundant (Standard_LRS). */
    zoneRedundant: boolean;
    /** Days deleted blobs and containers can be restored. Default 7. */
    softDeleteDays?: number;
    /** Origins allowed to fetch assets cross-origin (fonts need CORS), e.g. the web app's https origin. */
    corsOrigins?: pulumi.Input<pulumi.Input<string>[]>;
    tags: Record<string, string>;
}

/**
 * Storage for the static assets: StorageV2, HTTPS only, TLS 1.2, Entra-only data access (no
 * shared keys), soft delete for blobs and containers, and a `static` container that is the only
 * anonymously readable one (the CDN origin). Account and container are protected from deletion.
 */
export class StaticAssets extends pulumi.ComponentResource {
    readonly accountId: pulumi.Output<string>;
    readonly accountName: pulumi.Output<string>;
    /** Blob endpoint host, e.g. "<account>.blob.core.windows.net": the CDN origin. */
    readonly blobHost: pulumi.Output<string>;
    /** https URL of the static container. */
    readonly containerUrl: pulumi.Output<string>;
    /** Account (transaction metrics) and blob service (read/write/delete logs). */
    readonly diagnosticTargets: DiagnosticTarget[];

    constructor(name: string, args: StaticAssetsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:cdn:StaticAssets", name, {}, opts);
        const child = { parent: this };
        const protectedChild = { parent: this, protect: true };
        const softDelete = { enabled: true, days: args.softDeleteDays ?? 7 };

        const account = new storage.StorageAccount(args.accountLogicalName, {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            kind: "StorageV2",
            sku: { name: args.zoneRedundant ? "Standard_ZRS" : "Standard_LRS" },
            accessTier: "Hot",
            enableHttpsTrafficOnly: true,
            minimumTlsVersion: "TLS1_2",
            // Needed so the `static` container can allow anonymous reads; every other container stays private.
            allowBlobPublicAccess: true,
            allowSharedKeyAccess: false,
            defaultToOAuthAuthentication: true,
            allowCrossTenantReplication: false,
            publicNetworkAccess: "Enabled",
            tags: args.tags,
        }, protectedChild);

        const blobService = new storage.BlobServiceProperties(`${name}-blob-service`, {
            resourceGroupName: args.resourceGroupName,
            accountName: account.name,
            blobServicesName: "default",
            deleteRetentionPolicy: softDelete,
            containerDeleteRetentionPolicy: softDelete,
            cors: args.corsOrigins ? {
                corsRules: [{
                    allowedOrigins: args.corsOrigins,
                    allowedMethods: ["GET", "HEAD", "OPTIONS"],
                    allowedHeaders: ["*"],
                    exposedHeaders: ["Content-Length", "Content-Type", "ETag"],
                    maxAgeInSeconds: 3600,
                }],
            } : undefined,
        }, child);

        new storage.BlobContainer(`${name}-container`, {
            resourceGroupName: args.resourceGroupName,
            accountName: account.name,
            containerName: STATIC_CONTAINER,
            publicAccess: "Blob",
        }, { ...protectedChild, dependsOn: [blobService] });

        this.accountId = account.id;
        this.accountName = account.name;
        this.blobHost = account.primaryEndpoints.apply((e) => new URL(e.blob).host);
        this.containerUrl = pulumi.interpolate`https://${this.blobHost}/${STATIC_CONTAINER}`;
        this.diagnosticTargets = [
            { name: `${name}-account`, resourceId: account.id, resourceType: "Microsoft.Storage/storageAccounts" },
            { name: `${name}-blob`, resourceId: blobService.id, resourceType: "Microsoft.Storage/storageAccounts/blobServices" },
        ];
        this.registerOutputs({
            accountId: this.accountId, accountName: this.accountName, blobHost: this.blobHost, containerUrl: this.containerUrl,
        });
    }
}
