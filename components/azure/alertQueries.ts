// KQL of the log alerts, and the period they are judged over.

/**
 * Requests in the window below which the error rate and the p95 are not judged (one failure of three,
 * or one slow request in a quiet five minutes, is not an incident).
 */
export const MIN_REQUESTS_FOR_ERROR_RATE = 20;

/** KQL over Application Insights `requests`: percent answered with 5xx. */
export function http5xxRateQuery(minRequests = MIN_REQUESTS_FOR_ERROR_RATE): string {
    return [
        "requests",
        "| summarize total = count(), failed = countif(toint(resultCode) >= 500)",
        `| where total >= ${minRequests}`,
        "| extend failedPercent = 100.0 * failed / total",
    ].join("\n");
}

/** KQL over Application Insights `requests`: 95th percentile of server duration in ms, given enough requests. */
export function p95LatencyQuery(minRequests = MIN_REQUESTS_FOR_ERROR_RATE): string {
    return [
        "requests",
        "| summarize p95DurationMs = percentile(duration, 95), total = count()",
        `| where total >= ${minRequests}`,
    ].join("\n");
}

/** Aggregation granularity of the log alerts: their windowSize, and the bin of queries judged over several periods. */
export const LOG_ALERT_PERIOD = { iso: "PT5M", kql: "5m", minutes: 5 } as const;

/**
 * KQL over a Container App's exported platform metrics: the lowest replica count per 5-minute bin.
 * "N of M failing periods" needs one row per period: the rule's lookback is M × windowSize
 * (scheduledQueryRules 2025-01-01-preview, ConditionFailingPeriods), and the rows are told apart by the
 * query's time column, so a query without `bin(TimeGenerated, ...)` yields one row and one period.
 */
export function replicasLowestQuery(): string {
    return [
        "AzureMetrics",
        "| where MetricName == \"Replicas\"",
        `| summarize lowestReplicas = min(Minimum) by bin(TimeGenerated, ${LOG_ALERT_PERIOD.kql})`,
    ].join("\n");
}

/** Minutes with WAL outstanding a replica's lag is judged over: a burst of writes after a quiet hour is no incident. */
export const MIN_MINUTES_UNDER_WRITES = 3;

/**
 * KQL over the servers' exported metrics (`AzureMetrics`, from their `AllMetrics` diagnostic
 * settings): each replica's lag in seconds, counted only in the minutes the primary has WAL no
 * replica has replayed — the seed's own measure (`CASE WHEN pg_last_wal_receive_lsn() =
 * pg_last_wal_replay_lsn() THEN 0 ELSE now() - pg_last_xact_replay_timestamp() END`).
 *
 * - `physical_replication_delay_in_seconds` (replica, "Read Replica Lag") is the time since the
 *   last replayed transaction: it climbs while the primary is idle (Learn, "Read replicas in Azure
 *   Database for PostgreSQL", Monitor replication: "if no transactions are occurring on your primary
 *   server, and the last transaction was replayed 5 seconds ago, the Read Replica Lag shows 5-second
 *   delay"). Its per-minute Minimum: a replica that replays within the minute reads low.
 * - `physical_replication_delay_in_bytes` (primary, "Max Physical Replication Lag") is how far the
 *   most lagging replica's slot trails the primary: 0 once every replica has replayed everything.
 *
 * One row per replica whose lag stayed above the threshold through every minute with WAL
 * outstanding, given at least MIN_MINUTES_UNDER_WRITES such minutes in the window.
 */
export function replicationLagUnderWritesQuery(primaryId: string, replicaIds: string[]): string {
    return [
        replicationLagPerMinute(primaryId, replicaIds),
        "| where behindBytes > 0",
        "| summarize lagUnderWritesSeconds = min(lagSeconds), minutesBehind = count() by Replica",
        `| where minutesBehind >= ${MIN_MINUTES_UNDER_WRITES}`,
    ].join("\n");
}

/**
 * The seed's replication lag per replica and minute, as a chart shows it: the replica's lag in
 * minutes the primary has WAL outstanding, 0 in minutes it has none (an idle primary is no lag).
 */
export function replicationLagSeriesQuery(primaryId: string, replicaIds: string[]): string {
    return [
        replicationLagPerMinute(primaryId, replicaIds),
        "| project TimeGenerated, Replica, lagSeconds = iff(behindBytes > 0, lagSeconds, 0.0)",
        "| order by TimeGenerated asc",
    ].join("\n");
}

/** Rows (minute, replica, lagSeconds, behindBytes) of the two metrics, joined on the minute. */
function replicationLagPerMinute(primaryId: string, replicaIds: string[]): string {
    const quoted = (id: string) => JSON.stringify(id);
    return [
        "let behind = AzureMetrics",
        `| where ResourceId =~ ${quoted(primaryId)} and MetricName == "physical_replication_delay_in_bytes"`,
        "| summarize behindBytes = max(Maximum) by TimeGenerated = bin(TimeGenerated, 1m);",
        "AzureMetrics",
        `| where ResourceId in~ (${replicaIds.map(quoted).join(", ")}) and MetricName == "physical_replication_delay_in_seconds"`,
        "| summarize lagSeconds = min(Minimum) by TimeGenerated = bin(TimeGenerated, 1m), Replica = Resource",
        "| join kind=inner behind on TimeGenerated",
    ].join("\n");
}
