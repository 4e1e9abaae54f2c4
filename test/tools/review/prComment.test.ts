import { strict as assert } from "assert";
import { COMMENT_MARKER, renderComment, StackReview } from "../../../tools/review/prComment";

const change = (op: "replace" | "update", name: string, extra: object = {}) => ({
    op, urn: `urn:${name}`, type: op === "replace" ? "azure-native:dbforpostgresql:Server" : "azure-native:app:ContainerApp", name, protect: op === "replace", stateful: op === "replace", deleteBeforeReplace: false,
    changes: op === "replace" ? [{ path: "administratorLogin", old: "a", new: "b" }] : [{ path: "template.scale.maxReplicas", old: 10, new: 12 }],
    replaceReasons: op === "replace" ? [{ path: "administratorLogin", rule: "create-only in the Azure REST spec" }] : [],
    ...extra,
});

function review(stack: string, refused: boolean, mandatory: boolean): StackReview {
    const changes = refused ? [change("replace", "pg"), change("update", "api")] : [change("update", "api")];
    return {
        stack, base: { ref: "origin/main", commit: "abc" }, changes: changes as never,
        counts: { replace: refused ? 1 : 0, update: 1, create: 0, delete: 0 },
        guardedReplacements: (refused ? [changes[0]] : []) as never, refused,
        cost: { old: { min: 100, max: 200 }, new: { min: 100, max: 263.07 }, delta: { min: 0, max: 63.07 }, coverage: { priced: 2, chargeable: 5, unpriced: ["signalr (signalr/Standard_S1/eastus2)"], notEstimated: ["logs: log ingestion (per 1 GB)"] } },
        policy: { violations: mandatory ? [{ level: "mandatory", policy: "postgres-read-replica" }] : [] },
    };
}

describe("review: pull-request comment", () => {
    it("puts the stack with a refused replacement first, with its policy verdict, cost range and delta, and diagram", () => {
        const text = renderComment([{ review: review("dev", false, false) }, { review: review("prod", true, true), diagram: "```mermaid\nflowchart LR\n```" }]);
        assert.ok(text.startsWith(COMMENT_MARKER));
        assert.ok(text.indexOf("### prod") < text.indexOf("### dev"));
        assert.match(text, /\| Policy \| ❌ fails: postgres-read-replica \|/);
        assert.match(text, /\| Monthly cost \| \$100\.00 – \$263\.07 \+ 1 unpriced USD \(\+\$0\.00 \(min\) \/ \+\$63\.07 \(max\)\); priced 2 of 5 resources \|/);
        assert.match(text, /⛔ Replaces or deletes protected or stateful resources/);
        assert.match(text, /- `azure-native:dbforpostgresql:Server` \*\*pg\*\*: replaced because `administratorLogin` \(create-only in the Azure REST spec\)/);
        assert.match(text, /^\+- azure-native:dbforpostgresql:Server pg$/m);
        assert.match(text, /- unpriced: signalr/);
        assert.match(text, /<summary>Diagram<\/summary>\n\n```mermaid/);
        assert.match(text, /### dev[\s\S]*\| Policy \| ✅ passes \|/);
    });
});
