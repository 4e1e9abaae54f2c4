import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { AlertTopic } from "../../components/aws/alerts";
import { allowFromGroup, Network, securityGroup } from "../../components/aws/network";
import { EksStackConfig, isProd, stackTags } from "../config";
import { resolveAwsReplicas } from "../schema/aws";

/** What every later tier builds on: providers, VPCs, security groups and alarm topics per region. */
export interface AwsFoundation {
    baseName: string;
    clusterName: string;
    region: string;
    tags: Record<string, string>;
    accountId: pulumi.Output<string>;
    provider: aws.Provider;
    network: Network;
    groups: { alb: aws.ec2.SecurityGroup; database: aws.ec2.SecurityGroup; cache: aws.ec2.SecurityGroup };
    alarms: AlertTopic;
    /** The replica region, when a replica lives there. */
    remote?: {
        region: string;
        provider: aws.Provider;
        network: Network;
        databaseGroup: aws.ec2.SecurityGroup;
        alarms: AlertTopic;
    };
}

export function composeFoundation(config: EksStackConfig): AwsFoundation {
    const settings = config.aws;
    const tags = stackTags(config);
    const baseName = `${config.namePrefix}-${config.environment}`;
    const clusterName = baseName;
    const prod = isProd(config);
    // Explicit providers: every AWS resource says which region it is in (the replica region gets the second one).
    const provider = new aws.Provider("aws-primary", { region: settings.region, defaultTags: { tags } });
    const accountId = aws.getCallerIdentityOutput({}, { provider }).accountId;
    const network = new Network("network", {
        baseName, region: settings.region, vpcCidr: settings.network.vpcCidr, availabilityZoneIds: settings.network.availabilityZoneIds!,
        natGateways: settings.network.natGateways ?? (prod ? "perAz" : "single"), clusterName,
        flowLogRetentionDays: settings.network.flowLogRetentionDays, tags,
    }, { providers: [provider] });
    const o = { provider };
    const groups = {
        alb: securityGroup(`${baseName}-alb`, network.vpcId, "Application Load Balancer: HTTPS (and HTTP for the redirect) from the internet", tags, o),
        database: securityGroup(`${baseName}-database`, network.vpcId, "RDS for PostgreSQL: 5432 from the EKS nodes and pods", tags, o),
        cache: securityGroup(`${baseName}-cache`, network.vpcId, "ElastiCache: 6379 from the EKS nodes and pods", tags, o),
    };
    // The ALB is the only thing open to clients: 443, and 80 only to redirect to HTTPS (Cloudflare's ranges when it fronts the ALB).
    for (const port of [443, 80]) {
        settings.edge.albIngressCidrs.forEach((cidr, i) => new aws.vpc.SecurityGroupIngressRule(`${baseName}-alb-${port}${i === 0 ? "" : `-${i + 1}`}`, {
            securityGroupId: groups.alb.id, cidrIpv4: cidr, ipProtocol: "tcp", fromPort: port, toPort: port,
            description: port === 443 ? "HTTPS from clients" : "HTTP, redirected to HTTPS",
        }, o));
    }
    const alarms = new AlertTopic("alerts", { name: `${baseName}-alerts`, accountId, emails: settings.observability.alertEmails, tags }, { providers: [provider] });

    const foundation: AwsFoundation = { baseName, clusterName, region: settings.region, tags, accountId, provider, network, groups, alarms };
    const remoteRegion = resolveAwsReplicas(config.environment, settings).find((r) => r.crossRegion)?.region;
    if (remoteRegion) foundation.remote = composeRemoteRegion(config, foundation, remoteRegion);
    return foundation;
}

/** The replica region: a NAT-less VPC with database subnets, peered with the primary VPC so PgBouncer reaches the replica. */
function composeRemoteRegion(config: EksStackConfig, base: AwsFoundation, region: string): NonNullable<AwsFoundation["remote"]> {
    const { baseName, tags } = base;
    const provider = new aws.Provider(`aws-${region}`, { region, defaultTags: { tags } });
    const o = { provider };
    const network = new Network(`network-${region}`, {
        baseName: `${baseName}-${region}`, region, vpcCidr: config.aws.network.replicaVpcCidr, availabilityZoneIds: config.aws.network.replicaAvailabilityZoneIds!,
        natGateways: "none", flowLogRetentionDays: config.aws.network.flowLogRetentionDays, tags,
    }, { providers: [provider] });
    const peering = new aws.ec2.VpcPeeringConnection(`${baseName}-to-${region}`, {
        vpcId: base.network.vpcId, peerVpcId: network.vpcId, peerRegion: region, tags: { ...tags, Name: `${baseName}-to-${region}` },
    }, { provider: base.provider });
    const accepted = new aws.ec2.VpcPeeringConnectionAccepter(`${baseName}-from-${base.region}`, {
        vpcPeeringConnectionId: peering.id, autoAccept: true, tags: { ...tags, Name: `${baseName}-from-${base.region}` },
    }, o);
    base.network.internalRouteTableIds.forEach((table, i) => new aws.ec2.Route(`${baseName}-peer-${region}-${i + 1}`, {
        routeTableId: table, destinationCidrBlock: config.aws.network.replicaVpcCidr, vpcPeeringConnectionId: peering.id,
    }, { provider: base.provider, dependsOn: [accepted] }));
    network.internalRouteTableIds.forEach((table, i) => new aws.ec2.Route(`${baseName}-${region}-peer-${i + 1}`, {
        routeTableId: table, destinationCidrBlock: config.aws.network.vpcCidr, vpcPeeringConnectionId: peering.id,
    }, { provider, dependsOn: [accepted] }));
    const databaseGroup = securityGroup(`${baseName}-${region}-database`, network.vpcId, "RDS read replica: 5432 from the primary VPC private subnets", tags, o);
    // Security groups cannot reference a group across regions, so the primary VPC's range is named.
    new aws.vpc.SecurityGroupIngressRule(`${baseName}-${region}-database-5432`, {
        securityGroupId: databaseGroup.id, cidrIpv4: base.network.cidrBlock, ipProtocol: "tcp", fromPort: 5432, toPort: 5432,
        description: "PostgreSQL from the primary VPC (PgBouncer pods)",
    }, o);
    const alarms = new AlertTopic(`alerts-${region}`, { name: `${baseName}-alerts`, accountId: base.accountId, emails: config.aws.observability.alertEmails, tags }, { providers: [provider] });
    return { region, provider, network, databaseGroup, alarms };
}

/** Opens PostgreSQL and Valkey to the nodes' security group (the EKS cluster security group). */
export function allowNodesToData(base: AwsFoundation, nodeGroupId: pulumi.Input<string>): void {
    const o = { provider: base.provider };
    allowFromGroup(`${base.baseName}-database-from-nodes`, base.groups.database, nodeGroupId, 5432, "PostgreSQL from EKS nodes and pods (PgBouncer)", o);
    allowFromGroup(`${base.baseName}-cache-from-nodes`, base.groups.cache, nodeGroupId, 6379, "Valkey from EKS nodes and pods", o);
}
