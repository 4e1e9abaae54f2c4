"use strict";
// The exports of a package, loaded on first use: what the plan's bundle imports instead of a
// provider SDK (tools/bin/build.js, LAZY_PACKAGES), so a stack loads only the SDKs it touches.

/**
 * An object with the package's export names (`keys`, read from the installed package when the
 * bundle is built) as getters that load the package the first time any of them is read. The
 * bundle's `import * as x` helper copies the names, not the values, so importing it loads nothing.
 */
function lazyExports(name, keys, esModule) {
    let real;
    // A computed name, left alone by the bundler: this loads the real package from node_modules.
    const load = () => (real ??= require(name));
    const exports = {};
    if (esModule) Object.defineProperty(exports, "__esModule", { value: true });
    for (const key of keys) {
        if (key === "__esModule") continue;
        Object.defineProperty(exports, key, { get: () => load()[key], enumerable: true, configurable: true });
    }
    return exports;
}

module.exports = { lazyExports };
