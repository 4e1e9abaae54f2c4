/**
 * What each AWS resource of a plan is billed for, in AWS Price List terms (service code, region,
 * product family, usage type, attributes, unit): billed items at the stack's minimum and maximum
 * scale, usage-based items (not estimated, with their unit), or what a free resource is part of.
 * The product attributes are those of the Price List offer files (AWS Billing UG — "Reading the
 * price list files"); `locationType: "AWS Region"` keeps out the Local Zone and Outposts products a
 * region's file also lists. Quantities only, prices come from prices.aws.json.
 */
import { EKS_VERSIONS } from "../../lib/awsCatalog";
import { AwsMeter, billed, Billing, BillableResource, CostItem, HOURS_PER_MONTH, Inputs, usage } from "./billing";

type Model = (inputs: Inputs, all: BillableResource[], self: BillableResource) => Billing | undefined;

interface Product {
    productFamily?: string;
    usageType?: string;
    attributes?: Record<string, string>;
    notInPriceList?: string;
}

const meter = (key: string, serviceCode: string, regionCode: string, unit: string, product: Product): AwsMeter =>
    ({ key: `${key}/${regionCode}`, cloud: "aws", serviceCode, regionCode, ...product, unit });

/** The resource's region: its own `region` input, else its provider's (`aws.Provider` region). */
export function awsRegionOf(resource: BillableResource, all: BillableResource[]): string {
    const own = (resource.inputs as Inputs | undefined)?.region;
    if (typeof own === "string" && own) return own;
    const ref = resource.provider ?? "";
    // A provider reference is the provider's URN, optionally followed by "::<id>".
    const provider = all.find((r) => r.urn && (ref === r.urn || ref.startsWith(`${r.urn}::`)));
    const region = (provider?.inputs as Inputs | undefined)?.region;
    return typeof region === "string" && region ? region : "unknown-region";
}

/**
 * The cluster fee, and the extended-support fee once the version is past standard support (dates
 * in lib/awsCatalog.ts). With upgradePolicy.supportType STANDARD, EKS upgrades the cluster when
 * standard support ends instead, so it never pays extended support; EXTENDED is the API default.
 */
export function eksCluster(i: Inputs, region: string, today: string): CostItem[] {
    const items: CostItem[] = [billed("cluster (standard support)", meter("eks-cluster", "AmazonEKS", region, "Hrs", { productFamily: "Compute", usageType: "AmazonEKS-Hours:perCluster" }), HOURS_PER_MONTH)];
    if (i.upgradePolicy?.supportType === "STANDARD") return items;
    const version = String(i.version ?? "(default)");
    const ends = EKS_VERSIONS[version]?.standardSupportEnds;
    if (ends && ends <= today) {
        items.push(billed(`extended support (Kubernetes ${version}, standard support ended ${ends})`, meter("eks-extended-support", "AmazonEKS", region, "Hrs", { productFamily: "Compute", usageType: "AmazonEKS-Hours:extendedSupport" }), HOURS_PER_MONTH));
    } else {
        items.push(usage(`extended support from ${ends ?? "an unknown date"} (Kubernetes ${version}; upgradePolicy.supportType is not STANDARD)`, "cluster-Hrs"));
    }
    return items;
}

const SPOT_NOTE = "Spot prices are not in the AWS Price List: they follow supply and demand (EC2 Spot price history)";

