/** IPv4 CIDR arithmetic for checking the VNet layout before anything is deployed. */

export interface Cidr {
    /** First address as an unsigned 32-bit integer. */
    start: number;
    /** Prefix length, 0-32. */
    prefix: number;
}

export function parseCidr(cidr: string): Cidr {
    const [address, prefixText] = cidr.split("/");
    const prefix = Number(prefixText);
    const value = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
    const size = 2 ** (32 - prefix);
    return { start: value - (value % size), prefix };
}

export function cidrSize(c: Cidr): number {
    return 2 ** (32 - c.prefix);
}

/** True when the CIDR's address has host bits set (e.g. 10.0.0.1/24). */
export function hasHostBits(cidr: string): boolean {
    const [address, prefixText] = cidr.split("/");
    const value = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
    return value % 2 ** (32 - Number(prefixText)) !== 0;
}

export function contains(outer: Cidr, inner: Cidr): boolean {
    return inner.prefix >= outer.prefix
        && inner.start >= outer.start
        && inner.start + cidrSize(inner) <= outer.start + cidrSize(outer);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
    return a.start < b.start + cidrSize(b) && b.start < a.start + cidrSize(a);
}

/** Who reaches the AKS web Gateway: Front Door, Cloudflare, or browsers directly. */
export type AksWebEdge = "frontdoor" | "cloudflare" | "direct";

/**
 * Cloudflare's published IPv4 ranges (https://www.cloudflare.com/ips-v4, as listed on 2026-02-11):
 * the only sources of a proxied hostname's requests to its origin. Cloudflare changes them rarely
 * and announces it; refresh this list then.
 */
export const CLOUDFLARE_IPV4_RANGES = [
    "173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22", "141.101.64.0/18",
    "108.162.192.0/18", "190.93.240.0/20", "188.114.96.0/20", "197.234.240.0/22", "198.41.128.0/17",
    "162.158.0.0/15", "104.16.0.0/13", "104.24.0.0/14", "172.64.0.0/13", "131.0.72.0/22",
] as const;

/** An NSG security rule (the fields of azure-native's SecurityRuleArgs this program sets). */
export interface NsgRule {
    name: string; priority: number; direction: "Inbound"; access: "Allow"; protocol: "Tcp";
    sourceAddressPrefix?: string; sourceAddressPrefixes?: string[]; sourcePortRange: "*";
    destinationAddressPrefix: string; destinationPortRanges: string[];
}

/**
 * The AKS subnet's inbound rule for the web Gateway's public load balancer. AKS opens only the
 * NSG it manages on the nodes, never a custom subnet's (https://github.com/Azure/AKS/issues/674),
 * so without it the default DenyAllInBound drops every request. The destination is any address:
 * the load balancer keeps the frontend IP as the destination, which is not known before deploy.
 * - Front Door: only its backend service tag, HTTPS only (the route forwards HttpsOnly and probes
 *   over HTTPS; https://learn.microsoft.com/azure/frontdoor/origin-security#public-ip-address-based-origins).
 * - Cloudflare: only Cloudflare's ranges, HTTPS only (SSL strict connects to the origin on 443).
 * - Direct: browsers from the Internet on 80 and 443.
 */
export function aksWebInboundRule(edge: AksWebEdge): NsgRule {
    const base = { name: "allow-web-ingress", priority: 100, direction: "Inbound", access: "Allow", protocol: "Tcp", sourcePortRange: "*", destinationAddressPrefix: "*" } as const;
    switch (edge) {
        case "frontdoor": return { ...base, sourceAddressPrefix: "AzureFrontDoor.Backend", destinationPortRanges: ["443"] };
        case "cloudflare": return { ...base, sourceAddressPrefixes: [...CLOUDFLARE_IPV4_RANGES], destinationPortRanges: ["443"] };
        case "direct": return { ...base, sourceAddressPrefix: "Internet", destinationPortRanges: ["80", "443"] };
    }
}

/**
 * The AKS subnet's inbound rule with Application Gateway for Containers: its data plane in the
 * delegated association subnet proxies straight to the pods (with Azure CNI overlay the overlay
 * routing domain is extended to that subnet,
 * https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking), and an
 * overlay pod's traffic passes the node subnet's NSG (https://learn.microsoft.com/azure/aks/azure-cni-overlay).
 * So: TCP from the association subnet to the pod range on the web pods' container port(s), for
 * requests and health probes alike. Nothing from the Internet: the public frontend is AGC's, and no
 * load balancer of the cluster's takes web traffic any more.
 */
export function agcToPodsInboundRule(agcSubnet: string, podCidr: string, podPorts: number[]): NsgRule {
    return {
        name: "allow-agc-to-pods", priority: 100, direction: "Inbound", access: "Allow", protocol: "Tcp",
        sourceAddressPrefix: agcSubnet, sourcePortRange: "*",
        destinationAddressPrefix: podCidr, destinationPortRanges: [...new Set(podPorts)].sort((a, b) => a - b).map(String),
    };
}
