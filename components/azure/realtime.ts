// Realtime: Azure SignalR Service in identity mode, and the app's SignalR settings.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as signalrservice from "@pulumi/azure-native/signalrservice";
import { BuiltInRoles, roleDefinitionId } from "./roles";
import type { DiagnosticTarget } from "../wiring";

/** The channel prefix the seed's app gives the Redis backplane. */
export const SIGNALR_REDIS_CHANNEL_PREFIX = "BookStore.SignalR";

/**
 * The Azure SignalR SDK's identity-based connection string: the app server authenticates with the
 * user-assigned managed identity (`ClientId`), so no access key exists anywhere.
 */
export function signalRIdentityConnectionString(host: string, identityClientId: string): string {
    return `Endpoint=https://${host};AuthType=azure.msi;ClientId=${identityClientId};Version=1.0;`;
}

export interface RealtimeArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** Resource name (global DNS label: <name>.service.signalr.net). */
    resourceName: string;
    /** Standard_S1 units (1 000 concurrent connections each). */
    capacity: number;
    /** Browser origins allowed to negotiate, e.g. the web app's https origin. Never "*". */
    allowedOrigins: pulumi.Input<pulumi.Input<string>[]>;
    /** The app's managed identity: gets "SignalR App Server" (the app names it in its connection string). */
    appIdentity: { principalId: pulumi.Input<string> };
    subscriptionId: pulumi.Input<string>;
    tags: Record<string, string>;
}

/**
 * Azure SignalR Service (Standard_S1, service mode Default so the app's hubs stay in the app),
 * with connectivity and messaging logs on, CORS limited to the web origin, and local (access key)
 * auth disabled: the app connects with its managed identity.
 */
export class Realtime extends pulumi.ComponentResource {
    readonly id: pulumi.Output<string>;
    readonly hostName: pulumi.Output<string>;
    readonly diagnosticTargets: DiagnosticTarget[];

    constructor(name: string, args: RealtimeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:realtime:Realtime", name, {}, opts);
        const child = { parent: this };

        const service = new signalrservice.SignalR(`${name}-signalr`, {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            resourceName: args.resourceName,
            kind: "SignalR",
            sku: { name: "Standard_S1", tier: "Standard", capacity: args.capacity },
            features: [
                { flag: "ServiceMode", value: "Default" },
                { flag: "EnableConnectivityLogs", value: "true" },
                { flag: "EnableMessagingLogs", value: "true" },
            ],
            resourceLogConfiguration: {
                categories: [
                    { name: "ConnectivityLogs", enabled: "true" },
                    { name: "MessagingLogs", enabled: "true" },
                ],
            },
            cors: { allowedOrigins: args.allowedOrigins },
            disableLocalAuth: true,
            disableAadAuth: false,
            publicNetworkAccess: "Enabled",
            tls: { clientCertEnabled: false },
            tags: args.tags,
        }, child);

        new authorization.RoleAssignment(`${name}-app-server`, {
            scope: service.id,
            principalId: args.appIdentity.principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: roleDefinitionId(args.subscriptionId, BuiltInRoles.signalrAppServer),
        }, child);

        this.id = service.id;
        this.hostName = service.hostName;
        this.diagnosticTargets = [{ name: `${name}-signalr`, resourceId: service.id, resourceType: "Microsoft.SignalRService/SignalR" }];
        this.registerOutputs({ id: this.id, hostName: this.hostName });
    }
}
