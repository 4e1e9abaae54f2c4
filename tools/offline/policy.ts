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
import * as path from "path";
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { PACK_NAME, PACK_VERSION, policies as catalogue } from "../../policy/catalogue";
import type { CapturedResource } from "./capture";
import { policiesFor, wireStruct as struct } from "./analyzerInputs";
import { EXIT, PlanSection } from "./types";
import { PROJECT_DIR } from "../paths";
import { configurePolicies, DEFAULT_POLICY_CONFIG, type PackConfig, PolicyConfigError, readPackConfig } from "./policyConfig";

// The RPC handlers are exported by the server module but left out of its .d.ts.
type RpcHandler = (call: { request: unknown }, callback: (err: unknown, response: any) => void) => void;
type MakeRpc = (packName: string, packVersion: string, packLevel: EnforcementLevel, policies: Policies) => RpcHandler;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require("@pulumi/policy/server") as { makeAnalyzeRpcFun: MakeRpc; makeAnalyzeStackRpcFun: MakeRpc };

/** The pack's own level (policy/index.ts): policies without one are mandatory. */
export const PACK_ENFORCEMENT: EnforcementLevel = "mandatory";
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
