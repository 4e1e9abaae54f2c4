// Observability: diagnostic settings for every target, metric and log alerts, and the Prometheus scrape config on AKS.
import * as pulumi from "@pulumi/pulumi";
import * as alertsmanagement from "@pulumi/azure-native/alertsmanagement";
import * as monitor from "@pulumi/azure-native/monitor";
import * as k8s from "@pulumi/kubernetes";
import type { DiagnosticTarget } from "../wiring";
import { AlertRule, appAlertRules, clusterAlertRules } from "../kubernetes/prometheus";
import { http5xxRateQuery, LOG_ALERT_PERIOD, p95LatencyQuery, replicasLowestQuery } from "./alertQueries";

/** What a diagnostic setting exports for one resource type. */
export interface DiagnosticCategories {
    logs: monitor.DiagnosticSettingArgs["logs"] & unknown[];
    /** Metric categories: "AllMetrics", or the type's own ("Transaction" for storage). */
    metrics: string[];
}

const allLogs = [{ categoryGroup: "allLogs", enabled: true }];
const allLogsAndMetrics: DiagnosticCategories = { logs: allLogs, metrics: ["AllMetrics"] };

/**
 * Diagnostic categories per Azure resource type (Azure Monitor's supported-logs and
 * supported-metrics references). `allLogs` + `AllMetrics` where the type supports both; the
 * exceptions are spelled out.
 */
export const DIAGNOSTIC_CATEGORIES: Readonly<Record<string, DiagnosticCategories>> = {
    "Microsoft.DBforPostgreSQL/flexibleServers": allLogsAndMetrics,
    // Managed Redis: metrics live on the cluster, the connection-event logs on the database.
    "Microsoft.Cache/redisEnterprise": { logs: [], metrics: ["AllMetrics"] },
    "Microsoft.Cache/redisEnterprise/databases": { logs: allLogs, metrics: [] },
    "Microsoft.SignalRService/SignalR": allLogsAndMetrics,
    "Microsoft.Cdn/profiles": allLogsAndMetrics,
    "Microsoft.App/managedEnvironments": allLogsAndMetrics,
    "Microsoft.App/containerApps": { logs: [], metrics: ["AllMetrics"] },
    // AKS: the control-plane logs without `kube-audit` (every read of every object; `kube-audit-admin` keeps the writes).
    "Microsoft.ContainerService/managedClusters": {
        logs: ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "cluster-autoscaler", "kube-audit-admin", "guard"]
            .map((category) => ({ category, enabled: true })),
        metrics: ["AllMetrics"],
    },
    "Microsoft.KeyVault/vaults": allLogsAndMetrics,
    "Microsoft.ContainerRegistry/registries": allLogsAndMetrics,
    // Storage: the account exports transaction metrics only; read/write/delete logs come from the blob service.
    "Microsoft.Storage/storageAccounts": { logs: [], metrics: ["Transaction"] },
    "Microsoft.Storage/storageAccounts/blobServices": { logs: allLogs, metrics: ["Transaction"] },
};

/** The categories for a resource type; an unknown type is a programming error, never silently skipped. */
export function diagnosticCategories(resourceType: string): DiagnosticCategories {
    const categories = DIAGNOSTIC_CATEGORIES[resourceType];
    if (!categories) {
        throw new Error(`no diagnostic categories known for resource type ${resourceType}; add it to DIAGNOSTIC_CATEGORIES`);
    }
    return categories;
}

/** An Azure portal link to a resource blade, e.g. "overview" or "logs". */
export function portalLink(tenantId: string, resourceId: string, blade = "overview"): string {
    return `https://portal.azure.com/#@${tenantId}/resource${resourceId}/${blade}`;
}

/** A static-threshold metric alert on one resource that notifies the action group. */
export interface MetricAlertSpec {
    resourceGroupName: pulumi.Input<string>;
    ruleName: string;
    description: string;
    severity: number;
    scope: pulumi.Input<string>;
    /** Type and region of the scope; Azure wants them for some resource types (PostgreSQL). */
    target?: { type: string; region: pulumi.Input<string> };
    window: { size: string; frequency: string };
    criterion: { name: string; metricNamespace: string; metricName: string; operator: string; threshold: number; timeAggregation: string };
    actionGroupId: pulumi.Input<string>;
    tags: Record<string, string>;
}

