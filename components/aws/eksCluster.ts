import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { IAM_PROPAGATION_SECONDS, managedPolicy, serviceTrustPolicy } from "./iam";
import { propagationWait } from "../azure/propagationWait";

export interface NodeGroupSpec {
    instanceTypes: string[];
    minSize: number;
    maxSize: number;
}

export interface EksClusterArgs {
    name: string;
    version: string;
    privateSubnetIds: pulumi.Input<string>[];
    /** CIDRs allowed on the public endpoint; empty keeps the endpoint private (FSBP EKS.1). */
    publicAccessCidrs: string[];
    /** IAM roles granted cluster admin through access entries (the deployer among them). */
    adminRoleArns: string[];
    systemNodeGroup: NodeGroupSpec;
    appNodeGroup: NodeGroupSpec;
    spotNodeGroup?: NodeGroupSpec;
    logRetentionDays: number;
    /** Production: deletion protection and zonal shift. */
    production: boolean;
    tags: Record<string, string>;
}

/** Every control-plane log type (EKS UG — Send control plane logs to CloudWatch Logs). */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
/** The spot group's label and taint: only pods that tolerate it (spot-tolerant services) land there. */
export const EKS_SPOT_LABEL = { key: "bookstore.io/capacity", value: "spot" } as const;
export const EKS_SPOT_TAINT = { key: "bookstore.io/spot", value: "true", effect: "NO_SCHEDULE", kubernetesEffect: "NoSchedule" } as const;
/** Graviton nodes on Amazon Linux 2023; one architecture per group (Cluster Autoscaler assumes one shape per group). */
export const NODE_AMI_TYPE = "AL2023_ARM_64_STANDARD";
const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

const minor = (version: string) => Number(version.split(".")[1] ?? NaN);

/**
 * The Kubernetes version to send: the configured one, or the cluster's own when EKS has moved it
 * past the pin. Under `upgradePolicy: STANDARD` EKS upgrades the control plane itself at the end of
 * standard support (EKS UG, "Understand the Kubernetes version lifecycle on EKS"), and a control
 * plane cannot be downgraded, so sending the old pin would fail every later update.
 */
export function kubernetesVersionToSend(configured: string, live: string | undefined): string {
    return live !== undefined && minor(live) > minor(configured) ? live : configured;
}

/** The cluster's version as EKS reports it, when the cluster exists (undefined on a first deploy or any failure). */
export function liveClusterVersion(name: string, opts: pulumi.InvokeOptions): pulumi.Output<string | undefined> {
    return pulumi.output(aws.eks.getCluster({ name }, opts).then((c) => c.version, () => undefined));
}

/**
 * An EKS add-on's default version for the cluster's Kubernetes version (DescribeAddonVersions'
 * `defaultVersion`; `mostRecent: false`): pinned, so a Kubernetes upgrade moves the add-ons with it
 * and nothing moves between upgrades (EKS never upgrades an add-on itself).
 */
export function addonVersionFor(addonName: string, kubernetesVersion: pulumi.Input<string>, opts: pulumi.InvokeOutputOptions): pulumi.Output<string> {
    return aws.eks.getAddonVersionOutput({ addonName, kubernetesVersion, mostRecent: false }, opts).version;
}

/**
 * An EKS cluster from plain `aws.eks` resources: API authentication with access entries (no
 * aws-auth ConfigMap), secrets encrypted with a KMS key, every control-plane log type, a private
 * endpoint, the self-managed add-ons replaced by EKS add-ons, and managed node groups (system,
 * app, optional spot) whose desired size belongs to the Cluster Autoscaler.
 */
