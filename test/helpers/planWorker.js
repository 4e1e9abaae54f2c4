// A long-lived offline-plan process for `npm test` (started by test/helpers/planJobs.ts, one per CPU):
// it runs plan after plan from the plan's prebuilt bundle, each exactly as `npm run plan` would
// (tools/bin/plan.js: same argv, cwd, environment, exit code, stdout and stderr), so the test run
// loads the Pulumi SDK and the provider SDKs once per worker instead of once per plan.
//
// Why this is the same program run: each plan gets a fresh copy of the bundle (the project's code
// and its module state), a fresh Pulumi runtime store (`withLocalStorage`, as the Automation API's
// language server does for every inline program run), and the request's environment. A run that
// ends in an uncaught exception or rejection, which a process of its own would die of, is reported
// as "crash" and the test helper reruns it in a process of its own; this worker then exits.
//
// Protocol: the helper writes `<spool>/<priority>-<seq>.json` ({ args, env, files }); a worker
// claims one by renaming it (the rename succeeds for one worker only), writes the plan's stdout and
// stderr to files.stdout/files.stderr and, last, the exit code to files.status.
// Usage: node test/helpers/planWorker.js <spool directory>
"use strict";
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "../..");
const PLAN_BIN = path.join(ROOT, "tools/bin/plan.js");
const spool = process.argv[2];
const parent = process.ppid;
/** Past this resident size (it grows ~50 MB a plan) the worker exits after its run; the helper starts another. */
const MAX_RSS = 2.5e9;

process.chdir(ROOT);
require(path.join(ROOT, "tools/bin/runtime")).prepareRuntime(["--quiet"]);
const { ensureBuilt } = require(path.join(ROOT, "tools/bin/build"));
const { withLocalStorage } = require(require.resolve("@pulumi/pulumi/runtime/state", { paths: [ROOT] }));
const STACK_TRACE_LIMIT = 10;

let current; // the request being run

function writeAtomic(file, text) {
    fs.writeFileSync(`${file}.${process.pid}`, text);
    fs.renameSync(`${file}.${process.pid}`, file);
}

function crash(err) {
    if (current) writeAtomic(current.files.status, "crash");
    console.error(`planWorker ${process.pid}: ${current ? "plan crashed, rerun in a process of its own" : "failed"}:`, err);
    process.exit(1);
}
process.on("uncaughtException", crash);
process.on("unhandledRejection", crash);

/** Runs `fn` with the process's stdout and stderr captured, as a plan process would print them. */
async function captured(fn) {
    const out = { stdout: [], stderr: [] };
    const original = { stdout: process.stdout.write, stderr: process.stderr.write };
    for (const stream of ["stdout", "stderr"]) {
        process[stream].write = (chunk, encoding, callback) => {
            out[stream].push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
            const done = typeof encoding === "function" ? encoding : callback;
            if (done) process.nextTick(done);
            return true;
        };
    }
    try {
        return { code: await fn(), stdout: out.stdout.join(""), stderr: out.stderr.join("") };
    } finally {
        process.stdout.write = original.stdout;
        process.stderr.write = original.stderr;
    }
}

function setEnvironment(env) {
    for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
    Object.assign(process.env, env);
}

async function run(request) {
    setEnvironment(request.env);
    // tools/bin/runtime.js: stack traces only with --verbose.
    Error.stackTraceLimit = request.args.includes("--verbose") || process.env.PULUMI_DEBUG_PROMISE_LEAKS ? STACK_TRACE_LIMIT : 0;
    // tools/bin/plan.js: the bundle, rebuilt when a source changed; a fresh copy of its modules.
    const bundle = ensureBuilt("plan");
    delete require.cache[bundle];
    const result = await captured(() => withLocalStorage(async () => {
        try {
            return await require(bundle).main([process.execPath, PLAN_BIN, ...request.args]);
        } catch (err) {
            console.error(`Plan failed: ${err instanceof Error ? err.message : String(err)}`);
            return 1;
        }
    }));
    fs.writeFileSync(request.files.stdout, result.stdout);
    fs.writeFileSync(request.files.stderr, result.stderr);
    writeAtomic(request.files.status, String(result.code));
}

/** The next request no other worker has claimed, renamed so it is this worker's. */
function claim() {
    let names;
    try {
        names = fs.readdirSync(spool).filter((name) => /^\d-\d+\.json$/.test(name)).sort();
    } catch {
        process.exit(0); // the spool is gone: the test run ended
    }
    for (const name of names) {
        const taken = path.join(spool, `${name}.${process.pid}`);
        try {
            fs.renameSync(path.join(spool, name), taken);
        } catch {
            continue; // another worker took it first
        }
        return JSON.parse(fs.readFileSync(taken, "utf8"));
    }
    return undefined;
}

// Woken when a request arrives; a slow poll notices the end of the test run (and any missed event).
let wake = () => undefined;
const watcher = fs.watch(spool, () => wake());
watcher.on("error", () => process.exit(0)); // the spool went away with the test run
watcher.unref();
const nextRequest = () => new Promise((resolve) => {
    const timer = setTimeout(resolve, 500);
    wake = () => {
        clearTimeout(timer);
        resolve();
    };
});

async function loop() {
    for (;;) {
        if (process.ppid !== parent) process.exit(0); // the test run ended
        current = claim();
        if (current) {
            await run(current);
            current = undefined;
            if (process.memoryUsage().rss > MAX_RSS) process.exit(0);
            continue;
        }
        await nextRequest();
    }
}

loop();
