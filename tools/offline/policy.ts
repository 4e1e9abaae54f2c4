/**
 * The policy section of the offline plan: runs the CrossGuard pack in-process through the
 * analyzer's own RPC handlers (`makeAnalyzeRpcFun`, `makeAnalyzeStackRpcFun` from
 * @pulumi/policy/server), fed the captured registrations in the engine's wire format, so
 * enforcement levels, not-applicable filtering, secret unwrapping and the "can't run ... during
 * preview" advisories behave exactly as under `pulumi preview --policy-pack policy`.
 *
 * Differences from a cloud preview (see policy/README.md): no provider Check (no provider
 * defaults or autonames), stack policies see the mocks' state instead of real outputs, and the
 * default provider is synthesized. The analyzer's module-level config is only set by the
 * `configure` RPC, so in-process `getConfig()` is `{}`; this module applies the same
 * `--policy-pack-config` file itself: enforcement levels on the policies, properties through
 * `getConfig()`.
 */
import * as fs from "fs";
import * as path from "path";
import type { EnforcementLevel, Policies, Policy, ResourceValidation, StackValidation } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { PACK_NAME, PACK_VERSION, policies as catalogue } from "../../policy/catalogue";
import type { CapturedResource } from "./capture";
import { policiesFor, wireStruct as struct } from "./analyzerInputs";
import { EXIT, PlanSection } from "./types";
import { PROJECT_DIR } from "../paths";

// The RPC handlers are exported by the server module but left out of its .d.ts.
type RpcHandler = (call: { request: unknown }, callback: (err: unknown, response: any) => void) => void;
type MakeRpc = (packName: string, packVersion: string, packLevel: EnforcementLevel, policies: Policies) => RpcHandler;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require("@pulumi/policy/server") as { makeAnalyzeRpcFun: MakeRpc; makeAnalyzeStackRpcFun: MakeRpc };

export const DEFAULT_POLICY_CONFIG = path.join(PROJECT_DIR, "policy/config.json");
/** The pack's own level (policy/index.ts): policies without one are mandatory. */
export const PACK_ENFORCEMENT: EnforcementLevel = "mandatory";
const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];
/** The analyzer proto's EnforcementLevel enum, by number. */
const LEVEL_NAMES = ["advisory", "mandatory", "disabled", "remediate"] as const;

export type ReportedLevel = "advisory" | "mandatory";

export interface PolicyViolation {
    policy: string;
    level: ReportedLevel;
    /** The resource's URN; empty for a stack-wide finding. */
    urn: string;
    message: string;
}

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

function resourceOptions(resource: CapturedResource): analyzer.AnalyzerResourceOptions {
    const options = new analyzer.AnalyzerResourceOptions();
    options.setProtect(resource.options.protect);
    options.setIgnorechangesList(resource.options.ignoreChanges);
    options.setDeletebeforereplace(resource.options.deleteBeforeReplace);
    options.setDeletebeforereplacedefined(resource.options.deleteBeforeReplace);
    if (resource.parent) options.setParent(resource.parent);
    return options;
}

/** The resource's provider as the engine describes it; a default provider is synthesized. */
function providerOf(resource: CapturedResource, byUrn: Map<string, CapturedResource>): analyzer.AnalyzerProviderResource | undefined {
    if (!resource.provider) return undefined;
    const provider = new analyzer.AnalyzerProviderResource();
    const explicit = byUrn.get(resource.provider);
    if (explicit) {
        provider.setType(explicit.type);
        provider.setName(explicit.name);
        provider.setUrn(explicit.urn);
        provider.setProperties(struct(explicit.wireInputs));
    } else {
        const pkg = resource.provider.replace(/^default:/, "");
        const [prefix] = resource.urn.split("::");
        const project = resource.urn.split("::")[1];
        provider.setType(`pulumi:providers:${pkg}`);
        provider.setName("default");
        provider.setUrn(`${prefix}::${project}::pulumi:providers:${pkg}::default`);
        provider.setProperties(struct({}));
    }
    return provider;
}

function call(handler: RpcHandler, request: unknown): Promise<any> {
    return new Promise((resolve, reject) => handler({ request }, (err, response) => (err ? reject(err) : resolve(response))));
}

function violationsOf(response: any, policies: Policies, defaultUrn: string): PolicyViolation[] {
    const descriptions = new Map(policies.map((p) => [p.name, p.description]));
    return response.getDiagnosticsList().map((d: any) => {
        const policy: string = d.getPolicyname();
        const prefix = `${descriptions.get(policy)}\n`;
        const message: string = d.getMessage();
        return {
            policy,
            level: LEVEL_NAMES[d.getEnforcementlevel()] === "advisory" ? "advisory" : "mandatory",
            urn: d.getUrn() || defaultUrn,
            message: message.startsWith(prefix) ? message.slice(prefix.length) : message,
        } satisfies PolicyViolation;
    });
}

