/**
 * `pulumi preview` and `pulumi up` start the program through the Pulumi CLI's Node language host:
 * `node <Pulumi.yaml nodeargs> @pulumi/pulumi/cmd/run ... index.ts` with the stack's config in the
 * environment. These tests start it exactly so, against a loopback stand-in for the engine (the
 * cloud is never reached), so the real path is proven, not only the offline plan's bundle.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { firstRegistration, ProgramRunError, runtimeOptions, splitArgs } from "../../../tools/bench/languageHost";
import { PROJECT_DIR } from "../../helpers/planJobs";

describe("the program as the Pulumi language host runs it", function () {
    this.timeout(240_000);

    it("Pulumi.yaml turns ts-node off and preloads the program's bundle", () => {
        const options = runtimeOptions(PROJECT_DIR);
        assert.strictEqual(options.typescript, false, "typescript: true makes the SDK load ts-node, which type-checks every run");
        assert.deepStrictEqual(options.nodeargs, ["--require", "./tools/bin/program.js"]);
    });

    it("prod loads through @pulumi/pulumi/cmd/run and registers its platform base first", async () => {
        const first = await firstRegistration({ projectDir: PROJECT_DIR, stack: "prod" });
        assert.deepStrictEqual([first.type, first.name], ["bookstore:platform:PlatformBase", "platform"]);
    });

    it("a bad stack file stops the run before any resource, naming every bad key", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bookstore-langhost-"));
        try {
            const file = path.join(dir, "Pulumi.prod.yaml");
            fs.writeFileSync(file, fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8").replace(/minReplicas: 3/g, "minReplicas: three"));
            const failure = await firstRegistration({ projectDir: PROJECT_DIR, stack: "prod", stackFile: file }).then(
                () => assert.fail("a resource was registered"),
                (err: unknown) => err as ProgramRunError,
            );
            assert.ok(failure instanceof ProgramRunError, String(failure));
            // 32: the SDK's exit code for "the program stopped after a message the user can act on".
            assert.strictEqual(failure.exitCode, 32);
            const log = failure.engineLog.join("\n");
            assert.match(log, /bookstore:app\.services\.api\.minReplicas: expected an integer/);
            assert.match(log, /bookstore:app\.services\.web\.minReplicas: expected an integer/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("a deploy without the dev dependencies (npm ci --omit=dev) fails with the remedy, not a stack trace", async () => {
        // The project as `npm ci --omit=dev` leaves it: no esbuild (a devDependency), no bundle built yet.
        // The launcher and the program's entry are copied (they locate the project from their own path);
        // every other package is linked.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bookstore-omit-dev-"));
        try {
            for (const file of ["Pulumi.yaml", "Pulumi.prod.yaml", "package.json", "index.ts"]) fs.copyFileSync(path.join(PROJECT_DIR, file), path.join(dir, file));
            fs.cpSync(path.join(PROJECT_DIR, "tools/bin"), path.join(dir, "tools/bin"), { recursive: true });
            fs.mkdirSync(path.join(dir, "node_modules"));
            for (const entry of fs.readdirSync(path.join(PROJECT_DIR, "node_modules"))) {
                if (["esbuild", "@esbuild", ".bin"].includes(entry)) continue;
                fs.symlinkSync(path.join(PROJECT_DIR, "node_modules", entry), path.join(dir, "node_modules", entry));
            }
            const failure = await firstRegistration({ projectDir: dir, stack: "prod" }).then(
                () => assert.fail("the program ran without its bundle"),
                (err: unknown) => err as ProgramRunError,
            );
            assert.ok(failure instanceof ProgramRunError, String(failure));
            const log = failure.engineLog.join("\n");
            assert.match(log, /^cannot build \.build\/program\.js: esbuild is missing; run `npm ci` with the dev dependencies \(not --omit=dev/);
            assert.doesNotMatch(log, /\n\s+at /, "a stack trace was printed");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("splits nodeargs as the language host does (shell words)", () => {
        assert.deepStrictEqual(splitArgs(` --require ./a.js  --title "two words" '' `), ["--require", "./a.js", "--title", "two words", ""]);
        assert.throws(() => splitArgs(`--title "open`), /unclosed "/);
    });
});