export function metricAlert(logicalName: string, spec: MetricAlertSpec, opts: pulumi.CustomResourceOptions): monitor.MetricAlert {
    return new monitor.MetricAlert(logicalName, {
        resourceGroupName: spec.resourceGroupName,
        ruleName: spec.ruleName,
        location: "global",
        description: spec.description,
        severity: spec.severity,
        enabled: true,
        scopes: [spec.scope],
        targetResourceType: spec.target?.type,
        targetResourceRegion: spec.target?.region,
        evaluationFrequency: spec.window.frequency,
        windowSize: spec.window.size,
        autoMitigate: true,
        criteria: {
            odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
            allOf: [{ criterionType: "StaticThresholdCriterion", ...spec.criterion }],
        },
        actions: [{ actionGroupId: spec.actionGroupId }],
        tags: spec.tags,
    }, opts);
}

/** A log search alert (scheduledQueryRules) over a workspace or component that notifies the action group. */
export interface LogAlertSpec {
    resourceGroupName: pulumi.Input<string>;
    ruleName: string;
    location: string;
    description: string;
    scope: pulumi.Input<string>;
    query: pulumi.Input<string>;
    /** The query's numeric column the threshold applies to (its Maximum over the rows of a period). */
    column: string;
    operator: "GreaterThan" | "GreaterThanOrEqual";
    threshold: number;
    /** Consecutive failing periods before it fires. Default 1. */
    periods?: number;
    /** Columns that split the alert (one alert per value). */
    dimensions?: string[];
    actionGroupId: pulumi.Input<string>;
    tags: Record<string, string>;
}

/**
 * Operators are the scheduledQueryRules API's (GreaterThan, GreaterThanOrEqual, ...); the period is
 * LOG_ALERT_PERIOD (metric alerts allow no 10-minute window, so "for N minutes" is N/5 failing periods).
 */
export function logAlert(logicalName: string, spec: LogAlertSpec, opts: pulumi.CustomResourceOptions): monitor.ScheduledQueryRule {
    const periods = spec.periods ?? 1;
    return new monitor.ScheduledQueryRule(logicalName, {
        resourceGroupName: spec.resourceGroupName,
        ruleName: spec.ruleName,
        location: spec.location,
        description: spec.description,
        displayName: spec.ruleName,
        kind: "LogAlert",
        severity: 2,
        enabled: true,
        scopes: [spec.scope],
        evaluationFrequency: LOG_ALERT_PERIOD.iso,
        windowSize: LOG_ALERT_PERIOD.iso,
        autoMitigate: true,
        criteria: {
            allOf: [{
                query: spec.query,
                timeAggregation: "Maximum",
                metricMeasureColumn: spec.column,
                ...(spec.dimensions ? { dimensions: spec.dimensions.map((name) => ({ name, operator: "Include", values: ["*"] })) } : {}),
                operator: spec.operator,
                threshold: spec.threshold,
                failingPeriods: { numberOfEvaluationPeriods: periods, minFailingPeriodsToAlert: periods },
            }],
        },
        actions: { actionGroups: [spec.actionGroupId] },
        tags: spec.tags,
    }, opts);
}

export interface ObservabilityThresholds {
    replicasAtMaxMinutes: number;
    http5xxPercent: number;
    p95LatencyMs: number;
    redisMemoryPercent: number;
    signalrConnectionQuotaPercent: number;
    frontDoorOriginHealthPercent: number;
}

export interface ObservabilityArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** Prefix of alert names, e.g. "bookstore-prod". */
    namePrefix: string;
    workspaceId: pulumi.Input<string>;
    actionGroupId: pulumi.Input<string>;
    appInsightsId: pulumi.Input<string>;
    /** Every resource whose logs and metrics go to the workspace. */
    diagnosticTargets: DiagnosticTarget[];
    thresholds: ObservabilityThresholds;
    /** Container Apps to watch for sitting at their replica ceiling. */
    containerApps?: { service: string; resourceId: pulumi.Input<string>; maxReplicas: number }[];
    /** AKS: managed Prometheus (HPA-at-max rule, and the api's /metrics scrape). */
    kubernetes?: {
        provider: k8s.Provider;
        /** The app namespace's name (PromQL selector). */
        namespace: string;
        /** The api's telemetry `job` (its OTEL_SERVICE_NAME): the request alerts' selector. */
        apiJob: string;
        /** Whether the cluster runs the PgBouncer Deployment (pooler "deployment"): its availability alerts. */
        pgbouncer: boolean;
        /** The same name as the namespace resource's output, so the PodMonitor waits for the namespace. */
        namespaceRef: pulumi.Input<string>;
        clusterName: pulumi.Input<string>;
        clusterId: pulumi.Input<string>;
        azureMonitorWorkspaceId: pulumi.Input<string>;
        /** Pods whose /metrics are scraped: the api's labels and its container port name. */
        scrape: {
            name: string; matchLabels: Record<string, string>; port: string; path?: string;
            /** Every service whose pods are scraped when more than the api's are (custom-metric scaling reads them); selects on app.kubernetes.io/name. */
            services?: string[];
        };
    };
    redisClusterId?: pulumi.Input<string>;
    signalrId?: pulumi.Input<string>;
    frontDoorProfileId?: pulumi.Input<string>;
    tags: Record<string, string>;
}

