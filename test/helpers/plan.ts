import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { PlanJob, PROJECT_DIR, tempDir, type PlanRequest, type PlanRun } from "./planJobs";
import type { PlanResource } from "../../tools/offline/render";
import type { PlanDocument } from "../../tools/offline/types";

/** What a test may ask of a plan besides its stack: environment variables to set for it, too. */
export interface PlanOptions {
    stackFile?: string;
    args?: string[];
    env?: Record<string, string>;
}

/** The environment variables a plan runs with, where they differ from this process's at start. */
const INITIAL_ENV = { ...process.env };
function environmentChanges(env: NodeJS.ProcessEnv): Record<string, string | null> {
    const changes: Record<string, string | null> = {};
    for (const key of new Set([...Object.keys(INITIAL_ENV), ...Object.keys(env)].sort())) {
        if (env[key] !== INITIAL_ENV[key]) changes[key] = env[key] ?? null;
    }
    return changes;
}

const keyOf = (r: PlanRequest, env: NodeJS.ProcessEnv) =>
    JSON.stringify([r.stack, r.stackFile ?? null, r.args ?? [], environmentChanges(env)]);

// Every plan of this test run, shared by all test files: each stack variant is planned once.
const jobs = new Map<string, PlanJob>();

function jobFor(request: PlanRequest, env: NodeJS.ProcessEnv = process.env): PlanJob {
    const key = keyOf(request, env);
    let job = jobs.get(key);
    if (!job) {
        job = new PlanJob(request, { ...env });
        jobs.set(key, job);
    }
    return job;
}

/**
 * Starts plans in the background that tests will ask for, so they run while other tests do;
 * runPlan then picks up their results. Each request may name environment variables to set.
 */
export function prefetchPlans(requests: (PlanRequest & Pick<PlanOptions, "env">)[]): void {
    for (const { env, ...request } of requests) jobFor(request, { ...process.env, ...env });
}

/**
 * Runs the offline plan as a user would (`npm run plan`), in a plan worker (see PlanJob), with
 * this process's environment. Memoised per run.
 */
export function runPlan(stack: string, opts: PlanOptions = {}): PlanRun {
    const { env, ...rest } = opts;
    return jobFor({ stack, ...rest }, { ...process.env, ...env }).result();
}

/**
 * Starts a plan in the background now and returns its document later: call it where a describe
 * block is defined (mocha runs those first), read it in the test, so variants plan in parallel.
 */
export function planned(stack: string, opts: PlanOptions = {}): () => PlanDocument {
    prefetchPlans([{ stack, ...opts }]);
    return () => planOf(stack, opts);
}

/** Like planned, for a test that reads the whole run (exit code, stdout, stderr). */
export function plannedRun(stack: string, opts: PlanOptions = {}): () => PlanRun {
    prefetchPlans([{ stack, ...opts }]);
    return () => runPlan(stack, opts);
}

const manifestDirs = new Map<string, string>();

/**
 * The `--manifests` plan of a shipped stack, started now and shared by every test file that reads
 * it (one plan per run): its run, and the directory it writes the manifests to.
 */
export function plannedManifests(stack: string): { run: () => PlanRun; dir: string } {
    let dir = manifestDirs.get(stack);
    if (!dir) manifestDirs.set(stack, dir = path.join(tempDir(`${stack}-manifests-`), "out"));
    return { run: plannedRun(stack, { args: ["--manifests", dir] }), dir };
}

/** Plans a shipped stack and fails loudly when it does not plan. */
export function planOf(stack: string, opts: PlanOptions = {}): PlanDocument {
    const run = runPlan(stack, opts);
    if (!run.document) throw new Error(`plan of ${stack} failed (exit ${run.exitCode}):\n${run.stderr}\n${run.stdout}`);
    return run.document;
}

/**
 * Writes a variant of a shipped stack file: `edit` receives the parsed `config:` map
 * (keys like "bookstore:app") and may change it in place. Returns the new file's path.
 */
export function stackVariant(baseStack: string, edit: (config: Record<string, any>) => void): string {
    const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${baseStack}.yaml`), "utf8"));
    edit(doc.config);
    const dir = tempDir("stack-");
    const file = path.join(dir, `Pulumi.${baseStack}-variant.yaml`);
    fs.writeFileSync(file, stringify(doc));
    return file;
}

export type Resource = PlanDocument["resources"][number];

export function resourcesOfType(doc: PlanDocument, type: string): Resource[] {
    return doc.resources.filter((r) => r.type === type);
}

export function oneOfType(doc: PlanDocument, type: string, name?: string): Resource {
    const found = resourcesOfType(doc, type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) {
        throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    }
    return found[0];
}

/** A resource whose inputs are typed loosely, for assertions. */
export type LooseResource = PlanResource & { inputs: Record<string, any> };

/** The resources of a type, their inputs typed loosely. */
export function ofType(resources: PlanResource[], type: string): LooseResource[] {
    return resources.filter((r) => r.type === type) as LooseResource[];
}

/** Inputs of a resource, typed loosely for assertions. */
export function inputs(r: Resource): any {
    return r.inputs;
}

/** The items, after asserting there is at least one: a loop over them cannot pass by finding nothing (a renamed type token). */
export function nonEmpty<T>(items: T[]): T[] {
    assert.ok(items.length > 0, "expected at least one item to check, found none");
    return items;
}
