import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { stringify } from "yaml";
import { AlertRule, AppAlertThresholds, appAlertRules, clusterAlertRules } from "../kubernetes/prometheus";
import { Statement } from "./iam";

export interface AwsObservabilityArgs {
    baseName: string;
    clusterName: pulumi.Input<string>;
    clusterArn: pulumi.Input<string>;
    /** Subnets (≥2 AZs) and security group the managed scraper's ENIs use. */
    subnetIds: pulumi.Input<string>[];
    securityGroupId: pulumi.Input<string>;
    k8sProvider: k8s.Provider;
    logRetentionDays: number;
    /** SNS topic (same region) the alert manager notifies. */
    alertTopicArn: pulumi.Input<string>;
    region: string;
    /** The app's namespace, and the api's telemetry `job` (its OTEL_SERVICE_NAME). */
    appNamespace: string;
    apiJob: string;
    /** How long an HPA may sit at its ceiling, and the api's request thresholds (the load test's). */
    thresholds: AppAlertThresholds;
    tags: Record<string, string>;
}

/**
 * What the Grafana workspace's role may do besides CloudWatch: query the AMP workspace (the actions of
 * the managed AmazonPrometheusQueryAccess, on this workspace only). Alerts stay with the AMP alert
 * manager and CloudWatch alarms, which already publish to the stack's encrypted topic.
 */
