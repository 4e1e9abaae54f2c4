/** Text of a plan diff, in the manner of `pulumi preview --diff`: replacements first. */
import type { CostSection, Range } from "./cost";
import { formatSum } from "./cost";
import type { PlanDiff, PropertyChange, ResourceChange } from "./diff";

export const SYMBOL: Record<ResourceChange["op"], string> = { create: "+", delete: "-", update: "~", replace: "+-" };
export const DIFF_LEGEND = "Legend: + create   ~ update in place   +- replace (delete and create)   - delete";

const show = (value: unknown) => (value === undefined ? "(none)" : JSON.stringify(value));

export function renderChange(change: PropertyChange): string {
    if (change.secret) return `${change.path}: [secret] ${change.secret.changed === true ? "changed" : change.secret.changed === false ? "unchanged" : "may have changed (no digests to compare)"}`;
    return `${change.path}: ${show(change.old)} → ${show(change.new)}`;
}

function flags(change: ResourceChange): string {
    return [change.protect ? "[protect]" : "", change.stateful ? "[stateful]" : "", change.deleteBeforeReplace && change.op === "replace" ? "[delete before replace]" : ""].filter(Boolean).join(" ");
}

/** The monthly delta (new − old) of two cost sections. */
export function costDelta(oldCost: CostSection | undefined, newCost: CostSection): Range | undefined {
    if (!oldCost) return undefined;
    return { min: Math.round((newCost.total.min - oldCost.total.min) * 100) / 100, max: Math.round((newCost.total.max - oldCost.total.max) * 100) / 100 };
}

const signed = (value: number) => `${value >= 0 ? "+" : "−"}$${Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
export const formatDelta = (delta: Range) => (delta.min === delta.max ? signed(delta.min) : `${signed(delta.min)} (min) / ${signed(delta.max)} (max)`);

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
    if (opts.newCost) {
        const delta = costDelta(opts.oldCost, opts.newCost);
        lines.push(`Monthly cost: ${formatSum(opts.newCost.total, opts.newCost.coverage.unpriced.length)}${delta ? ` (${formatDelta(delta)} against the base)` : " (the base plan has no cost section)"}`);
    }
    if (diff.guardedReplacements.length > 0) {
        lines.push("");
        lines.push(opts.allowReplace ? "WARNING: approved with --allow-replace:" : "REFUSED: this change would replace or delete protected or stateful resources (data loss, new endpoints):");
        for (const change of diff.guardedReplacements) {
            const why = change.op === "delete" ? "deleted" : `replaced because ${change.replaceReasons.map((r) => `${r.path} (${r.rule})`).join(", ")}`;
            lines.push(`    !! ${change.type} ${change.name} ${flags(change)}: ${why}`);
        }
        if (!opts.allowReplace) lines.push("Review the change; rerun with --allow-replace once the replacement is intended.");
    }
    return lines;
}
