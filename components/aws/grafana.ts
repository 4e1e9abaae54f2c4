/**
 * Amazon Managed Grafana with the platform's dashboard: a workspace (IAM Identity Center sign-in)
 * that reads the stack's Amazon Managed Prometheus workspace and CloudWatch through its own IAM
 * role, admins and viewers from Identity Center groups, and the dashboard of
 * components/grafanaDashboard.ts provisioned through the Grafana API with a workspace service
 * account's token (@pulumiverse/grafana).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as grafana from "@pulumiverse/grafana";
import * as time from "@pulumiverse/time";
import { CloudPanel, CloudPanelId, grafanaDashboard, GrafanaDashboardInput, GrafanaTarget, refId } from "../grafanaDashboard";
import type { CloudWatchDashboardInputs } from "./dashboard";
import { policyDocument } from "./iam";

/**
 * A CloudWatch metric query as the Grafana CloudWatch data source reads it (query mode Metrics,
 * builder mode, exact dimension match): one series per target.
 */
export function cloudWatchTarget(n: number, q: { region: string; namespace: string; metricName: string; dimensions: Record<string, string>; statistic: string; label: string }): GrafanaTarget {
    return {
        refId: refId(n), queryMode: "Metrics", metricQueryType: 0, metricEditorMode: 0, region: q.region, namespace: q.namespace,
        metricName: q.metricName, dimensions: Object.fromEntries(Object.entries(q.dimensions).map(([k, v]) => [k, v])), statistic: q.statistic,
        matchExact: true, period: "", id: "", expression: "", label: q.label,
    };
}

/** The dashboard's database and cache panels from CloudWatch: RDS and ElastiCache metrics of AWS_METRICS, each in its instance's region. */
export function cloudWatchGrafanaPanels(i: CloudWatchDashboardInputs, replicationLagSeconds: number): Record<CloudPanelId, CloudPanel> {
    const rds = (metricName: string, instances: { identifier: string; region: string }[], statistic: string) =>
        instances.map((db, n) => cloudWatchTarget(n, { region: db.region, namespace: "AWS/RDS", metricName, dimensions: { DBInstanceIdentifier: db.identifier }, statistic, label: db.identifier }));
    const cache = (metricName: string, statistic: string) =>
        i.cacheNodes.map((node, n) => cloudWatchTarget(n, { region: i.region, namespace: "AWS/ElastiCache", metricName, dimensions: { CacheClusterId: node }, statistic, label: node }));
    const servers = [{ identifier: i.database.primary, region: i.region }, ...i.database.replicas];
    return {
        "db-connections": { title: "Database connections", unit: "short", targets: rds("DatabaseConnections", servers, "Maximum"), threshold: i.database.maxConnections },
        "replication-lag": { title: "Replication lag (replicas)", unit: "s", targets: rds("ReplicaLag", i.database.replicas, "Maximum"), threshold: replicationLagSeconds },
        "cache-hit-rate": { title: "Cache hit rate (Valkey)", unit: "percent", targets: cache("CacheHitRate", "Average") },
        "cache-memory": { title: "Cache memory used (Valkey)", unit: "percent", targets: cache("DatabaseMemoryUsagePercentage", "Maximum") },
    };
}

/** Amazon Managed Grafana's service principal, which assumes the workspace role (AMG UG, "Amazon Managed Grafana permissions and policies for AWS data sources"). */
const GRAFANA_SERVICE = "grafana.amazonaws.com";
/** A workspace service account token lives at most 30 days (AMG API, CreateWorkspaceServiceAccountToken `secondsToLive`). */
export const TOKEN_SECONDS_TO_LIVE = 30 * 24 * 3600;
/** A new token is made on the first `pulumi up` after this many days, before the old one expires. */
export const TOKEN_ROTATION_DAYS = 20;

