// The `--policy-pack-config` file: read, validated against each policy's schema, applied to the policies.
import * as fs from "fs";
import * as path from "path";
import type { EnforcementLevel, Policies, Policy, ResourceValidation, StackValidation } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { policies as catalogue } from "../../policy/catalogue";
import { PROJECT_DIR } from "../paths";

export const DEFAULT_POLICY_CONFIG = path.join(PROJECT_DIR, "policy/config.json");
const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** A `--policy-pack-config` file: `all` and per-policy enforcement levels and properties. */
export type PackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export class PolicyConfigError extends Error {
    constructor(readonly file: string, readonly problems: string[]) {
        super(`Invalid policy pack config ${file} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n`
            + problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "PolicyConfigError";
    }
}

function schemaProblems(value: unknown, schema: PolicyConfigJSONSchema, where: string): string[] {
    const type = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
    const expected = schema.type as string | undefined;
    const typeOk = expected === undefined
        || expected === type
        || (expected === "integer" && Number.isInteger(value))
        || (expected === "number" && type === "number");
    if (!typeOk) return [`${where}: expected ${expected === "integer" ? "an integer" : `a value of type ${expected}`}, got ${JSON.stringify(value)}`];
    const problems: string[] = [];
    if (schema.enum && !schema.enum.includes(value as never)) problems.push(`${where}: expected one of ${JSON.stringify(schema.enum)}, got ${JSON.stringify(value)}`);
    if (typeof value === "number" && schema.minimum !== undefined && value < schema.minimum) problems.push(`${where}: expected >= ${schema.minimum}, got ${value}`);
    if (typeof value === "number" && schema.maximum !== undefined && value > schema.maximum) problems.push(`${where}: expected <= ${schema.maximum}, got ${value}`);
    if (Array.isArray(value) && schema.items && !Array.isArray(schema.items)) {
        value.forEach((item, i) => problems.push(...schemaProblems(item, schema.items as PolicyConfigJSONSchema, `${where}[${i}]`)));
    }
    return problems;
}

/**
 * Checks a pack config against the policies' config schemas, as the CLI does before a preview:
 * every key names a policy (or `all`), levels are valid, properties match their schema.
 */
export function validatePackConfig(config: unknown, policies: Policies, file = "policy config"): PackConfig {
    if (config === null || typeof config !== "object" || Array.isArray(config)) {
        throw new PolicyConfigError(file, ["expected a JSON object of policy name to enforcement level or settings"]);
    }
    const byName = new Map(policies.map((p) => [p.name, p]));
    const problems: string[] = [];
    for (const [name, value] of Object.entries(config)) {
        const policy = byName.get(name);
        if (name !== "all" && !policy) {
            problems.push(`${name}: no such policy (known: all, ${[...byName.keys()].sort().join(", ")})`);
            continue;
        }
        if (typeof value === "string") {
            if (!LEVELS.includes(value as EnforcementLevel)) problems.push(`${name}: expected one of ${LEVELS.join(", ")}, got ${JSON.stringify(value)}`);
            continue;
        }
        if (name === "all" || value === null || typeof value !== "object" || Array.isArray(value)) {
            problems.push(`${name}: expected ${name === "all" ? "an enforcement level" : "an enforcement level or an object of settings"}, got ${JSON.stringify(value)}`);
            continue;
        }
        const properties = policy!.configSchema?.properties ?? {};
        for (const [key, setting] of Object.entries(value as Record<string, unknown>)) {
            if (key === "enforcementLevel") {
                if (!LEVELS.includes(setting as EnforcementLevel)) problems.push(`${name}.enforcementLevel: expected one of ${LEVELS.join(", ")}, got ${JSON.stringify(setting)}`);
            } else if (!properties[key]) {
                const known = Object.keys(properties);
                problems.push(`${name}.${key}: unknown setting (${known.length ? `allowed: enforcementLevel, ${known.join(", ")}` : "only enforcementLevel is allowed"})`);
            } else {
                problems.push(...schemaProblems(setting, properties[key], `${name}.${key}`));
            }
        }
    }
    if (problems.length > 0) throw new PolicyConfigError(file, problems);
    return config as PackConfig;
}

export function readPackConfig(file: string, policies: Policies = catalogue): PackConfig {
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new PolicyConfigError(file, [err instanceof Error ? err.message : String(err)]);
    }
    return validatePackConfig(parsed, policies, file);
}

/** Gives a validation function the policy's settings from the config file through `getConfig()`. */
function withConfig<F extends ResourceValidation | StackValidation>(validate: F, settings: Record<string, unknown>): F {
    const wrapped = ((args: Parameters<F>[0], report: Parameters<F>[1]) =>
        (validate as (a: unknown, r: unknown) => unknown)({ ...args, getConfig: () => ({ ...settings }) }, report)) as unknown as F;
    // Keep the type token the analyzer uses to skip policies that don't apply.
    const token = (validate as { __pulumiType?: string }).__pulumiType;
    if (token) (wrapped as unknown as { __pulumiType: string }).__pulumiType = token;
    return wrapped;
}

/**
 * The policies as the analyzer sees them once the CLI has sent the config: the level is
 * `config[name].enforcementLevel || config.all || policy.enforcementLevel` (then the pack's), and
 * `getConfig()` returns the policy's properties.
 */
export function configurePolicies(policies: Policies, config: PackConfig): Policies {
    return policies.map((policy) => {
        const entry = config[policy.name];
        const { enforcementLevel: level, ...settings } = typeof entry === "string" ? { enforcementLevel: entry } : entry ?? {};
        const all = typeof config.all === "string" ? config.all : undefined;
        const configured: Policy = { ...policy, enforcementLevel: level ?? all ?? policy.enforcementLevel };
        if ("validateStack" in policy) {
            return { ...configured, validateStack: withConfig(policy.validateStack, settings) };
        }
        const validations = policy.validateResource;
        return {
            ...configured,
            validateResource: Array.isArray(validations)
                ? validations.map((v) => withConfig(v, settings))
                : validations && withConfig(validations, settings),
        };
    });
}
