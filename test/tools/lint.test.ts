/**
 * The linter holds the layering and the import graph (eslint.config.mjs); `npm run lint` runs it on the
 * tree in CI. These tests prove each rule fires: the linter is given a file at a path of the layer under
 * test, with the one bad import. ESLint runs in a child process, as `npm run lint` does, so the suite's
 * own module stand-ins (tools/bin) cannot change how it loads.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../../tools/paths";

/** A file to lint: on disk (no text), or the text linted as if it were at `file` (relative to the project). */
interface LintCase { file: string; text?: string }

const LINT_CASES = `
import { ESLint } from "eslint";
let input = "";
for await (const chunk of process.stdin) input += chunk;
const eslint = new ESLint({ cwd: process.cwd() });
const fired = [];
for (const c of JSON.parse(input)) {
    const [result] = c.text === undefined ? await eslint.lintFiles([c.file]) : await eslint.lintText(c.text, { filePath: c.file });
    fired.push(result.messages.map((m) => m.ruleId ?? "fatal: " + m.message));
}
process.stdout.write(JSON.stringify(fired));
`;

/** The rules that fire on each case, in order. */
function rulesFiring(cases: LintCase[]): string[][] {
    const input = JSON.stringify(cases.map((c) => ({ ...c, file: path.join(PROJECT_DIR, c.file) })));
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", LINT_CASES], { cwd: PROJECT_DIR, input, encoding: "utf8", timeout: 110_000 });
    assert.strictEqual(run.status, 0, `eslint failed: ${run.error ?? run.stderr}`);
    return JSON.parse(run.stdout);
}

describe("lint rules (eslint.config.mjs)", () => {
    // no-cycle reads the import graph from disk, so its probe is files on disk, removed afterwards.
    let probe = "";
    const inProbe = (name: string) => path.relative(PROJECT_DIR, path.join(probe, name));
    const cases = {
        componentToStacks: { file: "components/azure/probe.ts", text: `import { parseStackConfig } from "../../stacks/config";\nexport const parse = parseStackConfig;\n` },
        kubernetesToSdk: { file: "components/kubernetes/probe.ts", text: `import * as aws from "@pulumi/aws";\nexport const sdk = aws;\n` },
        kubernetesToAzure: { file: "components/kubernetes/probe.ts", text: `import { BuiltInRoles } from "../azure/roles";\nexport const roles = BuiltInRoles;\n` },
        policyOutward: { file: "policy/stack/probe.ts", text: `import { memoryGi } from "../../lib/containerApps";\nexport const gi = memoryGi;\n` },
        programToPack: { file: "stacks/probe.ts", text: `import { policies } from "../policy/catalogue";\nexport const all = policies;\n` },
        programToShared: { file: "stacks/probe.ts", text: `import { connectionBudget } from "../policy/shared/budget";\nexport const budget = connectionBudget;\n` },
        undeclared: { file: "tools/probe.ts", text: `import * as arborist from "@npmcli/arborist";\nexport const a = arborist;\n` },
        devInProgram: { file: "components/probe.ts", text: `import * as fc from "fast-check";\nexport const f = fc;\n` },
        devInTests: { file: "test/probe.test.ts", text: `import * as fc from "fast-check";\nexport const f = fc;\n` },
        unusedImport: { file: "lib/probe.ts", text: `import * as fs from "fs";\nexport const x = 1;\n` },
        focusedTest: { file: "test/probe.test.ts", text: `it.only("x", () => undefined);\n` },
    };
    let fired: Record<keyof typeof cases, string[]>;

    let cycle: string[] = [];
    let importsACycle: string[] = [];

    before(() => {
        probe = fs.mkdtempSync(path.join(PROJECT_DIR, ".lint-probe-"));
        fs.writeFileSync(path.join(probe, "a.ts"), `import { b } from "./b";\nexport const a = () => b;\n`);
        fs.writeFileSync(path.join(probe, "b.ts"), `import { a } from "./a";\nexport const b = () => a;\n`);
        fs.writeFileSync(path.join(probe, "c.ts"), `import { b } from "./b";\nexport const c = () => b;\n`);
        const results = rulesFiring([{ file: inProbe("a.ts") }, { file: inProbe("c.ts") }, ...Object.values(cases)]);
        [cycle, importsACycle] = results;
        fired = Object.fromEntries(Object.keys(cases).map((name, i) => [name, results[i + 2]])) as typeof fired;
    });
    after(() => probe && fs.rmSync(probe, { recursive: true, force: true }));

    it("fails on an import cycle, not on a module that merely imports one", () => {
        assert.deepStrictEqual(cycle, ["import-x/no-cycle"]);
        assert.deepStrictEqual(importsACycle, []);
    });

    it("fails when a component imports stacks/", () => {
        assert.deepStrictEqual(fired.componentToStacks, ["import-x/no-restricted-paths"]);
    });

    it("fails when the Kubernetes tier imports a cloud SDK or a cloud's components", () => {
        assert.deepStrictEqual(fired.kubernetesToSdk, ["no-restricted-imports"]);
        assert.deepStrictEqual(fired.kubernetesToAzure, ["import-x/no-restricted-paths"]);
    });

    it("keeps the policy pack self-contained, and lets the program share only policy/shared/", () => {
        assert.deepStrictEqual(fired.policyOutward, ["import-x/no-restricted-paths"]);
        assert.deepStrictEqual(fired.programToPack, ["import-x/no-restricted-paths"]);
        assert.deepStrictEqual(fired.programToShared, []);
    });

    it("fails on a package package.json does not declare, and on a devDependency in the program", () => {
        assert.ok(fs.existsSync(path.join(PROJECT_DIR, "node_modules/@npmcli/arborist")), "installed (by @pulumi/pulumi), yet not ours");
        assert.deepStrictEqual(fired.undeclared, ["import-x/no-extraneous-dependencies"]);
        assert.deepStrictEqual(fired.devInProgram, ["import-x/no-extraneous-dependencies"]);
        assert.deepStrictEqual(fired.devInTests, []);
    });

    it("fails on unused imports and on a focused test", () => {
        assert.deepStrictEqual(fired.unusedImport, ["@typescript-eslint/no-unused-vars"]);
        assert.deepStrictEqual(fired.focusedTest, ["no-restricted-properties"]);
    });
});
