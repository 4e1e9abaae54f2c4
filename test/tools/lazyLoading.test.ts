import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR, tempDir } from "../helpers/planJobs";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lazyExports } = require("../../tools/bin/lazyPackage.js") as { lazyExports(name: string, keys: string[], esModule: boolean): Record<string, unknown> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { installLazyModule } = require("../../tools/bin/lazyModule.js") as { installLazyModule(file: string, load: () => unknown, opts?: { importStar?: boolean }): void };

const PROBE = path.join(PROJECT_DIR, "tools", "bench", "probe.js");

/** A module file that counts its own loads in a global. */
function countingModule(name: string): string {
    const file = path.join(tempDir("lazy-"), `${name}.js`);
    fs.writeFileSync(file, `globalThis.__loads = (globalThis.__loads ?? 0) + 1; module.exports = { answer: 42, Klass: class Klass {} };`);
    return file;
}
const loads = () => (globalThis as { __loads?: number }).__loads ?? 0;

/** Runs node with the benchmark's probe; the node_modules packages it loaded. */
function loadedPackages(args: string[]): string[] {
    const file = path.join(tempDir("lazy-modules-"), "modules.json");
    const child = spawnSync(process.execPath, ["--require", PROBE, ...args], {
        cwd: PROJECT_DIR, encoding: "utf8", env: { ...process.env, BOOKSTORE_BENCH_MODULES: file }, timeout: 120000,
    });
    assert.equal(child.status, 0, child.stderr);
    const packages = (JSON.parse(fs.readFileSync(file, "utf8")) as string[]).map((f) => {
        const parts = f.split(`${path.sep}node_modules${path.sep}`).pop()!.split(path.sep);
        return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
    });
    return [...new Set(packages)];
}

describe("lazy loading: a plan loads only the packages its stack uses", () => {
    it("a lazy package stand-in loads the package on the first read of an export, once", () => {
        const file = countingModule("package");
        const before = loads();
        const lazy = lazyExports(file, ["answer", "Klass"], false);
        assert.deepEqual(Object.keys(lazy), ["answer", "Klass"]);
        assert.equal(loads(), before, "listing the export names loaded the package");
        assert.equal(lazy.answer, 42);
        assert.equal(typeof lazy.Klass, "function");
        assert.equal(loads(), before + 1);
    });

    it("a lazy module stand-in returns the real exports at first use, also through require at its path", () => {
        const file = countingModule("module");
        const before = loads();
        installLazyModule(file, () => require(file), { importStar: true });
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const viaRequire = require(file) as { __esModule?: boolean; answer: number };
        assert.equal(viaRequire.__esModule, true, "TypeScript's __importStar would copy (and load) every export");
        assert.equal(loads(), before);
        assert.equal(viaRequire.answer, 42);
        assert.equal(loads(), before + 1);
    });

    it("the SDK's codePaths still works: @npmcli/arborist loads when it is used", function () {
        this.timeout(60000);
        const script = `require("./tools/bin/runtime.js").prepareRuntime(["node"]);
            const pulumi = require("@pulumi/pulumi");
            pulumi.runtime.computeCodePaths().then((paths) => { if (paths.size === 0) process.exit(3); });`;
        assert.ok(loadedPackages(["-e", script]).includes("@npmcli/arborist"));
    });

    it("the prod plan (Container Apps) loads neither @pulumi/aws, @pulumi/kubernetes, @pulumi/cloudflare nor @npmcli/arborist", function () {
        this.timeout(120000);
        const packages = loadedPackages([path.join(PROJECT_DIR, "tools/bin/plan.js"), "--stack", "prod", "--quiet"]);
        assert.ok(packages.includes("@pulumi/azure-native"), packages.join(", "));
        for (const pkg of ["@pulumi/aws", "@pulumi/kubernetes", "@pulumi/cloudflare", "@npmcli/arborist"]) {
            assert.ok(!packages.includes(pkg), `the prod plan loaded ${pkg}`);
        }
    });
});
