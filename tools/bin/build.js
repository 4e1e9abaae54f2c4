#!/usr/bin/env node
// Compiles the offline plan (and the benchmark's scripts) to plain JavaScript bundles in .build/,
// so `npm run plan` runs on `node` alone: no TypeScript hook on every file, no per-file source maps,
// no second process. Packages stay external (they load from node_modules as usual). A bundle is
// rebuilt when any source file is newer than it, so `npm ci && npm run plan` works on a fresh clone.
// Usage: node tools/bin/build.js [--force]   (npm run build)
"use strict";
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "../..");
const OUT_DIR = path.join(ROOT, ".build");
/** Bundle name → entry point. Bundles sit one level below the root, like tools/paths.ts. */
const BUNDLES = {
    plan: "tools/plan.ts",
    "bench-replay": "tools/bench/replay.ts",
};
/** What a bundle is built from: the program, the policy pack and the tools. */
const SOURCE_DIRS = ["components", "stacks", "tools", "policy"];
const SOURCE_FILES = ["index.ts", "package.json", "tsconfig.json"];

function newestSourceMtime() {
    let newest = 0;
    const visit = (file) => {
        const stat = fs.statSync(file, { throwIfNoEntry: false });
        if (!stat) return;
        newest = Math.max(newest, stat.mtimeMs);
        if (!stat.isDirectory()) return;
        for (const entry of fs.readdirSync(file)) {
            if (entry === "node_modules" || entry.startsWith(".")) continue;
            visit(path.join(file, entry));
        }
    };
    for (const f of [...SOURCE_FILES, ...SOURCE_DIRS]) visit(path.join(ROOT, f));
    return newest;
}

function bundlePath(name) {
    return path.join(OUT_DIR, `${name}.js`);
}

function isFresh(name, sourcesMtime) {
    const stat = fs.statSync(bundlePath(name), { throwIfNoEntry: false });
    return Boolean(stat && stat.mtimeMs >= sourcesMtime);
}

function build(name) {
    // esbuild arrives with tsx (a devDependency); loaded only when a bundle is stale.
    const esbuild = require("esbuild");
    fs.mkdirSync(OUT_DIR, { recursive: true });
    // Written beside the target and renamed, so concurrent plans never read a half-written bundle.
    const temp = path.join(OUT_DIR, `.${name}.${process.pid}.js`);
    const result = esbuild.buildSync({
        entryPoints: [path.join(ROOT, BUNDLES[name])],
        outfile: temp,
        bundle: true,
        packages: "external",
        platform: "node",
        format: "cjs",
        target: "node20",
        sourcemap: "linked",
        metafile: true,
        logLevel: "error",
    });
    fs.renameSync(`${temp}.map`, `${bundlePath(name)}.map`);
    fs.writeFileSync(`${bundlePath(name)}.meta.json`, JSON.stringify(result.metafile));
    // The map's name is referenced from the bundle: keep it pointing at the final name.
    const code = fs.readFileSync(temp, "utf8").replace(/\/\/# sourceMappingURL=.*$/m, `//# sourceMappingURL=${name}.js.map`);
    fs.writeFileSync(temp, code);
    fs.renameSync(temp, bundlePath(name));
}

/** The path of a fresh bundle, building it first when a source is newer. */
function ensureBuilt(name, { force = false } = {}) {
    if (force || !isFresh(name, newestSourceMtime())) build(name);
    return bundlePath(name);
}

module.exports = { ensureBuilt, bundlePath, BUNDLES, ROOT };

if (require.main === module) {
    const force = process.argv.includes("--force");
    for (const name of Object.keys(BUNDLES)) console.log(`built ${path.relative(ROOT, ensureBuilt(name, { force }))}`);
}
