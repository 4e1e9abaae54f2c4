// StackDashboard: the stack's Azure Monitor workbook (its document in dashboardWorkbook.ts).
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import { workbookDocument, WorkbookInputs } from "./dashboardWorkbook";

export interface StackDashboardArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** "<namePrefix>-<environment>": the display name, and the seed of the workbook's stable id. */
    namePrefix: string;
    appInsightsId: pulumi.Input<string>;
    workspaceId: pulumi.Input<string>;
    platform: WorkbookInputs["platform"];
    /** The app tier's services: their ceilings, and on Container Apps their resource ids. */
    services: Record<string, { maxReplicas: number; resourceId?: pulumi.Input<string> }>;
    kubernetesNamespace?: string;
    /** The database tier: its servers and their max_connections. */
    database: { primary: { id: pulumi.Input<string> }; replicas: { id: pulumi.Input<string> }[]; maxConnections: number };
    redisClusterId: pulumi.Input<string>;
    tags: Record<string, string>;
}

/**
 * A workbook's resource name must be a UUID (Microsoft.Insights/workbooks); derive a stable one from
 * the stack's name prefix (RFC 4122 name-based layout) so every `up` targets the same workbook.
 */
export function workbookUuid(seed: string): string {
    const hex = createHash("sha1").update(`bookstore-workbook:${seed}`).digest("hex").slice(0, 32).split("");
    hex[12] = "5";
    hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    const h = hex.join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The stack's dashboard: an Azure Monitor workbook with the scaling guide's key metrics (components/azure/dashboardWorkbook.ts). */
export class StackDashboard extends pulumi.ComponentResource {
    readonly workbookId: pulumi.Output<string>;

    constructor(name: string, args: StackDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:observability:StackDashboard", name, {}, opts);
        const services = Object.entries(args.services).map(([serviceName, svc]) => ({ name: serviceName, maxReplicas: svc.maxReplicas, resourceId: svc.resourceId }));
        const servers = [args.database.primary, ...args.database.replicas];
        const serializedData = pulumi
            .all([
                args.resourceGroupName, args.appInsightsId, args.workspaceId, args.redisClusterId,
                pulumi.all(services.map((s) => s.resourceId ?? "")),
                pulumi.all(servers.map((server) => server.id)),
            ])
            .apply(([resourceGroupName, appInsightsId, workspaceId, redisClusterId, serviceIds, serverIds]) =>
                JSON.stringify(workbookDocument({
                    title: `BookStore ${args.namePrefix}`,
                    resourceGroupName, appInsightsId, workspaceId, redisClusterId,
                    platform: args.platform,
                    services: services.map((s, i) => ({ name: s.name, maxReplicas: s.maxReplicas, resourceId: serviceIds[i] || undefined })),
                    kubernetesNamespace: args.kubernetesNamespace,
                    databaseServers: serverIds.map((resourceId, i) => ({ resourceId, replica: i > 0 })),
                    maxConnections: args.database.maxConnections,
                })));
        const workbook = new applicationinsights.Workbook("workbook", {
            resourceName: workbookUuid(args.namePrefix),
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            kind: "shared",
            category: "workbook",
            displayName: `BookStore ${args.namePrefix} scaling dashboard`,
            version: "Notebook/1.0",
            // The service stores sourceId lower-cased; "azure monitor" (its default) lists the workbook in
            // Azure Monitor's gallery and never reads back different from what we send.
            sourceId: "azure monitor",
            serializedData,
            tags: args.tags,
        }, { parent: this });
        this.workbookId = workbook.id;
        this.registerOutputs({ workbookId: this.workbookId });
    }
}
