#!/usr/bin/env node
// Runs the TypeScript CLI without a build step: tsx compiles it on load.
require("tsx/cjs");
const { runCli } = require("../cli.ts");
runCli(process.argv.slice(2)).then((code) => process.exit(code));
