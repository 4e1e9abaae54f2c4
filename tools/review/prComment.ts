/**
 * The pull-request comment: per stack the policy verdict, the diff summary with replacements first,
 * the monthly cost range and delta, and the diagram. Reads the `diff --json` documents and
 * diagrams the workflow wrote (out/review/diff-<stack>.json, diagram-<stack>.md).
 *
 *   npx tsx tools/review/prComment.ts out/review > out/review/comment.md
 */
import * as fs from "fs";
import * as path from "path";
import type { Range } from "./cost";
import { formatSum } from "./cost";
import type { ResourceChange } from "./diff";
import { formatDelta, SYMBOL } from "./render";

/** Marks the comment so the workflow updates it instead of adding another. */
export const COMMENT_MARKER = "<!-- bookstore-infra review -->";

export interface StackReview {
    stack: string;
    base: { ref: string; commit: string };
    changes: ResourceChange[];
    counts: Record<ResourceChange["op"], number>;
    guardedReplacements: ResourceChange[];
    refused: boolean;
    cost: { old: Range; new: Range; delta?: Range | null; deltaUnknown?: string[]; coverage: { priced: number; chargeable: number; unpriced: string[]; notEstimated: string[] } };
    policy: { pack?: string; violations?: { level: string; policy?: string; message?: string }[] } | null;
}

function policyVerdict(policy: StackReview["policy"]): string {
    if (!policy) return "not evaluated";
    const mandatory = (policy.violations ?? []).filter((v) => v.level === "mandatory");
    const advisory = (policy.violations ?? []).length - mandatory.length;
    if (mandatory.length > 0) return `❌ fails: ${mandatory.map((v) => v.policy ?? "?").join(", ")}${advisory ? ` (+${advisory} advisory)` : ""}`;
    return `✅ passes${advisory ? `, ${advisory} advisory` : ""}`;
}

export function renderStack(review: StackReview, diagram?: string): string[] {
    const c = review.counts;
    const lines = [`### ${review.stack}`, "", `| | |`, `|---|---|`];
    lines.push(`| Policy | ${policyVerdict(review.policy)} |`);
    lines.push(`| Changes | ${c.replace} to replace, ${c.update} to update, ${c.create} to create, ${c.delete} to delete |`);
    lines.push(`| Monthly cost | ${formatSum(review.cost.new, { priced: review.cost.coverage.priced, unpriced: review.cost.coverage.unpriced.length })} USD${review.cost.delta ? ` (${formatDelta(review.cost.delta)})` : review.cost.deltaUnknown ? " (change unknown)" : ""}; priced ${review.cost.coverage.priced} of ${review.cost.coverage.chargeable} resources |`);
    lines.push("");
    if (review.guardedReplacements.length > 0) {
        lines.push(review.refused ? "**⛔ Replaces or deletes protected or stateful resources (not approved: add the `allow-replace` label once intended):**" : "**⚠️ Replaces or deletes protected or stateful resources (approved with the `allow-replace` label):**");
        for (const change of review.guardedReplacements) lines.push(`- \`${change.type}\` **${change.name}**: ${change.op === "delete" ? "deleted" : `replaced because ${change.replaceReasons.map((r) => `\`${r.path}\` (${r.rule})`).join(", ")}`}`);
        lines.push("");
    }
    if (review.changes.length > 0) {
        lines.push("<details><summary>Diff</summary>", "", "```diff");
        for (const change of review.changes) {
            lines.push(`${SYMBOL[change.op]} ${change.type} ${change.name}`);
            for (const prop of change.changes.slice(0, 20)) lines.push(`    ${prop.secret ? `${prop.path}: [secret] ${prop.secret.changed === true ? "changed" : "may have changed"}` : `${prop.path}: ${JSON.stringify(prop.old)} → ${JSON.stringify(prop.new)}`}`);
            if (change.changes.length > 20) lines.push(`    … ${change.changes.length - 20} more`);
        }
        lines.push("```", "", "</details>", "");
    }
    if (review.cost.coverage.unpriced.length > 0) lines.push(`<details><summary>Unpriced (${review.cost.coverage.unpriced.length}) and not estimated (${review.cost.coverage.notEstimated.length})</summary>`, "", ...review.cost.coverage.unpriced.map((u) => `- unpriced: ${u}`), ...review.cost.coverage.notEstimated.map((u) => `- not estimated: ${u}`), "", "</details>", "");
    if (diagram) lines.push("<details><summary>Diagram</summary>", "", diagram.trim(), "", "</details>", "");
    return lines;
}

export function renderComment(reviews: { review: StackReview; diagram?: string }[]): string {
    const lines = [COMMENT_MARKER, "## Offline review", "", `Compared with \`${reviews[0]?.review.base.ref ?? "?"}\`; offline plans (no cloud access), prices from tools/review/prices.azure.json and prices.aws.json.`, ""];
    // Stacks with refused replacements first, then those with changes.
    const order = (r: StackReview) => (r.refused ? 0 : r.guardedReplacements.length > 0 ? 1 : r.changes.length > 0 ? 2 : 3);
    for (const { review, diagram } of [...reviews].sort((a, b) => order(a.review) - order(b.review) || a.review.stack.localeCompare(b.review.stack))) lines.push(...renderStack(review, diagram));
    return `${lines.join("\n")}\n`;
}

function main(dir: string): void {
    const reviews = fs.readdirSync(dir).filter((f) => /^diff-.+\.json$/.test(f)).sort().map((file) => {
        const stack = file.replace(/^diff-|\.json$/g, "");
        const diagramFile = path.join(dir, `diagram-${stack}.md`);
        return { review: { stack, ...JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) } as StackReview, diagram: fs.existsSync(diagramFile) ? fs.readFileSync(diagramFile, "utf8") : undefined };
    });
    process.stdout.write(renderComment(reviews));
}

if (require.main === module) main(process.argv[2] ?? "out/review");
