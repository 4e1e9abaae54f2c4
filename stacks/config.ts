import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AppSchema } from "./schema/app";
import { appChecks, aksTlsFields } from "./schema/appChecks";
import { AwsConfig, AwsSchema, awsChecks } from "./schema/aws";
import type { Report, StackCheck } from "./schema/checks";
import { azureRegion, email, int, ipv4Cidr, oneOf, pattern, stringMap, text } from "./schema/common";
import { DatabaseSchema } from "./schema/database";
import { databaseChecks } from "./schema/databaseChecks";
import { edgeChecks, edgeFields } from "./schema/edge";
import { DeployerSchema } from "./schema/deployer";
import { RegistrySchema, registryChecks } from "./schema/registry";
import { envNameChecks } from "./schema/envNames";
import { loadTestingFields } from "./schema/loadTesting";
import { leafStrings } from "./secrets";
import { cidrSize, contains, hasHostBits, overlaps, parseCidr } from "../lib/network";
import { closest } from "../lib/spelling";

/** The Pulumi config namespace of this project: keys are `bookstore:<key>`. */
export const CONFIG_NAMESPACE = "bookstore";

const SubnetsSchema = z.strictObject({
    containerApps: ipv4Cidr.default("10.40.0.0/23")
        .describe("Container Apps environment (workload profiles): at least /27, delegated to "
            + "Microsoft.App/environments."),
    aks: ipv4Cidr.default("10.40.4.0/22")
        .describe("AKS nodes (Azure CNI overlay: pods take addresses from the overlay, not this "
            + "subnet)."),
    postgres: ipv4Cidr.default("10.40.8.0/24")
        .describe("PostgreSQL Flexible Server, delegated to "
            + "Microsoft.DBforPostgreSQL/flexibleServers."),
    privateEndpoints: ipv4Cidr.default("10.40.9.0/24")
        .describe("Private endpoints (Key Vault, Redis, ...)."),
});

const NetworkSchema = z.strictObject({
    addressSpace: ipv4Cidr.default("10.40.0.0/16")
        .describe("VNet address space."),
    subnets: SubnetsSchema.prefault({}),
});

const MonitoringSchema = z.strictObject({
    logRetentionDays: int(30, 730).optional()
        .describe("Log Analytics retention in days. Default: 90 in prod, 30 elsewhere."),
    alertEmails: z.array(email, { error: "expected a list of email addresses" }).default([])
        .describe("Who the alert action group emails."),
});

export const StackConfigSchema = z.strictObject({
    platform: oneOf(["containerapps", "aks", "eks"]).default("containerapps")
        .describe("Which runtime hosts the app tier. Default `containerapps`; `eks` selects the AWS "
            + "platform (`aws` section)."),
    environment: oneOf(["dev", "staging", "prod"])
        .describe("Environment class; `prod` turns on zone redundancy, HA, geo backups, private "
            + "access. Required."),
    location: azureRegion.default("eastus2")
        .describe("Primary Azure region. Default `eastus2` (the seed's)."),
    secondaryLocation: azureRegion.default("westus2")
        .describe("Secondary region for the cross-region read replica. Default `westus2` (the "
            + "seed's)."),
    namePrefix: pattern(/^[a-z][a-z0-9]{1,11}$/, "2-12 lowercase letters or digits, starting with a letter").default("bookstore")
        .describe("Short prefix for resource names: lowercase letters and digits, 2-12 characters."),
    tags: z.strictObject({
        owner: text("an owner (team or email)"),
        costCenter: text("a cost center"),
        extra: stringMap("a map of extra tag names to string values").default({}),
    })
        .describe("Tags carried by every taggable resource. `owner` and `costCenter` are required."),
    network: NetworkSchema.prefault({}),
    monitoring: MonitoringSchema.prefault({}),
    registry: RegistrySchema.prefault({})
        .describe("Container registries: the stack's own, an existing one to pull from, allowed "
            + "public ones."),
    deployer: DeployerSchema.prefault({})
        .describe("Who runs `pulumi up` (its role assignments need the right principal type)."),
    app: AppSchema
        .describe("App tier: services and their scaling."),
    ...aksTlsFields,
    database: DatabaseSchema.prefault({})
        .describe("Database tier."),
    ...edgeFields,
    ...loadTestingFields,
    aws: AwsSchema.optional()
        .describe("The AWS platform (platform `eks` only)."),
});

