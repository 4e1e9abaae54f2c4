// Observability: diagnostic settings for every target, metric and log alerts, and the Prometheus scrape config on AKS.
import * as pulumi from "@pulumi/pulumi";
import * as alertsmanagement from "@pulumi/azure-native/alertsmanagement";
import * as monitor from "@pulumi/azure-native/monitor";
import * as k8s from "@pulumi/kubernetes";
import type { DiagnosticTarget } from "../wiring";
import { hpaAtMaxExpression } from "../kubernetes/prometheus";
import { http5xxRateQuery, LOG_ALERT_PERIOD, p95LatencyQuery, replicasLowestQuery } from "./alertQueries";

export { http5xxRateQuery, LOG_ALERT_PERIOD, MIN_REQUESTS_FOR_ERROR_RATE, p95LatencyQuery, replicasLowestQuery } from "./alertQueries";

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

        // Log search alerts: Application Insights has no rate or percentile platform metric, and metric
        // alerts allow no 10-minute window, so "at max for N minutes" is N/5 failing 5-minute periods.
        // Operators are the scheduledQueryRules API's (GreaterThan, GreaterThanOrEqual, ...).
        const logAlert = (key: string, description: string, scope: pulumi.Input<string>, condition: {
            query: string; column: string; operator: "GreaterThan" | "GreaterThanOrEqual"; threshold: number; periods?: number;
        }) => {
            const ruleName = `${args.namePrefix}-${key}`;
            const periods = condition.periods ?? 1;
            new monitor.ScheduledQueryRule(key, {
                resourceGroupName: rg,
                ruleName,
                location: args.location,
                description,
                displayName: ruleName,
                kind: "LogAlert",
                severity: 2,
                enabled: true,
                scopes: [scope],
                evaluationFrequency: LOG_ALERT_PERIOD.iso,
                windowSize: LOG_ALERT_PERIOD.iso,
                autoMitigate: true,
                criteria: {
                    allOf: [{
                        query: condition.query,
                        timeAggregation: "Maximum",
                        metricMeasureColumn: condition.column,
                        operator: condition.operator,
                        threshold: condition.threshold,
                        failingPeriods: { numberOfEvaluationPeriods: periods, minFailingPeriodsToAlert: periods },
                    }],
                },
                actions: { actionGroups: [args.actionGroupId] },
                tags: args.tags,
            }, child);
            alertNames.push(ruleName);
        };
        logAlert("http-5xx-rate", `More than ${args.thresholds.http5xxPercent} % of requests answered with 5xx (load-test threshold)`,
            args.appInsightsId, { query: http5xxRateQuery(), column: "failedPercent", operator: "GreaterThan", threshold: args.thresholds.http5xxPercent });
        logAlert("p95-latency", `p95 response time above ${args.thresholds.p95LatencyMs} ms (load-test threshold)`,
            args.appInsightsId, { query: p95LatencyQuery(), column: "p95DurationMs", operator: "GreaterThan", threshold: args.thresholds.p95LatencyMs });

        const atMaxPeriods = args.thresholds.replicasAtMaxMinutes / LOG_ALERT_PERIOD.minutes;
        for (const app of args.containerApps ?? []) {
            // Scoped to the app: its exported Replicas metric; the lowest count in a period at the ceiling means pinned there.
            logAlert(`${app.service}-replicas-at-max`,
                `${app.service} has run at its maximum of ${app.maxReplicas} replicas for ${args.thresholds.replicasAtMaxMinutes} minutes`,
                app.resourceId, { query: replicasLowestQuery(), column: "lowestReplicas", operator: "GreaterThanOrEqual", threshold: app.maxReplicas, periods: atMaxPeriods });
        }

        if (args.kubernetes) {
            const kube = args.kubernetes;
            const ruleGroupName = `${args.namePrefix}-hpa-at-max`;
            new alertsmanagement.PrometheusRuleGroup("hpa-at-max", {
                resourceGroupName: rg,
                location: args.location,
                ruleGroupName,
                description: "HPAs of the app namespace at their replica ceiling",
                clusterName: kube.clusterName,
                scopes: [kube.azureMonitorWorkspaceId, kube.clusterId],
                enabled: true,
                interval: "PT1M",
                rules: [{
                    alert: "HpaAtMaxReplicas",
                    expression: hpaAtMaxExpression(kube.namespace),
                    for: `PT${args.thresholds.replicasAtMaxMinutes}M`,
                    severity: 2,
                    enabled: true,
                    annotations: { description: `HPA {{ $labels.horizontalpodautoscaler }} has run at its maximum replicas for ${args.thresholds.replicasAtMaxMinutes} minutes` },
                    actions: [{ actionGroupId: args.actionGroupId }],
                    resolveConfiguration: { autoResolved: true, timeToResolve: "PT10M" },
                }],
                tags: args.tags,
            }, child);
            alertNames.push(ruleGroupName);

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