/** EC2 On-Demand (or Spot) instance-hours of a managed node group's nodes, and their root volumes. */
function nodeGroup(i: Inputs, region: string): CostItem[] {
    // EKS API CreateNodegroup: instanceTypes defaults to t3.medium; diskSize to 20 GiB (Linux, Bottlerocket), 50 GiB (Windows).
    const types: string[] = i.instanceTypes?.length ? i.instanceTypes : ["t3.medium"];
    const type = types[0];
    const spot = i.capacityType === "SPOT";
    const os = /WINDOWS/.test(String(i.amiType ?? "")) ? "Windows" : "Linux";
    const min = Number(i.scalingConfig?.minSize ?? 0);
    const max = Number(i.scalingConfig?.maxSize ?? min);
    // On-Demand capacity takes the listed types in order (prioritized); Spot any of them (capacity-optimized).
    const which = types.length > 1 ? (spot ? ` (any of ${types.join(", ")})` : ` (first of ${types.join(", ")})`) : "";
    const instance = spot
        ? meter(`ec2-spot/${type}`, "AmazonEC2", region, "Hrs", { productFamily: "Compute Instance", attributes: { instanceType: type }, notInPriceList: SPOT_NOTE })
        : meter(`ec2/${os.toLowerCase()}/${type}`, "AmazonEC2", region, "Hrs", {
            productFamily: "Compute Instance",
            attributes: { instanceType: type, operatingSystem: os, tenancy: "Shared", preInstalledSw: "NA", capacitystatus: "Used", licenseModel: "No License required", locationType: "AWS Region" },
        });
    const items: CostItem[] = [billed(`${type}${spot ? " Spot" : ""}${which} × ${min}-${max} nodes`, instance, min * HOURS_PER_MONTH, max * HOURS_PER_MONTH)];
    if (!i.launchTemplate) {
        // Without a launch template each node has one root volume of diskSize GiB. Its type is not in the
        // API reference: gp2 here, as in the launch template EKS creates (and infracost's model); verify on a live node.
        const disk = Number(i.diskSize ?? (os === "Windows" ? 50 : 20));
        items.push(billed(`root volume ${disk} GiB gp2 × ${min}-${max} nodes`, meter("ebs/gp2", "AmazonEC2", region, "GB-Mo", { productFamily: "Storage", attributes: { volumeApiName: "gp2", locationType: "AWS Region" } }), disk * min, disk * max));
    }
    if (/^t\d/.test(type)) items.push(usage("CPU credits beyond the baseline (unlimited mode)", "vCPU-Hour"));
    return items;
}

const RDS_ENGINES: Record<string, string> = { postgres: "PostgreSQL", mysql: "MySQL", mariadb: "MariaDB" };
const RDS_VOLUMES: Record<string, string> = { gp2: "General Purpose", gp3: "General Purpose-GP3", io1: "Provisioned IOPS", standard: "Magnetic" };

/** An RDS instance (a read replica takes engine, storage type and size from its source). */
function rdsInstance(i: Inputs, all: BillableResource[], region: string): CostItem[] {
    const sourceId = String(i.replicateSourceDb ?? "").replace(/^arn:.*:db:/, "");
    const source = sourceId ? (all.find((r) => r.type === "aws:rds/instance:Instance" && (r.inputs as Inputs)?.identifier === sourceId)?.inputs as Inputs | undefined) : undefined;
    const engine = String(i.engine ?? source?.engine ?? "unknown");
    const databaseEngine = RDS_ENGINES[engine] ?? engine;
    const deploymentOption = i.multiAz ? "Multi-AZ" : "Single-AZ";
    const instanceClass = String(i.instanceClass ?? "unknown");
    const storageType = String(i.storageType ?? source?.storageType ?? (i.iops ? "io1" : "gp2"));
    const storage = Number(i.allocatedStorage ?? source?.allocatedStorage ?? 0);
    const multi = deploymentOption === "Multi-AZ";
    const items: CostItem[] = [
        billed(`${instanceClass} ${databaseEngine} ${deploymentOption}${sourceId ? " read replica" : ""}`,
            meter(`rds/${engine}/${instanceClass}/${deploymentOption}`, "AmazonRDS", region, "Hrs", { productFamily: "Database Instance", attributes: { instanceType: instanceClass, databaseEngine, deploymentOption, locationType: "AWS Region" } }), HOURS_PER_MONTH),
        billed(`storage ${storage} GB ${storageType} ${deploymentOption}`,
            meter(`rds-storage/${storageType}/${deploymentOption}`, "AmazonRDS", region, "GB-Mo", {
                productFamily: "Database Storage",
                ...(storageType === "gp3" ? { usageType: multi ? "RDS:Multi-AZ-GP3-Storage" : "RDS:GP3-Storage" } : {}),
                attributes: { volumeType: RDS_VOLUMES[storageType] ?? storageType, deploymentOption, databaseEngine: "Any", locationType: "AWS Region" },
            }), storage),
    ];
    // io1 bills every provisioned IOPS; gp3 only those above the baseline (3,000 below 400 GiB, 12,000 from 400 GiB; RDS UG — gp3 storage).
    const iops = Number(i.iops ?? 0);
    const billedIops = storageType === "io1" ? iops : storageType === "gp3" ? Math.max(0, iops - (storage >= 400 ? 12000 : 3000)) : 0;
    if (billedIops > 0) {
        items.push(billed(`${billedIops} provisioned IOPS${storageType === "gp3" ? " above the gp3 baseline" : ""}`,
            meter(`rds-iops/${storageType}/${deploymentOption}`, "AmazonRDS", region, "IOPS-Mo", {
                productFamily: "Provisioned IOPS",
                ...(storageType === "gp3" ? { usageType: multi ? "RDS:Multi-AZ-GP3-PIOPS" : "RDS:GP3-PIOPS" } : {}),
                attributes: { deploymentOption, databaseEngine: "Any" },
            }), billedIops));
    }
    if (i.storageThroughput) items.push(usage("provisioned throughput above the gp3 baseline (no model)", "MiBps-Mo"));
    if (i.maxAllocatedStorage) items.push(usage(`storage autoscaling growth up to ${i.maxAllocatedStorage} GB`, "GB-Mo"));
    items.push(usage("backup storage beyond the provisioned size", "GB-Mo"));
    if (/^db\.t\d/.test(instanceClass)) items.push(usage("CPU credits beyond the baseline (unlimited mode)", "vCPU-Hour"));
    if (Number(i.monitoringInterval ?? 0) > 0) items.push(usage("Enhanced Monitoring logs (CloudWatch Logs ingestion)", "GB"));
    if (Number(i.performanceInsightsRetentionPeriod ?? 7) > 7) items.push(usage("Performance Insights retention beyond 7 days", "vCPU-Mo"));
    if (/^arn:aws:rds:/.test(String(i.replicateSourceDb ?? ""))) items.push(usage("cross-region replication data transfer", "GB"));
    return items;
}

