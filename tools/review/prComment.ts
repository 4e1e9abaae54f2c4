/**
 * The pull-request comment: a summary a reviewer reads in 30 seconds — per stack the policy
 * verdict, the changes, the protected or stateful replacements, the monthly cost and its change —
 * and for each changed stack the diagram of what changed; the details (the diff, what stays
 * unpriced) folded, and cut to fit. Unchanged stacks take one line each. Reads the `diff --json`
 * documents and diagrams the workflow wrote (out/review/diff-<stack>.json, diagram-<stack>.md),
 * which stay whole in the workflow's `review` artifact.
 *
 *   npx tsx tools/review/prComment.ts out/review > out/review/comment.md
 *
 * GitHub refuses a comment body over 65,536 characters ("Body is too long (maximum is 65536
 * characters)", REST API: issues/comments#create-an-issue-comment); the comment is built to stay
 * under COMMENT_BUDGET whatever the stacks and the change.
 */
import * as fs from "fs";
import * as path from "path";
import type { Range } from "./cost";
import { formatSum } from "./cost";
import type { ResourceChange } from "./diff";
import { formatDelta, RenameHint, renderChange, SYMBOL } from "./render";

/** Marks the comment so the workflow updates it instead of adding another. */
export const COMMENT_MARKER = "<!-- bookstore-infra review -->";

/** GitHub's maximum comment body, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** What the comment may take: the limit less a margin for the workflow's own additions. */
export const COMMENT_BUDGET = 60_000;

export interface StackReview {
    stack: string;
    base: { ref: string; commit: string };
    changes: ResourceChange[];
    counts: Record<ResourceChange["op"], number>;
    guardedReplacements: ResourceChange[];
    renames?: RenameHint[];
    refused: boolean;
    cost: {
        old: Range;
        new: Range;
        delta?: Range | null;
        /** The changed resources that are unpriced: while there is one, the change's cost is unknown. */
        deltaUnknown?: string[];
        coverage: { priced: number; chargeable: number; unpriced: string[]; notEstimated: string[]; unpricedMeters?: { meter: string; why: string; resources: string[] }[] };
        pricesAsOf?: string[];
        /** Resources with at least one priced meter (a sum with none is unknown). */
        pricedResources?: number;
    };
    policy: { pack?: string; violations?: { level: string; policy?: string; message?: string }[] } | null;
}

export interface CommentInput {
    review: StackReview;
    diagram?: string;
}

/** Where the whole documents are: the workflow run's `review` artifact (linked when the run is known). */
export interface ArtifactPointer {
    runUrl?: string;
}

function policyVerdict(policy: StackReview["policy"]): string {
    if (!policy) return "not evaluated";
    const mandatory = (policy.violations ?? []).filter((v) => v.level === "mandatory");
    const advisory = (policy.violations ?? []).length - mandatory.length;
    if (mandatory.length > 0) return `❌ fails: ${mandatory.map((v) => v.policy ?? "?").join(", ")}${advisory ? ` (+${advisory} advisory)` : ""}`;
    return `✅ passes${advisory ? `, ${advisory} advisory` : ""}`;
}

function changeCounts(c: StackReview["counts"]): string {
    const parts = [c.replace ? `${c.replace} to replace` : "", c.delete ? `${c.delete} to delete` : "", c.update ? `${c.update} to update` : "", c.create ? `${c.create} to create` : ""].filter(Boolean);
    return parts.length ? parts.join(", ") : "no changes";
}

const coverageOf = (review: StackReview) => ({ priced: review.cost.pricedResources ?? review.cost.coverage.priced, unpriced: review.cost.coverage.unpriced.length });

function costChange(review: StackReview): string {
    if (review.cost.delta) return review.cost.delta.min === 0 && review.cost.delta.max === 0 ? "none" : formatDelta(review.cost.delta);
    if (review.cost.deltaUnknown?.length) return `unknown: ${review.cost.deltaUnknown.slice(0, 3).join(", ")}${review.cost.deltaUnknown.length > 3 ? ` +${review.cost.deltaUnknown.length - 3}` : ""} unpriced`;
    return "unknown";
}

/** A table cell: pipes and line breaks would break the row. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** How much detail each changed stack gets; the comment takes the first level that fits the budget. */
interface Detail {
    /** Resources listed in the folded diff, and changed properties per resource. */
    resources: number;
    properties: number;
    /** Protected or stateful replacements named in the summary. */
    guarded: number;
    diagram: boolean;
    unpriced: boolean;
}

