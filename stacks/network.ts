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
