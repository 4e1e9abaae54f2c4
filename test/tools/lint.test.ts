/**
 * The linter holds the layering and the import graph (eslint.config.mjs); `npm run lint` runs it on the
 * tree in CI. These tests prove each rule fires: the linter is given one real file with one bad line added,
 * or a new file at a path of the layer under test.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ESLint } from "eslint";
import { PROJECT_DIR } from "../../tools/paths";

const eslint = new ESLint({ cwd: PROJECT_DIR });

/** The rules that fire on `text` linted as the file `file` (relative to the project). */
async function rulesFiring(file: string, text: string): Promise<string[]> {
    const [result] = await eslint.lintText(text, { filePath: path.join(PROJECT_DIR, file) });
    return result.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe("lint rules (eslint.config.mjs)", () => {
    it("fails on an import cycle, not on a module that merely imports one", async () => {
        // no-cycle reads the import graph from disk, so the probe is two files on disk, removed afterwards.
        const dir = fs.mkdtempSync(path.join(PROJECT_DIR, ".lint-probe-"));
        try {
            fs.writeFileSync(path.join(dir, "a.ts"), `import { b } from "./b";\nexport const a = () => b;\n`);
            fs.writeFileSync(path.join(dir, "b.ts"), `import { a } from "./a";\nexport const b = () => a;\n`);
            fs.writeFileSync(path.join(dir, "c.ts"), `import { b } from "./b";\nexport const c = () => b;\n`);
            const fired = async (name: string) => (await new ESLint({ cwd: PROJECT_DIR }).lintFiles([path.join(dir, name)]))[0].messages.map((m) => m.ruleId);
            assert.deepStrictEqual(await fired("a.ts"), ["import-x/no-cycle"]);
            assert.deepStrictEqual(await fired("c.ts"), [], "importing a module of a cycle is not itself a cycle");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("fails when a component imports stacks/", async () => {
        const text = `import { parseStackConfig } from "../../stacks/config";\nexport const parse = parseStackConfig;\n`;
        assert.deepStrictEqual(await rulesFiring("components/azure/probe.ts", text), ["import-x/no-restricted-paths"]);
    });

    it("fails when the Kubernetes tier imports a cloud SDK or a cloud's components", async () => {
        const sdk = `import * as aws from "@pulumi/aws";\nexport const sdk = aws;\n`;
        assert.deepStrictEqual(await rulesFiring("components/kubernetes/probe.ts", sdk), ["no-restricted-imports"]);
        const roles = `import { BuiltInRoles } from "../azure/roles";\nexport const roles = BuiltInRoles;\n`;
        assert.deepStrictEqual(await rulesFiring("components/kubernetes/probe.ts", roles), ["import-x/no-restricted-paths"]);
    });

    it("keeps the policy pack self-contained, and lets the program share only policy/shared/", async () => {
        const outward = `import { memoryGi } from "../../lib/containerApps";\nexport const gi = memoryGi;\n`;
        assert.deepStrictEqual(await rulesFiring("policy/stack/probe.ts", outward), ["import-x/no-restricted-paths"]);
        const pack = `import { policies } from "../policy/catalogue";\nexport const all = policies;\n`;
        assert.deepStrictEqual(await rulesFiring("stacks/probe.ts", pack), ["import-x/no-restricted-paths"]);
        const shared = `import { connectionBudget } from "../policy/shared/budget";\nexport const budget = connectionBudget;\n`;
        assert.deepStrictEqual(await rulesFiring("stacks/probe.ts", shared), []);
    });

    it("fails on a package package.json does not declare, and on a devDependency in the program", async () => {
        const undeclared = `import * as arborist from "@npmcli/arborist";\nexport const a = arborist;\n`;
        assert.ok(fs.existsSync(path.join(PROJECT_DIR, "node_modules/@npmcli/arborist")), "installed (by @pulumi/pulumi), yet not ours");
        assert.deepStrictEqual(await rulesFiring("tools/probe.ts", undeclared), ["import-x/no-extraneous-dependencies"]);
        const dev = `import * as fc from "fast-check";\nexport const f = fc;\n`;
        assert.deepStrictEqual(await rulesFiring("components/probe.ts", dev), ["import-x/no-extraneous-dependencies"]);
        assert.deepStrictEqual(await rulesFiring("test/probe.test.ts", dev), []);
    });

    it("fails on unused imports and on a focused test", async () => {
        assert.deepStrictEqual(await rulesFiring("lib/probe.ts", `import * as fs from "fs";\nexport const x = 1;\n`), ["@typescript-eslint/no-unused-vars"]);
        assert.deepStrictEqual(await rulesFiring("test/probe.test.ts", `it.only("x", () => undefined);\n`), ["no-restricted-properties"]);
    });
});
