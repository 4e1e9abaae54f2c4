/** Text of a plan diff, in the manner of `pulumi preview --diff`: replacements first. */
import { createHash } from "crypto";
import type { CostSection, Range } from "./cost";
import { formatSum, totalCoverage } from "./cost";
import type { PlanDiff, PropertyChange, ResourceChange } from "./diff";

export const SYMBOL: Record<ResourceChange["op"], string> = { create: "+", delete: "-", update: "~", replace: "+-" };
export const DIFF_LEGEND = "Legend: + create   ~ update in place   +- replace (delete and create)   - delete";

/** Values longer than this are shown by their start, length and a short hash: a JSON document or a script never floods a diff. */
export const LONG_VALUE = 120;

/** A value as a diff shows it: JSON, or for a long one its start, its length and a hash that tells two long values apart. */
export function showValue(value: unknown): string {
    if (value === undefined) return "(none)";
    const text = JSON.stringify(value);
    if (text.length <= LONG_VALUE) return text;
    const digest = createHash("sha256").update(text).digest("hex").slice(0, 12);
    return `${text.slice(0, 48)}… (${text.length.toLocaleString("en-US")} chars, sha256 ${digest})`;
}

export function renderChange(change: PropertyChange): string {
    if (change.secret) return `${change.path}: [secret] ${change.secret.changed === true ? "changed" : change.secret.changed === false ? "unchanged" : "may have changed (no digests to compare)"}`;
    return `${change.path}: ${showValue(change.old)} → ${showValue(change.new)}`;
}

/** A delete and a create that look like one resource renamed or moved: keep it with an alias instead of replacing it. */
export interface RenameHint {
    type: string;
    from: string;
    to: string;
    /** The resource option that keeps the old URN's resource. */
    alias: string;
}

/** urn:pulumi:<stack>::<project>::<parent types$type>::<name> → the type chain (parents' types and its own). */
const typeChain = (urn: string) => urn.split("::")[2] ?? "";

/**
 * Deletes paired with creates of the same type: same place in the tree under another name (a
 * rename: `aliases: [{ name }]`), or the same name under another parent (a move: the old URN as an
 * alias). Only unambiguous pairs (one candidate each way) are suggested.
 */
export function renameHints(diff: PlanDiff): RenameHint[] {
    const deletes = diff.changes.filter((c) => c.op === "delete");
    const creates = diff.changes.filter((c) => c.op === "create");
    const hints: RenameHint[] = [];
    for (const gone of deletes) {
        const renamed = creates.filter((c) => c.type === gone.type && typeChain(c.urn) === typeChain(gone.urn));
        const moved = creates.filter((c) => c.type === gone.type && c.name === gone.name && typeChain(c.urn) !== typeChain(gone.urn));
        const rivals = deletes.filter((d) => d.type === gone.type && typeChain(d.urn) === typeChain(gone.urn));
        if (renamed.length === 1 && rivals.length === 1) hints.push({ type: gone.type, from: gone.name, to: renamed[0].name, alias: `aliases: [{ name: "${gone.name}" }]` });
        else if (moved.length === 1) hints.push({ type: gone.type, from: gone.name, to: moved[0].name, alias: `aliases: ["${gone.urn}"]` });
    }
    return hints;
}

/** Lines suggesting aliases for the renames and moves of a diff (empty without deletes). */
export function renderRenameHints(diff: PlanDiff): string[] {
    if (!diff.changes.some((c) => c.op === "delete")) return [];
    const hints = renameHints(diff);
    const lines = ["If a delete is the same resource renamed or moved, keep it: give the new resource the old one's URN as an alias (resource option `aliases`), and it is updated, not replaced."];
    for (const hint of hints) lines.push(`    ${hint.from} → ${hint.to} (${hint.type}): add \`${hint.alias}\` to ${hint.to}'s resource options`);
    return lines;
}

function flags(change: ResourceChange): string {
    return [change.protect ? "[protect]" : "", change.stateful ? "[stateful]" : "", change.deleteBeforeReplace && change.op === "replace" ? "[delete before replace]" : ""].filter(Boolean).join(" ");
}