export function grafanaStatements(ampWorkspaceArn: string): Statement[] {
    return [{ Effect: "Allow", Action: ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"], Resource: ampWorkspaceArn }];
}

/** The Kubernetes user the AMP scraper's access entry maps to (AMP UG — Configuring your Amazon EKS cluster). */
export const SCRAPER_USER = "aps-collector-user";

/** Scrape configuration of the managed collector: the API server, nodes' cAdvisor, annotated pods and the app's pods. */
export function scrapeConfiguration(appNamespace: string): string {
    const k8sJob = (job: string, role: string, extra: Record<string, unknown> = {}) => ({
        job_name: job, scheme: "https", kubernetes_sd_configs: [{ role }],
        bearer_token_file: "/var/run/secrets/kubernetes.io/serviceaccount/token",
        tls_config: { ca_file: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", insecure_skip_verify: false },
        ...extra,
    });
    return stringify({
        global: { scrape_interval: "30s" },
        scrape_configs: [
            k8sJob("kubernetes-apiservers", "endpoints", {
                relabel_configs: [{ source_labels: ["__meta_kubernetes_namespace", "__meta_kubernetes_service_name", "__meta_kubernetes_endpoint_port_name"], action: "keep", regex: "default;kubernetes;https" }],
            }),
            k8sJob("kubernetes-nodes-cadvisor", "node", { metrics_path: "/metrics/cadvisor" }),
            {
                // kube-state-metrics (EKS add-on): HPA, Deployment and pod state for the alert rules.
                job_name: "kube-state-metrics", kubernetes_sd_configs: [{ role: "pod" }],
                relabel_configs: [{ source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], action: "keep", regex: "kube-state-metrics" }],
            },
            {
                job_name: "kubernetes-pods", kubernetes_sd_configs: [{ role: "pod" }],
                relabel_configs: [{ source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], action: "keep", regex: "true" }],
            },
            {
                // The app's /metrics on its `http` port, labelled `namespace` and `pod` like the AKS PodMonitor's
                // targets: what the KEDA Prometheus triggers query (components/kubernetes/keda.ts customMetricQuery).
                job_name: "bookstore-app", metrics_path: "/metrics",
                kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [appNamespace] } }],
                relabel_configs: [
                    { source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_part_of"], action: "keep", regex: "bookstore" },
                    { source_labels: ["__meta_kubernetes_pod_container_port_name"], action: "keep", regex: "http" },
                    { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
                    { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
                ],
            },
        ],
    });
}

/** An alert rule as a Prometheus rules file writes it. */
const ruleEntry = (rule: AlertRule) => ({
    alert: rule.alert, expr: rule.expr, for: `${rule.forMinutes}m`, labels: { severity: rule.severity }, annotations: { description: rule.description },
});

/**
 * The AMP rules file: the cluster rules (HPA at its ceiling, PgBouncer) over kube-state-metrics, and
 * the api's request alerts over the histogram its OTLP telemetry fills.
 */
export function prometheusRules(namespace: string, apiJob: string, thresholds: AppAlertThresholds): string {
    return stringify({
        groups: [
            { name: "bookstore", rules: clusterAlertRules(namespace, thresholds.replicasAtMaxMinutes, true).map(ruleEntry) },
            { name: "bookstore-api", rules: appAlertRules(apiJob, thresholds).map(ruleEntry) },
        ],
    });
}

/** The alert manager configuration: every alert to the SNS topic (AMP UG — Alert manager and Amazon SNS). */
export function alertManagerDefinition(topicArn: string, region: string): string {
    return stringify({
        alertmanager_config: stringify({
            route: { receiver: "sns", group_by: ["alertname"] },
            receivers: [{ name: "sns", sns_configs: [{ topic_arn: topicArn, sigv4: { region }, subject: "BookStore alert" }] }],
        }),
    });
}

/**
 * Amazon Managed Service for Prometheus: a workspace (logs to CloudWatch) with alert rules routed to
 * SNS, and an AWS managed scraper for the cluster with the access entry and RBAC it needs (Grafana:
 * components/aws/grafana.ts).
 */
export class AwsObservability extends pulumi.ComponentResource {
    readonly prometheusEndpoint: pulumi.Output<string>;
    readonly workspaceId: pulumi.Output<string>;
    readonly workspaceArn: pulumi.Output<string>;

    constructor(name: string, args: AwsObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:aws:Observability", name, {}, opts);
        /** Child names carry the component's: a URN names the parent's type, not its name. */
        const n = (child: string) => `${name}-${child}`;
        const p = { parent: this };
        const logs = new aws.cloudwatch.LogGroup(n("prometheus"), { name: `/bookstore/${args.baseName}/prometheus`, retentionInDays: args.logRetentionDays, tags: args.tags }, p);
        const workspace = new aws.amp.Workspace(n("prometheus"), {
            alias: `${args.baseName}-prometheus`, loggingConfiguration: { logGroupArn: pulumi.interpolate`${logs.arn}:*` }, tags: args.tags,
        // The scraper tags the workspace AMPAgentlessScraper; ignoring tag drift avoids a perpetual diff (aws:amp/scraper.d.ts).
        }, { parent: this, ignoreChanges: ["tags"] });
        this.workspaceId = workspace.id;
        this.workspaceArn = workspace.arn;
        new aws.amp.RuleGroupNamespace(n("rules"), { name: "bookstore", workspaceId: workspace.id, data: prometheusRules(args.appNamespace, args.apiJob, args.thresholds), tags: args.tags }, p);
        new aws.amp.AlertManagerDefinition(n("alert-manager"), {
            workspaceId: workspace.id, definition: pulumi.output(args.alertTopicArn).apply((arn) => alertManagerDefinition(arn, args.region)),
        }, p);
        this.prometheusEndpoint = workspace.prometheusEndpoint;
        const scraper = new aws.amp.Scraper(n("cluster"), {
            alias: `${args.baseName}-eks`,
            source: { eks: { clusterArn: args.clusterArn, subnetIds: args.subnetIds, securityGroupIds: [args.securityGroupId] } },
            destination: { amp: { workspaceArn: workspace.arn } },
            scrapeConfiguration: scrapeConfiguration(args.appNamespace),
            tags: args.tags,
        }, p);
        // The access entry takes the scraper's role without its path (aws-service-role/scraper.aps.amazonaws.com/).
        const scraperRole = scraper.roleArn.apply((arn) => arn.replace(/:role\/.*\/(AWSServiceRoleForAmazonPrometheusScraper[^/]*)$/, ":role/$1"));
        new aws.eks.AccessEntry(n("scraper"), { clusterName: args.clusterName, principalArn: scraperRole, userName: SCRAPER_USER, type: "STANDARD", tags: args.tags }, p);
        const k = { parent: this, provider: args.k8sProvider };
        const role = new k8s.rbac.v1.ClusterRole(n("aps-collector"), {
            metadata: { name: "aps-collector-role" },
            rules: [
                { apiGroups: [""], resources: ["nodes", "nodes/proxy", "nodes/metrics", "services", "endpoints", "pods", "ingresses", "configmaps"], verbs: ["describe", "get", "list", "watch"] },
                { apiGroups: ["extensions", "networking.k8s.io"], resources: ["ingresses/status", "ingresses"], verbs: ["describe", "get", "list", "watch"] },
                { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
                { nonResourceURLs: ["/metrics"], verbs: ["get"] },
            ],
        }, k);
        new k8s.rbac.v1.ClusterRoleBinding(n("aps-collector"), {
            metadata: { name: "aps-collector-user-role-binding" },
            subjects: [{ kind: "User", name: SCRAPER_USER, apiGroup: "rbac.authorization.k8s.io" }],
            roleRef: { kind: "ClusterRole", name: role.metadata.name, apiGroup: "rbac.authorization.k8s.io" },
        }, k);
        this.registerOutputs({ prometheusEndpoint: this.prometheusEndpoint });
    }
}
