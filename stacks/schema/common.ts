import { z } from "zod";
import { AZURE_REGIONS, AZURE_REGIONS_RETRIEVED } from "../../lib/regions";
import { closest } from "../../lib/spelling";

/**
 * Schema building blocks. Each carries the "expected ..." phrase that the config error
 * prints after the key, so every message reads `key: expected <form>, got <value>`.
 */

export function int(min: number, max?: number) {
    const expected = max === undefined
        ? `expected an integer >= ${min}`
        : `expected an integer between ${min} and ${max}`;
    let schema = z.number({ error: expected }).int({ error: expected }).min(min, { error: expected });
    if (max !== undefined) schema = schema.max(max, { error: expected });
    return schema;
}

export function num(min: number, max: number) {
    const expected = `expected a number between ${min} and ${max}`;
    return z.number({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, { error: `expected one of ${values.map((v) => `"${v}"`).join(" | ")}` });
}

// `title` carries the same phrase into the JSON Schema of stack files (an editor's hover, the reference).
export function text(what = "a non-empty string") {
    return z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` }).meta({ title: what });
}

export function pattern(re: RegExp, what: string) {
    return z.string({ error: `expected ${what}` }).regex(re, { error: `expected ${what}` }).meta({ title: what });
}

export function bool() {
    return z.boolean({ error: "expected true or false" });
}

/**
 * One of a cloud's regions (lib/regions.ts, dated and sourced): a name the cloud does not have is
 * refused here, naming the key, not mid-deployment. The closest real name is suggested.
 */
export function region(regions: readonly [string, ...string[]], what: string, listed: string) {
    const expected = `expected ${what}`;
    return z.enum(regions, {
        error: (issue) => {
            const near = typeof issue.input === "string" ? closest(issue.input, regions) : undefined;
            return `${expected} (${near ? `did you mean "${near}"? ` : ""}${listed})`;
        },
    }).meta({ title: what });
}

export const azureRegion = region(AZURE_REGIONS, "an Azure region name such as \"eastus2\"", `the public cloud's regions as of ${AZURE_REGIONS_RETRIEVED}: docs/configuration.md#regions`);

export const ipv4Cidr = pattern(
    /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/([0-9]|[12]\d|3[0-2])$/,
    "an IPv4 CIDR such as \"10.40.0.0/16\"",
);

export const email = pattern(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "an email address");

/** Kubernetes-style quantity for memory: "512Mi", "1Gi", "1.5Gi". */
export const memoryQuantity = pattern(/^\d+(\.\d+)?(Mi|Gi)$/, "a memory size in Mi or Gi such as \"1Gi\"");

const isPlainMap = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A map whose keys are data, whatever their name. Built with Object.fromEntries, so a key named
 * `__proto__` stays an own key (z.record assigns and silently drops it). The enumerable
 * Symbol.toPrimitive (copied by spreads, ignored by Object.keys and JSON) keeps the Pulumi SDK from
 * crashing on a key named `toString` or `valueOf`: it renders every top-level input with `${value}`
 * (safeToString in @pulumi/pulumi runtime/rpc.js), which throws when `toString` is not a function.
 */
export function dataMap<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
    const map = Object.fromEntries(entries) as Record<string, T>;
    Object.defineProperty(map, Symbol.toPrimitive, { value: () => "[map]", enumerable: true });
    return map;
}

/**
 * The value schema of each `mapOf` map. zod cannot describe a custom map in JSON Schema, so the
 * stack-file schema generator (tools/docs/configSchema.ts) reads the values' schema from here.
 */
export const mapValueSchemas = new WeakMap<z.ZodType, z.ZodType>();

/**
 * A map of `value` by key (env vars, extra tags, secret references): keys such as `toString` or
 * `__proto__` are plain keys. Each bad value is reported at its own key.
 */
export function mapOf<T>(value: z.ZodType<T>, what: string) {
    const map = z.custom<Record<string, unknown>>(isPlainMap, { error: `expected ${what}` });
    mapValueSchemas.set(map, value);
    return map
        .transform((input, ctx) => {
            const entries: [string, T][] = [];
            for (const [key, item] of Object.entries(input)) {
                const parsed = value.safeParse(item, { reportInput: true });
                if (parsed.success) entries.push([key, parsed.data]);
                else for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: [key, ...issue.path], input: item, message: issue.message });
            }
            return dataMap(entries);
        });
}

/** A string map (env vars, extra tags). */
export function stringMap(what = "a map of string values") {
    return mapOf(z.string({ error: `expected ${what}` }), what);
}
