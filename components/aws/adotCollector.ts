// AdotCollector: the app's OTLP path on EKS, the ADOT collector (EKS add-on) into X-Ray, CloudWatch Logs and Prometheus.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { stringify } from "yaml";
import { PodIdentity } from "./eksAddons";
import { addonVersionFor } from "./eksCluster";
import type { Statement } from "./iam";
import { COLLECTOR_METRICS_PORT, COLLECTOR_SERVICE, collectorConfig, collectorEndpoint } from "../kubernetes/otelCollector";

/**
 * Name of the OpenTelemetryCollector resource: the ADOT operator names the Deployment and Service
 * it creates `<name>-collector` (aws-otel.github.io, "Collector Configuration for AWS X-Ray"), so
 * the Service is `otel-collector`, the name the app's endpoint carries on every cluster.
 */
export const ADOT_COLLECTOR_NAME = COLLECTOR_SERVICE.replace(/-collector$/, "");
/** The collector pods' ServiceAccount (its Pod Identity association grants X-Ray and CloudWatch Logs). */
export const ADOT_SERVICE_ACCOUNT = "otel-collector";

export interface AdotCollectorArgs {
    clusterName: pulumi.Input<string>;
    /** The cluster's Kubernetes version: the add-ons run its default version and move with it (eksCluster.ts, addonVersionFor). */
    kubernetesVersion: pulumi.Input<string>;
    region: string;
    /** The app namespace: its name, and the Namespace's output the collector waits for. */
    namespaceName: string;
    namespace: pulumi.Input<string>;
    k8sProvider: k8s.Provider;
    /** Log group of the app's OTLP logs. */
    logGroupName: string;
    logRetentionDays: number;
    tags: Record<string, string>;
}

/** X-Ray's write actions (the AWSXrayWriteOnlyAccess managed policy's) and CloudWatch Logs writes on one group. */
export function adotStatements(logGroupArn: string): Statement[] {
    return [
        {
            Effect: "Allow", Resource: "*",
            Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"],
        },
        { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [logGroupArn, `${logGroupArn}:*`] },
    ];
}

/**
 * The app's telemetry on EKS: cert-manager (the ADOT add-on's prerequisite, an EKS community
 * add-on) and the `adot` EKS add-on (the OpenTelemetry operator, AWS-supported), then one
 * OpenTelemetryCollector in the app namespace: OTLP/gRPC in; traces to X-Ray (`awsxray`), logs to
 * CloudWatch Logs (`awscloudwatchlogs`), metrics on a Prometheus endpoint the cluster's AMP scraper
 * collects. Its ServiceAccount has a Pod Identity role with exactly those writes.
 */
export class AdotCollector extends pulumi.ComponentResource {
    /** The app's OTEL_EXPORTER_OTLP_ENDPOINT. */
    readonly endpoint: string;

    constructor(name: string, args: AdotCollectorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:aws:AdotCollector", name, {}, opts);
        const n = (child: string) => `${name}-${child}`;
        const p = { parent: this };
        const k = { parent: this, provider: args.k8sProvider };
        const addon = (addonName: string, dependsOn: pulumi.Resource[]) => new aws.eks.Addon(n(addonName), {
            clusterName: args.clusterName, addonName, addonVersion: addonVersionFor(addonName, args.kubernetesVersion, p),
            resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "PRESERVE", tags: args.tags,
        }, { parent: this, dependsOn });
        // The ADOT add-on needs cert-manager in the cluster first (AWS Distro for OpenTelemetry, "ADOT EKS add-on: Requirements").
        const certManager = addon("cert-manager", []);
        const adot = addon("adot", [certManager]);

        const logGroup = new aws.cloudwatch.LogGroup(n("logs"), { name: args.logGroupName, retentionInDays: args.logRetentionDays, tags: args.tags }, p);
        const identity = new PodIdentity(n("identity"), {
            clusterName: args.clusterName, namespace: args.namespaceName, serviceAccount: ADOT_SERVICE_ACCOUNT,
            statements: logGroup.arn.apply(adotStatements), tags: args.tags,
        }, p);
        const serviceAccount = new k8s.core.v1.ServiceAccount(n("service-account"), {
            metadata: { name: ADOT_SERVICE_ACCOUNT, namespace: args.namespace },
        }, k);

        const config = collectorConfig({
            exporters: {
                awsxray: { region: args.region },
                awscloudwatchlogs: { region: args.region, log_group_name: args.logGroupName, log_stream_name: "otlp" },
            },
            traces: ["awsxray"],
            logs: ["awscloudwatchlogs"],
        });
        new k8s.apiextensions.CustomResource(n("collector"), {
            // The operator's v1alpha1 schema takes the configuration as a string (aws-otel.github.io collector configuration pages).
            apiVersion: "opentelemetry.io/v1alpha1",
            kind: "OpenTelemetryCollector",
            metadata: { name: ADOT_COLLECTOR_NAME, namespace: args.namespace },
            spec: {
                mode: "deployment",
                replicas: 2,
                serviceAccount: ADOT_SERVICE_ACCOUNT,
                config: stringify(config),
                // The operator exposes the receivers' ports; the Prometheus exporter's is declared here.
                ports: [{ name: "metrics", port: COLLECTOR_METRICS_PORT, targetPort: COLLECTOR_METRICS_PORT, protocol: "TCP" }],
            },
        }, { ...k, dependsOn: [adot, serviceAccount, identity.association] });
        this.endpoint = collectorEndpoint(args.namespaceName);
        this.registerOutputs({});
    }
}
