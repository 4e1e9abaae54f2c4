/**
 * How the test run's plans run (see plan.ts for the API tests use): in plan workers
 * (planWorker.js), one per CPU, or in a process of their own; results read from files, so a
 * test can wait for one without an event loop.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PlanDocument } from "../../tools/offline/types";

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

/** The command line of a plan, as a user types it after `npm run plan --`. */
export function planArgs(request: PlanRequest, json: string): string[] {
    const args = ["--stack", request.stack, "--json", json, ...(request.args ?? [])];
    if (request.stackFile) args.push("--stack-file", request.stackFile);
    return args;
}

interface PlanFiles {
    json: string;
    stdout: string;
    stderr: string;
    status: string;
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/** Blocks this process for a few milliseconds (a waiting test needs no event loop). */
const nap = (ms: number) => Atomics.wait(pause, 0, 0, ms);

/** What a plan wrote to its files, read once its exit status is there. */
function collect(files: PlanFiles, status: string): PlanRun {
    const json = fs.existsSync(files.json) ? fs.readFileSync(files.json, "utf8") : undefined;
    return {
        exitCode: Number(status),
        stdout: fs.readFileSync(files.stdout, "utf8"),
        stderr: fs.readFileSync(files.stderr, "utf8"),
        document: json === undefined ? undefined : JSON.parse(json),
        json,
    };
}

/** One plan in its own process, exactly as a user runs it (`npm run plan`), its output going to files. */
class PlanProcess {
    constructor(request: PlanRequest, env: NodeJS.ProcessEnv, private readonly files: PlanFiles) {
        const args = [PLAN_BIN, ...planArgs(request, files.json)];
        // The shell records the exit status in a file, so a waiting test needs no event loop.
        const command = `"$0" "$@" >'${files.stdout}' 2>'${files.stderr}'; echo $? >'${files.status}.tmp' && mv '${files.status}.tmp' '${files.status}'`;
        spawn("/bin/sh", ["-c", command, process.execPath, ...args], { cwd: PROJECT_DIR, env, stdio: "ignore" }).unref();
    }

    result(): PlanRun {
        while (!fs.existsSync(this.files.status)) nap(20);
        return collect(this.files, fs.readFileSync(this.files.status, "utf8").trim());
    }
}

/**
 * Plan workers (test/helpers/planWorker.js), one per CPU: each loads the SDKs once and runs plan
 * after plan, each as `npm run plan` would (fresh program modules and SDK state per plan), which
 * about halves a plan's CPU time (0.95 s against 1.8 s). Requests wait in a spool directory; a worker claims one by renaming it.
 */
const WORKERS = Math.max(1, os.cpus().length);
const WORKER_BIN = path.join(__dirname, "planWorker.js");
const spool = tempDir("plan-spool-");
const workers: number[] = [];
let sequence = 0;

/** Whether a process is alive (a zombie is not: it waits for this blocked process to reap it). */
function alive(pid: number): boolean {
    try {
        return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
        return false;
    }
}

/** Starts workers until there are WORKERS alive (one ends itself when it has grown too big). */
function keepWorkers(): void {
    for (let i = workers.length - 1; i >= 0; i--) if (!alive(workers[i])) workers.splice(i, 1);
    while (workers.length < WORKERS) {
        // A larger young generation: a worker's heap lives long, and six plans in one took 9 % less
        // CPU with 64 MB semi-spaces (means of alternating runs; a single plan gains nothing).
        const child = spawn(process.execPath, ["--max-semi-space-size=64", WORKER_BIN, spool], { cwd: PROJECT_DIR, stdio: ["ignore", "ignore", "inherit"] });
        child.unref();
        workers.push(child.pid!);
    }
}

/** A plan handed to the workers. */
export class PlanJob {
    private readonly dir = tempDir("plan-");
    private readonly files: PlanFiles = {
        json: path.join(this.dir, "plan.json"),
        stdout: path.join(this.dir, "stdout"),
        stderr: path.join(this.dir, "stderr"),
        status: path.join(this.dir, "status"),
    };
    private readonly seq = String(++sequence).padStart(6, "0");
    private readonly created = Date.now();
    /** The test file line that asked for this plan first (for BOOKSTORE_TEST_PLAN_LOG). */
    private readonly origin = process.env.BOOKSTORE_TEST_PLAN_LOG ? /[\w/.-]+\.test\.ts:\d+/.exec(new Error().stack ?? "")?.[0] : undefined;
    private collected?: PlanRun;

