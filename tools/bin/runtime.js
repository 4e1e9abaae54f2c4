"use strict";
// Process settings shared by the offline plan and the benchmark's replay (tools/bench), so the
// benchmark compares like with like.
const { installLazyTypescript } = require("./lazyTypescript");

/**
 * The SDK stamps a stack trace on every promise it makes (runtime/debuggable.js: `new Error().stack`,
 * read only by its promise-leak debugging) and the policy analyzer throws an Error per policy that
 * does not apply: thousands of formatted traces per plan. Without `--verbose`, which prints program
 * stack traces, they are not captured at all.
 */
function prepareRuntime(argv = process.argv) {
    installLazyTypescript();
    if (!argv.includes("--verbose") && !process.env.PULUMI_DEBUG_PROMISE_LEAKS) Error.stackTraceLimit = 0;
}

module.exports = { prepareRuntime };
