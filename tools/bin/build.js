#!/usr/bin/env node
// Compiles the offline plan (and the benchmark's scripts) to plain JavaScript bundles in .build/,
// so `npm run plan` runs on `node` alone: no TypeScript hook on every file, no per-file source maps,
// no second process. Packages stay external (they load from node_modules as usual). A bundle is
// rebuilt when the sources' contents differ from those it was built from (a hash of every file,
// a few milliseconds), so `npm ci && npm run plan` works on a fresh clone and after any edit.
// Usage: node tools/bin/build.js [--force]   (npm run build)
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "../..");
const OUT_DIR = path.join(ROOT, ".build");
/** Bundle name → entry point. Bundles sit one level below the root, like tools/paths.ts. */
const BUNDLES = {
    plan: "tools/plan.ts",
    cli: "tools/cli.ts",
    "bench-replay": "tools/bench/replay.ts",
};
/** What a bundle is built from: the program, the policy pack and the tools. */
const SOURCE_DIRS = ["lib", "components", "stacks", "tools", "policy"];
const SOURCE_FILES = ["index.ts", "package.json", "tsconfig.json"];

/** A hash of every source file's path and content. */
function sourcesHash() {
    const hash = crypto.createHash("sha256");
    const visit = (file) => {
        const stat = fs.statSync(file, { throwIfNoEntry: false });
        if (!stat) return;
        if (stat.isDirectory()) {
            for (const entry of fs.readdirSync(file).sort()) {
                if (entry === "node_modules" || entry.startsWith(".")) continue;
                visit(path.join(file, entry));
            }
            return;
        }
        hash.update(`${path.relative(ROOT, file)}\0`).update(fs.readFileSync(file)).update("\0");
    };
    for (const f of [...SOURCE_FILES, ...SOURCE_DIRS]) visit(path.join(ROOT, f));
    return hash.digest("hex");
}

function bundlePath(name) {
    return path.join(OUT_DIR, `${name}.js`);
}

const stampPath = (name) => `${bundlePath(name)}.sources`;

function isFresh(name, hash) {
    if (!fs.existsSync(bundlePath(name))) return false;
    try {
        return fs.readFileSync(stampPath(name), "utf8") === hash;
    } catch {
        return false;
    }
}

function build(name, hash) {
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
    fs.writeFileSync(`${stampPath(name)}.${process.pid}`, hash);
    fs.renameSync(`${stampPath(name)}.${process.pid}`, stampPath(name));
}

/** The path of a fresh bundle, building it first when the sources changed. */
function ensureBuilt(name, { force = false } = {}) {
    const hash = sourcesHash();
    if (force || !isFresh(name, hash)) build(name, hash);
    return bundlePath(name);
}

module.exports = { ensureBuilt, bundlePath, BUNDLES, ROOT };

if (require.main === module) {
    const force = process.argv.includes("--force");
    for (const name of Object.keys(BUNDLES)) console.log(`built ${path.relative(ROOT, ensureBuilt(name, { force }))}`);
}
