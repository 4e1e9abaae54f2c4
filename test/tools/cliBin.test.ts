import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR, tempDir } from "../helpers/planJobs";

const BIN = path.join(PROJECT_DIR, "tools", "bin", "bookstore-infra.js");
const PROBE = path.join(PROJECT_DIR, "tools", "bench", "probe.js");

/** Runs the bin as `npx bookstore-infra` does; returns its exit code, output and the packages it loaded. */
function runBin(args: string[]) {
    const modulesFile = path.join(tempDir("cli-bin-"), "modules.json");
    const child = spawnSync(process.execPath, ["--require", PROBE, BIN, ...args], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        env: { ...process.env, BOOKSTORE_BENCH_MODULES: modulesFile },
        timeout: 60000,
    });
    // The bin puts a lazy stand-in for the SDK's typescript-shim.js in the require cache: not a load.
    const loaded = (JSON.parse(fs.readFileSync(modulesFile, "utf8")) as string[]).filter((f) => !f.endsWith("typescript-shim.js"));
    const loads = (pkg: string) => loaded.some((f) => f.includes(`${path.sep}node_modules${path.sep}${pkg}${path.sep}`));
    return { status: child.status, stdout: child.stdout, stderr: child.stderr, loads };
}

describe("the bookstore-infra bin starts fast (--help, usage and config errors load little)", () => {
    it("runs from its bundle, without a TypeScript hook: --help loads neither the Pulumi SDK nor tsx", () => {
        const run = runBin(["--help"]);
        assert.equal(run.status, 0, run.stderr);
        assert.match(run.stdout, /Usage: bookstore-infra/);
        for (const pkg of ["@pulumi/pulumi", "tsx", "typescript", "zod"]) assert.equal(run.loads(pkg), false, `--help loaded ${pkg}`);
    });

    it("rejects an unknown option with exit 2 without loading the Pulumi SDK", () => {
        const run = runBin(["plan", "--bogus"]);
        assert.equal(run.status, 2);
        assert.match(run.stderr, /unknown option '--bogus'/);
        assert.equal(run.loads("@pulumi/pulumi"), false);
    });

    it("reports an invalid stack file with exit 2, naming the key, without loading the TypeScript compiler", () => {
        const dir = tempDir("cli-bin-stack-");
        const bad = path.join(dir, "Pulumi.prod.yaml");
        fs.writeFileSync(bad, fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8").replace("minReplicas: 3", "minReplicas: three"));
        const run = runBin(["plan", "--stack", "prod", "--stack-file", bad, "--quiet"]);
        assert.equal(run.status, 2, run.stderr);
        assert.match(run.stderr, /bookstore:app\.services\.api\.minReplicas: expected an integer/);
        assert.equal(run.loads("typescript"), false, "the SDK's closure serialiser loaded the 9 MB compiler");
        assert.equal(run.loads("tsx"), false);
    });
});