/**
 * Observability across every tier: one diagnostic setting per target (to Log Analytics) and the
 * alerts of the scaling guide, all notifying the platform's action group.
 */
export class Observability extends pulumi.ComponentResource {
    /** Names of every alert rule created (metric, log search and Prometheus rules). */
    readonly alertNames: string[];
    readonly diagnosticSettingCount: number;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:observability:Observability", name, {}, opts);
        const child = { parent: this };
        const rg = args.resourceGroupName;
        const alertNames: string[] = [];

        const seen = new Set<string>();
        for (const target of args.diagnosticTargets) {
            if (seen.has(target.name)) throw new Error(`diagnostic target ${target.name} is listed twice`);
            seen.add(target.name);
            const categories = diagnosticCategories(target.resourceType);
            new monitor.DiagnosticSetting(`diag-${target.name}`, {
                name: "to-log-analytics",
                resourceUri: target.resourceId,
                workspaceId: args.workspaceId,
                logs: categories.logs,
                metrics: categories.metrics.map((category) => ({ category, enabled: true })),
            }, child);
        }
        this.diagnosticSettingCount = seen.size;

        const tierAlert = (key: string, description: string, scope: pulumi.Input<string>,
            criterion: Omit<MetricAlertSpec["criterion"], "name">, window: MetricAlertSpec["window"]) => {
            const ruleName = `${args.namePrefix}-${key}`;
            metricAlert(key, {
                resourceGroupName: rg, ruleName, description, severity: 2, scope, window,
                criterion: { name: key, ...criterion }, actionGroupId: args.actionGroupId, tags: args.tags,
            }, child);
            alertNames.push(ruleName);
        };

        if (args.redisClusterId) {
            tierAlert("redis-memory", `Redis used memory above ${args.thresholds.redisMemoryPercent} %`, args.redisClusterId,
                { metricNamespace: "Microsoft.Cache/redisEnterprise", metricName: "usedmemorypercentage", operator: "GreaterThan", threshold: args.thresholds.redisMemoryPercent, timeAggregation: "Maximum" },
                { size: "PT15M", frequency: "PT5M" });
        }
        if (args.signalrId) {
            tierAlert("signalr-connection-quota", `SignalR connections above ${args.thresholds.signalrConnectionQuotaPercent} % of the unit quota`, args.signalrId,
                { metricNamespace: "Microsoft.SignalRService/SignalR", metricName: "ConnectionQuotaUtilization", operator: "GreaterThan", threshold: args.thresholds.signalrConnectionQuotaPercent, timeAggregation: "Maximum" },
                { size: "PT5M", frequency: "PT1M" });
        }
        if (args.frontDoorProfileId) {
            tierAlert("frontdoor-origin-health", `Front Door origin health below ${args.thresholds.frontDoorOriginHealthPercent} %`, args.frontDoorProfileId,
                { metricNamespace: "Microsoft.Cdn/profiles", metricName: "OriginHealthPercentage", operator: "LessThan", threshold: args.thresholds.frontDoorOriginHealthPercent, timeAggregation: "Average" },
                { size: "PT5M", frequency: "PT1M" });
        }

