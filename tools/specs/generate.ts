/**
 * Generates tools/offline/specRules/azure.json, the provider-side checks of the offline plan, from
 * a local checkout of Azure/azure-rest-api-specs (a sparse one holding the files in sources.json
 * is enough). For every azure-native type in sources.json it reads the API version azure-native
 * uses (node_modules/@pulumi/azure-native/<module>/<resource>.js), checks the spec file is of that
 * version, and records the name parameter's pattern/minLength/maxLength and every closed enum of
 * the PUT body, keyed by the SDK's input paths (`properties` flattened as the SDK does).
 *
 *   npx tsx tools/specs/generate.ts <azure-rest-api-specs checkout> [--commit <sha>] [--out <file>]
 *
 * The checkout may be the sparse mirror tools/specs/mirror.json describes (files read one by one,
 * each at its own commit, some as excerpts): a `$ref` to an absent file or object is listed per
 * type as `unresolved` instead of failing.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ARM_PATHS } from "../offline/mocks";
import { checkWholeFiles, fileCommit, type MirrorEntry, readMirror } from "./mirror";
import { type Json, SpecReader } from "./reader";
import { sdkApiVersion, sdkKeepsProperties } from "./sdk";

export interface NameRule {
    parameter: string;
    pointer?: string;
    pattern?: string;
    /** A spec pattern no regex engine compiles (neither ECMAScript nor the provider's Go RE2): kept for the record, never checked. */
    unusablePattern?: string;
    minLength?: number;
    maxLength?: number;
    /** A closed enum on the name parameter (`x-ms-enum.modelAsString` not true), e.g. a storage blob service is always `default`. */
    enum?: string[];
}

/** The spec's constraints of a name parameter. */
function constraints(rule: NameRule, node: Json): NameRule {
    const out = withPattern(rule, node.pattern);
    if (typeof node.minLength === "number") out.minLength = node.minLength;
    if (typeof node.maxLength === "number") out.maxLength = node.maxLength;
    if (Array.isArray(node.enum) && node["x-ms-enum"]?.modelAsString !== true) out.enum = node.enum.map(String);
    return out;
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** ARM path placeholders are matched case-insensitively (blob.json names `{BlobServicesName}`). */
const sameName = (a: unknown, b: string) => typeof a === "string" && a.toLowerCase() === b.toLowerCase();

/** Undefined when the pattern compiles, else the compiler's message. */
export function patternError(pattern: string): string | undefined {
    try {
        new RegExp(pattern);
        return undefined;
    } catch (err) {
        return err instanceof Error ? err.message : String(err);
    }
}

/** The spec's pattern as a rule: `pattern` when it compiles, else `unusablePattern` with the reason. */
function withPattern(rule: NameRule, pattern: unknown): NameRule {
    if (typeof pattern !== "string") return rule;
    const error = patternError(pattern);
    return error ? { ...rule, unusablePattern: `${pattern} (${error})` } : { ...rule, pattern };
}
export interface TypeRules {
    apiVersion: string;
    file: string;
    /** The specs commit the file was read at (files of a sparse mirror come from different commits). */
    commit: string;
    name?: NameRule;
    /** Closed enums by SDK input path (`a.b`, `list[].c`). */
    enums: Record<string, string[]>;
    /** `pattern`s of string body properties by SDK input path. */
    patterns: Record<string, string>;
    /** `minLength`/`maxLength` of string body properties by SDK input path (ActionGroup `groupShortName`: at most 12). */
    lengths: Record<string, StringLength>;
    /** `$ref`s into files the checkout lacks (a sparse checkout): their rules are not in the table. */
    unresolved?: string[];
}
export interface SpecRulesTable {
    /** `commit`: the checkout's commit, or "per-file" when the mirror's files come from different commits (then per type). */
    source: { repository: string; commit: string; generator: string };
    types: Record<string, TypeRules>;
}

const ROOT = path.resolve(__dirname, "../..");
export const SOURCES_FILE = path.join(__dirname, "sources.json");
export const DEFAULT_OUT = path.join(ROOT, "tools/offline/specRules/azure.json");
/** Nesting depth of body schemas walked for enums (ARM bodies are recursive in places). */
const MAX_DEPTH = 8;

const normalize = (armPath: string) => armPath.replace(/\{[^}]+\}/g, "{}").toLowerCase();

/** The spec's PUT operation for a type's ARM path (matched on the provider-relative suffix). */
function tryFindPut(spec: Json, type: string): { path: string; put: Json } | undefined {
    const template = ARM_PATHS[type];
    if (!template) throw new Error(`${type} has no ARM path in tools/offline/mocks.ts`);
    const suffix = normalize(template.startsWith("/") ? template : template.startsWith("{") ? template.slice(template.indexOf("/providers/")) : `/providers/${template}`);
    for (const [specPath, ops] of Object.entries(spec.paths ?? {}) as [string, Json][]) {
        if (ops.put && normalize(specPath).endsWith(suffix)) return { path: specPath, put: ops.put };
    }
    return undefined;
}

