/**
 * The README's architecture diagram is the Mermaid diagram of the `prod` plan, between these
 * markers. `npx tsx tools/review/readmeDiagram.ts` plans prod and rewrites it; a test keeps it in sync.
 */
import * as fs from "fs";
import * as path from "path";
import { mermaidDiagram } from "./diagram";
import { PROJECT_DIR } from "../paths";

export const README = path.join(PROJECT_DIR, "README.md");
export const START = "<!-- diagram: generated from the prod plan by tools/review/readmeDiagram.ts; do not edit -->";
export const END = "<!-- end of generated diagram -->";

/** The generated block of a README text, or undefined without markers. */
export function readmeDiagram(text: string): string | undefined {
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    return start < 0 || end < start ? undefined : text.slice(start + START.length, end).trim();
}

export function diagramOfPlan(document: { project: string; stack: string; resources: Parameters<typeof mermaidDiagram>[0] }): string {
    return mermaidDiagram(document.resources, `${document.project}/${document.stack}`).trim();
}

function main(): void {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { planInProcess } = require("./planRunner") as typeof import("./planRunner");
    const result = planInProcess(PROJECT_DIR, "prod");
    if (!result.document) throw new Error(`the prod plan failed:\n${result.stderr}`);
    const text = fs.readFileSync(README, "utf8");
    if (readmeDiagram(text) === undefined) throw new Error(`README.md has no diagram markers (${START} … ${END})`);
    const start = text.indexOf(START) + START.length;
    fs.writeFileSync(README, `${text.slice(0, start)}\n${diagramOfPlan(result.document as never)}\n${text.slice(text.indexOf(END))}`);
}

if (require.main === module) main();
