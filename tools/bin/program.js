"use strict";
// Preloaded into the Pulumi program by the Node language host (Pulumi.yaml: runtime option
// `nodeargs: --require ./tools/bin/program.js`, with `typescript: false`), so `pulumi preview` and
// `pulumi up` start from the program's prebuilt bundle, .build/program.js (rebuilt by esbuild when
// a source changed, like the plan's: tools/bin/build.js), instead of the SDK's ts-node, which
// type-checks the whole program on every run (~25-40 s of CPU and 1.3-1.6 GB before the first
// resource). Type checking stays with `npm run typecheck` and CI. See docs/deploying.md.
const path = require("path");
const { prepareRuntime } = require("./runtime");
const { ensureBuilt, ROOT } = require("./build");

// The plan's runtime settings. Program stack traces are captured only on request: without them an
// unexpected error in the program shows its message alone (config errors never carry a stack).
prepareRuntime([], { stackTraces: process.env.BOOKSTORE_STACK_TRACES === "true" });

const PROGRAM = path.join(ROOT, "index.ts");

function programBundle() {
    try {
        return ensureBuilt("program");
    } catch (err) {
        // esbuild is a devDependency: a deployer who installed with `--omit=dev` (or
        // NODE_ENV=production) has no bundle and nothing to build it with. A RunError is shown by
        // the SDK as its message alone, with no stack.
        if (err && err.code === "ESBUILD_MISSING") {
            const { RunError } = require("@pulumi/pulumi/errors");
            throw new RunError(err.message);
        }
        throw err;
    }
}

// The run entry (@pulumi/pulumi/cmd/run) requires Pulumi.yaml's `main`, index.ts: it loads as the bundle.
require.extensions[".ts"] = (module, filename) => {
    if (filename !== PROGRAM) {
        throw new Error(`${filename}: only the program's entry point, ${PROGRAM}, loads as TypeScript here (from its bundle)`);
    }
    module.exports = require(programBundle());
};
