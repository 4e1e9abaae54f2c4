/**
 * Generates the create-only table (createOnly.azure.json) from Azure/azure-rest-api-specs: for each
 * azure-native type it finds the PUT of the type's ARM path in the spec file of the API version
 * azure-native uses, and lists the body properties whose x-ms-mutability lacks "update", by SDK
 * input path (`properties` flattened as the SDK does). TrackedResource's location (common-types) is
 * create-only everywhere. Kept apart from the spec-rules generator of tools/specs so the two can merge.
 *
 *   npx tsx tools/review/generateCreateOnly.ts <specs checkout> <commit> <type>=<spec file> ...
 */
import * as fs from "fs";
import * as path from "path";

type Json = Record<string, any>;

/** Where a schema lives: its document and, for refs into sibling files, the checkout and the file's path in it. */
export interface SpecContext { doc: Json; checkout?: string; file?: string }

/**
 * Follows `$ref`s: local `#/definitions/X`, and `./Other.json#/definitions/X` into a sibling file of
 * the checkout (Container Apps keep Certificate and Template in CommonDefinitions.json). Refs into
 * files the checkout lacks (common-types) are left as they are.
 */
function resolve(ctx: SpecContext, schema: Json): { node: Json; ctx: SpecContext } {
    let current = schema;
    let at = ctx;
    for (let i = 0; i < 20 && typeof current?.$ref === "string"; i++) {
        const [filePart, pointer = ""] = current.$ref.split("#");
        if (filePart) {
            if (!at.checkout || !at.file) break;
            const file = path.join(path.dirname(at.file), filePart);
            const abs = path.join(at.checkout, file);
            if (!fs.existsSync(abs)) break;
            at = { doc: JSON.parse(fs.readFileSync(abs, "utf8")) as Json, checkout: at.checkout, file };
        }
        current = pointer.split("/").filter(Boolean).reduce((node: Json, key: string) => node?.[key], at.doc);
    }
    return { node: current ?? {}, ctx: at };
}

const isCreateOnly = (prop: Json) => Array.isArray(prop["x-ms-mutability"]) && !prop["x-ms-mutability"].includes("update") && prop["x-ms-mutability"].includes("create");

/** Create-only SDK input paths of a body schema (flattened where x-ms-client-flatten is set). */
export function createOnlyPaths(doc: Json | SpecContext, schema: Json, prefix = "", depth = 0, seen = new Set<Json>()): string[] {
    const ctx: SpecContext = "doc" in doc && typeof doc.doc === "object" ? (doc as SpecContext) : { doc };
    const { node: resolved, ctx: at } = resolve(ctx, schema);
    if (depth > 8 || seen.has(resolved)) return [];
    seen.add(resolved);
    const paths: string[] = [];
    for (const parent of resolved.allOf ?? []) {
        if (typeof parent.$ref === "string" && /TrackedResource$/.test(parent.$ref) && !parent.$ref.startsWith("#/")) paths.push(`${prefix}location`);
        else paths.push(...createOnlyPaths(at, parent, prefix, depth + 1, seen));
    }
    for (const [name, raw] of Object.entries<Json>(resolved.properties ?? {})) {
        if (raw.readOnly) continue;
        const prop = { ...resolve(at, raw).node, ...raw };
        if (isCreateOnly(raw) || isCreateOnly(prop)) {
            paths.push(`${prefix}${name}`);
            continue;
        }
        const flatten = raw["x-ms-client-flatten"] === true;
        paths.push(...createOnlyPaths(at, raw, flatten ? prefix : `${prefix}${name}.`, depth + 1, new Set(seen)));
    }
    return [...new Set(paths)].sort();
}

/** The PUT body schema of the path ending in `armSuffix` (e.g. /flexibleServers/{serverName}). */
export function putBodySchema(doc: Json, armSuffix: string): Json {
    const entry = Object.entries<Json>(doc.paths ?? {}).find(([p, ops]) => p.endsWith(armSuffix) && ops.put);
    if (!entry) throw new Error(`no PUT path ending in ${armSuffix}`);
    const body = (entry[1].put.parameters ?? []).map((p: Json) => resolve({ doc }, p).node).find((p: Json) => p.in === "body");
    if (!body) throw new Error(`the PUT of ${entry[0]} has no body`);
    return body.schema;
}

function main(argv: string[]): void {
    const [checkout, commit, ...pairs] = argv;
    if (!checkout || !commit || pairs.length === 0) {
        console.error("usage: generateCreateOnly.ts <specs checkout> <commit> <type>=<spec file> ...");
        process.exit(2);
    }
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { ARM_PATHS } = require("../offline/mocks") as typeof import("../offline/mocks");
    const out = path.join(__dirname, "createOnly.azure.json");
    const table = JSON.parse(fs.readFileSync(out, "utf8"));
    for (const pair of pairs) {
        const [type, file] = pair.split("=");
        const doc = JSON.parse(fs.readFileSync(path.join(checkout, file), "utf8"));
        const suffix = `/${ARM_PATHS[type].split("/").slice(-2).join("/")}`;
        // An excerpt of a sparse mirror may lack `info`: its version is its stable|preview/<version>/ folder's.
        const apiVersion = doc.info?.version ?? /\/(?:stable|preview)\/([^/]+)\//.exec(file)?.[1];
        // The maintained list and the note (what was read) are kept: they are not derived from the spec's annotations.
        const { maintained, note } = table.types[type] ?? {};
        const createOnly = createOnlyPaths({ doc, checkout, file }, putBodySchema(doc, suffix));
        table.types[type] = { apiVersion, file, commit, createOnly, ...(maintained ? { maintained } : {}), ...(note ? { note } : {}) };
    }
    fs.writeFileSync(out, `${JSON.stringify(table, null, 4)}\n`);
}

if (require.main === module) main(process.argv.slice(2));
