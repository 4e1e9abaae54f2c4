// ESLint (flat config): rules that find real problems (dead code, cycles, broken layering, undeclared
// packages, focused tests), not style. Formatting is prettier's (.prettierrc.json), not the linter's.
import tseslint from "typescript-eslint";
import { importX } from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";

/** The program proper: what `pulumi up` loads. */
const PROGRAM = ["index.ts", "components/**/*.ts", "stacks/**/*.ts", "lib/**/*.ts"];

export default tseslint.config(
    { ignores: ["node_modules/", "policy/node_modules/", ".build/", ".plan/", "out/", "e2e/", "loadtest/", "**/*.js", "**/*.mjs"] },
    {
        files: ["**/*.ts"],
        languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: "module" },
        plugins: { "@typescript-eslint": tseslint.plugin, "import-x": importX },
        settings: {
            ...importX.flatConfigs.typescript.settings,
            "import-x/resolver": undefined,
            "import-x/resolver-next": [createTypeScriptImportResolver({ project: "tsconfig.json" })],
        },
        // The pre-linter code carries annotations for rules we leave off; they are harmless.
        linterOptions: { reportUnusedDisableDirectives: "off" },
        rules: {
            // Dead code and likely bugs.
            "@typescript-eslint/no-unused-vars": ["error", { args: "none", caughtErrors: "none", ignoreRestSiblings: true, varsIgnorePattern: "^_" }],
            "no-unreachable": "error",
            "no-dupe-keys": "error",
            "no-duplicate-case": "error",
            "no-dupe-else-if": "error",
            "no-self-assign": "error",
            "no-self-compare": "error",
            "no-unsafe-finally": "error",
            "no-fallthrough": "error",
            "no-cond-assign": "error",
            "use-isnan": "error",
            "valid-typeof": "error",
            "no-sparse-arrays": "error",
            "@typescript-eslint/no-duplicate-enum-values": "error",
            "@typescript-eslint/no-misused-new": "error",
            // A focused test silently skips the rest of the suite.
            "no-restricted-properties": ["error",
                { object: "describe", property: "only", message: "a focused suite skips every other test" },
                { object: "it", property: "only", message: "a focused test skips every other test" }],
            // Imports: no cycles (type-only imports included: they still tie the modules together), no module
            // imported twice, no importing oneself, every package declared in the nearest package.json.
            "import-x/no-cycle": ["error", { ignoreExternal: true, commonjs: true }],
            "import-x/no-self-import": "error",
            "import-x/no-duplicates": "error",
            "import-x/no-extraneous-dependencies": ["error", { devDependencies: true, peerDependencies: false }],
            // Layering (the folder map in the README).
            "import-x/no-restricted-paths": ["error", {
                zones: [
                    { target: "./components", from: "./stacks", message: "components own their Args and never import stacks/" },
                    { target: "./lib", from: ["./components", "./stacks"], message: "lib/ is arithmetic both sides share" },
                    { target: "./components/kubernetes", from: ["./components/azure", "./components/aws", "./components/cloudflare"],
                      message: "the Kubernetes tier is cloud-neutral" },
                    { target: "./components/*.ts", from: ["./components/azure", "./components/aws", "./components/cloudflare"],
                      message: "the shared components are cloud-neutral" },
                    { target: "./policy", from: ".", except: ["./policy", "./node_modules"], message: "the policy pack is published on its own: it imports only policy/" },
                    { target: PROGRAM.map((g) => `./${g}`), from: "./policy", except: ["./shared"],
                      message: "the program shares only policy/shared/ with the pack" },
                ],
            }],
        },
    },
    {
        // The program itself imports only what package.json declares as a dependency (devDependencies are not installed in production).
        files: PROGRAM,
        rules: { "import-x/no-extraneous-dependencies": ["error", { devDependencies: false, peerDependencies: false }] },
    },
    {
        files: ["components/kubernetes/**/*.ts"],
        rules: {
            "no-restricted-imports": ["error", { patterns: [{ regex: "^@pulumi/(azure-native|aws|cloudflare)(/|$)", message: "the Kubernetes tier imports no cloud SDK" }] }],
        },
    },
);
