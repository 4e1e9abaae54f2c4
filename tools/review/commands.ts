/**
 * `bookstore-infra diff | cost | prices refresh`: the review commands. Loaded on demand by the CLI.
 * Each says on stderr what it is doing (planning takes seconds a stack); stdout keeps the result.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { costOf, CostSection, formatSum, renderCost, tierCoverage, totalCoverage } from "./cost";
import { diffPlans, DiffablePlan, PlanDiff } from "./diff";
import type { StackReview } from "./prComment";
import { billingOf } from "./meters";
import { AnyMeter, isAwsMeter, Meter } from "./billing";
import { planAtRef, planInBackground, PlannedStack, resolveRef, ReviewInputError } from "./planRunner";
import { DEFAULT_AWS_PRICE_TABLE, DEFAULT_PRICE_TABLE, PriceTable, readPriceTable, RETAIL_PRICES_API, refreshPrices } from "./prices";
import { AWS_BULK_API, refreshAwsPrices } from "./prices.aws";
import { fetchSource, PriceSourceError } from "./priceSource";
import { costDelta, renameHints, renderDiff, unpricedChanges } from "./render";
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

/** The project's stacks (Pulumi.<stack>.yaml). */
export function projectStacks(projectDir: string): string[] {
    return fs.readdirSync(projectDir).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => Boolean(s)).sort();
}

