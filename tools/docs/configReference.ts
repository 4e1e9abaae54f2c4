/**
 * The configuration reference (docs/config-reference.md), rendered from the config's JSON Schema
 * (configSchema.ts): one row per key, with its type, default and description. Unions (a
 * per-platform schema, a value that is one of several forms) are merged, each row naming the
 * variants it belongs to.
 */
import { CONFIG_NAMESPACE } from "../../stacks/config";
import { JsonSchema } from "./configSchema";

interface Row { key: string; type: string; default: string; description: string; only?: string }

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
const branches = (node: JsonSchema) => (node.anyOf ?? node.oneOf) as JsonSchema[] | undefined;
const isNull = (node: JsonSchema) => node.type === "null";
const isObject = (node: JsonSchema) => node.type === "object" || node.properties !== undefined;

/** A readable type: the schema's own phrase (its title), else "integer 1–1000", "`a` | `b`", "list of …", "map of name → …". */
export function typeOf(node: JsonSchema): string {
    const options = branches(node);
    if (options) {
        const nonNull = options.filter((option) => !isNull(option));
        const text = nonNull.map(typeOf).join(" or ");
        return nonNull.length < options.length ? `${text} or null` : text;
    }
    if (node.const !== undefined) return code(String(node.const));
    // A titled enum (a region: dozens of values) reads better by its phrase.
    if (typeof node.title === "string") return node.title;
    if (Array.isArray(node.enum)) return node.enum.map((value) => code(String(value))).join(" | ");
    switch (node.type) {
        case "integer":
        case "number": {
            const min = (node.minimum ?? node.exclusiveMinimum) as number | undefined;
            const max = (node.maximum ?? node.exclusiveMaximum) as number | undefined;
            const range = min !== undefined && max !== undefined ? ` ${min}–${max}` : min !== undefined ? ` ≥ ${min}` : max !== undefined ? ` ≤ ${max}` : "";
            return `${node.type}${range}`;
        }
        case "string":
            if (node.pattern) return `string matching ${code(node.pattern as string)}`;
            if (node.maxLength !== undefined) return `string of ${node.minLength ?? 0}–${node.maxLength} characters`;
            if (node.minLength) return "non-empty string";
            return "string";
        case "boolean":
            return "boolean";
        case "array": {
            const max = node.maxItems !== undefined ? ` (at most ${node.maxItems})` : "";
            return `list of ${node.items ? typeOf(node.items as JsonSchema) : "any"}${max}`;
        }
        case "object":
            if (node.properties) return "object";
            if (node.additionalProperties && typeof node.additionalProperties === "object") return `map of name → ${typeOf(node.additionalProperties as JsonSchema)}`;
            return "object";
        default:
            return "any";
    }
}

function defaultOf(node: JsonSchema, required: boolean): string {
    if (node.default === undefined) return required ? "(required)" : "";
    const json = typeof node.default === "string" ? node.default : JSON.stringify(node.default);
    // A long structured default (the seed's HPA behaviour) is named in the description instead.
    return json === "{}" ? "" : json.length > 80 ? "see description" : code(json);
}

/**
 * Rows for `node` at `key` and everything under it: objects by property, maps as `<name>`, lists
 * of objects as `[]`, and the object branches of a union merged (rows of some branches only say so).
 */
function rows(node: JsonSchema, key: string, required: boolean): Row[] {
    const options = branches(node);
    const objectOptions = options?.filter(isObject) ?? [];
    const own: Row = { key, type: typeOf(node), default: defaultOf(node, required), description: String(node.description ?? "") };
    const children = objectOptions.length > 1 ? mergeBranches(objectOptions, key) : childRows(objectOptions[0] ?? node, key);
    // A plain object with nothing to say about itself is only a heading for its keys.
    const silent = children.length > 0 && !own.description && !own.default && own.type === "object";
    return key === "" || silent ? children : [own, ...children];
}

