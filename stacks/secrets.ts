import * as pulumi from "@pulumi/pulumi";

/** Every string inside a config value (leaves of objects and arrays). */
export function leafStrings(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(leafStrings);
    if (value !== null && typeof value === "object") return Object.values(value).flatMap(leafStrings);
    return [];
}

/** Replaces every occurrence of a secret string in plain resource inputs with a secret Output. */
export function wrapSecretStrings(value: unknown, secrets: ReadonlySet<string>): unknown {
    if (typeof value === "string") return secrets.has(value) ? pulumi.secret(value) : value;
    if (Array.isArray(value)) return value.map((v) => wrapSecretStrings(v, secrets));
    if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        // A spread copy keeps every own key (even `__proto__`) and the config maps' Symbol.toPrimitive (stacks/schema/common.ts).
        const out: Record<string, unknown> = { ...value };
        for (const [k, v] of Object.entries(value)) out[k] = wrapSecretStrings(v, secrets);
        return out;
    }
    return value;
}

/**
 * Keeps `pulumi config set --secret` values secret wherever the program passes them on as
 * plain strings (a tag, a host name): every resource input equal to one is marked secret, so
 * it is encrypted in state and shown as [secret]. Values designed as secrets (tokens) are
 * read as secret Outputs by their tier; this is the safety net for everything else.
 */
export function registerSecretConfigGuard(secretValues: string[]): void {
    const secrets = new Set(secretValues.filter((v) => v.length > 0));
    if (secrets.size === 0) return;
    pulumi.runtime.registerStackTransformation((args) => ({
        props: wrapSecretStrings(args.props, secrets) as pulumi.Inputs,
        opts: args.opts,
    }));
}
