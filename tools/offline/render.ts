import { CapturedResource, RESOURCE_SIG, SECRET_SIG, SIG_KEY, UNKNOWN } from "./capture";

export const MASKED_SECRET = "[secret]";
export const UNKNOWN_VALUE = "[unknown]";

/**
 * Turns wire-format values into what a person may read: secrets become "[secret]" (their
 * value is never looked at), preview unknowns "[unknown]", resource references their URN.
 */
export function displayValue(value: unknown): unknown {
    if (value === UNKNOWN) return UNKNOWN_VALUE;
    if (Array.isArray(value)) return value.map(displayValue);
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SIG_KEY] === SECRET_SIG) return MASKED_SECRET;
        if (obj[SIG_KEY] === RESOURCE_SIG) return obj.urn;
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(obj).sort()) {
            if (key.startsWith("__")) continue; // SDK-internal keys such as __defaults
            out[key] = displayValue(obj[key]);
        }
        return out;
    }
    return value;
}

export interface PlanResource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    dependencies: string[];
    provider: string | null;
    options: CapturedResource["options"];
    inputs: unknown;
}

export function toPlanResources(resources: CapturedResource[]): PlanResource[] {
    return resources
        .map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent ?? null,
            dependencies: r.dependencies,
            provider: r.provider ?? null,
            options: r.options,
            inputs: displayValue(r.wireInputs),
        }))
        .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
}

/** A `pulumi preview`-style tree (header line first): component → children, each with type and name. */
export function renderTree(resources: PlanResource[]): string[] {
    const children = new Map<string | null, PlanResource[]>();
    for (const r of resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    for (const list of children.values()) {
        list.sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
    }
    const rows: { label: string; name: string }[] = [];
    const walk = (node: PlanResource, prefix: string, last: boolean, root: boolean) => {
        const branch = root ? "" : `${prefix}${last ? "└─ " : "├─ "}`;
        rows.push({ label: `${branch}${node.type}`, name: `${node.name}${node.options.protect ? "  [protect]" : ""}` });
        const kids = children.get(node.urn) ?? [];
        const nextPrefix = root ? "" : `${prefix}${last ? "   " : "│  "}`;
        kids.forEach((kid, i) => walk(kid, nextPrefix, i === kids.length - 1, false));
    };
    for (const root of children.get(null) ?? []) walk(root, "", true, true);
    const width = Math.max(...rows.map((r) => r.label.length)) + 2;
    return [`    ${"Type".padEnd(width)}Name`, ...rows.map((r) => ` +  ${r.label.padEnd(width)}${r.name}`)];
}

export function summarize(resources: PlanResource[]): string {
    const components = resources.filter((r) => r.provider === null && !r.type.startsWith("pulumi:providers:")).length;
    const custom = resources.length - components;
    const byProvider = new Map<string, number>();
    for (const r of resources) {
        if (r.provider === null && !r.type.startsWith("pulumi:providers:")) continue;
        const pkg = r.type.startsWith("pulumi:providers:") ? r.type.split(":")[2] : r.type.split(":")[0];
        byProvider.set(pkg, (byProvider.get(pkg) ?? 0) + 1);
    }
    const providers = [...byProvider.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([p, n]) => `${p} ${n}`).join(", ");
    return `${resources.length} resources: ${components} components, ${custom} custom; by provider: ${providers}`;
}