        // Log search alerts: Application Insights has no rate or percentile platform metric.
        const appAlert = (key: string, description: string, scope: pulumi.Input<string>, condition: Pick<LogAlertSpec, "query" | "column" | "operator" | "threshold" | "periods">) => {
            const ruleName = `${args.namePrefix}-${key}`;
            logAlert(key, { resourceGroupName: rg, ruleName, location: args.location, description, scope, ...condition, actionGroupId: args.actionGroupId, tags: args.tags }, child);
            alertNames.push(ruleName);
        };
        appAlert("http-5xx-rate", `More than ${args.thresholds.http5xxPercent} % of requests answered with 5xx (load-test threshold)`,
            args.appInsightsId, { query: http5xxRateQuery(), column: "failedPercent", operator: "GreaterThan", threshold: args.thresholds.http5xxPercent });
        appAlert("p95-latency", `p95 response time above ${args.thresholds.p95LatencyMs} ms (load-test threshold)`,
            args.appInsightsId, { query: p95LatencyQuery(), column: "p95DurationMs", operator: "GreaterThan", threshold: args.thresholds.p95LatencyMs });

        const atMaxPeriods = args.thresholds.replicasAtMaxMinutes / LOG_ALERT_PERIOD.minutes;
        for (const app of args.containerApps ?? []) {
            // Scoped to the app: its exported Replicas metric; the lowest count in a period at the ceiling means pinned there.
            appAlert(`${app.service}-replicas-at-max`,
                `${app.service} has run at its maximum of ${app.maxReplicas} replicas for ${args.thresholds.replicasAtMaxMinutes} minutes`,
                app.resourceId, { query: replicasLowestQuery(), column: "lowestReplicas", operator: "GreaterThanOrEqual", threshold: app.maxReplicas, periods: atMaxPeriods });
        }

        if (args.kubernetes) {
            const kube = args.kubernetes;
            // Azure's rule schema: `expression`, `for` as an ISO 8601 duration, severity 0 (critical) to 4.
            const azureRule = (rule: AlertRule) => ({
                alert: rule.alert,
                expression: rule.expr,
                for: `PT${rule.forMinutes}M`,
                severity: rule.severity === "critical" ? 1 : 2,
                enabled: true,
                annotations: { description: rule.description },
                actions: [{ actionGroupId: args.actionGroupId }],
                resolveConfiguration: { autoResolved: true, timeToResolve: "PT10M" },
            });
            const ruleGroup = (logicalName: string, key: string, description: string, rules: AlertRule[], cluster?: { name: pulumi.Input<string>; id: pulumi.Input<string> }) => {
                const ruleGroupName = `${args.namePrefix}-${key}`;
                new alertsmanagement.PrometheusRuleGroup(logicalName, {
                    resourceGroupName: rg,
                    location: args.location,
                    ruleGroupName,
                    description,
                    // With clusterName the service evaluates the rules over that cluster's series only (its `cluster` label).
                    ...(cluster ? { clusterName: cluster.name } : {}),
                    scopes: cluster ? [kube.azureMonitorWorkspaceId, cluster.id] : [kube.azureMonitorWorkspaceId],
                    enabled: true,
                    interval: "PT1M",
                    rules: rules.map(azureRule),
                    tags: args.tags,
                }, child);
                alertNames.push(ruleGroupName);
            };
            // The cluster's kube-state-metrics (scraped with the cluster label): HPA ceiling, the in-cluster PgBouncer.
            ruleGroup("hpa-at-max", "hpa-at-max", "HPAs of the app namespace at their replica ceiling, and PgBouncer's availability",
                clusterAlertRules(kube.namespace, args.thresholds.replicasAtMaxMinutes, kube.pgbouncer), { name: kube.clusterName, id: kube.clusterId });
            // The api's request histogram arrives over OTLP, not from the cluster's scrape: no cluster filter.
            ruleGroup("api-requests", "api-requests", "The api's request signals: 5xx rate, p95 and the histogram's absence",
                appAlertRules(kube.apiJob, args.thresholds));

            // Azure Monitor's managed Prometheus reads its own CRD group (azmonitoring.coreos.com), not the operator's.
            new k8s.apiextensions.CustomResource(`${kube.scrape.name}-pod-monitor`, {
                apiVersion: "azmonitoring.coreos.com/v1",
                kind: "PodMonitor",
                metadata: { name: `${kube.scrape.name}-metrics`, namespace: kube.namespaceRef },
                spec: {
                    selector: kube.scrape.services
                        ? { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: kube.scrape.services }] }
                        : { matchLabels: kube.scrape.matchLabels },
                    podMetricsEndpoints: [{ port: kube.scrape.port, path: kube.scrape.path ?? "/metrics", interval: "30s", scheme: "http" }],
                },
            }, { parent: this, provider: kube.provider });
        }

        this.alertNames = alertNames;
        this.registerOutputs({ alertNames: this.alertNames });
    }
}
