/**
 * The difference between two offline plans (tools/plan.ts JSON): resources added, removed,
 * updated in place and replaced, with the changed input paths. Secrets are compared only through
 * the digests of the plan's `secretDigests` section, and shown as changed/unchanged, never their values.
 */
import { isStateful, ReplaceReason, replaceReasons, ReplacementRules, defaultRules } from "./replacement";

export interface DiffablePlan {
    stack: string;
    resources: DiffableResource[];
    cost?: unknown;
    secretDigests?: Record<string, Record<string, string>>;
}

export interface DiffableResource {
    urn: string;
    type: string;
    name: string;
    options: { protect: boolean; deleteBeforeReplace?: boolean; replaceOnChanges?: string[] };
    inputs: unknown;
}

export const SECRET_MARK = "[secret]";

export interface PropertyChange {
    path: string;
    /** Absent when the property is new / removed. */
    old?: unknown;
    new?: unknown;
    /** A secret: `old`/`new` are never set; `changed` says what the digests say ("unknown" without them). */
    secret?: { changed: boolean | "unknown" };
}

export type Operation = "create" | "delete" | "update" | "replace";

export interface ResourceChange {
    op: Operation;
    urn: string;
    type: string;
    name: string;
    protect: boolean;
    stateful: boolean;
    deleteBeforeReplace: boolean;
    changes: PropertyChange[];
    replaceReasons: ReplaceReason[];
    /** An update of a type whose create-only rules were not read (replacement.ts `unread`): it may be a replacement. */
    unverified?: boolean;
}

export interface PlanDiff {
    stack: string;
    changes: ResourceChange[];
    counts: Record<Operation, number>;
    /** Replacements of protected or stateful resources: refused without --allow-replace. */
    guardedReplacements: ResourceChange[];
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/** A string input holding a JSON object or array (a workbook's serializedData, a policy document), parsed; else undefined. */
function jsonDocument(value: unknown): object | undefined {
    if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return undefined;
    try {
        const parsed: unknown = JSON.parse(value);
        return parsed !== null && typeof parsed === "object" ? parsed : undefined;
    } catch {
        return undefined;
    }
}

/** Marks a path step that descends into a JSON-valued string: `serializedData(json).items[3]`. */
export const JSON_STEP = "(json)";

/**
 * The changed leaf paths between two input trees (lists compared item by item). A string holding
 * JSON on both sides is compared as the document it holds, so one changed number in a 28 KB
 * workbook is one path, not the whole string twice.
 */
export function changedPaths(before: unknown, after: unknown, path = ""): PropertyChange[] {
    if (before === after) return [];
    if (before === SECRET_MARK || after === SECRET_MARK) return [{ path, secret: { changed: before !== after ? true : "unknown" } }];
    const beforeJson = jsonDocument(before);
    const afterJson = jsonDocument(after);
    if (beforeJson && afterJson) return changedPaths(beforeJson, afterJson, `${path}${JSON_STEP}`);
    if (isObject(before) && isObject(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((key) => changedPaths(before[key], after[key], path ? `${path}.${key}` : key));
    }
    if (Array.isArray(before) && Array.isArray(after)) {
        const length = Math.max(before.length, after.length);
        return Array.from({ length }, (_, i) => changedPaths(before[i], after[i], `${path}[${i}]`)).flat();
    }
    if (JSON.stringify(before) === JSON.stringify(after)) return [];
    const change: PropertyChange = { path };
    if (before !== undefined) change.old = before;
    if (after !== undefined) change.new = after;
    return [change];
}

/** Secret paths judged by the digests both plans carry (same key): changed or unchanged. */
function judgeSecrets(changes: PropertyChange[], oldDigests?: Record<string, string>, newDigests?: Record<string, string>): PropertyChange[] {
    return changes.map((change) => {
        if (!change.secret) return change;
        const before = oldDigests?.[change.path];
        const after = newDigests?.[change.path];
        return before !== undefined && after !== undefined ? { path: change.path, secret: { changed: before !== after } } : change;
    });
}

/** Secret paths whose values both plans mask: listed only when the digests tell they changed. */
function secretChanges(before: DiffableResource, after: DiffableResource, oldPlan: DiffablePlan, newPlan: DiffablePlan): PropertyChange[] {
    const oldDigests = oldPlan.secretDigests?.[before.urn] ?? {};
    const newDigests = newPlan.secretDigests?.[after.urn] ?? {};
    return Object.keys(newDigests)
        .filter((path) => oldDigests[path] !== undefined && oldDigests[path] !== newDigests[path])
        .map((path) => ({ path, secret: { changed: true } }));
}

export function diffPlans(oldPlan: DiffablePlan, newPlan: DiffablePlan, rules: ReplacementRules = defaultRules()): PlanDiff {
    const before = new Map(oldPlan.resources.map((r) => [r.urn, r]));
    const after = new Map(newPlan.resources.map((r) => [r.urn, r]));
    const changes: ResourceChange[] = [];
    const entry = (op: Operation, r: DiffableResource, props: PropertyChange[] = [], reasons: ReplaceReason[] = []): ResourceChange => ({
        op,
        urn: r.urn,
        type: r.type,
        name: r.name,
        protect: r.options.protect,
        stateful: isStateful(r.type),
        deleteBeforeReplace: Boolean(r.options.deleteBeforeReplace),
        changes: props,
        replaceReasons: reasons,
    });
    for (const [urn, next] of after) {
        const prev = before.get(urn);
        if (!prev) {
            changes.push(entry("create", next));
            continue;
        }
        let props = changedPaths(prev.inputs, next.inputs);
        props = judgeSecrets(props, oldPlan.secretDigests?.[urn], newPlan.secretDigests?.[urn]);
        const masked = new Set(props.map((p) => p.path));
        props.push(...secretChanges(prev, next, oldPlan, newPlan).filter((p) => !masked.has(p.path)));
        props = props.filter((p) => !(p.secret && p.secret.changed === false));
        if (props.length === 0) continue;
        const reasons = replaceReasons(next.type, props.map((p) => p.path), next.options.replaceOnChanges ?? [], rules);
        const change = entry(reasons.length > 0 ? "replace" : "update", next, props, reasons);
        if (change.op === "update" && rules.unread?.includes(next.type)) change.unverified = true;
        changes.push(change);
    }
    for (const [urn, prev] of before) if (!after.has(urn)) changes.push(entry("delete", prev));
    const order: Record<Operation, number> = { replace: 0, delete: 1, update: 2, create: 3 };
    changes.sort((a, b) => order[a.op] - order[b.op] || a.urn.localeCompare(b.urn));
    const counts = { create: 0, delete: 0, update: 0, replace: 0 };
    for (const change of changes) counts[change.op] += 1;
    const guardedReplacements = changes.filter((c) => (c.op === "replace" || c.op === "delete") && (c.protect || c.stateful));
    return { stack: newPlan.stack, changes, counts, guardedReplacements };
}
