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
 * The SDK stamps a stack trace on every promise it makes (runtime/debuggable.js: `new Error().stack`,
 * read only by its promise-leak debugging) and the policy analyzer throws an Error per policy that
 * does not apply: thousands of formatted traces per plan. Without `--verbose`, which prints program
 * stack traces, they are not captured at all.
 */
function prepareRuntime(argv = process.argv) {
    installLazyTypescript();
    installLazyArborist();
    if (!argv.includes("--verbose") && !process.env.PULUMI_DEBUG_PROMISE_LEAKS) Error.stackTraceLimit = 0;
}

module.exports = { prepareRuntime };
