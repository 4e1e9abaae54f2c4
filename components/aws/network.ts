import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { parseCidr } from "../../lib/network";
import { serviceTrustPolicy } from "./iam";

/** The subnet layout carved from a /16: public /24s, private /19s (nodes and pods), database /24s. */
export interface SubnetPlan {
    public: string[];
    private: string[];
    database: string[];
}

const ip = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");

/**
 * Subnets for `azCount` AZs from a VPC range of /16 or larger: private /19s from the start of the
 * range (VPC CNI gives every pod a VPC address, so they are big), public /24s at +192.0, database
 * /24s at +200.0. Pure, so the layout is tested without Pulumi.
 */
export function planSubnets(vpcCidr: string, azCount: number): SubnetPlan {
    const { start } = parseCidr(vpcCidr);
    const at = (offset: number, prefix: number) => `${ip(start + offset)}/${prefix}`;
    const range = [...Array(azCount).keys()];
    return {
        private: range.map((i) => at(i * 32 * 256, 19)),
        public: range.map((i) => at((192 + i) * 256, 24)),
        database: range.map((i) => at((200 + i) * 256, 24)),
    };
}

export interface NetworkArgs {
    /** Name prefix for tags, e.g. "bookstore-prod". */
    baseName: string;
    /** The provider's region (the S3 endpoint's service name names it). */
    region: string;
    vpcCidr: string;
    /**
     * AZ IDs (`use1-az1`), one subnet of each tier per zone. IDs, not names: `us-east-1a` is a
     * different physical zone in every account, and some zones lack EKS or an instance family.
     */
    availabilityZoneIds: string[];
    /** `perAz`: a NAT gateway per AZ (an AZ outage leaves the others' egress up); `single`: one. `none`: no public tier. */
    natGateways: "perAz" | "single" | "none";
    /** EKS cluster name, for the subnet tags the Load Balancer Controller discovers subnets by. */
    clusterName?: string;
    flowLogRetentionDays: number;
    tags: Record<string, string>;
}

/**
 * A VPC over three AZs: public subnets (ALB, NAT), private subnets (EKS nodes and pods) and
 * database subnets without a route to the internet; an S3 gateway endpoint and VPC flow logs.
 */
