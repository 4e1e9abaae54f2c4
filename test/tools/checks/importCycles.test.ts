import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describeCycles, findCycles, importGraph } from "../../../tools/checks/importCycles";

const ROOT = path.resolve(__dirname, "../../..");
const SCRIPT = path.join(ROOT, "tools/checks/importCycles.ts");

/** Runs the check as CI does, on a directory. */
function runCheck(dir: string) {
    return spawnSync(process.execPath, ["--import", "tsx", SCRIPT, dir], { cwd: ROOT, encoding: "utf8" });
}

/** A throwaway project: file name → source. */
function project(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "import-cycles-"));
    for (const [name, source] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), source);
    }
    return dir;
}

describe("import-cycle check", () => {
    const dirs: string[] = [];
    after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    it("finds no cycle in the repository", () => {
        assert.deepEqual(describeCycles(ROOT, findCycles(importGraph(ROOT))), []);
    });

    it("lists each cycle, type-only imports, re-exports and require() included, and exits 1", () => {
        const dir = project({
            "components/appTier.ts": `import { KubernetesAppTier } from "./kubernetesAppTier";\nexport const PROBE = 1;\n`,
            "components/kubernetesAppTier.ts": `import type { Outputs } from "./contracts";\nexport class KubernetesAppTier {}\n`,
            "components/contracts.ts": `export { PROBE } from "./appTier";\nexport interface Outputs {}\n`,
            "tools/plan.ts": `import { section } from "./offline/sections";\n`,
            "tools/offline/sections.ts": `export const section = () => require("../plan");\n`,
            "tools/leaf.ts": `import { section } from "./offline/sections";\n`,
            "node_modules/pkg/index.ts": `import "./other";\n`,
            "node_modules/pkg/other.ts": `import "./index";\n`,
        });
        dirs.push(dir);
        const run = runCheck(dir);
        assert.equal(run.status, 1, run.stderr);
        assert.equal(run.stderr, [
            "2 import cycles:",
            "  components/appTier.ts → components/kubernetesAppTier.ts → components/contracts.ts → components/appTier.ts",
            "  tools/offline/sections.ts → tools/plan.ts → tools/offline/sections.ts",
            "",
        ].join("\n"));
    });

    it("exits 0 on a project whose imports form no cycle", () => {
        const dir = project({
            "a.ts": `import { b } from "./b";\nimport { c } from "./c";\n`,
            "b.ts": `import { c } from "./c";\nexport const b = c;\n`,
            "c.ts": `import * as fs from "fs";\nexport const c = fs.constants;\n`,
        });
        dirs.push(dir);
        const run = runCheck(dir);
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout, "no import cycles in 3 files\n");
    });

    it("is a usage error (exit 2) when the root is not a directory", () => {
        const run = runCheck(path.join(ROOT, "no-such-dir"));
        assert.equal(run.status, 2);
        assert.match(run.stderr, /no-such-dir is not a directory/);
    });
});
