/**
 * Provider-side checks of the offline plan: what a real `pulumi preview` (the provider's Check) or
 * the first ARM PUT would refuse, from the table tools/specs/generate.ts derives from the
 * azure-rest-api-specs files of the API versions azure-native uses (tools/offline/specRules/azure.json).
 * A resource's name, explicit or as the provider autonames it, must match the spec's name
 * parameter (pattern, minLength, maxLength); a string body property its `pattern` and length limits;
 * a value set on a closed enum one of its values.
 */
import * as fs from "fs";
import * as path from "path";
import type { CapturedResource } from "./capture";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "./capture";
import { ARM_PATHS } from "./mocks";
import type { PlanSection } from "./types";
import { PROJECT_DIR } from "../paths";

export const SPEC_RULES_FILE = path.join(PROJECT_DIR, "tools/offline/specRules/azure.json");

interface NameRule { parameter: string; pattern?: string; minLength?: number; maxLength?: number; enum?: string[] }
interface StringLength { minLength?: number; maxLength?: number }
interface TypeRules { apiVersion: string; file: string; commit?: string; name?: NameRule; enums: Record<string, string[]>; patterns?: Record<string, string>; lengths?: Record<string, StringLength>; unresolved?: string[] }
interface Table { source: { repository: string; commit: string }; types: Record<string, TypeRules> }

interface CompiledRules {
    rules: TypeRules;
    nameProperty?: string;
    pattern?: RegExp;
    /** Closed enum values, lower-cased: ARM compares enum values case-insensitively. */
    enums: [path: string[], values: Set<string>, shown: string[]][];
    patterns: [path: string[], source: string, pattern: RegExp][];
    lengths: [path: string[], limits: StringLength][];
}

export interface SpecViolation { urn: string; type: string; property: string; value: string; rule: string }

/** Types named by a GUID (the provider's `uuid` autoname strategy); every other type is autonamed `random`. */
const GUID_NAMED = new Set(["azure-native:authorization:RoleAssignment"]);

let compiled: { table: Table; byType: Map<string, CompiledRules> } | undefined;

/** The table, read and its regexes compiled once per process. */
export function specRules(file = SPEC_RULES_FILE): { table: Table; byType: Map<string, CompiledRules> } {
    if (compiled && file === SPEC_RULES_FILE) return compiled;
    const table = JSON.parse(fs.readFileSync(file, "utf8")) as Table;
    const byType = new Map<string, CompiledRules>();
    for (const [type, rules] of Object.entries(table.types)) {
        const template = ARM_PATHS[type];
        const nameProperty = template ? [...template.matchAll(/\{(\w+)\}/g)].pop()?.[1] : undefined;
        byType.set(type, {
            rules,
            nameProperty,
            pattern: rules.name?.pattern !== undefined ? new RegExp(rules.name.pattern) : undefined,
            enums: Object.entries(rules.enums).map(([p, values]) => [p.split("."), new Set(values.map((v) => v.toLowerCase())), values]),
            patterns: Object.entries(rules.patterns ?? {}).map(([p, source]) => [p.split("."), source, new RegExp(source)]),
            lengths: Object.entries(rules.lengths ?? {}).map(([p, limits]) => [p.split("."), limits]),
        });
    }
    const result = { table, byType };
    if (file === SPEC_RULES_FILE) compiled = result;
    return result;
}

const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Plain value of a wire-format input: secrets unwrapped; undefined when unknown during preview. */
export function plain(value: unknown): unknown {
    if (value === UNKNOWN) return undefined;
    if (value && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) return plain((value as { value?: unknown }).value);
    return value;
}

/**
 * Values at an SDK input path; a segment ending in `[]` walks every element of an array, `{}` every
 * value of a map and `{keys}` every key of a map.
 */
export function valuesAt(root: unknown, segments: string[]): unknown[] {
    let current: unknown[] = [plain(root)];
    for (const segment of segments) {
        const walk = /(\[\]|\{\}|\{keys\})$/.exec(segment)?.[1];
        const key = walk ? segment.slice(0, -walk.length) : segment;
        current = current.flatMap((node) => {
            if (!node || typeof node !== "object") return [];
            const child = plain(key === "" ? node : (node as Record<string, unknown>)[key]);
            if (!walk) return [child];
            if (walk === "[]") return Array.isArray(child) ? child.map(plain) : [];
            if (!child || typeof child !== "object" || Array.isArray(child)) return [];
            return walk === "{}" ? Object.values(child).map(plain) : Object.keys(child);
        });
    }
    return current.filter((v) => v !== undefined);
}