/**
 * Evaluates the pack on a program run's registrations as the engine would: `analyze` per
 * resource with its wire inputs and options, then `analyzeStack` with every resource's state,
 * parent and dependencies.
 */
export async function evaluatePolicies(
    resources: CapturedResource[],
    opts: { policies?: Policies; config?: PackConfig } = {},
): Promise<PolicyViolation[]> {
    const policies = configurePolicies(opts.policies ?? catalogue, opts.config ?? {});
    // One analyzer per resource type, given only the validations that can apply to it (./analyzerInputs).
    const analyzers = new Map<string, RpcHandler>();
    const analyzerFor = (type: string) => {
        if (!analyzers.has(type)) analyzers.set(type, server.makeAnalyzeRpcFun(PACK_NAME, PACK_VERSION, PACK_ENFORCEMENT, policiesFor(policies, type)));
        return analyzers.get(type)!;
    };
    const analyzeStack = server.makeAnalyzeStackRpcFun(PACK_NAME, PACK_VERSION, PACK_ENFORCEMENT, policies);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    // One message per provider, shared by the requests of every resource it manages (read only):
    // converting a provider's inputs per resource made the section grow faster than the plan.
    const providers = new Map<string, analyzer.AnalyzerProviderResource | undefined>();
    const providerFor = (resource: CapturedResource) => {
        if (!resource.provider) return undefined;
        if (!providers.has(resource.provider)) providers.set(resource.provider, providerOf(resource, byUrn));
        return providers.get(resource.provider);
    };
    const violations: PolicyViolation[] = [];

    for (const resource of resources) {
        const request = new analyzer.AnalyzeRequest();
        request.setType(resource.type);
        request.setName(resource.name);
        request.setUrn(resource.urn);
        request.setProperties(struct(resource.wireInputs));
        request.setOptions(resourceOptions(resource));
        const provider = providerFor(resource);
        if (provider) request.setProvider(provider);
        violations.push(...violationsOf(await call(analyzerFor(resource.type), request), policies, resource.urn));
    }

    const stackRequest = new analyzer.AnalyzeStackRequest();
    stackRequest.setResourcesList(resources.map((resource) => {
        const entry = new analyzer.AnalyzerResource();
        entry.setType(resource.type);
        entry.setName(resource.name);
        entry.setUrn(resource.urn);
        entry.setProperties(struct(resource.wireState));
        entry.setOptions(resourceOptions(resource));
        if (resource.parent) entry.setParent(resource.parent);
        entry.setDependenciesList(resource.dependencies);
        const provider = providerOf(resource, byUrn);
        if (provider) entry.setProvider(provider);
        return entry;
    }));
    violations.push(...violationsOf(await call(analyzeStack, stackRequest), policies, ""));
    return violations;
}

/** "Type name" of a URN, for the report. */
function resourceLabel(urn: string): string {
    if (!urn) return "(stack)";
    const parts = urn.split("::");
    return `${parts[2].split("$").pop()} ${parts[3]}`;
}

export function renderPolicyReport(violations: PolicyViolation[], policyCount: number, configFile: string): string[] {
    const lines = [`Policies: ${PACK_NAME}@v${PACK_VERSION}, ${policyCount} policies, config ${path.relative(process.cwd(), configFile) || configFile}`];
    if (violations.length === 0) return [...lines, "    no violations"];
    for (const level of ["mandatory", "advisory"] as const) {
        const found = violations.filter((v) => v.level === level);
        if (found.length === 0) continue;
        lines.push(`  ${level} (${found.length}):`);
        for (const v of found) {
            lines.push(`    [${v.policy}] ${resourceLabel(v.urn)}`);
            for (const line of v.message.split("\n")) lines.push(`        ${line}`);
        }
    }
    return lines;
}

export const policySection: PlanSection = async ({ document, run, options, out }) => {
    const configFile = path.resolve(options.policyConfig ?? DEFAULT_POLICY_CONFIG);
    let config: PackConfig;
    try {
        config = readPackConfig(configFile);
    } catch (err) {
        if (!(err instanceof PolicyConfigError)) throw err;
        console.error(`Plan failed: ${err.message}`);
        return EXIT.invalidConfig;
    }
    const violations = await evaluatePolicies(run.resources, { config });
    document.policy = { pack: `${PACK_NAME}@${PACK_VERSION}`, config: path.relative(PROJECT_DIR, configFile), violations };
    out("");
    for (const line of renderPolicyReport(violations, catalogue.length, configFile)) out(line);
    const mandatory = violations.filter((v) => v.level === "mandatory").length;
    if (mandatory > 0) {
        console.error(`Plan failed: ${mandatory} mandatory policy violation${mandatory === 1 ? "" : "s"}: `
            + [...new Set(violations.filter((v) => v.level === "mandatory").map((v) => v.policy))].join(", "));
        return EXIT.policyViolation;
    }
    return 0;
};