export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly cidrBlock: string;
    readonly publicSubnetIds: pulumi.Output<string>[] = [];
    readonly privateSubnetIds: pulumi.Output<string>[] = [];
    readonly databaseSubnetIds: pulumi.Output<string>[] = [];
    /** Route tables of the private and database subnets (peering routes go here). */
    readonly internalRouteTableIds: pulumi.Output<string>[] = [];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:aws:Network", name, {}, opts);
        /** Child names carry the component's: a URN names the parent's type, not its name. */
        const n = (child: string) => `${name}-${child}`;
        const p = { parent: this };
        const tagged = (n: string, extra: Record<string, string> = {}) => ({ ...args.tags, Name: `${args.baseName}-${n}`, ...extra });
        const plan = planSubnets(args.vpcCidr, args.availabilityZoneIds.length);
        this.cidrBlock = args.vpcCidr;

        // DNS hostnames and support: RDS/ElastiCache endpoints resolve privately, and the AMP scraper requires both.
        const vpc = new aws.ec2.Vpc(n("vpc"), { cidrBlock: args.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tagged("vpc") }, p);
        this.vpcId = vpc.id;
        const clusterTag: Record<string, string> = args.clusterName ? { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" } : {};

        const privateTables: aws.ec2.RouteTable[] = [];
        const natIds: pulumi.Output<string>[] = [];
        if (args.natGateways !== "none") {
            const igw = new aws.ec2.InternetGateway(n("igw"), { vpcId: vpc.id, tags: tagged("igw") }, p);
            const publicTable = new aws.ec2.RouteTable(n("public"), { vpcId: vpc.id, tags: tagged("public") }, p);
            new aws.ec2.Route(n("public-default"), { routeTableId: publicTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, p);
            args.availabilityZoneIds.forEach((az, i) => {
                // kubernetes.io/role/elb: the Load Balancer Controller puts internet-facing ALBs here.
                const subnet = new aws.ec2.Subnet(n(`public-${i + 1}`), {
                    vpcId: vpc.id, availabilityZoneId: az, cidrBlock: plan.public[i], mapPublicIpOnLaunch: false,
                    tags: tagged(`public-${az}`, { "kubernetes.io/role/elb": "1", ...clusterTag }),
                }, p);
                this.publicSubnetIds.push(subnet.id);
                new aws.ec2.RouteTableAssociation(n(`public-${i + 1}`), { subnetId: subnet.id, routeTableId: publicTable.id }, p);
                if (args.natGateways === "perAz" || i === 0) {
                    const eip = new aws.ec2.Eip(n(`nat-${i + 1}`), { domain: "vpc", tags: tagged(`nat-${az}`) }, p);
                    natIds.push(new aws.ec2.NatGateway(n(`nat-${i + 1}`), { allocationId: eip.id, subnetId: subnet.id, tags: tagged(`nat-${az}`) }, { parent: this, dependsOn: [igw] }).id);
                }
            });
        }
        args.availabilityZoneIds.forEach((az, i) => {
            const table = new aws.ec2.RouteTable(n(`private-${i + 1}`), { vpcId: vpc.id, tags: tagged(`private-${az}`) }, p);
            privateTables.push(table);
            // Each AZ's private subnets leave through their own AZ's NAT gateway (or the single one).
            const nat = natIds[Math.min(i, natIds.length - 1)];
            if (nat) new aws.ec2.Route(n(`private-${i + 1}-default`), { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat }, p);
            const subnet = new aws.ec2.Subnet(n(`private-${i + 1}`), {
                vpcId: vpc.id, availabilityZoneId: az, cidrBlock: plan.private[i],
                tags: tagged(`private-${az}`, { "kubernetes.io/role/internal-elb": "1", ...clusterTag }),
            }, p);
            this.privateSubnetIds.push(subnet.id);
            new aws.ec2.RouteTableAssociation(n(`private-${i + 1}`), { subnetId: subnet.id, routeTableId: table.id }, p);
        });
        // Database subnets: no default route at all.
        const databaseTable = new aws.ec2.RouteTable(n("database"), { vpcId: vpc.id, tags: tagged("database") }, p);
        args.availabilityZoneIds.forEach((az, i) => {
            const subnet = new aws.ec2.Subnet(n(`database-${i + 1}`), {
                vpcId: vpc.id, availabilityZoneId: az, cidrBlock: plan.database[i], tags: tagged(`database-${az}`),
            }, p);
            this.databaseSubnetIds.push(subnet.id);
            new aws.ec2.RouteTableAssociation(n(`database-${i + 1}`), { subnetId: subnet.id, routeTableId: databaseTable.id }, p);
        });

        this.internalRouteTableIds.push(...privateTables.map((t) => t.id), databaseTable.id);
        // S3 gateway endpoint: free, and ECR image layers come from S3 without crossing the NAT.
        new aws.ec2.VpcEndpoint(n("s3"), {
            vpcId: vpc.id, vpcEndpointType: "Gateway", serviceName: `com.amazonaws.${args.region}.s3`,
            routeTableIds: [...privateTables.map((t) => t.id), databaseTable.id], tags: tagged("s3"),
        }, p);

        // Flow logs to CloudWatch Logs (FSBP EC2.6).
        const logGroup = new aws.cloudwatch.LogGroup(n("flow-logs"), {
            name: `/bookstore/${args.baseName}/vpc-flow-logs/${name}`, retentionInDays: args.flowLogRetentionDays, tags: args.tags,
        }, p);
        const role = new aws.iam.Role(n("flow-logs"), { assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com"), tags: args.tags }, p);
        new aws.iam.RolePolicy(n("flow-logs"), {
            role: role.id,
            policy: logGroup.arn.apply((arn) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: `${arn}:*` }],
            })),
        }, p);
        new aws.ec2.FlowLog(n("vpc"), {
            vpcId: vpc.id, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: logGroup.arn, iamRoleArn: role.arn, tags: args.tags,
        }, p);

        this.registerOutputs({ vpcId: this.vpcId });
    }
}

/** A security group with no inline rules; rules are separate resources so tiers can reference each other. */
export function securityGroup(name: string, vpcId: pulumi.Input<string>, description: string, tags: Record<string, string>, opts: pulumi.CustomResourceOptions) {
    const sg = new aws.ec2.SecurityGroup(name, { vpcId, description, tags: { ...tags, Name: name }, revokeRulesOnDelete: true }, opts);
    // All egress (AWS's default, declared because a group created by the provider starts without it).
    new aws.vpc.SecurityGroupEgressRule(`${name}-egress`, { securityGroupId: sg.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "all egress" }, opts);
    return sg;
}

/** Allows TCP `port` into `target` from another security group. */
export function allowFromGroup(name: string, target: aws.ec2.SecurityGroup, source: pulumi.Input<string>, port: number, description: string, opts: pulumi.CustomResourceOptions) {
    return new aws.vpc.SecurityGroupIngressRule(name, {
        securityGroupId: target.id, referencedSecurityGroupId: source, ipProtocol: "tcp", fromPort: port, toPort: port, description,
    }, opts);
}