/** The name the provider sends: the explicit one, or its autoname (logical name + 8 random hex digits). */
function effectiveName(resource: CapturedResource, nameProperty: string): { value: string; autonamed: boolean } | undefined {
    const raw = resource.wireInputs[nameProperty];
    if (raw === UNKNOWN) return undefined;
    const explicit = plain(raw);
    if (typeof explicit === "string" && explicit !== "") return { value: explicit, autonamed: false };
    // pulumi-azure-native getDefaultName: NewUniqueName(urn name, 8 hex) for `random`, a UUID for `uuid`.
    if (GUID_NAMED.has(resource.type)) return { value: "00000000-0000-4000-8000-000000000000", autonamed: true };
    return { value: `${resource.name}0a1b2c3d`, autonamed: true };
}

/** The length limit a string breaks (counted in characters, as ARM counts them), if any. */
export function lengthBreach(value: string, limits: StringLength): string | undefined {
    const length = [...value].length;
    if (limits.minLength !== undefined && length < limits.minLength) return `minLength ${limits.minLength} (got ${length})`;
    if (limits.maxLength !== undefined && length > limits.maxLength) return `maxLength ${limits.maxLength} (got ${length})`;
    return undefined;
}

/** Every breach of the spec table by the captured azure-native resources. */
export function specViolations(resources: CapturedResource[], file = SPEC_RULES_FILE): SpecViolation[] {
    const { byType } = specRules(file);
    const violations: SpecViolation[] = [];
    for (const resource of resources) {
        const rules = byType.get(resource.type);
        if (!rules || !resource.custom) continue;
        const where = `${rules.rules.file} (API ${rules.rules.apiVersion}${rules.rules.commit ? `, specs commit ${rules.rules.commit.slice(0, 12)}` : ""})`;
        const nameRule = rules.rules.name;
        if (nameRule && rules.nameProperty) {
            const name = effectiveName(resource, rules.nameProperty);
            if (name) {
                const shown = name.autonamed ? `"${resource.name}" + 8 random hex digits (provider autoname, e.g. "${name.value}")` : JSON.stringify(name.value);
                const report = (rule: string) => violations.push({ urn: resource.urn, type: resource.type, property: rules.nameProperty!, value: shown, rule: `${rule} (${nameRule.parameter} in ${where})` });
                if (rules.pattern && !rules.pattern.test(name.value)) report(`pattern ${nameRule.pattern}`);
                if (nameRule.minLength !== undefined && name.value.length < nameRule.minLength) report(`minLength ${nameRule.minLength}`);
                if (nameRule.maxLength !== undefined && name.value.length > nameRule.maxLength) report(`maxLength ${nameRule.maxLength} (got ${name.value.length})`);
                if (nameRule.enum && !nameRule.enum.some((v) => sameText(v, name.value))) report(`one of ${nameRule.enum.map((v) => JSON.stringify(v)).join(", ")}`);
            }
        }
        for (const [segments, source, pattern] of rules.patterns) {
            for (const value of valuesAt(resource.wireInputs, segments)) {
                if (typeof value === "string" && !pattern.test(value)) {
                    violations.push({ urn: resource.urn, type: resource.type, property: segments.join("."), value: JSON.stringify(value), rule: `pattern ${source} (${where})` });
                }
            }
        }
        for (const [segments, limits] of rules.lengths) {
            for (const value of valuesAt(resource.wireInputs, segments)) {
                const breach = typeof value === "string" ? lengthBreach(value, limits) : undefined;
                if (breach) violations.push({ urn: resource.urn, type: resource.type, property: segments.join("."), value: JSON.stringify(value), rule: `${breach} (${where})` });
            }
        }
        for (const [segments, allowed, shown] of rules.enums) {
            for (const value of valuesAt(resource.wireInputs, segments)) {
                if (typeof value === "string" && !allowed.has(value.toLowerCase())) {
                    violations.push({
                        urn: resource.urn, type: resource.type, property: segments.join("."), value: JSON.stringify(value),
                        rule: `one of ${shown.map((v) => JSON.stringify(v)).join(", ")} (closed enum in ${where})`,
                    });
                }
            }
        }
    }
    return violations;
}

export function formatSpecViolation(v: SpecViolation): string {
    return `${v.urn}: ${v.property} ${v.value} breaks the API spec: expected ${v.rule}`;
}

/**
 * Plan section `specRules`: fails the plan (exit 1, a program error as the provider's Check would
 * raise) on any breach, naming the resource, the property, the value and the rule.
 */
export const specRulesSection: PlanSection = ({ document, run }) => {
    const { table } = specRules();
    const violations = specViolations(run.resources);
    document.specRules = { source: table.source, types: Object.keys(table.types).length, violations };
    if (violations.length === 0) return 0;
    // Printed even with --quiet: the plan fails because of these.
    console.error(`The API specs refuse ${violations.length} value${violations.length === 1 ? "" : "s"} (tools/offline/specRules/azure.json, ${table.source.repository}${table.source.commit === "per-file" ? ", commit per file" : `@${table.source.commit}`}):`);
    for (const v of violations) console.error(`  - ${formatSpecViolation(v)}`);
    return 1;
};