const CACHE_ENGINES: Record<string, string> = { valkey: "Valkey", redis: "Redis", memcached: "Memcached" };

function replicationGroup(i: Inputs, region: string): CostItem[] {
    const engine = String(i.engine ?? "redis");
    const nodeType = String(i.nodeType ?? "unknown");
    const nodes = i.numNodeGroups ? Number(i.numNodeGroups) * (1 + Number(i.replicasPerNodeGroup ?? 0)) : Number(i.numCacheClusters ?? 1);
    return [
        billed(`${nodeType} × ${nodes} nodes${i.numNodeGroups ? ` (${i.numNodeGroups} shards × ${1 + Number(i.replicasPerNodeGroup ?? 0)})` : ""}`,
            meter(`elasticache/${engine}/${nodeType}`, "AmazonElastiCache", region, "Hrs", { productFamily: "Cache Instance", attributes: { instanceType: nodeType, cacheEngine: CACHE_ENGINES[engine] ?? engine, locationType: "AWS Region" } }),
            nodes * HOURS_PER_MONTH),
        usage("backup storage beyond the free snapshot", "GB-Mo"),
    ];
}

/** An Ingress of the AWS Load Balancer Controller (class `alb`) is one ALB per Ingress, or per `group.name`. */
function albIngress(i: Inputs, all: BillableResource[], self: BillableResource): Billing | undefined {
    const annotations: Inputs = i.metadata?.annotations ?? {};
    if (i.spec?.ingressClassName !== "alb" && annotations["kubernetes.io/ingress.class"] !== "alb") return undefined;
    const group = annotations["alb.ingress.kubernetes.io/group.name"];
    if (group) {
        const first = all.find((r) => r.type === self.type && (r.inputs as Inputs)?.metadata?.annotations?.["alb.ingress.kubernetes.io/group.name"] === group);
        if (first && first !== self) return { included: `the ALB of ingress group ${group} (${first.name})` };
    }
    const cluster = all.find((r) => r.type === "aws:eks/cluster:Cluster");
    const region = cluster ? awsRegionOf(cluster, all) : "unknown-region";
    const items: CostItem[] = [
        billed("application load balancer", meter("alb", "AWSELB", region, "Hrs", { productFamily: "Load Balancer-Application", usageType: "LoadBalancerUsage", attributes: { locationType: "AWS Region" } }), HOURS_PER_MONTH),
        usage("load balancer capacity units", "LCU-Hrs"),
    ];
    if (annotations["alb.ingress.kubernetes.io/scheme"] === "internet-facing") items.push(usage("public IPv4 addresses of the ALB's nodes (at least one per AZ; AWS scales them)", "IP-Hrs"));
    return { items };
}