const LEVELS: Detail[] = [
    { resources: 60, properties: 12, guarded: 30, diagram: true, unpriced: true },
    { resources: 30, properties: 8, guarded: 30, diagram: true, unpriced: false },
    { resources: 15, properties: 5, guarded: 15, diagram: true, unpriced: false },
    { resources: 15, properties: 5, guarded: 15, diagram: false, unpriced: false },
    { resources: 5, properties: 3, guarded: 5, diagram: false, unpriced: false },
    { resources: 0, properties: 0, guarded: 3, diagram: false, unpriced: false },
];

function artifactNote(stack: string, pointer: ArtifactPointer): string {
    const where = pointer.runUrl ? `the \`review\` artifact of [this run](${pointer.runUrl})` : "the workflow's `review` artifact";
    return `the whole diff is \`diff-${stack}.json\` in ${where}`;
}

/** The section of a stack that changes: replacements first, the diagram of what changed, the folded details. */
export function renderStack(review: StackReview, diagram: string | undefined, detail: Detail = LEVELS[0], pointer: ArtifactPointer = {}): string[] {
    const lines = [`### ${review.stack}`, ""];
    lines.push(`**${changeCounts(review.counts)}** · policy ${policyVerdict(review.policy)} · monthly ${formatSum(review.cost.new, coverageOf(review))} USD (change: ${costChange(review)})`, "");
    if (review.guardedReplacements.length > 0) {
        lines.push(review.refused ? "**⛔ Replaces or deletes protected or stateful resources (not approved: add the `allow-replace` label once intended):**" : "**⚠️ Replaces or deletes protected or stateful resources (approved with the `allow-replace` label):**");
        for (const change of review.guardedReplacements.slice(0, detail.guarded)) {
            lines.push(`- \`${change.type}\` **${change.name}**: ${change.op === "delete" ? "deleted" : `replaced because ${change.replaceReasons.slice(0, 3).map((r) => `\`${r.path}\` (${r.rule})`).join(", ")}`}`);
        }
        if (review.guardedReplacements.length > detail.guarded) lines.push(`- … and ${review.guardedReplacements.length - detail.guarded} more (${artifactNote(review.stack, pointer)})`);
        for (const hint of (review.renames ?? []).slice(0, detail.guarded)) lines.push(`- 💡 **${hint.from}** → **${hint.to}** looks like a rename: add \`${hint.alias}\` to ${hint.to}'s resource options to keep it`);
        lines.push("");
    }
    if (diagram && detail.diagram) lines.push("<details open><summary>What changed (diagram: + created, ~ updated, +- replaced)</summary>", "", diagram.trim(), "", "</details>", "");
    if (review.changes.length > 0) {
        const shown = review.changes.slice(0, detail.resources);
        lines.push(`<details><summary>Diff: ${review.changes.length} resources</summary>`, "");
        if (shown.length > 0) {
            lines.push("```diff");
            for (const change of shown) {
                lines.push(`${SYMBOL[change.op]} ${change.type} ${change.name}`);
                for (const prop of change.changes.slice(0, detail.properties)) lines.push(`    ${renderChange(prop)}`);
                if (change.changes.length > detail.properties) lines.push(`    … ${change.changes.length - detail.properties} more properties`);
            }
            lines.push("```");
        }
        if (review.changes.length > shown.length || shown.some((c) => c.changes.length > detail.properties)) lines.push("", `Cut to fit GitHub's comment limit: ${artifactNote(review.stack, pointer)}.`);
        lines.push("", "</details>", "");
    }
    const unpricedMeters = review.cost.coverage.unpricedMeters ?? [];
    if (detail.unpriced && unpricedMeters.length > 0) {
        lines.push(`<details><summary>Unpriced (${review.cost.coverage.unpriced.length} resources) and why</summary>`, "");
        for (const m of unpricedMeters.slice(0, 40)) lines.push(`- \`${m.meter}\` (${m.resources.slice(0, 6).join(", ")}${m.resources.length > 6 ? ` +${m.resources.length - 6}` : ""}): ${m.why}`);
        if (unpricedMeters.length > 40) lines.push(`- … ${unpricedMeters.length - 40} more`);
        lines.push("", "</details>", "");
    }
    return lines;
}

const changed = (r: StackReview) => r.changes.length > 0;
const order = (r: StackReview) => (r.refused ? 0 : r.guardedReplacements.length > 0 ? 1 : changed(r) ? 2 : 3);

