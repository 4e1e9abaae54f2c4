import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import type { PlanDocument } from "../../tools/plan";

export const PROJECT_DIR = path.resolve(__dirname, "../..");

export interface PlanRun {
    exitCode: number;
    stdout: string;
    stderr: string;
    document?: PlanDocument;
}

const cache = new Map<string, PlanRun>();

/**
 * Runs the offline plan in its own process, as a user would (`npm run plan`): the Pulumi SDK
 * keeps its state on `global`, so each program run needs a fresh process.
 */
export function runPlan(stack: string, opts: { stackFile?: string; args?: string[] } = {}): PlanRun {
    const key = JSON.stringify([stack, opts]);
    const cached = cache.get(key);
    if (cached) return cached;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
    const jsonFile = path.join(dir, "plan.json");
    const args = ["--import", "tsx", path.join(PROJECT_DIR, "tools/plan.ts"), "--stack", stack, "--json", jsonFile, ...(opts.args ?? [])];
    if (opts.stackFile) args.push("--stack-file", opts.stackFile);
    const child = spawnSync(process.execPath, args, { cwd: PROJECT_DIR, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const result: PlanRun = {
        exitCode: child.status ?? -1,
        stdout: child.stdout,
        stderr: child.stderr,
        document: fs.existsSync(jsonFile) ? JSON.parse(fs.readFileSync(jsonFile, "utf8")) : undefined,
    };
    cache.set(key, result);
    return result;
}

/** Plans a shipped stack and fails loudly when it does not plan. */
export function planOf(stack: string, opts: { stackFile?: string; args?: string[] } = {}): PlanDocument {
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
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-"));
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

/** Inputs of a resource, typed loosely for assertions. */
export function inputs(r: Resource): any {
    return r.inputs;
}
