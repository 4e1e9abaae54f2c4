/**
 * The JSON Schema of `Pulumi.<stack>.yaml`, derived from the config schema (`StackConfigSchema`)
 * with zod's own converter, so editors validate a stack file as it is typed and the reference
 * (configReference.ts) follows the schema whatever shape it takes.
 */
import { z } from "zod";
import { CONFIG_NAMESPACE, OTHER_CONFIG_NAMESPACES, SECRET_ONLY_KEYS, StackConfigSchema } from "../../stacks/config";
import { mapValueSchemas } from "../../stacks/schema/common";
import { STACK_FILE_KEYS } from "../offline/stackFile";

export type JsonSchema = { [key: string]: unknown };

/**
 * The config object's JSON Schema (the keys without their namespace), as written in a stack file:
 * zod's input side, so keys with a default are optional. Draft 7, which the YAML language server
 * and ajv's default build both support.
 */
export function configJsonSchema(schema: z.ZodType = StackConfigSchema): JsonSchema {
    const convert = (s: z.ZodType): JsonSchema => {
        const { $schema: _, ...json } = z.toJSONSchema(s, {
            io: "input",
            target: "draft-7",
            // A custom map (mapOf) has no JSON form of its own; everything else must convert.
            unrepresentable: "any",
            override: (ctx) => {
                const values = mapValueSchemas.get(ctx.zodSchema as unknown as z.ZodType);
                if (values) Object.assign(ctx.jsonSchema, { type: "object", additionalProperties: convert(values) });
            },
        }) as JsonSchema;
        return json;
    };
    return convert(schema);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The `config` map of a stack file for a config schema: each key under its namespace, any value
 * may be a `secure:` ciphertext (credentials must be). A union of object schemas (a per-platform
 * config) becomes a union of such maps.
 */
function namespacedConfig(config: JsonSchema, others: Record<string, JsonSchema>): JsonSchema {
    const options = (config.oneOf ?? config.anyOf) as JsonSchema[] | undefined;
    if (options) return { [config.oneOf ? "oneOf" : "anyOf"]: options.map((option) => namespacedConfig(option, others)) };
    const secure = { $ref: "#/definitions/secure" };
    const properties = Object.fromEntries(Object.entries((config.properties ?? {}) as Record<string, JsonSchema>).map(([key, schema]) => {
        const description = schema.description;
        const value = (SECRET_ONLY_KEYS as readonly string[]).includes(key)
            ? { ...(description ? { description } : {}), allOf: [secure] }
            : { ...(description ? { description } : {}), anyOf: [schema, secure] };
        return [`${CONFIG_NAMESPACE}:${key}`, value];
    }));
    return {
        type: "object",
        properties,
        required: ((config.required ?? []) as string[]).map((key) => `${CONFIG_NAMESPACE}:${key}`),
        patternProperties: others,
        additionalProperties: false,
    };
}

/** The JSON Schema of a whole stack file: `config` with every `bookstore:` key, plus Pulumi's own keys. */
export function stackFileJsonSchema(config: JsonSchema = configJsonSchema(), namespaces: readonly string[] = OTHER_CONFIG_NAMESPACES): JsonSchema {
    const others = namespaces.filter((ns) => ns !== CONFIG_NAMESPACE);
    const topLevel: Record<string, JsonSchema> = {
        config: {
            description: `Stack configuration: \`${CONFIG_NAMESPACE}:\` keys (validated here and by the program before anything is registered) and provider settings (${others.map((ns) => `\`${ns}:\``).join(", ")}).`,
            ...namespacedConfig(config, { [`^(${others.map(escapeRegExp).join("|")}):`]: {} }),
        },
        environment: { description: "Pulumi ESC environments imported by the stack." },
        secretsprovider: { type: "string", description: "The stack's secrets provider (written by Pulumi)." },
        encryptedkey: { type: "string", description: "The stack's encrypted data key (written by Pulumi)." },
        encryptionsalt: { type: "string", description: "The passphrase provider's salt (written by Pulumi)." },
    };
    const missing = STACK_FILE_KEYS.filter((key) => !(key in topLevel));
    if (missing.length > 0) throw new Error(`stackFileJsonSchema: no schema for the stack file keys ${missing.join(", ")}`);
    return {
        $schema: "http://json-schema.org/draft-07/schema#",
        title: `Pulumi stack file of the ${CONFIG_NAMESPACE} project (Pulumi.<stack>.yaml)`,
        description: "Generated from the config schema in stacks/ by `npm run docs`; do not edit.",
        type: "object",
        properties: topLevel,
        additionalProperties: false,
        definitions: {
            secure: {
                description: "A value set with `pulumi config set --secret` (ciphertext).",
                type: "object",
                properties: { secure: { type: "string" } },
                required: ["secure"],
                additionalProperties: false,
            },
        },
    };
}