/** The summary: one row per changed stack, one line per unchanged stack. */
function summary(reviews: StackReview[], pointer: ArtifactPointer): string[] {
    const base = reviews[0]?.base;
    const asOf = [...new Set(reviews.flatMap((r) => r.cost.pricesAsOf ?? []))].sort();
    const changedStacks = reviews.filter(changed);
    const lines = [COMMENT_MARKER, `## Offline review: ${changedStacks.length} of ${reviews.length} stacks change`, ""];
    lines.push(`Compared with \`${base?.ref ?? "?"}\`${base?.commit ? ` (${base.commit.slice(0, 12)})` : ""}; offline plans, no cloud access; ${asOf.length ? `list prices as of ${asOf[0]}${asOf.length > 1 ? ` – ${asOf[asOf.length - 1]}` : ""}` : "no prices"} (USD/month, min – max replicas).`, "");
    if (changedStacks.length > 0) {
        lines.push("| stack | policy | changes | protected / stateful | monthly cost | cost change |", "|---|---|---|---|---|---|");
        for (const r of changedStacks) {
            const guarded = r.guardedReplacements.length === 0 ? "—" : `${r.refused ? "⛔" : "⚠️"} ${r.guardedReplacements.slice(0, 3).map((c) => c.name).join(", ")}${r.guardedReplacements.length > 3 ? ` +${r.guardedReplacements.length - 3}` : ""}`;
            lines.push(`| **${r.stack}** | ${cell(policyVerdict(r.policy))} | ${changeCounts(r.counts)} | ${cell(guarded)} | ${cell(formatSum(r.cost.new, coverageOf(r)))} | ${cell(costChange(r))} |`);
        }
        lines.push("");
    }
    for (const r of reviews.filter((x) => !changed(x))) lines.push(`- \`${r.stack}\`: no changes · policy ${policyVerdict(r.policy)} · ${formatSum(r.cost.new, coverageOf(r))}`);
    if (reviews.some((x) => !changed(x))) lines.push("");
    lines.push(`<sub>Every stack's whole diff, cost and diagram: the \`review\` artifact${pointer.runUrl ? ` of [this run](${pointer.runUrl})` : ""} (\`diff-<stack>.json\`, \`diagram-<stack>.md\`).</sub>`, "");
    return lines;
}

/** Characters as GitHub counts them (code points). */
export const commentLength = (text: string) => [...text].length;

/**
 * The comment for `inputs`: the summary always whole, then each changed stack's section at the
 * most detail that keeps the whole comment within COMMENT_BUDGET.
 */
export function renderComment(inputs: CommentInput[], pointer: ArtifactPointer = {}): string {
    const sorted = [...inputs].sort((a, b) => order(a.review) - order(b.review) || a.review.stack.localeCompare(b.review.stack));
    const head = summary(sorted.map((i) => i.review), pointer).join("\n");
    let body = "";
    for (const detail of LEVELS) {
        body = sorted.filter((i) => changed(i.review)).map((i) => renderStack(i.review, i.diagram, detail, pointer).join("\n")).join("\n");
        if (commentLength(head) + commentLength(body) + 2 <= COMMENT_BUDGET) break;
    }
    let text = `${head}\n${body}\n`;
    if (commentLength(text) > COMMENT_BUDGET) {
        // Only a pathological input (thousands of stacks) gets here: cut at a line, and say so.
        const note = `\n\n… cut to fit GitHub's comment limit: the rest is in the \`review\` artifact${pointer.runUrl ? ` of [this run](${pointer.runUrl})` : ""}.\n`;
        const room = COMMENT_BUDGET - commentLength(note);
        const kept: string[] = [];
        let used = 0;
        for (const line of text.split("\n")) {
            if (used + commentLength(line) + 1 > room) break;
            kept.push(line);
            used += commentLength(line) + 1;
        }
        text = `${kept.join("\n")}${note}`;
    }
    return text;
}

/** The workflow run's URL from GitHub Actions' default environment variables, when there. */
export function runUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
    return env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
}

/** The `diff --json` documents and diagrams of a review directory. */
export function readReviews(dir: string): CommentInput[] {
    return fs.readdirSync(dir).filter((f) => /^diff-.+\.json$/.test(f)).sort().map((file) => {
        const stack = file.replace(/^diff-|\.json$/g, "");
        const diagramFile = path.join(dir, `diagram-${stack}.md`);
        return { review: { stack, ...JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) } as StackReview, diagram: fs.existsSync(diagramFile) ? fs.readFileSync(diagramFile, "utf8") : undefined };
    });
}

if (require.main === module) process.stdout.write(renderComment(readReviews(process.argv[2] ?? "out/review"), { runUrl: runUrlFromEnv() }));
