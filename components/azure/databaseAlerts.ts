/**
 * Alerts of the database tier: CPU, active connections and storage on every server (metric
 * alerts), and the seed's replication lag, counted only while writes are outstanding (a log alert).
 */
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseSpec } from "./databaseSpec";
import { FLEXIBLE_SERVER_TYPE } from "./databaseNetwork";
import { replicationLagUnderWritesQuery } from "./alertQueries";
import { logAlert, metricAlert } from "./observability";

export interface AlertedServer {
    /** Alert-name label: "pg", "pg-replica-1", ... */
    label: string;
    id: pulumi.Input<string>;
    location: pulumi.Input<string>;
}

export interface DatabaseAlertArgs {
    base: string;
    resourceGroupName: pulumi.Input<string>;
    /** Where the replication-lag log alert lives (the primary's region) and the workspace the servers' metrics are exported to. */
    location: string;
    workspaceId: pulumi.Input<string>;
    actionGroupId: pulumi.Input<string>;
    database: DatabaseSpec;
    tags: Record<string, string>;
}

export function createDatabaseAlerts(args: DatabaseAlertArgs, servers: AlertedServer[], parent: pulumi.Resource, writer: pulumi.Input<number> = 0): void {
    const { alerts, parameters } = args.database;
    const alert = (alertName: string, server: AlertedServer, criterion: {
        metricName: string; threshold: number; timeAggregation: "Average" | "Maximum"; severity: number; description: string;
    }) => metricAlert(alertName, {
        resourceGroupName: args.resourceGroupName,
        ruleName: alertName,
        description: criterion.description,
        severity: criterion.severity,
        scope: server.id,
        target: { type: FLEXIBLE_SERVER_TYPE, region: server.location },
        window: { size: "PT5M", frequency: "PT1M" },
        criterion: {
            name: criterion.metricName,
            metricName: criterion.metricName,
            metricNamespace: FLEXIBLE_SERVER_TYPE,
            operator: "GreaterThan",
            threshold: criterion.threshold,
            timeAggregation: criterion.timeAggregation,
        },
        actionGroupId: args.actionGroupId,
        tags: args.tags,
    }, { parent });
    const connectionThreshold = Math.floor(parameters.maxConnections * alerts.connectionsPercent / 100);
    for (const server of servers) {
        alert(`${args.base}-${server.label}-cpu`, server, {
            metricName: "cpu_percent", threshold: alerts.cpuPercent, timeAggregation: "Average", severity: 2,
            description: `CPU above ${alerts.cpuPercent}% for 5 minutes`,
        });
        alert(`${args.base}-${server.label}-connections`, server, {
            metricName: "active_connections", threshold: connectionThreshold, timeAggregation: "Maximum", severity: 2,
            description: `Active connections above ${alerts.connectionsPercent}% of max_connections ${parameters.maxConnections} (${connectionThreshold})`,
        });
        alert(`${args.base}-${server.label}-storage`, server, {
            metricName: "storage_percent", threshold: alerts.storagePercent, timeAggregation: "Maximum", severity: 1,
            description: `Storage above ${alerts.storagePercent}% (autogrow ${args.database.storage.autoGrow ? "on" : "off"})`,
        });
    }
    if (servers.length > 1) {
        // The writer follows failover (and the live roles): the query names the current writer and its replicas (same rule, new query).
        const lag = alerts.replicationLagSeconds;
        const ruleName = `${args.base}-${servers[0].label}-replication-lag`;
        logAlert(ruleName, {
            resourceGroupName: args.resourceGroupName,
            ruleName,
            location: args.location,
            description: `A replica more than ${lag} s behind the primary while writes are outstanding (the seed's replication-lag limit)`,
            scope: args.workspaceId,
            query: pulumi.all([writer, pulumi.all(servers.map((s) => s.id))])
                .apply(([w, ids]) => replicationLagUnderWritesQuery(ids[w], ids.filter((_, i) => i !== w))),
            column: "lagUnderWritesSeconds",
            operator: "GreaterThan",
            threshold: lag,
            dimensions: ["Replica"],
            actionGroupId: args.actionGroupId,
            tags: args.tags,
        }, { parent });
    }
}
