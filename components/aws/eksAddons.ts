import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { IAM_PROPAGATION_SECONDS, managedPolicy, policyDocument, POD_IDENTITY_TRUST, Statement } from "./iam";
import { addonVersionFor } from "./eksCluster";
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
 * Chart pins. LBC chart 1.14.1 ships controller v2.14.1, the release the EKS UG installs
 * (EKS UG — Install AWS Load Balancer Controller with Helm); Cluster Autoscaler's minor must match
 * the cluster's Kubernetes minor (kubernetes/autoscaler README). Check both against
 * `helm search repo` before `pulumi up` — they could not be verified offline.
 */
export const CHARTS = {
    loadBalancerController: { chart: "aws-load-balancer-controller", version: "1.14.1", repo: "https://aws.github.io/eks-charts" },
    clusterAutoscaler: { chart: "cluster-autoscaler", version: "9.52.1", repo: "https://kubernetes.github.io/autoscaler" },
} as const;

/**
 * The AWS Load Balancer Controller's permissions, scoped the way its published policy scopes them:
 * read-only EC2/ELB/ACM/WAF lookups, and writes only on load balancers and security groups it
 * tags as its own (`elbv2.k8s.aws/cluster`).
 */
export function loadBalancerControllerStatements(): Statement[] {
    const ownedByController = { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } };
    return [
        { Effect: "Allow", Action: "iam:CreateServiceLinkedRole", Resource: "*", Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } } },
        {
            Effect: "Allow", Resource: "*",
            Action: ["ec2:Describe*", "ec2:GetCoipPoolUsage", "ec2:GetSecurityGroupsForVpc", "elasticloadbalancing:Describe*",
                "acm:ListCertificates", "acm:DescribeCertificate", "wafv2:GetWebACL", "wafv2:GetWebACLForResource", "shield:GetSubscriptionState", "shield:DescribeProtection"],
        },
        { Effect: "Allow", Action: ["ec2:CreateSecurityGroup"], Resource: "*" },
        { Effect: "Allow", Action: ["ec2:CreateTags"], Resource: "arn:aws:ec2:*:*:security-group/*", Condition: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" } } },
        { Effect: "Allow", Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup", "ec2:CreateTags", "ec2:DeleteTags"], Resource: "*", Condition: ownedByController },
        { Effect: "Allow", Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"], Resource: "*" },
        { Effect: "Allow", Action: ["elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener", "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule", "elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyRule", "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates"], Resource: "*" },
        {
            Effect: "Allow", Resource: "*", Condition: ownedByController,
            Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags", "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
                "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets", "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets",
                "elasticloadbalancing:SetWebAcl", "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL"],
        },
        // Tags on create: the controller tags what it creates so the conditions above recognise it.
        { Effect: "Allow", Action: ["elasticloadbalancing:AddTags"], Resource: "*", Condition: { StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"] } } },
    ];
}

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
    /** The cluster's Kubernetes version (EksCluster.cluster.version): add-ons follow it. */
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
        const release = (id: string, chart: { chart: string; version: string; repo: string }, values: Record<string, unknown>, dependsOn: pulumi.Resource[]) =>
            new k8s.helm.v3.Release(id, {
                name: chart.chart, chart: chart.chart, version: chart.version, repositoryOpts: { repo: chart.repo },
                // waitForJobs with the provider's await: the release is ready once its pods and jobs are, and what its
                // webhooks intercept is created after it (tools/offline/admissionOrder.ts).
                namespace: "kube-system", values, atomic: true, waitForJobs: true, cleanupOnFail: true, maxHistory: 5,
            }, { ...k, dependsOn });

        const lbc = identity("load-balancer-controller", "kube-system", "aws-load-balancer-controller", { statements: loadBalancerControllerStatements() });
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
        release("cluster-autoscaler", CHARTS.clusterAutoscaler, {
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
