"use strict";
// The Automation API library (tools/automation) for plain Node: `require("bookstore-platform")`
// (package.json `exports`, "." and "./automation") or an ESM `import`, with types from
// automation.d.ts. Runs .build/automation.js, the esbuild bundle of tools/automation/index.ts,
// rebuilt first when a source changed (tools/bin/build.js; esbuild is a devDependency). The
// literal path below lets Node read the export names for ESM named imports (esbuild annotates
// them); run `npm run build` once after install so the bundle exists before the first such import.
require("./build").ensureBuilt("automation");
module.exports = require("../../.build/automation.js");
