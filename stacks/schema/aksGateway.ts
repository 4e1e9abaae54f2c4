/**
 * `app.aks.gateway`: the AKS web entry's Gateway API implementation and the Application Gateway for
 * Containers association subnet, with the subnet's rules.
 */
import { z } from "zod";
import { AKS_GATEWAY_IMPLEMENTATIONS } from "../../components/azure/runtimeSpecs";
import { contains, hasHostBits, overlaps, parseCidr } from "../../lib/network";
import { ipv4Cidr, oneOf } from "./common";

/**
 * `application-gateway-for-containers` (default): an AGC resource, frontend and association, and the
 * ALB Controller (components/azure/applicationGatewayForContainers.ts); `approuting-istio`: the
 * application routing add-on's, which needs a one-time `az aks` step (docs/runbooks.md).
 */
export const AksGatewaySchema = z.strictObject({
    implementation: oneOf(AKS_GATEWAY_IMPLEMENTATIONS).default("application-gateway-for-containers"),
    subnet: ipv4Cidr.default("10.40.10.0/24")
        .describe("Subnet of the AGC association, delegated to it: inside the VNet, exactly a /24 "
            + "(AGC with Azure CNI overlay)."),
});

/**
 * What is wrong with an AGC association subnet: with Azure CNI overlay it must be exactly a /24
 * (https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking, Limitations),
 * a network address inside the VNet, clear of every other subnet.
 */
export function agcSubnetProblems(subnet: string, network: { addressSpace: string; subnets: Record<string, string> }): string[] {
    if (hasHostBits(subnet)) return ["expected a network address without host bits"];
    const cidr = parseCidr(subnet);
    const problems: string[] = [];
    if (cidr.prefix !== 24) problems.push("expected a /24 (Application Gateway for Containers with Azure CNI overlay supports only a /24 association subnet)");
    if (!contains(parseCidr(network.addressSpace), cidr)) problems.push(`expected a subnet inside the address space ${network.addressSpace}`);
    for (const [name, other] of Object.entries(network.subnets)) {
        if (overlaps(cidr, parseCidr(other))) problems.push(`expected a range that does not overlap network.subnets.${name} (${other})`);
    }
    return problems;
}

