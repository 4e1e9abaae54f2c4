#!/usr/bin/env node
// `npm run plan`: runs the offline plan from its prebuilt bundle (rebuilt when a source changed).
"use strict";
require("./runtime").prepareRuntime();
const { ensureBuilt } = require("./build");

require(ensureBuilt("plan")).main(process.argv).then(
    // Exit once stdout has flushed: process.exit drops what a pipe has not taken yet.
    (code) => process.stdout.write("", () => process.exit(code)),
    (err) => {
        console.error(`Plan failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
    },
);
