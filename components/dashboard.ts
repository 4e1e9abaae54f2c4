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
    services: { name: string; maxReplicas: number; resourceId?: pulumi.Input<string> }[];
    kubernetesNamespace?: string;
    databaseServers: { resourceId: pulumi.Input<string>; replica: boolean }[];
    maxConnections: number;
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

/** The stack's dashboard: an Azure Monitor workbook with the scaling guide's key metrics (components/dashboardWorkbook.ts). */
export class StackDashboard extends pulumi.ComponentResource {
    readonly workbookId: pulumi.Output<string>;

    constructor(name: string, args: StackDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:observability:StackDashboard", name, {}, opts);
        const serializedData = pulumi
            .all([
                args.resourceGroupName, args.appInsightsId, args.workspaceId, args.redisClusterId,
                pulumi.all(args.services.map((s) => s.resourceId ?? "")),
                pulumi.all(args.databaseServers.map((s) => s.resourceId)),
            ])
            .apply(([resourceGroupName, appInsightsId, workspaceId, redisClusterId, serviceIds, serverIds]) =>
                JSON.stringify(workbookDocument({
                    title: `BookStore ${args.namePrefix}`,
                    resourceGroupName, appInsightsId, workspaceId, redisClusterId,
                    platform: args.platform,
                    services: args.services.map((s, i) => ({ name: s.name, maxReplicas: s.maxReplicas, resourceId: serviceIds[i] || undefined })),
                    kubernetesNamespace: args.kubernetesNamespace,
                    databaseServers: args.databaseServers.map((s, i) => ({ resourceId: serverIds[i], replica: s.replica })),
                    maxConnections: args.maxConnections,
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
