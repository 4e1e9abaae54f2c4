/**
 * Private networking of the database tier: the private DNS zone's VNet links and, for replicas
 * outside the primary's region, a VNet per region peered both ways with the platform VNet.
 */
import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import type { ReplicaSpec } from "./databaseSpec";
import { ALLOW_POSTGRES_FROM_VNET } from "./platform";

export const FLEXIBLE_SERVER_TYPE = "Microsoft.DBforPostgreSQL/flexibleServers";

/** Where a replica lives: its delegated subnet and what must exist before it is created there. */
export interface ReplicaPlacement {
    subnetId: pulumi.Input<string>;
    /**
     * The region's peerings (both directions) and its DNS-zone link: replication runs on 5432 both
     * ways and the replica must resolve the primary (Learn, "Read replicas" > Networking).
     */
    ready: pulumi.Resource[];
}

export interface ReplicaNetworkArgs {
    /** Logical-name prefix of the tier ("database"). */
    name: string;
    /** `<namePrefix>-<environment>`. */
    base: string;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    vnetId: pulumi.Input<string>;
    delegatedSubnetId: pulumi.Input<string>;
    replicas: ReplicaSpec[];
    tags: Record<string, string>;
    /** Links the private DNS zone to a VNet. */
    linkVnet: (linkName: string, vnetId: pulumi.Input<string>) => privatedns.VirtualNetworkLink;
}

/**
 * Replicas in the primary's region share its delegated subnet. Each other region gets a VNet
 * with a delegated subnet, peered both ways with the platform VNet and linked to the private DNS zone.
 */
export function replicaPlacements(args: ReplicaNetworkArgs, parent: pulumi.Resource): Map<string, ReplicaPlacement> {
    // The primary's region: its subnet and zone link exist before the primary, which every replica waits for.
    const placements = new Map<string, ReplicaPlacement>([[args.location, { subnetId: args.delegatedSubnetId, ready: [] }]]);
    const mainVnetName = pulumi.output(args.vnetId).apply((id) => id.split("/").pop() ?? id);
    const { name } = args;
    for (const replica of args.replicas) {
        if (!replica.remoteNetwork || placements.has(replica.location)) continue;
        const region = replica.location;
        const rg = { resourceGroupName: args.resourceGroupName, location: region };
        const nsg = new network.NetworkSecurityGroup(`${name}-nsg-${region}`, {
            ...rg,
            securityRules: [ALLOW_POSTGRES_FROM_VNET],
            tags: args.tags,
        }, { parent });
        const subnetName = "snet-postgres";
        const vnet = new network.VirtualNetwork(`${name}-vnet-${region}`, {
            ...rg,
            virtualNetworkName: `${args.base}-vnet-${region}`,
            addressSpace: { addressPrefixes: [replica.remoteNetwork.addressSpace] },
            subnets: [{
                name: subnetName,
                addressPrefix: replica.remoteNetwork.subnet,
                networkSecurityGroup: { id: nsg.id },
                delegations: [{ name: "postgres-flexible", serviceName: FLEXIBLE_SERVER_TYPE }],
            }],
            tags: args.tags,
        }, { parent });
        const peering = (peeringName: string, from: pulumi.Input<string>, to: pulumi.Input<string>) => new network.VirtualNetworkPeering(peeringName, {
            resourceGroupName: args.resourceGroupName,
            virtualNetworkName: from,
            remoteVirtualNetwork: { id: to },
            allowVirtualNetworkAccess: true,
            allowForwardedTraffic: false,
        }, { parent });
        const out = peering(`${name}-peer-main-to-${region}`, mainVnetName, vnet.id);
        const back = peering(`${name}-peer-${region}-to-main`, vnet.name, args.vnetId);
        const link = args.linkVnet(`${name}-dns-link-${region}`, vnet.id);
        placements.set(region, { subnetId: pulumi.interpolate`${vnet.id}/subnets/${subnetName}`, ready: [out, back, link] });
    }
    return placements;
}
