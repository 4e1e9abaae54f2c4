import { createHash } from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { elastiCacheRegionCode } from "../../lib/awsCatalog";

/**
 * AWS answers for the offline plan: ids and computed attributes in the formats AWS returns
 * (ARNs, RDS/ElastiCache/EKS endpoints, CloudFront domains), so outputs and connection strings
 * chain as on AWS. Deterministic (derived from names), like the Azure mocks.
 */

/** The AWS documentation account. */
export const AWS_ACCOUNT_ID = "123456789012";
const DEFAULT_REGION = "us-east-1";

type Inputs = Record<string, unknown>;

/** Region of each explicit aws provider, by provider resource name. */
const providerRegions = new Map<string, string>();

const digest = (text: string) => createHash("sha256").update(text).digest("hex");
const uuid = (text: string) => {
    const h = digest(text);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const hex = (text: string, n: number) => digest(text).slice(0, n);
const alnum = (text: string, n: number) => BigInt(`0x${digest(text).slice(0, 24)}`).toString(36).padStart(n, "0").slice(0, n);

/** The region a resource is created in: its `region` input, else its provider's. */
function regionOf(args: pulumi.runtime.MockResourceArgs): string {
    const inputs = args.inputs as Inputs;
    if (typeof inputs.region === "string") return inputs.region;
    // A provider reference is "<provider urn>::<provider id>"; the urn ends with "::<name>".
    const parts = (args.provider ?? "").split("::");
    const name = parts.length >= 2 ? parts[parts.length - 2] : "";
    return providerRegions.get(name) ?? DEFAULT_REGION;
}

/** The resource's own name: its name input, else a provider autoname (logical name + "-" + 7 hex). */
function ownName(args: pulumi.runtime.MockResourceArgs, keys: string[]): string {
    const inputs = args.inputs as Inputs;
    for (const key of keys) if (typeof inputs[key] === "string" && inputs[key] !== "") return inputs[key] as string;
    const prefix = keys.map((k) => inputs[`${k}Prefix`] ?? inputs[k.replace(/Name$/, "NamePrefix")]).find((v) => typeof v === "string") as string | undefined;
    return prefix ? `${prefix}${hex(args.type + args.name, 26)}` : `${args.name}-${hex(args.type + args.name, 7)}`;
}

type Answer = { id: string; state: Inputs };
type Emulator = (args: pulumi.runtime.MockResourceArgs, region: string) => Answer;

const arn = (service: string, region: string, resource: string) => `arn:aws:${service}:${region}:${AWS_ACCOUNT_ID}:${resource}`;
const ec2Id = (prefix: string) => (args: pulumi.runtime.MockResourceArgs, region: string): Answer => {
    const id = `${prefix}-${hex(args.type + args.name, 17)}`;
    const kind = { vpc: "vpc", subnet: "subnet", sg: "security-group", nat: "natgateway", eipalloc: "elastic-ip", vpce: "vpc-endpoint", rtb: "route-table", igw: "internet-gateway", pcx: "vpc-peering-connection", fl: "vpc-flow-log" }[prefix] ?? prefix;
    return { id, state: { arn: arn("ec2", region, `${kind}/${id}`), ...(prefix === "eipalloc" ? { publicIp: `198.51.100.${parseInt(hex(id, 2), 16) % 254 + 1}` } : {}) } };
};

const EMULATORS: Record<string, Emulator> = {
    "aws:ec2/vpc:Vpc": ec2Id("vpc"),
    "aws:ec2/subnet:Subnet": ec2Id("subnet"),
    "aws:ec2/securityGroup:SecurityGroup": ec2Id("sg"),
    "aws:ec2/natGateway:NatGateway": ec2Id("nat"),
    "aws:ec2/eip:Eip": ec2Id("eipalloc"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ec2Id("vpce"),
    "aws:ec2/routeTable:RouteTable": ec2Id("rtb"),
    "aws:ec2/internetGateway:InternetGateway": ec2Id("igw"),
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": ec2Id("pcx"),
    "aws:ec2/flowLog:FlowLog": ec2Id("fl"),
    "aws:iam/role:Role": (args) => {
        const name = ownName(args, ["name"]);
        return { id: name, state: { name, arn: `arn:aws:iam::${AWS_ACCOUNT_ID}:role/${name}`, uniqueId: `AROA${alnum(name, 17).toUpperCase()}` } };
    },
    "aws:iam/policy:Policy": (args) => {
        const name = ownName(args, ["name"]);
        const policyArn = `arn:aws:iam::${AWS_ACCOUNT_ID}:policy/${name}`;
        return { id: policyArn, state: { name, arn: policyArn } };
    },
    "aws:kms/key:Key": (args, region) => {
        const keyId = uuid(`${args.type}/${args.name}/${region}`);
        return { id: keyId, state: { keyId, arn: arn("kms", region, `key/${keyId}`) } };
    },
    "aws:cloudwatch/logGroup:LogGroup": (args, region) => {
        const name = ownName(args, ["name"]);
        return { id: name, state: { name, arn: arn("logs", region, `log-group:${name}`) } };
    },
    "aws:sns/topic:Topic": (args, region) => {
        const name = ownName(args, ["name"]);
        const topicArn = arn("sns", region, name);
        return { id: topicArn, state: { name, arn: topicArn } };
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": (args, region) => {
        const name = ownName(args, ["name"]);
        return { id: name, state: { name, arn: arn("cloudwatch", region, `alarm:${name}`) } };
    },
    "aws:secretsmanager/secret:Secret": (args, region) => {
        const name = ownName(args, ["name"]);
        const secretArn = arn("secretsmanager", region, `secret:${name}-${alnum(name, 6)}`);
        return { id: secretArn, state: { name, arn: secretArn } };
    },
    "aws:rds/subnetGroup:SubnetGroup": (args, region) => {
        const name = ownName(args, ["name"]);
        return { id: name, state: { name, arn: arn("rds", region, `subgrp:${name}`) } };
    },
    "aws:rds/parameterGroup:ParameterGroup": (args, region) => {
        const name = ownName(args, ["name"]);
        return { id: name, state: { name, arn: arn("rds", region, `pg:${name}`) } };
    },
    "aws:rds/instance:Instance": (args, region) => {
        // The id is the DBI resource id upstream; `identifier` names the instance (hashicorp/terraform-provider-aws#31232).
        const identifier = ownName(args, ["identifier"]).toLowerCase();
        const resourceId = `db-${alnum(identifier + region, 26).toUpperCase()}`;
        // The middle label is per account and region, shared by every instance there.
        const address = `${identifier}.${alnum(AWS_ACCOUNT_ID + region, 12)}.${region}.rds.amazonaws.com`;
        return { id: resourceId, state: { identifier, resourceId, address, endpoint: `${address}:5432`, port: 5432, arn: arn("rds", region, `db:${identifier}`), engineVersionActual: "16.10" } };
    },
    "aws:elasticache/subnetGroup:SubnetGroup": (args, region) => {
        const name = ownName(args, ["name"]);
        return { id: name, state: { name, arn: arn("elasticache", region, `subnetgroup:${name}`) } };
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": (args, region) => {
        const inputs = args.inputs as Inputs;
        const id = ownName(args, ["replicationGroupId"]).toLowerCase();
        const shards = Number(inputs.numNodeGroups ?? 1);
        const perShard = Number(inputs.replicasPerNodeGroup ?? 0) + 1;
        const memberClusters = [...Array(shards).keys()].flatMap((s) => [...Array(perShard).keys()].map((r) => `${id}-${String(s + 1).padStart(4, "0")}-${String(r + 1).padStart(3, "0")}`));
        return {
            id, state: {
                replicationGroupId: id, arn: arn("elasticache", region, `replicationgroup:${id}`), memberClusters, clusterEnabled: inputs.clusterMode === "enabled",
                configurationEndpointAddress: `${id}.${alnum(id, 6)}.clustercfg.${elastiCacheRegionCode(region)}.cache.amazonaws.com`,
            },
        };
    },
    "aws:eks/cluster:Cluster": (args, region) => {
        const name = ownName(args, ["name"]);
        const h = hex(`${name}/${region}`, 32).toUpperCase();
        const ca = Buffer.from(`-----BEGIN CERTIFICATE-----\nMIIC${alnum(name, 40)}\n-----END CERTIFICATE-----\n`).toString("base64");
        const vpcConfig = { ...((args.inputs as Inputs).vpcConfig as Inputs), clusterSecurityGroupId: `sg-${hex(`${name}/cluster-sg`, 17)}`, vpcId: `vpc-${hex(name, 17)}` };
        return {
            id: name, state: {
                name, arn: arn("eks", region, `cluster/${name}`), endpoint: `https://${h}.gr7.${region}.eks.amazonaws.com`,
                certificateAuthority: { data: ca }, identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${h}` }] }],
                vpcConfig, platformVersion: "eks.5", status: "ACTIVE",
            },
        };
    },
    "aws:eks/nodeGroup:NodeGroup": (args, region) => {
        const inputs = args.inputs as Inputs;
        const name = ownName(args, ["nodeGroupName"]);
        const cluster = String(inputs.clusterName);
        const id = uuid(`${cluster}/${name}`);
        return { id: `${cluster}:${name}`, state: { nodeGroupName: name, arn: arn("eks", region, `nodegroup/${cluster}/${name}/${id}`), status: "ACTIVE", resources: [{ autoscalingGroups: [{ name: `eks-${name}-${id}` }] }] } };
    },
    "aws:eks/addon:Addon": (args, region) => {
        const inputs = args.inputs as Inputs;
        return { id: `${inputs.clusterName}:${inputs.addonName}`, state: { arn: arn("eks", region, `addon/${inputs.clusterName}/${inputs.addonName}/${uuid(args.name)}`) } };
    },
    "aws:eks/accessEntry:AccessEntry": (args, region) => {
        const inputs = args.inputs as Inputs;
        return { id: `${inputs.clusterName}:${inputs.principalArn}`, state: { accessEntryArn: arn("eks", region, `access-entry/${inputs.clusterName}/role/${AWS_ACCOUNT_ID}/${args.name}/${uuid(args.name)}`) } };
    },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": (args, region) => {
        const inputs = args.inputs as Inputs;
        const associationId = `a-${alnum(args.name, 17)}`;
        return { id: `${inputs.clusterName},${associationId}`, state: { associationId, associationArn: arn("eks", region, `podidentityassociation/${inputs.clusterName}/${associationId}`) } };
    },
    "aws:s3/bucket:Bucket": (args, region) => {
        const bucket = ownName(args, ["bucket"]).toLowerCase();
        return { id: bucket, state: { bucket, arn: `arn:aws:s3:::${bucket}`, bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`, bucketDomainName: `${bucket}.s3.amazonaws.com`, region } };
    },
    "aws:cloudfront/originAccessControl:OriginAccessControl": (args) => ({ id: `E${alnum(args.name, 13).toUpperCase()}`, state: { etag: `E${alnum(args.name + "etag", 13).toUpperCase()}` } }),
    "aws:cloudfront/distribution:Distribution": (args) => {
        const id = `E${alnum(args.name, 13).toUpperCase()}`;
        return { id, state: { arn: `arn:aws:cloudfront::${AWS_ACCOUNT_ID}:distribution/${id}`, domainName: `d${alnum(args.name, 13)}.cloudfront.net`, hostedZoneId: "Z2FDTNDATAQYW2", status: "Deployed" } };
    },
    "aws:amp/workspace:Workspace": (args, region) => {
        const id = `ws-${uuid(args.name)}`;
        return { id, state: { arn: arn("aps", region, `workspace/${id}`), prometheusEndpoint: `https://aps-workspaces.${region}.amazonaws.com/workspaces/${id}/` } };
    },
    "aws:amp/scraper:Scraper": (args, region) => {
        const id = `s-${uuid(args.name)}`;
        return { id, state: { arn: arn("aps", region, `scraper/${id}`), roleArn: `arn:aws:iam::${AWS_ACCOUNT_ID}:role/aws-service-role/scraper.aps.amazonaws.com/AWSServiceRoleForAmazonPrometheusScraper_${hex(id, 15)}` } };
    },
    "aws:grafana/workspace:Workspace": (args, region) => {
        const id = `g-${hex(args.name, 10)}`;
        return { id, state: { arn: arn("grafana", region, `/workspaces/${id}`), endpoint: `${id}.grafana-workspace.${region}.amazonaws.com` } };
    },
};

/** Answers an AWS resource registration, or undefined for types without emulation (generic id, inputs as state). */
export function awsNewResource(args: pulumi.runtime.MockResourceArgs): Answer | undefined {
    const inputs = args.inputs as Inputs;
    if (args.type === "pulumi:providers:aws") {
        if (typeof inputs.region === "string") providerRegions.set(args.name, inputs.region);
        return undefined;
    }
    const emulate = EMULATORS[args.type];
    if (!emulate) return undefined;
    const answer = emulate(args, regionOf(args));
    return { id: answer.id, state: { ...inputs, ...answer.state } };
}

/** Invokes the AWS program calls. */
export const AWS_INVOKES: Record<string, (inputs: Inputs) => Inputs> = {
    // A plan shows a first deploy: the cluster does not exist yet. BOOKSTORE_OFFLINE_LIVE_EKS
    // ({"<cluster name>": {"version": "1.36"}}) stands in for one that does (after an EKS upgrade).
    "aws:eks/getCluster:getCluster": (inputs) => {
        const live = JSON.parse(process.env.BOOKSTORE_OFFLINE_LIVE_EKS ?? "{}")[String(inputs.name)];
        if (!live) throw new Error(`ResourceNotFoundException: No cluster found for name: ${String(inputs.name)}.`);
        return { name: inputs.name, version: live.version, id: inputs.name };
    },
    // A plan shows a first deploy: no instance exists yet. BOOKSTORE_OFFLINE_LIVE_RDS ({"<identifier>": <a
    // DescribeDBInstances DBInstance>}) stands in for instances that do (after a promotion, an AWS upgrade).
    "aws:rds/getInstance:getInstance": (inputs) => {
        const identifier = String(inputs.dbInstanceIdentifier);
        const live = JSON.parse(process.env.BOOKSTORE_OFFLINE_LIVE_RDS ?? "{}")[identifier];
        if (!live) throw new Error(`DBInstanceNotFound: DBInstance ${identifier} not found.`);
        return {
            dbInstanceIdentifier: identifier, replicateSourceDb: live.ReadReplicaSourceDBInstanceIdentifier ?? "",
            engineVersion: live.EngineVersion, backupRetentionPeriod: live.BackupRetentionPeriod, multiAz: live.MultiAZ, id: identifier,
        };
    },
    // DescribeAddonVersions' default version cannot be known offline: a marker naming what was asked.
    "aws:eks/getAddonVersion:getAddonVersion": (inputs) => ({
        addonName: inputs.addonName, kubernetesVersion: inputs.kubernetesVersion, version: `default-for-${String(inputs.kubernetesVersion)}`, id: String(inputs.addonName),
    }),
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        accountId: AWS_ACCOUNT_ID, arn: `arn:aws:iam::${AWS_ACCOUNT_ID}:user/deployer`, userId: "AIDAEXAMPLEDEPLOYER", id: AWS_ACCOUNT_ID,
    }),
    // The ALB the Load Balancer Controller created for the web Ingress, found by its name (ARN suffix app/<name>/<16 hex>).
    "aws:lb/getLoadBalancer:getLoadBalancer": (inputs) => {
        const name = String(inputs.name);
        const region = typeof inputs.region === "string" ? inputs.region : DEFAULT_REGION;
        const arnSuffix = `app/${name}/${hex(name, 16)}`;
        return {
            arn: `arn:aws:elasticloadbalancing:${region}:${AWS_ACCOUNT_ID}:loadbalancer/${arnSuffix}`, arnSuffix, name, id: arnSuffix,
            dnsName: `${name}-${BigInt(`0x${hex(name, 8)}`).toString()}.${region}.elb.amazonaws.com`, loadBalancerType: "application",
        };
    },
};