function nameRule(reader: SpecReader, file: string, specPath: string, put: Json, pathItem: Json): NameRule | undefined {
    const parameter = [...specPath.matchAll(/\{(\w+)\}/g)].pop()?.[1];
    if (!parameter) return undefined;
    for (const raw of [...(put.parameters ?? []), ...(pathItem.parameters ?? [])]) {
        // common-types parameters (subscription, group) and objects an excerpt left out
        if (raw.$ref && !reader.tryResolve(raw.$ref, file)) continue;
        const { node } = reader.deref(raw, file);
        if (node.in !== "path" || !sameName(node.name, parameter)) continue;
        return constraints({ parameter, pointer: typeof raw.$ref === "string" ? raw.$ref : `#/paths/${specPath.replace(/~/g, "~0").replace(/\//g, "~1")}/put/parameters` }, node);
    }
    return undefined;
}

/** Closed enums, string patterns and string length limits under a schema, by SDK input path. */
export interface StringLength { minLength?: number; maxLength?: number }
interface BodyRules { enums: Record<string, string[]>; patterns: Record<string, string>; lengths: Record<string, StringLength> }

/** A string schema's length limits, or undefined when it has none. */
function stringLength(node: Json): StringLength | undefined {
    if (node.type !== "string") return undefined;
    const limits: StringLength = {};
    if (typeof node.minLength === "number") limits.minLength = node.minLength;
    if (typeof node.maxLength === "number") limits.maxLength = node.maxLength;
    return Object.keys(limits).length > 0 ? limits : undefined;
}

/**
 * Every closed enum (no `x-ms-enum.modelAsString: true`), string pattern and string length limit
 * under a schema, by SDK input path. Read-only properties are skipped: the provider never sends them.
 */
function collectBodyRules(reader: SpecReader, schema: Json, file: string, prefix: string, out: BodyRules, depth: number, seen: Set<string>, keepProperties = false): void {
    if (depth > MAX_DEPTH) return;
    if (schema.$ref && !reader.tryResolve(schema.$ref, file)) {
        reader.missing.add(`${reader.fileOf(schema.$ref, file)}#${schema.$ref.split("#")[1] ?? ""}`);
        return;
    }
    const refKey = schema.$ref ? `${file}#${schema.$ref}` : undefined;
    if (refKey && seen.has(refKey)) return;
    const { node, file: at } = reader.deref(schema, file);
    if (node.readOnly === true) return;
    const nextSeen = refKey ? new Set(seen).add(refKey) : seen;
    // A polymorphic schema (Front Door rule conditions, metric alert criteria): the SDK sends one of
    // its subtypes under the same input path, so their rules can't be keyed by path; say so.
    if (typeof node.discriminator === "string") {
        reader.missing.add(`${at}#${schema.$ref?.split("#")[1] ?? ""} (discriminator "${node.discriminator}": subtypes' rules not in the table)`);
    }
    if (prefix && Array.isArray(node.enum) && node["x-ms-enum"]?.modelAsString !== true) out.enums[prefix] = node.enum.map(String);
    if (prefix && typeof node.pattern === "string" && !patternError(node.pattern)) out.patterns[prefix] = node.pattern;
    const length = prefix ? stringLength(node) : undefined;
    if (length) out.lengths[prefix] = length;
    for (const parent of node.allOf ?? []) collectBodyRules(reader, parent, at, prefix, out, depth + 1, nextSeen, keepProperties);
    if (node.items) collectBodyRules(reader, node.items, at, `${prefix}[]`, out, depth + 1, nextSeen);
    for (const [name, child] of Object.entries(node.properties ?? {}) as [string, Json][]) {
        if (child.readOnly === true) continue;
        // azure-native flattens what the spec marks x-ms-client-flatten (typically `properties`), unless its SDK keeps the body's `properties`.
        const flatten = child["x-ms-client-flatten"] === true && !(keepProperties && prefix === "" && name === "properties");
        // The SDK names an input after its x-ms-client-name (storage `networkAcls` is `networkRuleSet`).
        const input = typeof child["x-ms-client-name"] === "string" ? lowerFirst(child["x-ms-client-name"]) : name;
        const childPath = flatten ? prefix : (prefix ? `${prefix}.${input}` : input);
        collectBodyRules(reader, child, at, childPath, out, depth + 1, nextSeen);
    }
}

/** The API version of a spec file: its `info.version`, or (an excerpt without `info`) its folder's. */
export function specVersion(spec: Json, file: string): string | undefined {
    return spec.info?.version ?? /\/(?:stable|preview)\/([^/]+)\//.exec(file)?.[1];
}