const withRegion = (f: (i: Inputs, region: string) => CostItem[]): Model => (i, all, self) => ({ items: f(i, awsRegionOf(self, all)) });
const usageOnly = (...items: [string, string][]): Model => () => ({ items: items.map(([what, unit]) => usage(what, unit)) });

/** Billing of each AWS type the eks stacks create, by type token. */
export const AWS_MODELS: Record<string, Model> = {
    "aws:eks/cluster:Cluster": withRegion((i, region) => eksCluster(i, region, new Date().toISOString().slice(0, 10))),
    "aws:eks/nodeGroup:NodeGroup": withRegion(nodeGroup),
    "aws:eks/addon:Addon": (i) => (i.addonName === "amazon-cloudwatch-observability" ? { items: [usage("Container Insights metrics and logs (CloudWatch ingestion)", "GB")] } : { included: "the cluster's nodes (an AWS add-on runs as pods; no charge of its own)" }),
    "aws:rds/instance:Instance": (i, all, self) => ({ items: rdsInstance(i, all, awsRegionOf(self, all)) }),
    "aws:elasticache/replicationGroup:ReplicationGroup": withRegion(replicationGroup),
    "aws:ec2/natGateway:NatGateway": withRegion((_i, region) => [
        billed("NAT gateway", meter("nat-gateway", "AmazonEC2", region, "Hrs", { productFamily: "NAT Gateway", usageType: "NatGateway-Hours" }), HOURS_PER_MONTH),
        usage("data processed", "GB"),
    ]),
    // Every public IPv4 address is billed per hour since 2024-02-01, in use or idle (AWS News Blog, 2023-07-28: "New – AWS Public IPv4 Address Charge").
    "aws:ec2/eip:Eip": withRegion((_i, region) => [billed("public IPv4 address", meter("public-ipv4/in-use", "AmazonVPC", region, "Hrs", { usageType: "PublicIPv4:InUseAddress" }), HOURS_PER_MONTH)]),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (i, all, self) => {
        if ((i.vpcEndpointType ?? "Gateway") === "Gateway") return { included: "nothing: gateway endpoints (S3, DynamoDB) have no charge (Amazon VPC pricing)" };
        const azs = Math.max(1, (i.subnetIds ?? []).length);
        const region = awsRegionOf(self, all);
        return { items: [billed(`interface endpoint × ${azs} AZs`, meter("vpc-endpoint", "AmazonVPC", region, "Hrs", { usageType: "VpcEndpoint-Hours" }), azs * HOURS_PER_MONTH), usage("data processed", "GB")] };
    },
    "kubernetes:networking.k8s.io/v1:Ingress": albIngress,
    "aws:cloudwatch/metricAlarm:MetricAlarm": (i, all, self) => {
        const queries: Inputs[] = i.metricQueries ?? [];
        const metrics = queries.filter((q) => q.metric).length || 1;
        const periods = [i.period, ...queries.map((q) => q.metric?.period)].filter((p) => p !== undefined).map(Number);
        // A period under 60 s makes a high-resolution alarm, priced per metric like a standard one but higher.
        const type = periods.some((p) => p < 60) ? "High Resolution" : "Standard";
        return { items: [billed(`${type.toLowerCase()} alarm × ${metrics} metric${metrics > 1 ? "s" : ""}`, meter(`cloudwatch-alarm/${type === "Standard" ? "standard" : "high-resolution"}`, "AmazonCloudWatch", awsRegionOf(self, all), "Alarms", { productFamily: "Alarm", attributes: { alarmType: type } }), metrics)] };
    },
    "aws:cloudwatch/dashboard:Dashboard": withRegion((_i, region) => [billed("dashboard", meter("cloudwatch-dashboard", "AmazonCloudWatch", region, "Dashboards", { productFamily: "Dashboard", usageType: "DashboardsUsageHour" }), 1)]),
    "aws:cloudwatch/logGroup:LogGroup": (i) => ({ items: [usage("log ingestion", "GB"), usage(`log storage (${i.retentionInDays ?? "never expiring"} days)`, "GB-Mo")] }),
    "aws:ec2/flowLog:FlowLog": usageOnly(["flow log records (vended logs ingestion)", "GB"]),
    "aws:kms/key:Key": withRegion((i, region) => [
        billed("customer managed key", meter("kms-key", "awskms", region, "Keys", { productFamily: "Encryption Key", usageType: "KMS-Keys" }), 1),
        usage("API requests", "10K requests"),
        ...(i.enableKeyRotation ? [usage("key material versions added by automatic rotation", "key-Mo")] : []),
    ]),
    "aws:secretsmanager/secret:Secret": withRegion((_i, region) => [
        billed("secret", meter("secret", "AWSSecretsManager", region, "Secrets", { usageType: "AWSSecretsManager-Secrets" }), 1),
        usage("API calls", "10K API calls"),
    ]),
    "aws:sns/topic:Topic": usageOnly(["publishes and deliveries", "1M requests"]),
    "aws:s3/bucket:Bucket": usageOnly(["storage", "GB-Mo"], ["requests", "1K requests"]),
    "aws:cloudfront/distribution:Distribution": usageOnly(["data transfer out", "GB"], ["HTTPS requests", "10K requests"]),
    "aws:amp/workspace:Workspace": usageOnly(["metric samples ingested", "10M samples"], ["metric storage", "GB-Mo"], ["query samples processed", "1B samples"]),
    "aws:amp/ruleGroupNamespace:RuleGroupNamespace": usageOnly(["query samples processed by rule evaluation", "1B samples"]),
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": usageOnly(["data transfer across AZs or regions over the peering", "GB"]),
    // Billed per active user and month, editors/admins and viewers apart (Amazon Managed Grafana pricing); no charge per workspace.
    "aws:grafana/workspace:Workspace": usageOnly(["active editor or administrator users", "user-Mo"], ["active viewer users", "user-Mo"]),
};

