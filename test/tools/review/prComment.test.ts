import { strict as assert } from "assert";
import { costOf } from "../../../tools/review/cost";
import { reviewDocument } from "../../../tools/review/commands";
import { mermaidDiagram } from "../../../tools/review/diagram";
import { diffPlans, DiffablePlan } from "../../../tools/review/diff";
import { readPriceTable } from "../../../tools/review/prices";
import { COMMENT_MARKER, commentLength, CommentInput, GITHUB_COMMENT_LIMIT, renderComment, StackReview } from "../../../tools/review/prComment";
import { planned } from "../../helpers/plan";

const change = (op: "replace" | "update", name: string, extra: object = {}) => ({
    op, urn: `urn:${name}`, type: op === "replace" ? "azure-native:dbforpostgresql:Server" : "azure-native:app:ContainerApp", name, protect: op === "replace", stateful: op === "replace", deleteBeforeReplace: false,
    changes: op === "replace" ? [{ path: "administratorLogin", old: "a", new: "b" }] : [{ path: "template.scale.maxReplicas", old: 10, new: 12 }],
    replaceReasons: op === "replace" ? [{ path: "administratorLogin", rule: "create-only in the Azure REST spec" }] : [],
    ...extra,
});

function review(stack: string, opts: { refused?: boolean; mandatory?: boolean; unchanged?: boolean } = {}): StackReview {
    const changes = opts.unchanged ? [] : opts.refused ? [change("replace", "pg"), change("update", "api")] : [change("update", "api")];
    return {
        stack, base: { ref: "origin/main", commit: "abc1234567890def" }, changes: changes as never,
        counts: { replace: opts.refused ? 1 : 0, update: opts.unchanged ? 0 : 1, create: 0, delete: 0 },
        guardedReplacements: (opts.refused ? [changes[0]] : []) as never, refused: Boolean(opts.refused),
        cost: { old: { min: 100, max: 200 }, new: { min: 100, max: 263.07 }, delta: opts.unchanged ? { min: 0, max: 0 } : { min: 0, max: 63.07 }, pricedResources: 2, pricesAsOf: ["2026-08-15"],
            coverage: { priced: 2, chargeable: 5, unpriced: ["signalr (signalr/Standard_S1/eastus2)"], notEstimated: ["logs: log ingestion (per 1 GB)"], unpricedMeters: [{ meter: "signalr/Standard_S1/eastus2", why: "no sourced price", resources: ["signalr"] }] } },
        policy: { violations: opts.mandatory ? [{ level: "mandatory", policy: "postgres-read-replica" }] : [] },
    };
}

/** Every input of a plan changed: strings, numbers and booleans alike (the worst case a change can be). */
function touched(value: unknown): unknown {
    if (typeof value === "string") return value === "[secret]" ? value : `${value}-changed`;
    if (typeof value === "number") return value + 1;
    if (typeof value === "boolean") return !value;
    if (Array.isArray(value)) return value.map(touched);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, touched(v)]));
    return value;
}

/** The review of a shipped stack whose every resource's every input changed, as `diff --json` writes it, with its marked diagram. */
function everythingChanged(stack: string, plan: Record<string, any>): CommentInput {
    const table = readPriceTable();
    const old = { ...plan, resources: plan.resources.map((r: Record<string, unknown>) => ({ ...r, inputs: touched(r.inputs) })) } as DiffablePlan;
    const diff = diffPlans(old, plan as DiffablePlan);
    const document = reviewDocument({ ref: "origin/main", commit: "0123456789abcdef0123" }, diff, costOf(old.resources as never, table), costOf(plan.resources, table), plan.policy ?? null, diff.guardedReplacements.length > 0);
    return { review: { ...document, stack }, diagram: mermaidDiagram(plan.resources, `bookstore/${stack}`, { changes: diff.changes }) };
}