/**
 * An excerpt that kept a shared path parameter but not the PUT: the parameter named by the ARM
 * path's last placeholder (`in: path`) in the file's `parameters`, which every operation on the
 * path references. Ambiguous when the file defines it twice with different constraints.
 */
function sharedNameRule(spec: Json, file: string, type: string): NameRule | undefined {
    const parameter = [...(ARM_PATHS[type] ?? "").matchAll(/\{(\w+)\}/g)].pop()?.[1];
    const candidates = Object.entries(spec.parameters ?? {}).filter(([, p]: [string, any]) => p.in === "path" && parameter && sameName(p.name, parameter));
    if (!parameter || candidates.length === 0) return undefined;
    const rules = candidates.map(([key, p]: [string, any]) => constraints({ parameter, pointer: `#/parameters/${key}` }, p));
    const distinct = new Set(rules.map(({ pointer: _p, ...r }) => JSON.stringify(r)));
    if (distinct.size > 1) throw new Error(`${file}: parameter ${parameter} is defined ${rules.length} times with different constraints`);
    return rules[0];
}

export function rulesFor(checkout: string, type: string, file: string, apiVersion: string, commit: string, excerpt?: string[], keepProperties = false): TypeRules {
    const reader = new SpecReader(checkout);
    const spec = reader.load(file);
    const version = specVersion(spec, file);
    if (version !== apiVersion) {
        throw new Error(`${file} is API version ${version}; azure-native uses ${apiVersion} for ${type}`);
    }
    const rules: TypeRules = { apiVersion, file, commit, enums: {}, patterns: {}, lengths: {} };
    const found = tryFindPut(spec, type);
    if (!found) {
        if (!excerpt) throw new Error(`no PUT for ${type} (…${ARM_PATHS[type]}) in the spec file`);
        // An excerpt without the PUT: the name from the shared parameter; the body's rules are not known.
        const name = sharedNameRule(spec, file, type);
        if (name) rules.name = name;
        rules.unresolved = [`${file}#/paths (PUT not in the excerpt: body rules unknown)`];
        return rules;
    }
    const { path: specPath, put } = found;
    const name = nameRule(reader, file, specPath, put, spec.paths[specPath]);
    if (name) rules.name = name;
    // Shared parameters (subscription, resource group, api-version) live in common-types; only local ones can be the body.
    const local = (put.parameters ?? []).filter((p: Json) => !p.$ref || reader.tryResolve(p.$ref, file));
    const body = local.map((p: Json) => reader.deref(p, file)).find((p: { node: Json }) => p.node.in === "body");
    if (body) collectBodyRules(reader, body.node.schema, body.file, "", rules, 0, new Set(), keepProperties);
    if (reader.missing.size > 0) rules.unresolved = [...reader.missing].sort();
    return rules;
}

function gitCommit(checkout: string): string | undefined {
    try {
        return execFileSync("git", ["-C", checkout, "rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
        return undefined;
    }
}

export function generate(checkout: string, checkoutCommit: string | undefined, mirror: Record<string, MirrorEntry> = readMirror()): SpecRulesTable {
    if (!checkoutCommit) checkWholeFiles(checkout, mirror);
    const sources = JSON.parse(fs.readFileSync(SOURCES_FILE, "utf8")) as Record<string, string>;
    const types: Record<string, TypeRules> = {};
    for (const [type, file] of Object.entries(sources).sort(([a], [b]) => a.localeCompare(b))) {
        types[type] = rulesFor(checkout, type, file, sdkApiVersion(type), fileCommit(file, checkoutCommit, mirror), mirror[file]?.excerpt, sdkKeepsProperties(type));
    }
    const commits = new Set(Object.values(types).map((t) => t.commit));
    const commit = commits.size === 1 ? [...commits][0] : "per-file";
    return { source: { repository: "Azure/azure-rest-api-specs", commit, generator: "tools/specs/generate.ts" }, types };
}

function main(argv: string[]): number {
    const args = [...argv];
    const option = (flag: string) => {
        const i = args.indexOf(flag);
        if (i < 0) return undefined;
        const [, value] = args.splice(i, 2);
        return value;
    };
    const commitOption = option("--commit");
    const out = option("--out") ?? DEFAULT_OUT;
    const [checkout] = args;
    if (!checkout || !fs.existsSync(checkout)) {
        console.error("usage: tsx tools/specs/generate.ts <azure-rest-api-specs checkout> [--commit <sha>] [--out <file>]");
        return 2;
    }
    // A git checkout (or --commit) gives every file one commit; a sparse mirror's come from tools/specs/mirror.json.
    const table = generate(checkout, commitOption ?? gitCommit(checkout));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(table, null, 2)}\n`);
    console.log(`wrote ${out}: ${Object.keys(table.types).length} types (specs commit ${table.source.commit})`);
    return 0;
}

if (require.main === module) {
    try {
        process.exit(main(process.argv.slice(2)));
    } catch (err) {
        console.error(`generate failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
    }
}