export class EksCluster extends pulumi.ComponentResource {
    readonly cluster: aws.eks.Cluster;
    readonly name: pulumi.Output<string>;
    readonly clusterSecurityGroupId: pulumi.Output<string>;
    /** What Kubernetes resources wait for: admin access entries, node groups and the base add-ons. */
    readonly ready: pulumi.Resource[] = [];
    readonly nodeGroups: aws.eks.NodeGroup[] = [];
    /** The Kubernetes version sent: the pin, or the cluster's own once EKS upgraded it past the pin. */
    readonly kubernetesVersion: pulumi.Output<string>;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:aws:EksCluster", name, {}, opts);
        /** Child names carry the component's: a URN names the parent's type, not its name. */
        const n = (child: string) => `${name}-${child}`;
        const p = { parent: this };
        const role = new aws.iam.Role(n("cluster"), { assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]), tags: args.tags }, p);
        const rolePolicy = new aws.iam.RolePolicyAttachment(n("cluster"), { role: role.name, policyArn: managedPolicy("AmazonEKSClusterPolicy") }, p);
        const key = new aws.kms.Key(n("secrets"), { description: `${args.name} Kubernetes secrets envelope encryption`, enableKeyRotation: true, deletionWindowInDays: 30, tags: args.tags }, p);
        // Created first so EKS writes into a group with a retention (it would create one without).
        const logGroup = new aws.cloudwatch.LogGroup(n("control-plane"), { name: `/aws/eks/${args.name}/cluster`, retentionInDays: args.logRetentionDays, tags: args.tags }, p);

        // Node groups and add-ons follow the control plane's version (node version <= control plane; EKS UG, "Update a managed node group").
        const live = liveClusterVersion(args.name, p);
        this.kubernetesVersion = live.apply((v) => {
            const version = kubernetesVersionToSend(args.version, v);
            if (version !== args.version) pulumi.log.warn(`EKS moved ${args.name} to Kubernetes ${version} (end of standard support); aws.eks.version pins ${args.version}: raise it`, this);
            return version;
        });
        this.cluster = new aws.eks.Cluster(n("cluster"), {
            name: args.name,
            version: this.kubernetesVersion,
            roleArn: role.arn,
            // Access entries only; the creator gets no implicit admin (an explicit entry per admin role below).
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
            encryptionConfig: { resources: ["secrets"], provider: { keyArn: key.arn } },
            enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
            vpcConfig: {
                subnetIds: args.privateSubnetIds,
                endpointPrivateAccess: true,
                endpointPublicAccess: args.publicAccessCidrs.length > 0,
                ...(args.publicAccessCidrs.length > 0 ? { publicAccessCidrs: args.publicAccessCidrs } : {}),
            },
            // vpc-cni, kube-proxy and coredns come as versioned EKS add-ons instead (create-only setting).
            bootstrapSelfManagedAddons: false,
            kubernetesNetworkConfig: { ipFamily: "ipv4", serviceIpv4Cidr: "172.20.0.0/16" },
            // Standard support only: EXTENDED silently keeps an old version on paid extended support.
            upgradePolicy: { supportType: "STANDARD" },
            deletionProtection: args.production,
            zonalShiftConfig: { enabled: args.production },
            tags: args.tags,
        }, { parent: this, dependsOn: [rolePolicy, logGroup] });
        this.name = this.cluster.name;
        this.clusterSecurityGroupId = this.cluster.vpcConfig.apply((v) => v.clusterSecurityGroupId);

        const adminAccess = args.adminRoleArns.flatMap((principalArn, i) => {
            const entry = new aws.eks.AccessEntry(n(`admin-${i + 1}`), { clusterName: this.cluster.name, principalArn, type: "STANDARD", tags: args.tags }, p);
            return [entry, new aws.eks.AccessPolicyAssociation(n(`admin-${i + 1}`), {
                clusterName: this.cluster.name, principalArn, policyArn: CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" },
            }, { parent: this, dependsOn: [entry] })];
        });
        // The Kubernetes provider uses these grants for every object: they are waited for like IAM (components/aws/iam.ts).
        this.ready.push(...adminAccess, propagationWait(n("admin-access-propagation"), { grants: adminAccess, seconds: IAM_PROPAGATION_SECONDS }, p));

        // Networking add-ons must run before nodes can become Ready.
        const addon = (addonName: string, o: pulumi.CustomResourceOptions = {}) => new aws.eks.Addon(addonName, {
            clusterName: this.cluster.name, addonName, addonVersion: addonVersionFor(addonName, this.cluster.version, p),
            resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "PRESERVE", tags: args.tags,
        }, { parent: this, ...o });
        const beforeNodes = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"].map((a) => addon(a));

        const nodeRole = new aws.iam.Role(n("nodes"), { assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"), tags: args.tags }, p);
        const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"].map((policy) =>
            new aws.iam.RolePolicyAttachment(n(`nodes-${policy}`), { role: nodeRole.name, policyArn: managedPolicy(policy) }, p));
        // Nodes join and kubelets pull images with these policies: the groups start once they have propagated.
        const nodePoliciesReady = propagationWait(n("nodes-propagation"), { grants: nodePolicies, seconds: IAM_PROPAGATION_SECONDS }, p);
        const group = (groupName: string, spec: NodeGroupSpec, extra: Partial<aws.eks.NodeGroupArgs>) => {
            const nodeGroup = new aws.eks.NodeGroup(groupName, {
                clusterName: this.cluster.name,
                // A prefix, not a name: instance types, capacity type, AMI type and subnets are ForceNew
                // (terraform-provider-aws internal/service/eks/node_group.go), and a replacement group is
                // created before the old one drains; a fixed name would collide (ResourceInUseException).
                nodeGroupNamePrefix: `${args.name}-${groupName}-`,
                version: this.cluster.version,
                nodeRoleArn: nodeRole.arn,
                subnetIds: args.privateSubnetIds,
                amiType: NODE_AMI_TYPE,
                capacityType: "ON_DEMAND",
                instanceTypes: spec.instanceTypes,
                // desiredSize starts at the minimum; the Cluster Autoscaler owns it afterwards.
                scalingConfig: { minSize: spec.minSize, maxSize: spec.maxSize, desiredSize: Math.max(spec.minSize, 1) },
                updateConfig: { maxUnavailablePercentage: 33 },
                nodeRepairConfig: { enabled: true },
                ...extra,
                labels: { "bookstore.io/pool": groupName, ...(extra.labels as Record<string, string> | undefined) },
                tags: args.tags,
            }, { parent: this, dependsOn: [...nodePolicies, nodePoliciesReady, ...beforeNodes], ignoreChanges: ["scalingConfig.desiredSize"] });
            this.nodeGroups.push(nodeGroup);
            return nodeGroup;
        };
        group("system", args.systemNodeGroup, {});
        group("app", args.appNodeGroup, {});
        if (args.spotNodeGroup) {
            group("spot", args.spotNodeGroup, {
                capacityType: "SPOT",
                labels: { [EKS_SPOT_LABEL.key]: EKS_SPOT_LABEL.value },
                taints: [{ key: EKS_SPOT_TAINT.key, value: EKS_SPOT_TAINT.value, effect: EKS_SPOT_TAINT.effect }],
            });
        }
        // These need schedulable nodes to become ACTIVE.
        // metrics-server feeds the HPAs; kube-state-metrics feeds the Prometheus alert rules (both EKS community add-ons).
        const afterNodes = ["coredns", "metrics-server", "kube-state-metrics"].map((a) => addon(a, { dependsOn: this.nodeGroups }));
        this.ready.push(...this.nodeGroups, ...beforeNodes, ...afterNodes);
        this.registerOutputs({ name: this.name, endpoint: this.cluster.endpoint });
    }
}