    constructor(private readonly request: PlanRequest, private readonly env: NodeJS.ProcessEnv) {
        this.enqueue(1);
        keepWorkers();
    }

    private spoolFile(priority: number): string {
        return path.join(spool, `${priority}-${this.seq}.json`);
    }

    private enqueue(priority: number): void {
        const file = this.spoolFile(priority);
        fs.writeFileSync(`${file}.tmp`, JSON.stringify({ args: planArgs(this.request, this.files.json), env: this.env, files: this.files }));
        fs.renameSync(`${file}.tmp`, file);
    }

    /** A test waits for this plan: it goes before the background ones no worker has taken yet. */
    private hurry(): void {
        try {
            fs.renameSync(this.spoolFile(1), this.spoolFile(0));
        } catch {
            // already taken by a worker
        }
    }

    /** Whether the worker that took this plan died without reporting it. */
    private lost(): boolean {
        const pattern = new RegExp(`^\\d-${this.seq}\\.json\\.(\\d+)$`);
        const taken = fs.readdirSync(spool).map((name) => pattern.exec(name)).find(Boolean);
        return taken ? !alive(Number(taken[1])) : false;
    }

    /** Waits (blocking) for the plan to finish and reads what it wrote. */
    result(): PlanRun {
        if (this.collected) return this.collected;
        const asked = Date.now();
        this.hurry();
        let polls = 0;
        while (!fs.existsSync(this.files.status)) {
            nap(10);
            if (++polls % 50 === 0) {
                keepWorkers();
                if (this.lost()) fs.writeFileSync(this.files.status, "crash");
            }
        }
        const status = fs.readFileSync(this.files.status, "utf8").trim();
        // A plan that would have killed its own process: run it in one, as a user would.
        if (status === "crash") fs.rmSync(this.files.json, { force: true });
        this.collected = status === "crash" ? this.inProcess() : collect(this.files, status);
        if (CHECK_WORKERS && status !== "crash") assertSameRun(this.collected, this.inProcess(), [this.files.json, path.join(this.dir, "process", "plan.json")]);
        fs.rmSync(this.dir, { recursive: true, force: true });
        planLog.push({ args: planArgs(this.request, "-").join(" "), origin: this.origin, startedBeforeAsked: asked - this.created, waited: Date.now() - asked });
        return this.collected;
    }

    /** The same plan in a process of its own. */
    private inProcess(): PlanRun {
        const dir = path.join(this.dir, "process");
        fs.mkdirSync(dir);
        const files = { json: path.join(dir, "plan.json"), stdout: path.join(dir, "stdout"), stderr: path.join(dir, "stderr"), status: path.join(dir, "status") };
        return new PlanProcess(this.request, this.env, files).result();
    }
}

/**
 * BOOKSTORE_TEST_CHECK_WORKERS=1 runs every plan in a process of its own as well and fails the
 * plan's first test when the two differ (exit code, stdout, stderr but the phase timings, JSON).
 */
const CHECK_WORKERS = process.env.BOOKSTORE_TEST_CHECK_WORKERS === "1";
function assertSameRun(worker: PlanRun, own: PlanRun, jsonFiles: [string, string]): void {
    const comparable = (run: PlanRun, jsonFile: string) => JSON.stringify({
        exitCode: run.exitCode,
        stdout: run.stdout.split(jsonFile).join("<json>"),
        stderr: run.stderr.split(jsonFile).join("<json>").replace(/\(\d+\.\d s\)$/gm, "(… s)"),
        json: run.json,
    }, null, 1);
    const [a, b] = [comparable(worker, jsonFiles[0]), comparable(own, jsonFiles[1])];
    if (a !== b) throw new Error(`a plan worker's run differs from the plan's own process:\n${a.slice(0, 3000)}\n---\n${b.slice(0, 3000)}`);
}

/** BOOKSTORE_TEST_PLAN_LOG=<file>: each plan, how long before a test asked for it it was started, how long the test waited. */
const planLog: { args: string; origin?: string; startedBeforeAsked: number; waited: number }[] = [];
process.on("exit", () => {
    if (process.env.BOOKSTORE_TEST_PLAN_LOG) fs.writeFileSync(process.env.BOOKSTORE_TEST_PLAN_LOG, `${JSON.stringify(planLog, null, 1)}\n`);
});

