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

/** Lines of the plan stay within this many columns (URLs in outputs are printed whole). */
export const MAX_COLUMNS = 100;

/** Cuts the middle out of a long text, keeping both ends (the end of a name or type tells most). */
export function elide(text: string, width: number): string {
    if (text.length <= width) return text;
    if (width <= 1) return "…".slice(0, width);
    const tail = Math.ceil((width - 1) / 2);
    return `${text.slice(0, width - 1 - tail)}…${text.slice(text.length - tail)}`;
}

/**
 * Fits a name into `width` keeping what tells it apart from `others` (its siblings of the same
 * type): the prefix they all share (`bookstore-prod-pg-`) goes first, as "…", so
 * `…replica-1-pgbouncer-default-pool-size` is not cut to the same text as the primary's and the
 * other replica's; what is still too long loses its middle.
 */
export function elideName(name: string, others: string[], width: number): string {
    if (name.length <= width) return name;
    const rivals = others.filter((o) => o !== name);
    if (rivals.length > 0) {
        let shared = name.length;
        for (const other of rivals) {
            let n = 0;
            while (n < shared && n < other.length && name[n] === other[n]) n++;
            shared = n;
        }
        // Cut at the end of a word ("-", "_", ".", "/"), leaving a distinguishing part.
        const cut = Math.max(...["-", "_", ".", "/"].map((sep) => name.lastIndexOf(sep, shared - 1))) + 1;
        if (cut > 1 && cut < name.length) return elide(`…${name.slice(cut)}`, width);
    }
    return elide(name, width);
}

/** What the tree's symbols mean (an offline plan creates everything: there is no state to diff). */
export const TREE_LEGEND = [
    "Legend: +  to create (an offline plan has no state: every resource is new)",
    "        ├─ └─  child of the resource above (its Pulumi parent)",
    "        [protect]  protected: Pulumi refuses to delete or replace it",
];

/**
 * A `pulumi preview`-style tree (header line first): component → children, each with type and
 * name, within `columns`; long types and names lose their middle.
 */
export function renderTree(resources: PlanResource[], columns = MAX_COLUMNS): string[] {
    const children = new Map<string | null, PlanResource[]>();
    for (const r of resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    for (const list of children.values()) {
        list.sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
    }
    const rows: { branch: string; type: string; name: string; siblings: string[] }[] = [];
    const walk = (node: PlanResource, prefix: string, last: boolean, root: boolean) => {
        const branch = root ? "" : `${prefix}${last ? "└─ " : "├─ "}`;
        const siblings = (children.get(node.parent) ?? []).filter((s) => s.type === node.type).map((s) => s.name);
        rows.push({ branch, type: node.type, name: `${node.name}${node.options.protect ? "  [protect]" : ""}`, siblings });
        const kids = children.get(node.urn) ?? [];
        const nextPrefix = root ? "" : `${prefix}${last ? "   " : "│  "}`;
        kids.forEach((kid, i) => walk(kid, nextPrefix, i === kids.length - 1, false));
    };
    for (const root of children.get(null) ?? []) walk(root, "", true, true);
    // The type column takes what it needs up to 60% of the line; names get the rest (at least 24).
    const lead = 4;
    const width = Math.min(Math.max(...rows.map((r) => r.branch.length + r.type.length)) + 2, Math.floor(columns * 0.6));
    const nameWidth = Math.max(columns - lead - width, 24);
    const fit = (r: (typeof rows)[number]) => {
        const label = `${r.branch}${elide(r.type, Math.max(width - 2 - r.branch.length, 12))}`;
        const name = r.name.endsWith("[protect]") ? `${elideName(r.name.slice(0, -11), r.siblings, nameWidth - 11)}  [protect]` : elideName(r.name, r.siblings, nameWidth);
        return ` +  ${label.padEnd(width)}${name}`;
    };
    return [`    ${"Type".padEnd(width)}Name`, ...rows.map(fit)];
}

/**
 * Breaks a line longer than `columns` at spaces; continuation lines are indented 4 more than the
 * line. A word longer than the room (a URL) is kept whole so it can still be copied.
 */
export function wrap(line: string, columns = MAX_COLUMNS): string[] {
    if (line.length <= columns) return [line];
    const indent = `${/^\s*/.exec(line)![0]}    `;
    const lines: string[] = [];
    let current = "";
    for (const word of line.trimStart().split(" ")) {
        const head = lines.length === 0 && current === "" ? line.slice(0, line.length - line.trimStart().length) : "";
        const candidate = current === "" ? `${head || (lines.length ? indent : "")}${word}` : `${current} ${word}`;
        // A word that would not fit a line of its own either (a URL) stays where it is.
        if (candidate.length > columns && current.trim() !== "" && indent.length + word.length <= columns) {
            lines.push(current);
            current = `${indent}${word}`;
        } else {
            current = candidate;
        }
    }
    if (current.trim() !== "") lines.push(current);
    return lines;
}

/** Stack outputs: objects key by key and lists item by item, each on its own line beneath the name. */
export function renderOutputs(outputs: Record<string, unknown>): string[] {
    const lines = ["Outputs:"];
    const scalar = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
    for (const [key, value] of Object.entries(outputs)) {
        if (Array.isArray(value) && value.length > 0) {
            lines.push(`    ${key}:`);
            for (const item of value) lines.push(`      - ${scalar(item)}`);
        } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            lines.push(`    ${key}:`);
            for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) lines.push(`        ${inner}: ${scalar(innerValue)}`);
        } else {
            lines.push(`    ${key}: ${scalar(value)}`);
        }
    }
    return lines;
}

/** What the plan knows about the stack, shown before the tree. */
export interface StackFacts {
    platform: string;
    environment: string;
    regions: string[];
    resources: number;
    /** Mandatory and advisory violation counts; undefined when the pack didn't run. */
    policy?: { pack: string; mandatory: number; advisory: number };
    budget?: { ok: boolean; problems: string[] };
}

export function renderStackFacts(facts: StackFacts): string[] {
    const policy = facts.policy === undefined
        ? "not evaluated"
        : facts.policy.mandatory > 0
            ? `${facts.policy.pack}: FAILS, ${facts.policy.mandatory} mandatory and ${facts.policy.advisory} advisory violation(s) (see below)`
            : `${facts.policy.pack}: passes${facts.policy.advisory > 0 ? `, ${facts.policy.advisory} advisory violation(s) (see below)` : ", no violations"}`;
    const budget = facts.budget === undefined ? "not evaluated" : facts.budget.ok ? "within budget" : `OVER BUDGET, ${facts.budget.problems.length} problem(s) (see below)`;
    return [
        `Stack:         platform ${facts.platform}, environment ${facts.environment}, regions ${facts.regions.join(", ")}`,
        `Resources:     ${facts.resources}`,
        `Policy:        ${policy}`,
        `Connections:   ${budget}`,
    ];
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
