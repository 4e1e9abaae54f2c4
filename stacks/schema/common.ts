import { z } from "zod";

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

export function text(what = "a non-empty string") {
    return z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
}

export function pattern(re: RegExp, what: string) {
    return z.string({ error: `expected ${what}` }).regex(re, { error: `expected ${what}` });
}

export function bool() {
    return z.boolean({ error: "expected true or false" });
}

export const azureRegion = pattern(/^[a-z]+[a-z0-9]*$/, "an Azure region name such as \"eastus2\"");

export const ipv4Cidr = pattern(
    /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/([0-9]|[12]\d|3[0-2])$/,
    "an IPv4 CIDR such as \"10.40.0.0/16\"",
);

export const email = pattern(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "an email address");

/** Kubernetes-style quantity for memory: "512Mi", "1Gi", "1.5Gi". */
export const memoryQuantity = pattern(/^\d+(\.\d+)?(Mi|Gi)$/, "a memory size in Mi or Gi such as \"1Gi\"");

/** A string map (env vars, extra tags). */
export function stringMap(what = "a map of string values") {
    return z.record(z.string(), z.string({ error: `expected ${what}` }), { error: `expected ${what}` });
}
