/**
 * URN stability: every shipped stack's plan must register exactly the resources recorded in
 * test/fixtures/urns/<stack>.txt (one `urn parent-urn` line each, sorted). A refactor that moves a
 * file, renames a component type token or resource, or re-parents a child changes a URN, which on a
 * deployed stack means a replacement (a new database). When a URN must change on purpose, add an
 * `aliases` entry to the resource and regenerate: `UPDATE_URN_FIXTURES=1 npx mocha --require tsx/cjs
 * test/tools/urnStability.test.ts`.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { planned } from "../helpers/plan";
import { PROJECT_DIR } from "../helpers/planJobs";
import type { PlanDocument } from "../../tools/offline/types";

const STACKS = ["dev", "prod", "prod-aks", "prod-cloudflare", "prod-eks", "dev-eks"];
const FIXTURES = path.join(PROJECT_DIR, "test/fixtures/urns");

/** One `urn parent` line per resource (the stack itself has no parent: `-`), sorted. */
export function urnLines(doc: PlanDocument): string[] {
    return doc.resources.map((r) => `${r.urn} ${r.parent ?? "-"}`).sort();
}

describe("URN stability of the shipped stacks", () => {
    for (const stack of STACKS) {
        const plan = planned(stack);
        it(`${stack}: every URN and parent matches test/fixtures/urns/${stack}.txt`, () => {
            const lines = urnLines(plan());
            const file = path.join(FIXTURES, `${stack}.txt`);
            if (process.env.UPDATE_URN_FIXTURES === "1") fs.writeFileSync(file, `${lines.join("\n")}\n`);
            const recorded = fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "");
            const added = lines.filter((l) => !recorded.includes(l));
            const removed = recorded.filter((l) => !lines.includes(l));
            assert.deepStrictEqual({ added, removed }, { added: [], removed: [] }, `URNs of ${stack} changed: a deployed stack would replace these resources`);
        });
    }
});
