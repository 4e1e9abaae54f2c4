import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { KedaArgs } from "../kubernetes/keda";
import { PodIdentity } from "./eksAddons";
import type { Statement } from "./iam";

/**
 * KEDA's Helm chart (kedacore/charts; the chart version is the KEDA version). 2.20.2 matches the CRD
 * schemas pinned in tools/offline/schemas/keda-v2.20.2.json (kedacore/keda tag v2.20.2, 2026-07-31).
 * Check it with `helm search repo kedacore/keda` before `pulumi up`: it could not be verified offline.
 */
export const KEDA_CHART = { chart: "keda", version: "2.20.2", repo: "https://kedacore.github.io/charts" } as const;
/** Namespace and operator ServiceAccount of the release (the chart's default operator account name). */
export const KEDA_OPERATOR = { namespace: "keda", serviceAccount: "keda-operator" } as const;

/** Least privilege for the Prometheus scaler: query this one AMP workspace (AMP UG — IAM permissions, aps:QueryMetrics). */
export function ampQueryStatements(workspaceArn: string): Statement[] {
    return [{ Effect: "Allow", Action: ["aps:QueryMetrics"], Resource: workspaceArn }];
}

/** AMP's query base URL for KEDA: the workspace's Prometheus endpoint without its trailing slash (the scaler appends /api/v1/query). */
export function ampServerAddress(prometheusEndpoint: string): string {
    return prometheusEndpoint.replace(/\/+$/, "");
}

export interface EksKedaArgs {
    clusterName: pulumi.Input<string>;
    region: string;
    k8sProvider: k8s.Provider;
    /** The AMP workspace the scaler queries (the one the managed scraper writes to). */
    workspaceArn: pulumi.Input<string>;
    prometheusEndpoint: pulumi.Input<string>;
    tags: Record<string, string>;
}

/**
 * KEDA on EKS: the chart, and an EKS Pod Identity role for its operator allowed only to query the
 * AMP workspace. Triggers sign their queries with SigV4 from the operator's credentials: a
 * TriggerAuthentication with `podIdentity.provider: aws`, `identityOwner: keda` and no roleArn (the
 * default credential chain, i.e. the Pod Identity), and the trigger's `awsRegion`
 * (KEDA v2.20.2 pkg/scalers/prometheus_scaler.go, pkg/scalers/aws/aws_sigv4.go and aws_config_cache.go).
 */
export class EksKeda extends pulumi.ComponentResource {
    readonly keda: KedaArgs;
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: EksKedaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:aws:Keda", name, {}, opts);
        const identity = new PodIdentity(`${name}-operator`, {
            clusterName: args.clusterName, namespace: KEDA_OPERATOR.namespace, serviceAccount: KEDA_OPERATOR.serviceAccount,
            statements: pulumi.output(args.workspaceArn).apply(ampQueryStatements), tags: args.tags,
        }, { parent: this });
        this.release = new k8s.helm.v3.Release(`${name}-chart`, {
            name: KEDA_CHART.chart, chart: KEDA_CHART.chart, version: KEDA_CHART.version, repositoryOpts: { repo: KEDA_CHART.repo },
            namespace: KEDA_OPERATOR.namespace, createNamespace: true, atomic: true, waitForJobs: true, cleanupOnFail: true, maxHistory: 5,
            // No values: the chart's default operator ServiceAccount is keda-operator, the one the association binds.
        // The operator must start with its Pod Identity credentials: the association and its policy, propagated.
        }, { parent: this, provider: args.k8sProvider, dependsOn: [identity.ready] });
        this.keda = {
            source: { serverAddress: pulumi.output(args.prometheusEndpoint).apply(ampServerAddress), metadata: { awsRegion: args.region } },
            podIdentity: { provider: "aws", identityOwner: "keda" },
            dependsOn: [this.release],
        };
        this.registerOutputs({});
    }
}
