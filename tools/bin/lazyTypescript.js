"use strict";
// @pulumi/pulumi loads the 9 MB `typescript` compiler at startup (runtime/closure/parseFunction.js
// requires it at module level) though it only uses it to serialise function closures, which the
// offline plan never does. This puts a stand-in for the SDK's typescript-shim module in the
// require cache that loads the real compiler on first use, so behaviour is unchanged.
const path = require("path");
const { installLazyModule } = require("./lazyModule");

function loadTypescript(shim) {
    const sdkRequire = require("module").createRequire(shim);
    try {
        return sdkRequire("typescript");
    } catch {
        return sdkRequire(path.join(path.dirname(shim), "vendor", "typescript@3.8.3", "typescript.js"));
    }
}

function installLazyTypescript() {
    const shim = path.join(path.dirname(require.resolve("@pulumi/pulumi")), "typescript-shim.js");
    // What the shim itself does: the installed compiler, else the SDK's vendored copy.
    installLazyModule(shim, () => loadTypescript(shim));
}

module.exports = { installLazyTypescript };