/** Any validated stack config; `platform` says which composition reads it. */
export type ParsedStackConfig = z.output<typeof StackConfigSchema>;
/** A stack on Azure (platform containerapps or aks): what composeAzureStack reads. */
export type StackConfig = ParsedStackConfig & { platform: "containerapps" | "aks" };
/** A stack on AWS (platform eks): the `aws` section is present (checked). */
export type EksStackConfig = ParsedStackConfig & { platform: "eks"; aws: AwsConfig };

export function isEksConfig(config: ParsedStackConfig): config is EksStackConfig {
    return config.platform === "eks" && config.aws !== undefined;
}

/** Cross-key rules of the foundation: replica bounds and the VNet layout. */
const foundationChecks: StackCheck[] = [
    (config: ParsedStackConfig, report) => {
        for (const [name, svc] of Object.entries(config.app.services)) {
            if (svc.maxReplicas < svc.minReplicas) {
                report(["app", "services", name, "maxReplicas"],
                    `expected an integer >= minReplicas (${svc.minReplicas})`, svc.maxReplicas);
            }
        }
    },
    (config: ParsedStackConfig, report) => {
        // The SDK serializes inputs by assignment, which drops a key named __proto__ (rpc.js serializeProperty).
        if (Object.hasOwn(config.tags.extra, "__proto__")) {
            report(["tags", "extra", "__proto__"], "expected another tag name (the Pulumi SDK drops a key named __proto__ when it sends inputs)", config.tags.extra["__proto__"]);
        }
    },
    (config: ParsedStackConfig, report) => {
        const space = config.network.addressSpace;
        const vnet = parseCidr(space);
        const subnets = Object.entries(config.network.subnets);
        for (const [name, cidr] of subnets) {
            const path = ["network", "subnets", name];
            if (hasHostBits(cidr)) report(path, "expected a network address without host bits", cidr);
            else if (!contains(vnet, parseCidr(cidr))) report(path, `expected a subnet inside the address space ${space}`, cidr);
        }
        for (let i = 0; i < subnets.length; i++) {
            for (let j = i + 1; j < subnets.length; j++) {
                if (overlaps(parseCidr(subnets[i][1]), parseCidr(subnets[j][1]))) {
                    report(["network", "subnets", subnets[j][0]],
                        `expected a range that does not overlap subnets.${subnets[i][0]} (${subnets[i][1]})`, subnets[j][1]);
                }
            }
        }
        // A workload-profiles Container Apps environment needs at least a /27.
        if (cidrSize(parseCidr(config.network.subnets.containerApps)) < 32) {
            report(["network", "subnets", "containerApps"], "expected a subnet of /27 or larger", config.network.subnets.containerApps);
        }
    },
];

/** Every cross-key rule, run only once the shape of the config is valid. */
export const stackChecks: StackCheck[] = [...foundationChecks, ...databaseChecks, ...edgeChecks, ...appChecks, ...registryChecks, ...envNameChecks, ...awsChecks];

/** Keys that hold credentials: accepted only when set as secrets. */
export const SECRET_ONLY_KEYS = ["cloudflareApiToken", "cloudflareOriginCertificate", "aksTlsCertificate", "aksTlsPrivateKey"] as const;

/** A user mistake in stack config: reported without a stack trace, naming every bad key. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(`Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n`
            + problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "ConfigError";
    }
}

function describeValue(value: unknown, secret: boolean): string {
    if (value === undefined) return "nothing (the key is required)";
    if (secret) return "[secret]";
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function keyName(path: readonly PropertyKey[]): string {
    return `${CONFIG_NAMESPACE}:${path.map(String).join(".")}`;
}

/** Keys an earlier release read, and where their setting lives now: a stack file written for it gets the new key named. */
const MOVED_KEYS: Record<string, string> = {
    "bookstore:aws.observability.grafana": "bookstore:observability.grafana.enabled (with adminGroupIds: IAM Identity Center group ids)",
};

