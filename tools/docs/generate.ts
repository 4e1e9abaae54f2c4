/**
 * Writes the generated documentation of the stack config: the JSON Schema of `Pulumi.<stack>.yaml`
 * (schema/stack.schema.json) and the configuration reference (docs/config-reference.md), both from
 * the zod schema in stacks/. `npm run docs` rewrites them; `npm run docs -- --check` exits 1 when a
 * committed file differs (test/tools/docs/generate.test.ts does the same).
 */
import * as fs from "fs";
import * as path from "path";
import { configJsonSchema, stackFileJsonSchema } from "./configSchema";
import { configReference } from "./configReference";
import { PROJECT_DIR } from "../paths";

export const SCHEMA_FILE = "schema/stack.schema.json";
export const REFERENCE_FILE = "docs/config-reference.md";

/** Each generated file's path (relative to the project) and its content. */
export function generatedDocs(): Record<string, string> {
    const config = configJsonSchema();
    return {
        [SCHEMA_FILE]: `${JSON.stringify(stackFileJsonSchema(config), null, 2)}\n`,
        [REFERENCE_FILE]: configReference(config),
    };
}

/** The generated files whose committed copy differs from what the generator makes now. */
export function staleDocs(projectDir = PROJECT_DIR): string[] {
    return Object.entries(generatedDocs())
        .filter(([file, text]) => !fs.existsSync(path.join(projectDir, file)) || fs.readFileSync(path.join(projectDir, file), "utf8") !== text)
        .map(([file]) => file);
}

function main(argv: string[]): number {
    if (argv.some((arg) => arg !== "--check")) {
        process.stderr.write("usage: npm run docs [-- --check]\n");
        return 2;
    }
    if (argv.includes("--check")) {
        const stale = staleDocs();
        if (stale.length > 0) process.stderr.write(`stale: ${stale.join(", ")} (run \`npm run docs\`)\n`);
        return stale.length > 0 ? 1 : 0;
    }
    for (const [file, text] of Object.entries(generatedDocs())) {
        fs.mkdirSync(path.dirname(path.join(PROJECT_DIR, file)), { recursive: true });
        fs.writeFileSync(path.join(PROJECT_DIR, file), text);
        process.stdout.write(`wrote ${file}\n`);
    }
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
