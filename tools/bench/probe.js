"use strict";
// Preloaded (node --require) into every process the benchmark times. On exit it writes the
// process's CPU time (user + system, microseconds, all threads incl. the garbage collector's) and,
// when asked, the files it loaded from node_modules in load order (the floor's module list; the
// lazy stand-ins of tools/bin/runtime.js that were never used are not loads).
const fs = require("fs");

const cpuFile = process.env.BOOKSTORE_BENCH_CPU;
const modulesFile = process.env.BOOKSTORE_BENCH_MODULES;
process.on("exit", () => {
    if (cpuFile) {
        const { user, system } = process.cpuUsage();
        fs.writeFileSync(cpuFile, String(user + system));
    }
    if (modulesFile) {
        // A lazy stand-in (tools/bin/lazyModule.js) still in the cache was never loaded for real.
        const loaded = Object.keys(require.cache)
            .filter((f) => f.includes(`${require("path").sep}node_modules${require("path").sep}`) && !require.cache[f].lazyStandIn);
        fs.writeFileSync(modulesFile, JSON.stringify(loaded));
    }
});
