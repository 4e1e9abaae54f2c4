/**
 * `bookstore-infra diff | cost | prices refresh`: the review commands. Loaded on demand by the CLI.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { costOf, CostSection, formatSum, renderCost } from "./cost";
import { diffPlans, DiffablePlan } from "./diff";
import { AnyMeter, billingOf, isAwsMeter, Meter } from "./meters";
import { planAtRef, planInBackground, planInProcess, resolveRef, ReviewInputError } from "./planRunner";
import { DEFAULT_AWS_PRICE_TABLE, DEFAULT_PRICE_TABLE, PriceTable, readPriceTable, refreshPrices } from "./prices";
import { refreshAwsPrices } from "./prices.aws";
import { costDelta, renderDiff } from "./render";
import { DIGEST_KEY_ENV } from "./secretDigests";
import { EXIT_REPLACEMENT_REFUSED, writeDiagram } from "./section";
import { mermaidDiagram } from "./diagram";

export interface ReviewIo {
    out(line: string): void;
    err(line: string): void;
    projectDir: string;
}

function planOrThrow(result: { exitCode: number; document?: Record<string, any>; stderr: string }, what: string): Record<string, any> {
    if (!result.document) throw new ReviewInputError(`${what}: the plan failed (exit ${result.exitCode}).\n${result.stderr.trim()}`);
    return result.document;
}

/** `diff --stack S --base REF`: exit 5 on an unapproved replacement of a protected or stateful resource. */
export async function diffCommand(io: ReviewIo, flags: { stack: string; base: string; allowReplace?: boolean; json?: boolean; priceTable?: string; diagram?: string }): Promise<number> {
    // One key for both plans: their secret digests are comparable with each other and nothing else.
    const env = { [DIGEST_KEY_ENV]: randomBytes(32).toString("hex") };
    resolveRef(io.projectDir, flags.base); // a bad ref is a usage error before anything is planned
    // The base and the working tree plan side by side (they share nothing but the key).
    const [base, planned] = await Promise.all([planAtRef(io.projectDir, flags.base, flags.stack, env), planInBackground(io.projectDir, flags.stack, { env })]);
    const oldPlan = planOrThrow(base, `the base ${flags.base} (${base.commit.slice(0, 12)})`);
    const newPlan = planOrThrow(planned, "the working tree");
    if (flags.diagram) writeDiagram(flags.diagram, mermaidDiagram(newPlan.resources, `${newPlan.project}/${flags.stack}`));
    const table = readPriceTable(flags.priceTable);
    // Both sides priced with today's table: the delta is the change's, not the table's.
    const oldCost = costOf(oldPlan.resources, table);
    const newCost = costOf(newPlan.resources, table);
    const diff = diffPlans(oldPlan as DiffablePlan, newPlan as DiffablePlan);
    const refused = diff.guardedReplacements.length > 0 && !flags.allowReplace;
    const policy = newPlan.policy as { violations?: { level: string }[] } | undefined;
    if (flags.json) {
        io.out(JSON.stringify({ base: { ref: flags.base, commit: base.commit }, ...diff, cost: { old: oldCost.total, new: newCost.total, delta: costDelta(oldCost, newCost), coverage: newCost.coverage }, policy: policy ?? null, refused }, null, 2));
    } else {
        for (const line of renderDiff(diff, { oldCost, newCost, base: `${flags.base} (${base.commit.slice(0, 12)})`, allowReplace: flags.allowReplace })) io.out(line);
    }
    // A mandatory policy violation of the working tree's plan (exit 3) fails the diff too.
    return refused ? EXIT_REPLACEMENT_REFUSED : planned.exitCode === 3 ? 3 : 0;
}