describe("review: pull-request comment", function () {
    this.timeout(180_000);
    const stacks = ["dev", "dev-eks", "prod", "prod-aks", "prod-cloudflare", "prod-eks"];
    const plans = Object.fromEntries(stacks.map((s) => [s, planned(s)]));

    it("opens with a summary: one row per changed stack (policy, changes, guarded replacements, cost and its change), refused first", () => {
        const text = renderComment([{ review: review("dev") }, { review: review("prod", { refused: true, mandatory: true }), diagram: "```mermaid\nflowchart LR\n```" }]);
        assert.ok(text.startsWith(COMMENT_MARKER));
        assert.match(text, /^## Offline review: 2 of 2 stacks change$/m);
        assert.match(text, /^Compared with `origin\/main` \(abc123456789\); offline plans, no cloud access; list prices as of 2026-08-15 \(USD\/month, min – max replicas\)\.$/m);
        assert.match(text, /^\| \*\*prod\*\* \| ❌ fails: postgres-read-replica \| 1 to replace, 1 to update \| ⛔ pg \| \$100\.00 – \$263\.07 \+ 1 unpriced \| \+\$0\.00 \(min\) \/ \+\$63\.07 \(max\) \|$/m);
        assert.ok(text.indexOf("| **prod**") < text.indexOf("| **dev**"));
        assert.ok(text.indexOf("### prod") < text.indexOf("### dev"));
        assert.match(text, /⛔ Replaces or deletes protected or stateful resources/);
        assert.match(text, /- `azure-native:dbforpostgresql:Server` \*\*pg\*\*: replaced because `administratorLogin` \(create-only in the Azure REST spec\)/);
        assert.match(text, /^\+- azure-native:dbforpostgresql:Server pg$/m);
        assert.match(text, /<summary>What changed \(diagram: \+ created, ~ updated, \+- replaced\)<\/summary>\n\n```mermaid/);
        assert.match(text, /- `signalr\/Standard_S1\/eastus2` \(signalr\): no sourced price/);
    });

    it("collapses an unchanged stack to one line, and says a cost change is unknown rather than +$0.00", () => {
        const unknown = { ...review("prod-aks"), cost: { ...review("prod-aks").cost, delta: null, deltaUnknown: ["signalr"] } };
        const text = renderComment([{ review: review("dev", { unchanged: true }), diagram: "```mermaid\nflowchart LR\n```" }, { review: unknown }]);
        assert.match(text, /^- `dev`: no changes · policy ✅ passes · \$100\.00 – \$263\.07 \+ 1 unpriced$/m);
        assert.doesNotMatch(text, /### dev/);
        assert.match(text, /\| unknown: signalr unpriced \|$/m);
    });

    it(`stays within GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")}-character limit for the largest shipped stack with every resource changed`, () => {
        const largest = stacks.reduce((a, b) => (plans[a]().resources.length >= plans[b]().resources.length ? a : b));
        const input = everythingChanged(largest, plans[largest]());
        // Every resource with inputs is updated or replaced.
        assert.ok(input.review.changes.length >= plans[largest]().resources.filter((r) => Object.keys((r.inputs ?? {}) as object).length > 0).length, `${input.review.changes.length} changes`);
        const text = renderComment([input], { runUrl: "https://github.com/o/r/actions/runs/1" });
        assert.ok(commentLength(text) <= GITHUB_COMMENT_LIMIT, `${commentLength(text)} characters`);
        // Cut, but says where the rest is, and still names the protected replacements first.
        assert.match(text, /whole diff is `diff-prod-eks\.json` in the `review` artifact of \[this run\]\(https:\/\/github\.com\/o\/r\/actions\/runs\/1\)/);
        assert.match(text, /⛔ Replaces or deletes protected or stateful resources/);
    });

    it("stays within the limit with all six stacks changed at once, every resource of each", () => {
        const text = renderComment(stacks.map((s) => everythingChanged(s, plans[s]())));
        assert.ok(commentLength(text) <= GITHUB_COMMENT_LIMIT, `${commentLength(text)} characters`);
        for (const stack of stacks) assert.match(text, new RegExp(`^\\| \\*\\*${stack}\\*\\* \\|`, "m"));
    });

    it("a JSON-valued input (the workbook's serializedData) never floods the comment", () => {
        const prod = plans.prod();
        const old = { ...prod, resources: prod.resources.map((r) => (r.type === "azure-native:applicationinsights:Workbook" ? { ...r, inputs: { ...(r.inputs as object), serializedData: String((r.inputs as Record<string, unknown>).serializedData).replace(/"maxReplicas":\s*\d+|10/, (m) => m.replace(/\d+$/, "12")) } } : r)) } as DiffablePlan;
        const diff = diffPlans(old, prod as DiffablePlan);
        const table = readPriceTable();
        const input = { review: { ...reviewDocument({ ref: "origin/main", commit: "0" }, diff, costOf(old.resources as never, table), costOf(prod.resources, table), null, false), stack: "prod" } };
        const text = renderComment([input]);
        const workbook = diff.changes.find((c) => c.name === "workbook");
        assert.ok(workbook, "the workbook changed");
        assert.ok(workbook!.changes.every((c) => c.path.startsWith("serializedData(json)")), JSON.stringify(workbook!.changes));
        assert.ok(text.split("\n").every((line) => line.length < 400), "no line of the comment is a whole JSON document");
    });
});