/**
 * Parses raw config values (key → value, already JSON-decoded) into the typed stack config.
 * Throws one ConfigError that lists every bad key, the value given and the expected form.
 * `secretKeys` are top-level keys whose values must never appear in a message.
 * `otherProblems` (found before parsing, such as a misspelled namespace) lead the same error.
 */
export function parseStackConfig(raw: Record<string, unknown>, secretKeys: ReadonlySet<string> = new Set(), otherProblems: readonly string[] = []): ParsedStackConfig {
    const isSecret = (path: readonly PropertyKey[]) =>
        path.length > 0 && (secretKeys.has(String(path[0])) || (SECRET_ONLY_KEYS as readonly string[]).includes(String(path[0])));
    // A credential set in plain text sits unencrypted in the stack file and in git: refuse it, without echoing it.
    const problems: string[] = [...otherProblems, ...SECRET_ONLY_KEYS.filter((key) => raw[key] !== undefined && !secretKeys.has(key)).map((key) =>
        `${keyName([key])}: expected a secret (set it with \`pulumi config set --secret ${keyName([key])} <value>\`), got a plain-text value`)];
    const result = StackConfigSchema.safeParse(raw, { reportInput: true });
    if (!result.success) {
        problems.push(...result.error.issues.flatMap((issue) => {
            if (issue.code === "unrecognized_keys") {
                return issue.keys.map((key) => {
                    const name = keyName([...issue.path, key]);
                    const moved = MOVED_KEYS[name];
                    return moved ? `${name}: moved to ${moved}` : `${name}: unknown key (check the spelling; allowed here: ${allowedKeys(issue.path)})`;
                });
            }
            return [`${keyName(issue.path)}: ${issueWording(issue)}, got ${describeValue(issue.input, isSecret(issue.path))}${quotedNumberNote(issue)}`];
        }));
        throw new ConfigError(problems);
    }
    const report: Report = (path, message, input) =>
        problems.push(`${keyName(path)}: ${message}, got ${describeValue(input, isSecret(path))}`);
    for (const check of stackChecks) check(result.data, report);
    if (problems.length > 0) throw new ConfigError(problems);
    return result.data;
}

const TYPE_WORDS: Record<string, string> = {
    object: "a map of keys and values", record: "a map of keys and values", map: "a map of keys and values", array: "a list",
    string: "a text value", number: "a number", int: "an integer", bigint: "an integer", boolean: "true or false",
};

/**
 * This project's wording for an issue: the schema's own "expected ..." phrase, or, where a schema
 * left zod's stock phrase ("Invalid input: expected object, received string"), one in the same form.
 */