const FREE_NETWORK = "nothing: part of the VPC, which is free (Amazon VPC pricing)";
const IAM = "nothing: IAM has no charge";

/** AWS types with no charge of their own: configuration of, or inside, a billed resource. */
export const AWS_INCLUDED: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "nothing: VPCs are free (Amazon VPC pricing; NAT gateways, public IPv4 and interface endpoints are billed)",
    "aws:ec2/subnet:Subnet": FREE_NETWORK,
    "aws:ec2/routeTable:RouteTable": FREE_NETWORK,
    "aws:ec2/route:Route": FREE_NETWORK,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": FREE_NETWORK,
    "aws:ec2/securityGroup:SecurityGroup": "nothing: security groups are free (Amazon VPC pricing)",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "its security group",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "its security group",
    "aws:ec2/internetGateway:InternetGateway": "nothing: internet gateways are free (data transfer out is billed where it leaves)",
    "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": "its VPC peering connection",
    "aws:eks/accessEntry:AccessEntry": "its EKS cluster (access control)",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": "its EKS cluster (access control)",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": "its EKS cluster (access control)",
    "aws:iam/role:Role": IAM,
    "aws:iam/rolePolicy:RolePolicy": IAM,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": IAM,
    "aws:iam/policy:Policy": IAM,
    "aws:rds/parameterGroup:ParameterGroup": "its RDS instances",
    "aws:rds/subnetGroup:SubnetGroup": "its RDS instances",
    "aws:elasticache/subnetGroup:SubnetGroup": "its ElastiCache replication group",
    "aws:elasticache/parameterGroup:ParameterGroup": "its ElastiCache replication group",
    "aws:secretsmanager/secretVersion:SecretVersion": "its secret (billed per secret, not per version)",
    "aws:sns/topicPolicy:TopicPolicy": "its SNS topic",
    "aws:sns/topicSubscription:TopicSubscription": "its SNS topic's deliveries",
    "aws:cloudfront/originAccessControl:OriginAccessControl": "its CloudFront distribution",
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": "its S3 bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "its S3 bucket",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "its S3 bucket",
    "aws:s3/bucketPolicy:BucketPolicy": "its S3 bucket",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "its S3 bucket",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "its S3 bucket",
    "aws:s3/bucketVersioning:BucketVersioning": "its S3 bucket (noncurrent versions are billed as storage)",
    "aws:grafana/roleAssociation:RoleAssociation": "its Grafana workspace (billed per active user)",
    "aws:grafana/workspaceServiceAccount:WorkspaceServiceAccount": "its Grafana workspace (service accounts are not users)",
    "aws:grafana/workspaceServiceAccountToken:WorkspaceServiceAccountToken": "its Grafana workspace",
};