/** `stacks` when every one has a stack file, else a usage error naming the missing ones and the real ones (before anything is planned). */
export function checkStacks(projectDir: string, stacks: string[]): string[] {
    const known = projectStacks(projectDir);
    const missing = stacks.filter((s) => !known.includes(s));
    if (missing.length > 0) {
        throw new ReviewInputError(`--stack: no stack ${missing.map((s) => `"${s}"`).join(", ")} (no Pulumi.<stack>.yaml); the stacks are: ${known.join(", ")}`);
    }
    return [...new Set(stacks)];
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Plans `stacks` two at a time (the plans are CPU-bound), saying on stderr what it is doing. */
export async function planStacks(io: ReviewIo, command: string, stacks: string[]): Promise<Record<string, Record<string, any>>> {
    const started = Date.now();
    const documents: Record<string, Record<string, any>> = {};
    const queue = [...stacks];
    io.err(`${command}: planning ${stacks.length === 1 ? `stack ${stacks[0]}` : `${stacks.length} stacks (${stacks.join(", ")})`} offline …`);
    const worker = async () => {
        for (let stack = queue.shift(); stack; stack = queue.shift()) {
            const onPhase = (phase: string) => io.err(`${command}: ${stack}: ${phase} (${seconds(started)})`);
            documents[stack] = planOrThrow(await planInBackground(io.projectDir, stack, { onPhase }), `stack ${stack}`);
            io.err(`${command}: planned ${stack} (${Object.keys(documents).length} of ${stacks.length}, ${seconds(started)})`);
        }
    };
    await Promise.all([worker(), worker()]);
    return Object.fromEntries(stacks.map((s) => [s, documents[s]]));
}

/** `diff --stack S --base REF`: exit 5 on an unapproved replacement of a protected or stateful resource. */
export async function diffCommand(io: ReviewIo, flags: { stack: string; base: string; allowReplace?: boolean; json?: boolean; priceTable?: string; diagram?: string }): Promise<number> {
    checkStacks(io.projectDir, [flags.stack]);
    // One key for both plans: their secret digests are comparable with each other and nothing else.
    const env = { [DIGEST_KEY_ENV]: randomBytes(32).toString("hex") };
    const commit = resolveRef(io.projectDir, flags.base); // a bad ref is a usage error before anything is planned
    const started = Date.now();
    io.err(`diff: planning ${flags.stack} at ${flags.base} (${commit.slice(0, 12)}) and in the working tree, side by side …`);
    const phase = (side: string) => (text: string) => io.err(`diff: ${side}: ${text} (${seconds(started)})`);
    const said = <T extends PlannedStack>(what: string) => (result: T) => {
        io.err(`diff: planned ${what} (${seconds(started)})`);
        return result;
    };
    // The base and the working tree plan side by side (they share nothing but the key).
    const [base, planned] = await Promise.all([
        planAtRef(io.projectDir, flags.base, flags.stack, { env, onPhase: phase("the base") }).then(said(`the base ${flags.base}`)),
        planInBackground(io.projectDir, flags.stack, { env, onPhase: phase("the working tree") }).then(said("the working tree")),
    ]);
    const oldPlan = planOrThrow(base, `the base ${flags.base} (${base.commit.slice(0, 12)})`);
    const newPlan = planOrThrow(planned, "the working tree");
    const table = readPriceTable(flags.priceTable);
    // Both sides priced with today's table: the delta is the change's, not the table's.
    const oldCost = costOf(oldPlan.resources, table);
    const newCost = costOf(newPlan.resources, table);
    const diff = diffPlans(oldPlan as DiffablePlan, newPlan as DiffablePlan);
    if (flags.diagram) writeDiagram(flags.diagram, mermaidDiagram(newPlan.resources, `${newPlan.project}/${flags.stack}`, { changes: diff.changes }));
    const refused = diff.guardedReplacements.length > 0 && !flags.allowReplace;
    const policy = newPlan.policy as { violations?: { level: string }[] } | undefined;
    if (flags.json) {
        io.out(JSON.stringify(reviewDocument({ ref: flags.base, commit: base.commit }, diff, oldCost, newCost, policy ?? null, refused), null, 2));
    } else {
        for (const line of renderDiff(diff, { oldCost, newCost, base: `${flags.base} (${base.commit.slice(0, 12)})`, allowReplace: flags.allowReplace })) io.out(line);
    }
    // A mandatory policy violation of the working tree's plan (exit 3) fails the diff too.
    return refused ? EXIT_REPLACEMENT_REFUSED : planned.exitCode === 3 ? 3 : 0;
}

/** The `diff --json` document (what the PR comment reads): the diff, rename hints, the cost and its change, the policy verdict. */
export function reviewDocument(base: { ref: string; commit: string }, diff: PlanDiff, oldCost: CostSection, newCost: CostSection, policy: unknown, refused: boolean): Omit<StackReview, "stack"> & PlanDiff {
    const deltaUnknown = unpricedChanges(diff, oldCost, newCost);
    const cost = { old: oldCost.total, new: newCost.total, delta: costDelta(oldCost, newCost, diff) ?? null, ...(deltaUnknown.length ? { deltaUnknown } : {}), coverage: newCost.coverage, pricesAsOf: newCost.pricesAsOf, pricedResources: totalCoverage(newCost).priced };
    return { base, ...diff, renames: renameHints(diff), cost, policy: policy as StackReview["policy"], refused };
}

/** `cost [--stack A --stack B]`: the stacks' monthly cost side by side, per tier (every stack without --stack). */
export async function costCommand(io: ReviewIo, flags: { stack?: string[]; json?: boolean; priceTable?: string }): Promise<number> {
    const stacks = checkStacks(io.projectDir, flags.stack?.length ? flags.stack : projectStacks(io.projectDir));
    const table = readPriceTable(flags.priceTable);
    const documents = await planStacks(io, "cost", stacks);
    const costs: Record<string, CostSection> = Object.fromEntries(stacks.map((s) => [s, costOf(documents[s].resources, table)]));
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
    for (const tier of tiers) lines.push(row(tier, stacks.map((s) => (costs[s].tiers[tier] ? formatSum(costs[s].tiers[tier], tierCoverage(costs[s], tier)) : "—"))));
    lines.push(row("total", stacks.map((s) => formatSum(costs[s].total, totalCoverage(costs[s])))));
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

/** Whether a stack file is an AWS (eks) stack: its meters are the AWS Price List's, the others' the Azure API's. */
function isAwsStack(projectDir: string, stack: string): boolean {
    const config = (parse(fs.readFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {};
    return config["bookstore:platform"] === "eks";
}

/** Reaches `url` once (headers only): a source that cannot be read fails the command in seconds, before any plan runs. */
async function probe(io: ReviewIo, what: string, url: string): Promise<void> {
    io.err(`prices: checking that ${what} answers at ${url} …`);
    const response = await fetchSource(url);
    await response.body?.cancel().catch(() => undefined);
}

/** `prices refresh`: rebuilds the price tables (Azure Retail Prices API, AWS Price List Bulk API) for the meters of the stacks. */
export async function pricesRefreshCommand(io: ReviewIo, flags: { stack?: string[]; plan?: string[]; api?: string; awsApi?: string; out?: string; awsOut?: string }): Promise<number> {
    const api = flags.api ?? RETAIL_PRICES_API;
    const awsApi = (flags.awsApi ?? AWS_BULK_API).replace(/\/$/, "");
    const progress = (line: string) => io.err(line);
    try {
        let documents: Record<string, any>[];
        if (flags.plan?.length) {
            documents = flags.plan.map((file) => JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, any>);
        } else {
            const stacks = checkStacks(io.projectDir, flags.stack?.length ? flags.stack : projectStacks(io.projectDir));
            // Both sources are checked before the stacks are planned (which takes seconds each).
            if (stacks.some((s) => !isAwsStack(io.projectDir, s))) await probe(io, "the Azure Retail Prices API", api);
            if (stacks.some((s) => isAwsStack(io.projectDir, s))) await probe(io, "the AWS Price List Bulk API", `${awsApi}/offers/v1.0/aws/index.json`);
            documents = Object.values(await planStacks(io, "prices", stacks));
        }
        const meters = documents.flatMap((doc) => metersOf(doc.resources));
        const azure = meters.filter((m): m is Meter => !isAwsMeter(m));
        const aws = meters.filter(isAwsMeter);
        // Both tables are read before either is written: a source that fails midway changes nothing.
        const azureTable = azure.length > 0 ? await refreshPrices(azure, { api, progress }) : undefined;
        const awsTable = aws.length > 0 ? await refreshAwsPrices(aws, { api: awsApi, progress }) : undefined;
        // A table is rewritten only for a cloud the plans have meters of: an AWS-only refresh keeps the Azure table.
        if (azureTable) writeTable(io, flags.out ?? DEFAULT_PRICE_TABLE, azureTable);
        if (awsTable) writeTable(io, flags.awsOut ?? DEFAULT_AWS_PRICE_TABLE, awsTable);
        if (meters.length === 0) io.out("The plans have no priced meters: no table written.");
        return 0;
    } catch (err) {
        if (!(err instanceof PriceSourceError)) throw err;
        io.err(`prices refresh: cannot read the price source: ${err.message}`);
        io.err("No price table was changed.");
        return 1;
    }
}

function writeTable(io: ReviewIo, out: string, table: PriceTable): void {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(table, null, 4)}\n`);
    const entries = Object.values(table.entries);
    const priced = entries.filter((e) => e.unitPrice !== null).length;
    io.out(`Wrote ${out}: ${entries.length} meters, ${priced} priced, ${entries.length - priced} unpriced.`);
    for (const entry of entries.filter((e) => e.unitPrice === null)) io.out(`    unpriced ${entry.meter.key}: ${entry.note}`);
}
