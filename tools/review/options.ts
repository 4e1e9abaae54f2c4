/** Checks of the review options made before the program runs (each names its option). */
import * as fs from "fs";
import { readPriceTable } from "./prices";

export function reviewOptionProblems(options: { diffAgainst?: string; priceTable?: string }): string[] {
    const problems: string[] = [];
    if (options.diffAgainst !== undefined) {
        try {
            const old = JSON.parse(fs.readFileSync(options.diffAgainst, "utf8"));
            if (!Array.isArray(old?.resources)) problems.push(`--diff-against: ${options.diffAgainst} is not a plan (no "resources" list); write one with --json`);
        } catch (err) {
            problems.push(`--diff-against: cannot read ${options.diffAgainst}: ${(err as Error).message}`);
        }
    }
    if (options.priceTable !== undefined) {
        try {
            const table = readPriceTable(options.priceTable);
            if (!table || typeof table.entries !== "object") problems.push(`--price-table: ${options.priceTable} has no "entries"`);
        } catch (err) {
            problems.push(`--price-table: cannot read ${options.priceTable}: ${(err as Error).message}`);
        }
    }
    return problems;
}