export function issueWording(issue: z.core.$ZodIssue): string {
    if (!/^(Invalid|Too (big|small))/.test(issue.message)) return issue.message;
    const bound = (limit: unknown, origin: unknown) =>
        origin === "array" ? `${limit} item(s)` : origin === "string" ? `${limit} character(s)` : String(limit);
    switch (issue.code) {
        case "invalid_type": return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
        case "too_small": return `expected at least ${bound(issue.minimum, issue.origin)}`;
        case "too_big": return `expected at most ${bound(issue.maximum, issue.origin)}`;
        case "invalid_value": return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(" | ")}`;
        case "invalid_format": return `expected ${issue.format === "regex" ? "a value of the documented form" : `a valid ${issue.format}`}`;
        case "invalid_union": return "expected one of the documented forms of this key";
        default: return `expected a different value (${issue.message})`;
    }
}

/** A number written in quotes in YAML is text: say so, since the value printed looks like a number. */
function quotedNumberNote(issue: z.core.$ZodIssue): string {
    const numeric = issue.code === "invalid_type" && ["number", "int", "bigint"].includes(issue.expected);
    return numeric && typeof issue.input === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(issue.input)
        ? " (a quoted number is a string: remove the quotes)"
        : "";
}

/** Names the keys a strict object at `path` accepts, for the unknown-key message. */
function allowedKeys(path: readonly PropertyKey[]): string {
    let schema: z.ZodType = StackConfigSchema;
    for (const segment of path) {
        const inner = unwrap(schema);
        if (inner instanceof z.ZodObject) schema = inner.shape[String(segment)];
        else if (inner instanceof z.ZodRecord) schema = inner.valueType as z.ZodType;
        else return "?";
        if (!schema) return "?";
    }
    const target = unwrap(schema);
    return target instanceof z.ZodObject ? Object.keys(target.shape).join(", ") : "?";
}

/** Schema kinds that only wrap another (defaults, optional and nullable values). */
const WRAPPER_KINDS = new Set(["default", "prefault", "optional", "nullable"]);

function unwrap(schema: z.ZodType): z.ZodType {
    let current: z.ZodType = schema;
    while (WRAPPER_KINDS.has(current._zod.def.type)) {
        current = (current._zod.def as unknown as { innerType: z.ZodType }).innerType;
    }
    return current;
}

/**
 * Decodes one raw config value as the engine hands it to the program: structured values
 * arrive as JSON text, scalars as plain text ("2", "true", "eastus2").
 */
export function decodeConfigValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

// The SDK marks this helper @internal (it reads PULUMI_CONFIG_SECRET_KEYS, which the engine sets).
// Knowing which keys are secret keeps their values out of error messages without reading them as plain config.
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

/**
 * Validates the `bookstore:*` entries of a raw config map (full key → the engine's string value),
 * as the program receives it or as a stack file holds it. Also returns every string value that was
 * set as a secret, so the program can keep it secret wherever it is used.
 */
export function stackConfigFromEntries(
    entries: Record<string, string>,
    isSecretKey: (fullKey: string) => boolean,
): { config: ParsedStackConfig; secretValues: string[] } {
    const raw: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    const namespaceProblems: string[] = [];
    for (const [fullKey, value] of Object.entries(entries)) {
        const [namespace, ...rest] = fullKey.split(":");
        const key = rest.join(":").replace(/^config:/, "");
        if (namespace !== CONFIG_NAMESPACE) {
            if (!OTHER_CONFIG_NAMESPACES.includes(namespace)) namespaceProblems.push(unknownNamespace(namespace, key));
            continue;
        }
        raw[key] = decodeConfigValue(value);
        if (isSecretKey(fullKey)) secretKeys.add(key);
    }
    const config = parseStackConfig(raw, secretKeys, namespaceProblems);
    return { config, secretValues: [...secretKeys].flatMap((key) => leafStrings(raw[key])) };
}

/**
 * Config namespaces other than `bookstore` a stack may set: `pulumi` (`pulumi:tags`,
 * `pulumi:disable-default-providers`) and those of the provider packages the program depends on
 * (each names its namespace under `pulumi.name` in its package.json;
 * test/stacks/regionsAndNamespaces.test.ts checks the list against package.json). A key in any
 * other namespace is read by nobody, so it is a typo: refused, not ignored. The stack files' JSON
 * Schema admits the same (tools/docs/configSchema.ts).
 */
export const OTHER_CONFIG_NAMESPACES = ["pulumi", "aws", "azure-native", "cloudflare", "grafana", "kubernetes", "random", "time"];

function unknownNamespace(namespace: string, key: string): string {
    const near = closest(namespace, [CONFIG_NAMESPACE, ...OTHER_CONFIG_NAMESPACES]);
    return `${namespace}:${key}: unknown config namespace "${namespace}" (${near ? `did you mean "${near}:${key}"? ` : ""}`
        + `this project's keys are ${CONFIG_NAMESPACE}:<key>; provider settings use ${OTHER_CONFIG_NAMESPACES.map((n) => `${n}:`).join(", ")})`;
}

/**
 * Reads every `bookstore:*` key from the Pulumi runtime config and validates it.
 * Called before any resource is registered, so a bad stack file changes nothing.
 */
export function readStackConfig(): { config: ParsedStackConfig; secretValues: string[] } {
    return stackConfigFromEntries(pulumi.runtime.allConfig(), isConfigSecret);
}

export const isProd = (config: Pick<ParsedStackConfig, "environment">) => config.environment === "prod";

/** Tags for every taggable resource of the stack. */
export function stackTags(config: Pick<ParsedStackConfig, "environment" | "tags">): Record<string, string> {
    return {
        ...config.tags.extra,
        project: "bookstore",
        environment: config.environment,
        owner: config.tags.owner,
        costCenter: config.tags.costCenter,
        managedBy: "pulumi",
    };
}
