#!/usr/bin/env node
// `bookstore-infra` (npx bookstore-infra, npm run cli): runs the CLI from its prebuilt bundle,
// .build/cli.js, rebuilt when a source changed (tools/bin/build.js), so `--help`, usage errors and
// config errors cost a plain node start: no TypeScript compiler hook on every file.
"use strict";
// The Pulumi SDK would load the 9 MB TypeScript compiler with the stack config's error type.
require("./lazyTypescript").installLazyTypescript();
const { ensureBuilt } = require("./build");

// Exit once stdout has flushed: process.exit drops what a pipe has not taken yet (a `plan --json` of
// 200 kB arrived cut off); the callback of an empty write runs after every earlier write is flushed.
const exitAfterFlush = (code) => process.stdout.write("", () => process.exit(code));
require(ensureBuilt("cli")).runCli(process.argv.slice(2)).then(exitAfterFlush);
