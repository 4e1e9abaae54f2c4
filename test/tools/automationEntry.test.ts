/**
 * The Automation API library from outside the repository, as another team's tool would use it:
 * the package linked into a project's node_modules, loaded by plain Node (CommonJS require and an
 * ESM import, no TypeScript hook) and type-checked by a TypeScript consumer (package.json `exports`).
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../../tools/automation";

describe("the Automation API as a package", function () {
    this.timeout(240_000);
    let dir: string;
    const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } }).trim();

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "bookstore-consumer-"));
        fs.mkdirSync(path.join(dir, "node_modules"));
        fs.symlinkSync(PROJECT_DIR, path.join(dir, "node_modules", "bookstore-platform"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("loads with require from plain Node, at the package root and at /automation", () => {
        const out = node(["-e", "const a = require('bookstore-platform'); const b = require('bookstore-platform/automation'); "
            + "console.log(JSON.stringify([a === b, typeof a.previewStack, typeof a.deployStack, typeof a.PulumiCliMissingError, a.DEFAULT_POLICY_PACKS]))"]);
        assert.deepEqual(JSON.parse(out), [true, "function", "function", "function", ["policy"]]);
    });

    it("loads with named ESM imports", () => {
        const out = node(["--input-type=module", "-e", "import { previewStack, ProductionGuardError } from 'bookstore-platform'; "
            + "import lib from 'bookstore-platform/automation'; console.log(typeof previewStack, typeof ProductionGuardError, lib.previewStack === previewStack)"]);
        assert.equal(out, "function function true");
    });

    it("without a Pulumi CLI, a call fails with the typed error, not a crash of the loader", () => {
        const script = "require('bookstore-platform').previewStack({ stack: 'dev' }).then(() => console.log('ran'), (e) => console.log(e.name))";
        const out = execFileSync(process.execPath, ["-e", script], { cwd: dir, encoding: "utf8", env: { PATH: dir, HOME: dir } }).trim();
        assert.equal(out, "PulumiCliMissingError");
    });

    it("type-checks a TypeScript consumer against the package's types: a missing required option is an error", () => {
        fs.writeFileSync(path.join(dir, "consumer.ts"), [
            'import { previewStack, type OperationResult } from "bookstore-platform";',
            'export async function summary(): Promise<OperationResult["changeSummary"]> { return (await previewStack({ stack: "dev" })).changeSummary; }',
            "// @ts-expect-error: `stack` is required",
            "void previewStack({});",
        ].join("\n"));
        const tsc = path.join(PROJECT_DIR, "node_modules", "typescript", "bin", "tsc");
        // Throws (with tsc's messages) when the types are missing or wrong, or the expected error does not occur.
        node([tsc, "--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "consumer.ts"]);
    });
});
