/**
 * The metric names the Azure rendering of the stack dashboard may use per resource type; the
 * cloud-neutral panel list lives in components/dashboardPanels.ts.
 */

/**
 * Platform metric names (the "Name in REST API" column) per resource type, checked 2026-11-29
 * against Microsoft Learn, "Supported metrics for <type>":
 *   learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-app-containerapps-metrics
 *   .../microsoft-dbforpostgresql-flexibleservers-metrics (the enhanced metrics tps, blks_hit,
 *     blks_read are emitted only with the server parameter metrics.collector_database_activity=on)
 *   .../microsoft-cache-redisenterprise-metrics
 * Only the names the dashboard uses are listed; a new one must be checked and added here.
 */
export const AZURE_METRICS: Readonly<Record<string, readonly string[]>> = {
    "Microsoft.App/containerApps": ["Replicas", "Requests", "UsageNanoCores", "WorkingSetBytes"],
    "Microsoft.DBforPostgreSQL/flexibleServers": [
        "active_connections", "physical_replication_delay_in_seconds", "physical_replication_delay_in_bytes", "cpu_percent", "memory_percent", "tps", "blks_hit", "blks_read",
    ],
    "Microsoft.Cache/redisEnterprise": ["cachehits", "cachemisses", "usedmemory", "usedmemorypercentage"],
};

/**
 * Container insights (AKS) performance counters in the `Perf` table (ObjectName "K8SContainer"),
 * Microsoft Learn, "Container insights log schema" (checked 2026-11-29).
 */
export const CONTAINER_INSIGHTS_COUNTERS: readonly string[] = ["cpuUsageNanoCores", "memoryWorkingSetBytes"];

/** A metric an Azure panel reads: checked against AZURE_METRICS in the tests. */
export interface MetricUse {
    resourceType: keyof typeof AZURE_METRICS | "ContainerInsights";
    name: string;
}