/** What the workspace role may read: the stack's AMP workspace, and CloudWatch metrics (read-only, no resource-level scoping in CloudWatch's read actions). */
export function grafanaReadStatements(prometheusWorkspaceArn: string) {
    return [
        { Sid: "QueryPrometheus", Effect: "Allow", Action: ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"], Resource: prometheusWorkspaceArn },
        {
            Sid: "ReadCloudWatchMetrics", Effect: "Allow",
            Action: ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:GetInsightRuleReport", "tag:GetResources", "ec2:DescribeRegions"],
            Resource: "*",
        },
    ];
}

export interface AwsGrafanaArgs {
    baseName: string;
    region: string;
    accountId: pulumi.Input<string>;
    prometheusWorkspaceArn: pulumi.Input<string>;
    /** The AMP workspace's endpoint (`…/workspaces/<id>/`). */
    prometheusEndpoint: pulumi.Input<string>;
    /** IAM Identity Center group ids whose members administer, or view, the workspace. */
    adminGroupIds: string[];
    viewerGroupIds: string[];
    /** The dashboard's inputs: the api's telemetry job, the namespace, thresholds, and the CloudWatch panels (cloudWatchGrafanaPanels). */
    dashboard: Omit<GrafanaDashboardInput, "uid" | "title" | "cloudDatasourceType" | "cloud"> & { cloud: pulumi.Input<Record<CloudPanelId, CloudPanel>> };
    tags: Record<string, string>;
}

export class AwsGrafana extends pulumi.ComponentResource {
    readonly url: pulumi.Output<string>;
    readonly dashboardUrl: pulumi.Output<string>;

    constructor(name: string, args: AwsGrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:aws:Grafana", name, {}, opts);
        const n = (child: string) => `${name}-${child}`;
        const p = { parent: this };
        const role = new aws.iam.Role(n("workspace"), {
            name: `${args.baseName}-grafana`,
            assumeRolePolicy: pulumi.output(args.accountId).apply((account) => policyDocument([{
                Effect: "Allow", Principal: { Service: GRAFANA_SERVICE }, Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": account } },
            }])),
            tags: args.tags,
        }, p);
        new aws.iam.RolePolicy(n("read"), {
            role: role.id,
            policy: pulumi.output(args.prometheusWorkspaceArn).apply((arn) => policyDocument(grafanaReadStatements(arn))),
        }, p);
        // CUSTOMER_MANAGED: the workspace uses our role (above), not roles the service would generate.
        const workspace = new aws.grafana.Workspace(n("workspace"), {
            name: `${args.baseName}-grafana`, accountAccessType: "CURRENT_ACCOUNT", authenticationProviders: ["AWS_SSO"],
            permissionType: "CUSTOMER_MANAGED", roleArn: role.arn, dataSources: ["PROMETHEUS", "CLOUDWATCH"],
            notificationDestinations: ["SNS"], grafanaVersion: "10.4", tags: args.tags,
        }, p);
        const groups = (role: "ADMIN" | "VIEWER", ids: string[]) => ids.length > 0
            ? [new aws.grafana.RoleAssociation(n(role.toLowerCase()), { workspaceId: workspace.id, role, groupIds: ids }, p)] : [];
        groups("ADMIN", args.adminGroupIds);
        groups("VIEWER", args.viewerGroupIds);

        // The program's own access to the Grafana API: a service account and a token made again every TOKEN_ROTATION_DAYS.
        const account = new aws.grafana.WorkspaceServiceAccount(n("provisioner"), { workspaceId: workspace.id, name: "pulumi-provisioner", grafanaRole: "ADMIN" }, p);
        const rotation = new time.Rotating(n("token-rotation"), { rotationDays: TOKEN_ROTATION_DAYS }, p);
        const token = new aws.grafana.WorkspaceServiceAccountToken(n("provisioner"), {
            workspaceId: workspace.id, serviceAccountId: account.serviceAccountId, secondsToLive: TOKEN_SECONDS_TO_LIVE,
            name: rotation.unix.apply((t) => `pulumi-${t}`),
        }, p);
        this.url = pulumi.interpolate`https://${workspace.endpoint}`;
        const provider = new grafana.Provider(n("api"), { url: this.url, auth: token.key }, p);
        const g = { parent: this, provider };
        // Signed with the workspace role's credentials ("Workspace IAM role", grafana-aws-sdk auth type ec2_iam_role).
        new grafana.oss.DataSource(n("prometheus"), {
            name: "Amazon Managed Prometheus", type: "prometheus", url: pulumi.output(args.prometheusEndpoint).apply((u) => u.replace(/\/+$/, "")), isDefault: true,
            jsonDataEncoded: JSON.stringify({ httpMethod: "POST", sigV4Auth: true, sigV4AuthType: "ec2_iam_role", sigV4Region: args.region }),
        }, g);
        new grafana.oss.DataSource(n("cloudwatch"), {
            name: "CloudWatch", type: "cloudwatch",
            jsonDataEncoded: JSON.stringify({ authType: "ec2_iam_role", defaultRegion: args.region }),
        }, g);
        const model = pulumi.output(args.dashboard.cloud).apply((cloud) => JSON.stringify(grafanaDashboard({
            ...args.dashboard, cloud, uid: args.baseName, title: `BookStore ${args.baseName}`, cloudDatasourceType: "cloudwatch",
        })));
        const dashboard = new grafana.oss.Dashboard(n("dashboard"), { configJson: model, overwrite: true }, g);
        this.dashboardUrl = dashboard.url;
        this.registerOutputs({ url: this.url, dashboardUrl: this.dashboardUrl });
    }
}
