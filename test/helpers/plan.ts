import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import type { PlanDocument } from "../../tools/plan";

export const PROJECT_DIR = path.resolve(__dirname, "../..");
const PLAN_BIN = path.join(PROJECT_DIR, "tools/bin/plan.js");

export interface PlanRun {
    exitCode: number;
    stdout: string;
    stderr: string;
    document?: PlanDocument;
    /** The JSON file's text, as the plan wrote it. */
    json?: string;
}

export interface PlanRequest {
    stack: string;
    stackFile?: string;
    args?: string[];
}

// Temporary directories of this test run, removed when it ends.
const tempDirs: string[] = [];
process.on("exit", () => {
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory removed when the test run ends. */
export function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tempDirs.push(dir);
    return dir;
}

// Build the plan's bundle once, before any test plans in parallel with another.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require("../../tools/bin/build.js").ensureBuilt("plan");

const keyOf = (r: PlanRequest) => JSON.stringify([r.stack, r.stackFile ?? null, r.args ?? []]);

/** One plan in its own process, as a user runs it (`npm run plan`), its output going to files. */
class PlanProcess {
    private readonly dir = tempDir("plan-");
    private readonly files = {
        json: path.join(this.dir, "plan.json"),
        stdout: path.join(this.dir, "stdout"),
        stderr: path.join(this.dir, "stderr"),
        status: path.join(this.dir, "status"),
    };

    constructor(request: PlanRequest) {
        const args = [PLAN_BIN, "--stack", request.stack, "--json", this.files.json, ...(request.args ?? [])];
        if (request.stackFile) args.push("--stack-file", request.stackFile);
        // The shell records the exit status in a file, so a waiting test needs no event loop.
        const command = `"$0" "$@" >'${this.files.stdout}' 2>'${this.files.stderr}'; echo $? >'${this.files.status}.tmp' && mv '${this.files.status}.tmp' '${this.files.status}'`;
        spawn("/bin/sh", ["-c", command, process.execPath, ...args], { cwd: PROJECT_DIR, stdio: "ignore" }).unref();
    }

    private collected = false;

    get done(): boolean {
        return this.collected || fs.existsSync(this.files.status);
    }

    /** Waits (blocking) for the plan to finish and reads what it wrote. */
    result(): PlanRun {
        const pause = new Int32Array(new SharedArrayBuffer(4));
        while (!this.done) {
            startQueued(); // keep the background plans going while this test waits
            Atomics.wait(pause, 0, 0, 20);
        }
        const json = fs.existsSync(this.files.json) ? fs.readFileSync(this.files.json, "utf8") : undefined;
        const run: PlanRun = {
            exitCode: Number(fs.readFileSync(this.files.status, "utf8")),
            stdout: fs.readFileSync(this.files.stdout, "utf8"),
            stderr: fs.readFileSync(this.files.stderr, "utf8"),
            document: json === undefined ? undefined : JSON.parse(json),
            json,
        };
        fs.rmSync(this.dir, { recursive: true, force: true });
        this.collected = true;
        return run;
    }
}

// Every plan of this test run, shared by all test files: each stack variant is planned once.
const started = new Map<string, PlanProcess>();
const finished = new Map<string, PlanRun>();
const queue: PlanRequest[] = [];
/** Plans that may run at once: one per CPU. */
const PARALLEL = Math.max(1, os.cpus().length);

function startQueued(): void {
    const running = [...started.values()].filter((p) => !p.done).length;
    for (let i = running; i < PARALLEL && queue.length > 0; i++) {
        const request = queue.shift()!;
        if (!started.has(keyOf(request))) started.set(keyOf(request), new PlanProcess(request));
    }
}

/**
 * Starts plans in the background (a few at a time) that tests will ask for, so they run while
 * other tests do; runPlan then picks up their results.
 */
export function prefetchPlans(requests: PlanRequest[]): void {
    queue.push(...requests.filter((r) => !started.has(keyOf(r))));
    startQueued();
    const timer = setInterval(() => {
        startQueued();
        if (queue.length === 0) clearInterval(timer);
    }, 50);
    timer.unref();
}

/**
 * Runs the offline plan in its own process, as a user would (`npm run plan`): the Pulumi SDK
 * keeps its state on `global`, so each program run needs a fresh process. Memoised per run.
 */
export function runPlan(stack: string, opts: { stackFile?: string; args?: string[] } = {}): PlanRun {
    const request = { stack, ...opts };
    const key = keyOf(request);
    const cached = finished.get(key);
    if (cached) return cached;
    let planProcess = started.get(key);
    if (!planProcess) {
        planProcess = new PlanProcess(request);
        started.set(key, planProcess);
    }
    const result = planProcess.result();
    finished.set(key, result);
    startQueued();
    return result;
}

/**
 * Starts a plan in the background now and returns its document later: call it where a describe
 * block is defined (mocha runs those first), read it in the test, so variants plan in parallel.
 */
export function planned(stack: string, opts: { stackFile?: string; args?: string[] } = {}): () => PlanDocument {
    prefetchPlans([{ stack, ...opts }]);
    return () => planOf(stack, opts);
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

/** Inputs of a resource, typed loosely for assertions. */
export function inputs(r: Resource): any {
    return r.inputs;
}
