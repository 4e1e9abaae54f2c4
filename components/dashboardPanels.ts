/**
 * What the stack dashboard shows, cloud-neutral: each cloud renders every panel (Azure as a
 * Monitor workbook, components/azure/dashboardWorkbook.ts; AWS as a CloudWatch dashboard,
 * components/aws/dashboard.ts).
 */

/** The scaling guide's key metrics ("Monitoring and Observability") plus its three Azure Monitor queries. */
export const DASHBOARD_PANELS = [
    "request-rate",
    "latency-percentiles",
    "error-rate-4xx-5xx",
    "replicas-vs-max",
    "cpu-per-instance",
    "memory-per-instance",
    "db-connections-vs-max",
    "replication-lag",
    "db-cache-hit-ratio",
    "transactions-per-second",
    "cache-hit-ratio",
    "cache-memory",
    "avg-response-by-endpoint",
    "error-rate-over-time",
    "scaling-events",
] as const;

export type PanelId = (typeof DASHBOARD_PANELS)[number];
