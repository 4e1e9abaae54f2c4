/**
 * The review section of the offline plan: the cost section (always), keyed secret digests (when a
 * comparison key is set), the Mermaid diagram (--diagram FILE.md) and the diff against an earlier
 * plan (--diff-against OLD.json; exit 5 on an unapproved replacement of a protected or stateful resource).
 */
import * as fs from "fs";
import * as path from "path";
import type { PlanSectionContext } from "../offline/types";
import { costOf, renderCost } from "./cost";
import { mermaidDiagram } from "./diagram";
import { DiffablePlan, diffPlans } from "./diff";
import { readPriceTable } from "./prices";
import { renderDiff } from "./render";
import { secretDigests } from "./secretDigests";

/** Exit code of a diff that would replace or delete a protected or stateful resource without --allow-replace. */
export const EXIT_REPLACEMENT_REFUSED = 5;

export interface ReviewOptions {
    priceTable?: string;
    diagram?: string;
    diffAgainst?: string;
    allowReplace?: boolean;
}

export function writeDiagram(file: string, markdown: string): void {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, markdown);
}

export function reviewSection(ctx: PlanSectionContext): number {
    const options = ctx.options as ReviewOptions;
    const { document } = ctx;
    const cost = costOf(document.resources, readPriceTable(options.priceTable));
    document.cost = cost;
    for (const line of renderCost(cost)) ctx.out(line);
    const digests = secretDigests(ctx.run.resources);
    if (digests) document.secretDigests = digests;
    if (options.diagram) {
        writeDiagram(options.diagram, mermaidDiagram(document.resources, `${document.project}/${document.stack}`));
        ctx.out(`Wrote the diagram to ${options.diagram}`);
    }
    if (!options.diffAgainst) return 0;
    const old = JSON.parse(fs.readFileSync(options.diffAgainst, "utf8")) as DiffablePlan;
    const diff = diffPlans(old, document as unknown as DiffablePlan);
    document.diff = diff;
    ctx.out("");
    for (const line of renderDiff(diff, { oldCost: old.cost as never, newCost: cost, base: options.diffAgainst, allowReplace: options.allowReplace })) ctx.out(line);
    return diff.guardedReplacements.length > 0 && !options.allowReplace ? EXIT_REPLACEMENT_REFUSED : 0;
}
