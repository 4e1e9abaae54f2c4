"use strict";
// Process settings shared by the offline plan and the benchmark's replay (tools/bench), so the
// benchmark compares like with like.
const path = require("path");
const { installLazyModule } = require("./lazyModule");
const { installLazyTypescript } = require("./lazyTypescript");

/**
 * @pulumi/pulumi's index loads runtime/closure/codePaths.js, which requires `@npmcli/arborist` (and
 * with it pacote, sigstore, cacache, ...: about 450 files, ~0.15 s of CPU, half of loading the SDK)
 * at module level, though it uses it only inside `computeCodePaths` (packaging a function's
 * dependencies, for serverless callbacks), which neither the plan nor the replay calls. It loads on
 * first use instead.
 */
function installLazyArborist() {
    const codePaths = path.join(path.dirname(require.resolve("@pulumi/pulumi")), "runtime", "closure", "codePaths.js");
    const sdkRequire = require("module").createRequire(codePaths);
    installLazyModule(sdkRequire.resolve("@npmcli/arborist"), () => sdkRequire("@npmcli/arborist"), { importStar: true });
}

/**
 * V8 tiers a function up (to its optimizing compiler, TurboFan, which compiles on a background
 * thread whose CPU the process pays) once the function has used up its "interrupt budget" of
 * executed bytecode: 67584 by default. A plan is a two-second run of mostly cold code (module
 * initialisation, one pass over each resource): at the default, `node --trace-opt` shows ~155
 * functions optimized in a `prod` plan (19 deoptimized again), at 16× the budget 17. Measured with
 * `npm run bench`'s CPU probe (paired runs), 16× cut the CPU of the `prod` plan and of the replay
 * by ~16-18 % each and of the 100-service plan by ~3-5 % (its hot loops still get optimized, a
 * little later: a service beyond the 30th costs a few ms more, which moves the benchmark's "bend"
 * figure up by about 0.1-0.3, within its run-to-run noise); 8× gained less, 32× nothing more, and
 * no optimizing at all (`--no-opt`) made the 100-service plan 4 % dearer. Set before the SDK
 * loads, it applies to what the process runs afterwards.
 */
const INTERRUPT_BUDGET = 16 * 67584;

/**
 * The SDK stamps a stack trace on every promise it makes (runtime/debuggable.js: `new Error().stack`,
 * read only by its promise-leak debugging) and the policy analyzer throws an Error per policy that
 * does not apply: thousands of formatted traces per plan. Without `stackTraces` (the plan's
 * `--verbose`, which prints program stack traces) they are not captured at all. The SDK's source
 * position of each resource (resource.js `callsites`) lifts the limit while it reads it, so it is
 * kept either way.
 */
function prepareRuntime(argv = process.argv, { stackTraces = argv.includes("--verbose") } = {}) {
    installLazyTypescript();
    installLazyArborist();
    require("v8").setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
    if (!stackTraces && !process.env.PULUMI_DEBUG_PROMISE_LEAKS) Error.stackTraceLimit = 0;
}

module.exports = { prepareRuntime };