/** Rows of what is inside `node`: an object's properties, a map's values (`<name>`), a list's objects (`[]`). */
function childRows(node: JsonSchema, key: string): Row[] {
    const prefix = key ? `${key}.` : "";
    if (node.properties) {
        const requiredKeys = (node.required ?? []) as string[];
        return Object.entries(node.properties as Record<string, JsonSchema>)
            .flatMap(([name, child]) => rows(child, `${prefix}${name}`, requiredKeys.includes(name)));
    }
    const values = node.additionalProperties;
    if (node.type === "object" && values && typeof values === "object") return childRows(values as JsonSchema, `${key}.<name>`);
    if (node.type === "array" && node.items) return childRows(node.items as JsonSchema, `${key}[]`);
    const options = branches(node)?.filter(isObject) ?? [];
    return options.length > 1 ? mergeBranches(options, key) : options.length === 1 ? childRows(options[0], key) : [];
}

/** The discriminator of a union's object branches: a property every branch fixes to its own value. */
function discriminator(options: JsonSchema[]): string | undefined {
    const fixed = (option: JsonSchema, name: string) => {
        const property = (option.properties as Record<string, JsonSchema> | undefined)?.[name];
        return property?.const ?? (Array.isArray(property?.enum) ? property.enum.join(", ") : undefined);
    };
    const names = Object.keys((options[0].properties ?? {}) as object);
    return names.find((name) => options.every((option) => fixed(option, name) !== undefined));
}

function mergeBranches(options: JsonSchema[], key: string): Row[] {
    const by = discriminator(options);
    const label = (option: JsonSchema, index: number) => {
        if (!by) return `form ${index + 1}`;
        const property = (option.properties as Record<string, JsonSchema>)[by];
        return `${by} = ${property.const ?? (property.enum as unknown[]).join(" or ")}`;
    };
    const merged = new Map<string, { row: Row; in: string[] }>();
    const discriminatorKey = by && (key ? `${key}.${by}` : by);
    options.forEach((option, index) => {
        for (const row of childRows(option, key)) {
            if (row.key === discriminatorKey) continue;
            const id = JSON.stringify([row.key, row.type, row.default, row.description]);
            const entry = merged.get(id) ?? { row, in: [] };
            entry.in.push(label(option, index));
            merged.set(id, entry);
        }
    });
    const variants: Row[] = by && discriminatorKey ? [{
        key: discriminatorKey,
        type: options.map((option) => typeOf((option.properties as Record<string, JsonSchema>)[by])).join(" | "),
        default: "(required)",
        description: "Selects which of the keys below apply.",
    }] : [];
    return [...variants, ...[...merged.values()].map((entry) => entry.in.length === options.length ? entry.row : { ...entry.row, only: entry.in.join("; ") })];
}

function table(list: Row[]): string {
    const anyOnly = list.some((row) => row.only);
    const header = anyOnly ? "| key | type | default | only when | description |\n|---|---|---|---|---|" : "| key | type | default | description |\n|---|---|---|---|";
    return [header, ...list.map((row) => `| ${code(row.key)} | ${cell(row.type)} | ${cell(row.default)} |${anyOnly ? ` ${cell(row.only ?? "")} |` : ""} ${cell(row.description)} |`)].join("\n");
}

/** The reference page: top-level values first, then one section per top-level object. */
export function configReference(config: JsonSchema): string {
    const all = rows(config, "", false);
    const top = (row: Row) => row.key.split(/[.[]/)[0];
    const sections = new Map<string, Row[]>();
    for (const row of all) sections.set(top(row), [...(sections.get(top(row)) ?? []), row]);
    const simple = [...sections.values()].filter((list) => list.length === 1).flat();
    const nested = [...sections.entries()].filter(([, list]) => list.length > 1);
    return [
        "# Configuration reference",
        "",
        "<!-- generated from the config schema in stacks/ by `npm run docs` (tools/docs/generate.ts); do not edit -->",
        "",
        `Every key of a stack file, \`Pulumi.<stack>.yaml\`, under \`${CONFIG_NAMESPACE}:\`. Keys are written`,
        `as \`pulumi config set --path\` takes them: \`app.services.<name>.minReplicas\` is`,
        `\`${CONFIG_NAMESPACE}:app\` → \`services\` → the service's name → \`minReplicas\`. A default that depends on the`,
        "environment or the platform is given in the description. The stack file's JSON Schema,",
        "for editors, is [`schema/stack.schema.json`](../schema/stack.schema.json): see",
        "[Configuration](configuration.md#editor-validation).",
        "",
        "## Keys without a section of their own",
        "",
        table(simple),
        ...nested.flatMap(([name, list]) => ["", `## ${code(name)}`, "", table(list)]),
        "",
    ].join("\n");
}
