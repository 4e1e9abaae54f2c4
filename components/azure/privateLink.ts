// PrivateLink: a private endpoint with its private DNS zone and VNet link.
import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";

export interface PrivateLinkArgs {
    resourceGroupName: pulumi.Input<string>;
    location: pulumi.Input<string>;
    /** VNet the private DNS zone is linked to, so workloads resolve the private address. */
    vnetId: pulumi.Input<string>;
    /** Subnet that hosts the private endpoint's NIC. */
    subnetId: pulumi.Input<string>;
    /** The resource reached privately (Key Vault, Redis, ...). */
    targetResourceId: pulumi.Input<string>;
    /** Private Link sub-resource, e.g. "vault", "redisEnterprise". */
    groupId: string;
    /** Azure's private DNS zone for that service, e.g. "privatelink.vaultcore.azure.net". */
    dnsZoneName: string;
    tags: Record<string, string>;
}

/**
 * A private endpoint with its private DNS zone, VNet link and zone group, so the service's
 * public host name resolves to the private address inside the VNet.
 */
export class PrivateLink extends pulumi.ComponentResource {
    readonly endpointId: pulumi.Output<string>;
    readonly dnsZoneId: pulumi.Output<string>;

    constructor(name: string, args: PrivateLinkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:network:PrivateLink", name, {}, opts);
        const child = { parent: this };

        const zone = new privatedns.PrivateZone(`${name}-zone`, {
            resourceGroupName: args.resourceGroupName,
            privateZoneName: args.dnsZoneName,
            location: "global",
            tags: args.tags,
        }, child);

        new privatedns.VirtualNetworkLink(`${name}-vnet-link`, {
            resourceGroupName: args.resourceGroupName,
            privateZoneName: zone.name,
            location: "global",
            virtualNetwork: { id: args.vnetId },
            registrationEnabled: false,
            tags: args.tags,
        }, child);

        const endpoint = new network.PrivateEndpoint(`${name}-pe`, {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            subnet: { id: args.subnetId },
            privateLinkServiceConnections: [{
                name: `${name}-connection`,
                privateLinkServiceId: args.targetResourceId,
                groupIds: [args.groupId],
            }],
            tags: args.tags,
        }, child);

        new network.PrivateDnsZoneGroup(`${name}-dns`, {
            resourceGroupName: args.resourceGroupName,
            privateEndpointName: endpoint.name,
            privateDnsZoneConfigs: [{ name: args.dnsZoneName.replace(/\./g, "-"), privateDnsZoneId: zone.id }],
        }, child);

        this.endpointId = endpoint.id;
        this.dnsZoneId = zone.id;
        this.registerOutputs({ endpointId: this.endpointId, dnsZoneId: this.dnsZoneId });
    }
}
