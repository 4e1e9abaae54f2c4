/**
 * Plan section `cloudflarePlan`: every Cloudflare ruleset and Cloud Connector rule list the stack
 * sends, checked against what the configured `cloudflare.plan` allows (components/cloudflare/plans.ts,
 * transcribed from Cloudflare's plan matrix with its commit and date): rules per phase, features a
 * plan lacks (cache by status code, Host/SNI/DNS overrides, custom cache keys), the minimum edge TTL,
 * regex where the matrix restricts it, and the custom-rule actions. Cloudflare refuses such a ruleset
 * when it is written, so the plan fails (exit 1) naming the key, the rule and the matrix row.
 */
import {
    CLOUD_CONNECTOR_RULES, CLOUDFLARE_PLAN_SOURCE, type CloudflarePlan, CUSTOM_RULE_ACTIONS_ENTERPRISE_ONLY, MIN_EDGE_TTL_SECONDS,
    PHASE_LIMITS, PLAN_FEATURES, plansAllowing,
} from "../../components/cloudflare/plans";
import type { PlanResource } from "./render";
import type { PlanSection } from "./types";
import { stackConfigOf } from "./stackFile";

const RULESET = "cloudflare:index/ruleset:Ruleset";
const CLOUD_CONNECTOR = "cloudflare:index/cloudConnectorRules:CloudConnectorRules";

export interface PlanFeatureViolation {
    urn: string;
    /** The rule's `ref` (or its position), or "-" for a count over the whole phase. */
    rule: string;
    problem: string;
}

type Loose = Record<string, any>;

/** The value at a dotted path of an object, or undefined. */
const at = (value: unknown, path: string) => path.split(".").reduce<unknown>((v, key) => (v && typeof v === "object" ? (v as Loose)[key] : undefined), value);

/** A Rules-language expression uses a regular expression (`matches`, or its `~` form), outside string literals. */
export function usesRegex(expression: string): boolean {
    const withoutStrings = expression.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    return /(^|[\s)])(matches|~)(?=[\s("])/.test(withoutStrings);
}

/** Every breach of the plan table by the stack's Cloudflare resources. */
export function cloudflarePlanViolations(resources: PlanResource[], plan: CloudflarePlan): PlanFeatureViolation[] {
    const violations: PlanFeatureViolation[] = [];
    const rulesets = resources.filter((r) => r.type === RULESET).map((r) => ({ urn: r.urn, inputs: r.inputs as Loose }));
    const rulesIn = (phase: string) => rulesets.filter((r) => r.inputs.phase === phase).reduce((n, r) => n + (r.inputs.rules ?? []).length, 0);
    for (const { urn, inputs } of rulesets) {
        const limits = PHASE_LIMITS[inputs.phase as string];
        if (!limits) {
            violations.push({ urn, rule: "-", problem: `phase ${inputs.phase} is not in the plan table (components/cloudflare/plans.ts): add its limits from the plan matrix` });
            continue;
        }
        const counted = [inputs.phase as string, ...(limits.sharedWith ?? [])].reduce((n, phase) => n + rulesIn(phase), 0);
        if (counted > limits.rules[plan]) {
            violations.push({ urn, rule: "-", problem: `${counted} rules in ${limits.product}; the ${plan} plan allows ${limits.rules[plan]}` });
        }
        (inputs.rules ?? []).forEach((rule: Loose, i: number) => {
            const name = rule.ref ?? `#${i + 1}`;
            const report = (problem: string) => violations.push({ urn, rule: name, problem });
            for (const [path, feature] of Object.entries(PLAN_FEATURES)) {
                if (at(rule.actionParameters, path) !== undefined && !feature.allowed[plan]) {
                    report(`uses ${feature.title} (actionParameters.${path}), ${plansAllowing(feature.allowed)} (${feature.row})`);
                }
            }
            const edgeTtl = rule.actionParameters?.edgeTtl;
            const ttls: [string, unknown][] = [
                ...(edgeTtl?.mode === "override_origin" ? [["edgeTtl.default", edgeTtl.default] as [string, unknown]] : []),
                ...((edgeTtl?.statusCodeTtls ?? []) as Loose[]).map((t, j): [string, unknown] => [`edgeTtl.statusCodeTtls[${j}].value`, t.value]),
            ];
            for (const [path, seconds] of ttls) {
                if (typeof seconds === "number" && seconds >= 0 && seconds < MIN_EDGE_TTL_SECONDS[plan]) {
                    report(`${path} ${seconds} s is below the ${plan} plan's minimum edge TTL of ${MIN_EDGE_TTL_SECONDS[plan]} s (cache.edge_cache_ttl.minimum)`);
                }
            }
            const expressions = [rule.expression, rule.actionParameters?.fromValue?.targetUrl?.expression].filter((e): e is string => typeof e === "string");
            if (limits.regex && !limits.regex[plan] && expressions.some(usesRegex)) {
                report(`uses a regular expression (matches), ${plansAllowing(limits.regex)} in ${limits.product} (regex_support)`);
            }
            if (inputs.phase === "http_request_firewall_custom" && plan !== "enterprise" && CUSTOM_RULE_ACTIONS_ENTERPRISE_ONLY.includes(rule.action)) {
                report(`action ${rule.action} is enterprise only in WAF custom rules (security.waf_c_custom_rules.d_supported_actions)`);
            }
        });
    }
    for (const r of resources.filter((x) => x.type === CLOUD_CONNECTOR)) {
        const count = ((r.inputs as Loose).rules ?? []).length;
        if (count > CLOUD_CONNECTOR_RULES[plan]) {
            violations.push({ urn: r.urn, rule: "-", problem: `${count} Cloud Connector rules; the ${plan} plan allows ${CLOUD_CONNECTOR_RULES[plan]} (rules.cloud_connector.num_rules)` });
        }
    }
    return violations;
}

export const cloudflarePlanSection: PlanSection = ({ document, options }) => {
    const config = stackConfigOf(options);
    const plan = config.cdn === "cloudflare" ? config.cloudflare?.plan : undefined;
    if (!plan) return 0;
    const violations = cloudflarePlanViolations(document.resources, plan);
    document.cloudflarePlan = { plan, source: CLOUDFLARE_PLAN_SOURCE, violations };
    if (violations.length === 0) return 0;
    // Printed even with --quiet: the plan fails because of these.
    console.error(`bookstore:cloudflare.plan is "${plan}", and Cloudflare refuses ${violations.length} part${violations.length === 1 ? "" : "s"} of the rulesets on that plan `
        + `(plan matrix: ${CLOUDFLARE_PLAN_SOURCE.repository} ${CLOUDFLARE_PLAN_SOURCE.file}@${CLOUDFLARE_PLAN_SOURCE.commit.slice(0, 12)}, read ${CLOUDFLARE_PLAN_SOURCE.retrieved}):`);
    for (const v of violations) console.error(`  - ${v.urn} rule ${v.rule}: ${v.problem}`);
    return 1;
};