/** `cost --stack A --stack B`: the stacks' monthly cost side by side, per tier. */
export async function costCommand(io: ReviewIo, flags: { stack: string[]; json?: boolean; priceTable?: string }): Promise<number> {
    const table = readPriceTable(flags.priceTable);
    const costs: Record<string, CostSection> = {};
    for (const stack of flags.stack) costs[stack] = costOf(planOrThrow(planInProcess(io.projectDir, stack), `stack ${stack}`).resources, table);
    if (flags.json) {
        io.out(JSON.stringify(costs, null, 2));
        return 0;
    }
    for (const line of sideBySide(costs)) io.out(line);
    for (const [stack, cost] of Object.entries(costs)) {
        io.out("");
        io.out(`${stack}:`);
        for (const line of renderCost(cost).slice(1)) io.out(line);
    }
    return 0;
}

export function sideBySide(costs: Record<string, CostSection>): string[] {
    const stacks = Object.keys(costs);
    const tiers = [...new Set(stacks.flatMap((s) => Object.keys(costs[s].tiers)))].sort();
    const width = 34;
    const row = (label: string, cells: string[]) => `${label.padEnd(20)}${cells.map((c) => c.padEnd(width)).join("")}`.trimEnd();
    const lines = [`Monthly cost (USD, min – max replicas, 730 h/month):`, row("", stacks)];
    for (const tier of tiers) lines.push(row(tier, stacks.map((s) => (costs[s].tiers[tier] ? formatSum(costs[s].tiers[tier], costs[s].unpricedByTier[tier]) : "—"))));
    lines.push(row("total", stacks.map((s) => formatSum(costs[s].total, costs[s].coverage.unpriced.length))));
    lines.push(row("priced", stacks.map((s) => `${costs[s].coverage.priced} of ${costs[s].coverage.chargeable} resources`)));
    return lines;
}

/** The meters a plan's resources are billed by. */
export function metersOf(resources: { type: string; name: string; inputs: unknown }[]): AnyMeter[] {
    return resources.flatMap((r) => {
        const billing = billingOf(r, resources);
        return "items" in billing ? billing.items.flatMap((item) => (item.kind === "billed" ? [item.meter] : [])) : [];
    });
}

/** The project's stacks (Pulumi.<stack>.yaml). */
export function projectStacks(projectDir: string): string[] {
    return fs.readdirSync(projectDir).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => Boolean(s)).sort();
}

/** `prices refresh`: rebuilds the price tables (Azure Retail Prices API, AWS Price List Bulk API) for the meters of the stacks. */
export async function pricesRefreshCommand(io: ReviewIo, flags: { stack?: string[]; plan?: string[]; api?: string; awsApi?: string; out?: string; awsOut?: string }): Promise<number> {
    const documents = flags.plan?.length
        ? flags.plan.map((file) => JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, any>)
        : (flags.stack?.length ? flags.stack : projectStacks(io.projectDir)).map((stack) => planOrThrow(planInProcess(io.projectDir, stack), `stack ${stack}`));
    const meters = documents.flatMap((doc) => metersOf(doc.resources));
    const azure = meters.filter((m): m is Meter => !isAwsMeter(m));
    const aws = meters.filter(isAwsMeter);
    // A table is rewritten only for a cloud the plans have meters of: an AWS-only refresh keeps the Azure table.
    if (azure.length > 0) writeTable(io, flags.out ?? DEFAULT_PRICE_TABLE, await refreshPrices(azure, { api: flags.api }));
    if (aws.length > 0) writeTable(io, flags.awsOut ?? DEFAULT_AWS_PRICE_TABLE, await refreshAwsPrices(aws, { api: flags.awsApi }));
    if (meters.length === 0) io.out("The plans have no priced meters: no table written.");
    return 0;
}

function writeTable(io: ReviewIo, out: string, table: PriceTable): void {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(table, null, 4)}\n`);
    const entries = Object.values(table.entries);
    const priced = entries.filter((e) => e.unitPrice !== null).length;
    io.out(`Wrote ${out}: ${entries.length} meters, ${priced} priced, ${entries.length - priced} unpriced.`);
    for (const entry of entries.filter((e) => e.unitPrice === null)) io.out(`    unpriced ${entry.meter.key}: ${entry.note}`);
}
