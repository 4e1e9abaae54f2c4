"use strict";
// A module in the require cache that stands for another and loads it on first use: for large
// dependencies the Pulumi SDK requires at module level but uses only inside a few functions the
// offline plan never or rarely calls. Behaviour is unchanged: any use loads the real module.
const Module = require("module");

/**
 * Puts a stand-in for `file` (an absolute path, as require resolves it) in the require cache;
 * `load` gives the real exports on first use. With `importStar`, for a module its importer reads
 * through TypeScript's `__importStar` helper, it reports `__esModule` without loading, so the
 * helper returns the stand-in itself instead of copying (and so loading) every export, and
 * `default` falls back to the module itself, as the helper would give it.
 */
function installLazyModule(file, load, { importStar = false } = {}) {
    if (require.cache[file]) return;
    let real;
    let stub;
    // The stand-in leaves the cache first, so loading the real module at the same path works.
    const get = () => {
        if (real === undefined) {
            if (require.cache[file] === stub) delete require.cache[file];
            real = load();
        }
        return real;
    };
    const lazy = new Proxy({}, {
        get: (_t, key) => {
            if (importStar && key === "__esModule") return true;
            const exports = get();
            return importStar && key === "default" && !("default" in Object(exports)) ? exports : exports[key];
        },
        has: (_t, key) => key in get(),
        ownKeys: () => Reflect.ownKeys(get()),
        getOwnPropertyDescriptor: (_t, key) => {
            const d = Object.getOwnPropertyDescriptor(get(), key);
            return d && { ...d, configurable: true };
        },
    });
    stub = new Module(file, module);
    stub.filename = file;
    stub.loaded = true;
    // Read by tools/bench/probe.js: a stand-in not yet replaced is not a loaded file.
    stub.lazyStandIn = true;
    stub.exports = lazy;
    require.cache[file] = stub;
}

module.exports = { installLazyModule };
