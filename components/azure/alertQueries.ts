// KQL of the log alerts, and the period they are judged over.

/** Requests in the window below which the error rate is not judged (one failure of three is not an incident). */
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

/** KQL over Application Insights `requests`: 95th percentile of server duration in ms. */
export function p95LatencyQuery(): string {
    return ["requests", "| summarize p95DurationMs = percentile(duration, 95)"].join("\n");
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
