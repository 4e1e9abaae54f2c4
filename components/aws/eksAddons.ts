import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { IAM_PROPAGATION_SECONDS, managedPolicy, policyDocument, POD_IDENTITY_TRUST, Statement } from "./iam";
import { addonVersionFor } from "./eksCluster";
import { LBC_IAM_POLICY } from "./lbcIamPolicy";
import { propagationWait } from "../azure/propagationWait";

/**
 * A kubeconfig for the cluster that authenticates with `aws eks get-token` (the `aws` CLI must be on
 * the PATH of whoever runs `pulumi up`). No token lands in state, unlike `aws.eks.getClusterAuth`.
 */
export function eksKubeconfig(clusterName: pulumi.Input<string>, endpoint: pulumi.Input<string>, caData: pulumi.Input<string>, region: string): pulumi.Output<string> {
    return pulumi.all([clusterName, endpoint, caData]).apply(([name, server, ca]) => JSON.stringify({
        apiVersion: "v1", kind: "Config",
        clusters: [{ name, cluster: { server, "certificate-authority-data": ca } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        users: [{ name, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", name, "--region", region], interactiveMode: "Never" } } }],
    }));
}

export interface PodIdentityArgs {
    clusterName: pulumi.Input<string>;
    namespace: string;
    serviceAccount: string;
    /** Inline policy statements (least privilege), and/or AWS-managed policy names. */
    statements?: pulumi.Input<Statement[]>;
    managedPolicies?: string[];
    tags: Record<string, string>;
}

/**
 * An IAM role trusted by EKS Pod Identity and bound to one ServiceAccount (EKS UG — Pod Identity).
 * Pods get working credentials once the association and the role's policies have propagated: they
 * start after `ready`, a wait of IAM_PROPAGATION_SECONDS that follows both.
 */
export class PodIdentity extends pulumi.ComponentResource {
    readonly roleArn: pulumi.Output<string>;
    readonly association: aws.eks.PodIdentityAssociation;
    /** What the pods start after: the association and the policies, propagated. */
    readonly ready: pulumi.Resource;

    constructor(name: string, args: PodIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:aws:PodIdentity", name, {}, opts);
        /** Child names carry the component's: a URN names the parent's type, not its name. */
        const n = (child: string) => `${name}-${child}`;
        const p = { parent: this };
        const role = new aws.iam.Role(n("role"), { assumeRolePolicy: POD_IDENTITY_TRUST, tags: args.tags }, p);
        const grants: pulumi.Resource[] = [];
        if (args.statements) {
            grants.push(new aws.iam.RolePolicy(n("policy"), { role: role.id, policy: pulumi.output(args.statements).apply((s) => policyDocument(s as Statement[])) }, p));
        }
        for (const policy of args.managedPolicies ?? []) {
            grants.push(new aws.iam.RolePolicyAttachment(policy.replace(/[^A-Za-z0-9]/g, "-"), { role: role.name, policyArn: managedPolicy(policy) }, p));
        }
        this.roleArn = role.arn;
        this.association = new aws.eks.PodIdentityAssociation(n("association"), {
            clusterName: args.clusterName, namespace: args.namespace, serviceAccount: args.serviceAccount, roleArn: role.arn, tags: args.tags,
        }, { parent: this, dependsOn: grants });
        this.ready = propagationWait(n("propagation"), { grants: [this.association, ...grants as pulumi.CustomResource[]], seconds: IAM_PROPAGATION_SECONDS }, p);
        this.registerOutputs({ roleArn: this.roleArn });
    }
}

/**
 * Chart pins, each compared with what its project publishes for that version (read at the tag;
 * recorded in tools/offline/upstreamCharts.json, which the offline plan checks every release
 * against). LBC chart 1.14.1 ships controller v2.14.1, whose IAM policy is in lbcIamPolicy.ts.
 * Cluster Autoscaler's minor must match the cluster's Kubernetes minor (kubernetes/autoscaler
 * README: "We recommend using Cluster Autoscaler with the Kubernetes control plane version for
 * which it was meant"): one chart per EKS version this program offers (lib/awsCatalog.ts).
 */
export const CHARTS = {
    loadBalancerController: { chart: "aws-load-balancer-controller", version: LBC_IAM_POLICY.source.chartVersion, repo: "https://aws.github.io/eks-charts" },
} as const;

/** Cluster Autoscaler chart versions by the cluster's Kubernetes minor: 9.53.0 ships CA 1.34.2, 9.59.0 ships CA 1.35.0 (Chart.yaml appVersion at each chart tag). */
export const CLUSTER_AUTOSCALER = {
    chart: "cluster-autoscaler",
    repo: "https://kubernetes.github.io/autoscaler",
    versions: { "1.34": "9.53.0", "1.35": "9.59.0" } as Readonly<Record<string, string>>,
} as const;

/**
 * The Cluster Autoscaler chart for a Kubernetes version: the one pinned for its minor. When EKS has
 * moved the control plane to a minor nothing is pinned for yet (its own upgrade at the end of standard
 * support), the newest chart below it, with `behind` set: the deploy goes on and the offline plan's
 * upstream check reports the mismatch until the minor's chart is added. Below every pin is an error.
 */
export function clusterAutoscalerChart(kubernetesVersion: string): { version: string; behind?: string } {
    const minor = /^(\d+\.\d+)/.exec(kubernetesVersion)?.[1] ?? kubernetesVersion;
    const pinned = CLUSTER_AUTOSCALER.versions[minor];
    if (pinned) return { version: pinned };
    const below = Object.keys(CLUSTER_AUTOSCALER.versions).filter((m) => compareMinors(m, minor) < 0).sort(compareMinors).pop();
    const hint = `add the chart whose appVersion is ${minor}.x to CLUSTER_AUTOSCALER (components/aws/eksAddons.ts) and record it in tools/offline/upstreamCharts.json`;
    if (!below) throw new Error(`no Cluster Autoscaler chart is pinned for Kubernetes ${minor} or below: ${hint}`);
    return { version: CLUSTER_AUTOSCALER.versions[below], behind: `Cluster Autoscaler stays on the chart for ${below} on this Kubernetes ${minor} cluster: ${hint}` };
}

const compareMinors = (a: string, b: string) => {
    const [am, an] = a.split(".").map(Number);
    const [bm, bn] = b.split(".").map(Number);
    return am - bm || an - bn;
};

/** Cluster Autoscaler: read the groups, and resize or shrink only this cluster's node groups (EKS Best Practices — Cluster Autoscaler). */
export function clusterAutoscalerStatements(clusterName: string): Statement[] {
    return [
        {
            Effect: "Allow", Resource: "*",
            Action: ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities",
                "autoscaling:DescribeTags", "ec2:DescribeImages", "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplateVersions", "ec2:GetInstanceTypesFromInstanceRequirements", "eks:DescribeNodegroup"],
        },
        {
            Effect: "Allow", Resource: "*", Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            // Managed node groups tag their ASGs k8s.io/cluster-autoscaler/<cluster> = owned (EKS UG — Managed node groups).
            Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
        },
    ];
}

export interface ClusterAddonsArgs {
    clusterName: string;
    /** The cluster's Kubernetes version (EksCluster.cluster.version): add-ons and the Cluster Autoscaler's minor follow it. */
    kubernetesVersion: pulumi.Input<string>;
    region: string;
    vpcId: pulumi.Input<string>;
    k8sProvider: k8s.Provider;
    tags: Record<string, string>;
}

/**
 * Helm releases the platform runs on the cluster, each with its own Pod Identity role: the AWS Load
 * Balancer Controller (the web ALB) and the Cluster Autoscaler (node groups); and Container
 * Insights (`amazon-cloudwatch-observability` add-on).
 */
export class ClusterAddons extends pulumi.ComponentResource {
    readonly loadBalancerController: k8s.helm.v3.Release;

    constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:aws:ClusterAddons", name, {}, opts);
        /** Child names carry the component's: a URN names the parent's type, not its name. */
        const n = (child: string) => `${name}-${child}`;
        const p = { parent: this };
        const k = { parent: this, provider: args.k8sProvider };
        const identity = (id: string, namespace: string, serviceAccount: string, extra: Partial<PodIdentityArgs>) =>
            new PodIdentity(id, { clusterName: args.clusterName, namespace, serviceAccount, tags: args.tags, ...extra }, p);
        const release = (id: string, chart: { chart: string; version: pulumi.Input<string>; repo: string }, values: Record<string, unknown>, dependsOn: pulumi.Resource[]) =>
            new k8s.helm.v3.Release(id, {
                name: chart.chart, chart: chart.chart, version: chart.version, repositoryOpts: { repo: chart.repo },
                // waitForJobs with the provider's await: the release is ready once its pods and jobs are, and what its
                // webhooks intercept is created after it (tools/offline/admissionOrder.ts).
                namespace: "kube-system", values, atomic: true, waitForJobs: true, cleanupOnFail: true, maxHistory: 5,
            }, { ...k, dependsOn });

        const lbc = identity("load-balancer-controller", "kube-system", "aws-load-balancer-controller", { statements: LBC_IAM_POLICY.statements });
        this.loadBalancerController = release("aws-load-balancer-controller", CHARTS.loadBalancerController, {
            clusterName: args.clusterName, region: args.region, vpcId: args.vpcId,
            serviceAccount: { create: true, name: "aws-load-balancer-controller" },
            replicaCount: 2,
            // Its Service webhook (mservice.elbv2.k8s.aws, failurePolicy Fail on every Service) only makes the controller
            // the default for `type: LoadBalancer` Services, which this stack has none of; on, it refuses every Service
            // created before the controller is ready (chart v2.14.1 values.yaml; kubernetes-sigs/aws-load-balancer-controller#4140).
            enableServiceMutatorWebhook: false,
        }, [lbc.ready]);

        const ca = identity("cluster-autoscaler", "kube-system", "cluster-autoscaler", { statements: clusterAutoscalerStatements(args.clusterName) });
        // The cluster's live minor picks the chart: after EKS upgrades the control plane itself, the next `up` moves the autoscaler too.
        const autoscalerVersion = pulumi.output(args.kubernetesVersion).apply((version) => {
            const chart = clusterAutoscalerChart(version);
            if (chart.behind) pulumi.log.warn(chart.behind, this);
            return chart.version;
        });
        release("cluster-autoscaler", { chart: CLUSTER_AUTOSCALER.chart, repo: CLUSTER_AUTOSCALER.repo, version: autoscalerVersion }, {
            autoDiscovery: { clusterName: args.clusterName },
            awsRegion: args.region,
            rbac: { serviceAccount: { create: true, name: "cluster-autoscaler" } },
            extraArgs: { "balance-similar-node-groups": true, "skip-nodes-with-system-pods": false, expander: "least-waste" },
        }, [ca.ready]);

        // Container Insights: the CloudWatch agent and Fluent Bit, granted through Pod Identity.
        const insights = new aws.iam.Role(n("container-insights"), { assumeRolePolicy: POD_IDENTITY_TRUST, tags: args.tags }, p);
        const insightsPolicies = ["CloudWatchAgentServerPolicy", "AWSXrayWriteOnlyAccess"].map((policy) =>
            new aws.iam.RolePolicyAttachment(n(`container-insights-${policy}`), { role: insights.name, policyArn: managedPolicy(policy) }, p));
        // The add-on's agents start with the role's credentials: after its policies have propagated.
        const insightsReady = propagationWait(n("container-insights-propagation"), { grants: insightsPolicies, seconds: IAM_PROPAGATION_SECONDS }, p);
        new aws.eks.Addon(n("amazon-cloudwatch-observability"), {
            clusterName: args.clusterName, addonName: "amazon-cloudwatch-observability",
            addonVersion: addonVersionFor("amazon-cloudwatch-observability", args.kubernetesVersion, p),
            podIdentityAssociations: [{ roleArn: insights.arn, serviceAccount: "cloudwatch-agent" }],
            resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "PRESERVE", tags: args.tags,
        }, { parent: this, dependsOn: [...insightsPolicies, insightsReady] });
        this.registerOutputs({});
    }
}
