/**
 * Image-reference rules the program and the policy pack share: is a reference pinned, which
 * registry host does it name, what is an ACR's login server. Pure functions with no imports, so
 * the pack stays self-contained (the program imports them from here too).
 */

/**
 * An image reference is pinned when it names a tag other than `latest` or a digest.
 * Returns a description of the problem, or undefined when the reference is pinned.
 */
export function imagePinProblem(image: string): string | undefined {
    const at = image.indexOf("@");
    if (at >= 0) {
        // OCI image spec: a sha256 digest is exactly 64 lowercase hex digits; pins here must be sha256 (registries refuse a malformed one).
        return /^sha256:[a-f0-9]{64}$/.test(image.slice(at + 1)) ? undefined : "has a malformed digest (expected @sha256: and 64 lowercase hex digits)";
    }
    const lastSlash = image.lastIndexOf("/");
    const colon = image.indexOf(":", lastSlash + 1);
    if (colon < 0) return "has no tag or digest";
    const tag = image.slice(colon + 1);
    if (tag === "") return "has an empty tag";
    if (tag === "latest") return "uses the mutable tag \"latest\"";
    return undefined;
}

/**
 * Login server of a registry by name: `<lowercased name>.azurecr.io` in Azure's public cloud
 * (https://learn.microsoft.com/azure/container-registry/container-registry-get-started-portal).
 * Registries created with a domain-name-label scope other than "Unsecure" get a hashed host and are not supported.
 */
export const acrLoginServer = (registryName: string) => `${registryName.toLowerCase()}.azurecr.io`;

/**
 * The registry host of an image reference, or undefined when the reference is relative. Docker's
 * rule: the first path segment is a host when it has a "." or ":" or is "localhost".
 */
export function imageHost(image: string): string | undefined {
    const slash = image.indexOf("/");
    if (slash < 0) return undefined;
    const first = image.slice(0, slash);
    return /[.:]/.test(first) || first === "localhost" ? first.toLowerCase() : undefined;
}