/**
 * The changed resources whose cost is not (fully) known on either side: while there is one, the
 * change's cost is unknown, not zero.
 */
export function unpricedChanges(diff: PlanDiff, oldCost: CostSection | undefined, newCost: CostSection): string[] {
    const unknown = (cost: CostSection | undefined, urn: string) => {
        const status = cost?.resources.find((r) => r.urn === urn)?.status;
        return status === "unpriced" || status === "partly priced";
    };
    return diff.changes.filter((c) => unknown(oldCost, c.urn) || unknown(newCost, c.urn)).map((c) => c.name);
}

/** The monthly delta (new − old) of two cost sections; undefined without a base cost or when a changed resource is unpriced. */
export function costDelta(oldCost: CostSection | undefined, newCost: CostSection, diff?: PlanDiff): Range | undefined {
    if (!oldCost || (diff && unpricedChanges(diff, oldCost, newCost).length > 0)) return undefined;
    return { min: Math.round((newCost.total.min - oldCost.total.min) * 100) / 100, max: Math.round((newCost.total.max - oldCost.total.max) * 100) / 100 };
}

const signed = (value: number) => `${value >= 0 ? "+" : "−"}$${Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
export const formatDelta = (delta: Range) => (delta.min === delta.max ? signed(delta.min) : `${signed(delta.min)} (min) / ${signed(delta.max)} (max)`);

/** The cost change in words: the delta against the base, or why it is unknown. */
export function describeDelta(diff: PlanDiff, oldCost: CostSection | undefined, newCost: CostSection): string {
    if (!oldCost) return "the base plan has no cost section";
    const unpriced = unpricedChanges(diff, oldCost, newCost);
    if (unpriced.length > 0) return `change unknown: ${unpriced.slice(0, 5).join(", ")}${unpriced.length > 5 ? ` and ${unpriced.length - 5} more` : ""} changed and ${unpriced.length === 1 ? "is" : "are"} unpriced`;
    return `${formatDelta(costDelta(oldCost, newCost)!)} against the base`;
}

export function renderDiff(diff: PlanDiff, opts: { oldCost?: CostSection; newCost?: CostSection; base?: string; allowReplace?: boolean } = {}): string[] {
    const lines = [`Diff of stack ${diff.stack}${opts.base ? ` against ${opts.base}` : ""}:`, DIFF_LEGEND, ""];
    if (diff.changes.length === 0) lines.push("    no changes");
    for (const change of diff.changes) {
        lines.push(` ${SYMBOL[change.op].padEnd(3)}${change.type}  ${change.name}${flags(change) ? `  ${flags(change)}` : ""}`);
        const reasons = new Map(change.replaceReasons.map((r) => [r.path, r.rule]));
        for (const prop of change.changes) lines.push(`        ${reasons.has(prop.path) ? "+-" : "~ "} ${renderChange(prop)}${reasons.has(prop.path) ? `   (replaces: ${reasons.get(prop.path)})` : ""}`);
        if (change.unverified) lines.push("        ?  the create-only rules of this type were not read (tools/review/createOnly.azure.json): this update may be a replacement");
    }
    const c = diff.counts;
    lines.push("", `Resources: ${c.replace} to replace, ${c.update} to update, ${c.create} to create, ${c.delete} to delete`);
    if (opts.newCost) lines.push(`Monthly cost: ${formatSum(opts.newCost.total, totalCoverage(opts.newCost))} (${describeDelta(diff, opts.oldCost, opts.newCost)})`);
    if (diff.guardedReplacements.length > 0) {
        lines.push("");
        lines.push(opts.allowReplace ? "WARNING: approved with --allow-replace:" : "REFUSED: this change would replace or delete protected or stateful resources (data loss, new endpoints):");
        for (const change of diff.guardedReplacements) {
            const why = change.op === "delete" ? "deleted" : `replaced because ${change.replaceReasons.map((r) => `${r.path} (${r.rule})`).join(", ")}`;
            lines.push(`    !! ${change.type} ${change.name} ${flags(change)}: ${why}`);
        }
        if (!opts.allowReplace) lines.push("Review the change; rerun with --allow-replace once the replacement is intended.");
        lines.push(...renderRenameHints(diff));
    }
    return lines;
}
