/**
 * Metric alerts of the database tier: CPU, active connections and storage on every server, and
 * replication lag measured where it means lag.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseSpec } from "./databaseSpec";
import { FLEXIBLE_SERVER_TYPE } from "./databaseNetwork";
import { metricAlert } from "./observability";

export interface AlertedServer {
    /** Alert-name label: "pg", "pg-replica-1", ... */
    label: string;
    id: pulumi.Input<string>;
    location: pulumi.Input<string>;
}

export interface DatabaseAlertArgs {
    base: string;
    resourceGroupName: pulumi.Input<string>;
    actionGroupId: pulumi.Input<string>;
    database: DatabaseSpec;
    tags: Record<string, string>;
}

/**
 * Replication lag in bytes, on the primary: `physical_replication_delay_in_bytes` ("Max Physical
 * Replication Lag", the most lagging replica's slot; enabled by default; Learn, "Read replicas" >
 * Monitoring metrics). It is 0 while the primary is idle and every replica has replayed its WAL.
 * The replica's `physical_replication_delay_in_seconds` is "time since the last replayed
 * transaction": it climbs whenever the primary is idle, so it is no alert.
 */
export const REPLICATION_LAG_METRIC = "physical_replication_delay_in_bytes";

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
        const thresholdBytes = alerts.replicationLagMB * 1024 * 1024;
        // The metric exists on the primary only: it follows the writer role after a failover (same rule, new scope).
        const writerServer = pulumi.all([writer, pulumi.all(servers.map((s) => s.id)), pulumi.all(servers.map((s) => s.location))]).apply(([w, ids, locations]) => ({ id: ids[w], location: locations[w] }));
        alert(`${args.base}-${servers[0].label}-replication-lag`, { label: servers[0].label, id: writerServer.id, location: writerServer.location }, {
            metricName: REPLICATION_LAG_METRIC, threshold: thresholdBytes, timeAggregation: "Maximum", severity: 2,
            description: `A replica is more than ${alerts.replicationLagMB} MB of WAL behind the primary`,
        });
    }
}
