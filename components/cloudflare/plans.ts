/**
 * Cloudflare plans and what each lets a zone's rulesets use. The program asks the table before it
 * uses a feature (cloudflareRules.ts), and the offline plan checks every ruleset the stack sends
 * against the configured `cloudflare.plan` (tools/offline/cloudflarePlan.ts).
 */
export const CLOUDFLARE_PLANS = ["free", "pro", "business", "enterprise"] as const;
export type CloudflarePlan = typeof CLOUDFLARE_PLANS[number];

/** Where the table's values come from, and when they were read. Refresh both together. */
export const CLOUDFLARE_PLAN_SOURCE = {
    repository: "cloudflare/cloudflare-docs",
    file: "src/content/plans/index.json",
    commit: "0188ca2f50e3f50c3cc67cbc095989ebabe9e062",
    retrieved: "2026-12-07",
} as const;

/** A value per plan (the plan matrix's free/pro/biz/ent columns). */
export type PerPlan<T> = Record<CloudflarePlan, T>;

const allPlans: PerPlan<boolean> = { free: true, pro: true, business: true, enterprise: true };
const enterpriseOnly: PerPlan<boolean> = { free: false, pro: false, business: false, enterprise: true };
const businessAndAbove: PerPlan<boolean> = { free: false, pro: false, business: true, enterprise: true };
const ruleCounts = (free: number, pro: number, business: number, enterprise: number): PerPlan<number> => ({ free, pro, business, enterprise });

/** One zone ruleset phase: the product it belongs to, how many rules each plan allows, whether `matches` (regex) may be used. */
export interface PhaseLimits {
    /** The product's entry in the plan matrix (`rules.<key>`, `security.<key>`, `cache.<key>`). */
    product: string;
    rules: PerPlan<number>;
    /** The product's "Regex support" row, where the matrix has one. */
    regex?: PerPlan<boolean>;
    /** Phases that count against the same quota (the matrix counts "Active Transform Rules" across transform phases). */
    sharedWith?: string[];
}

/** The zone phases this program writes, with the plan matrix's limits (CLOUDFLARE_PLAN_SOURCE). */
export const PHASE_LIMITS: Record<string, PhaseLimits> = {
    // cache.cache_rules.rules: 10 / 25 / 50 / 300.
    http_request_cache_settings: { product: "cache.cache_rules", rules: ruleCounts(10, 25, 50, 300) },
    // rules.config_rules.num_rules.
    http_config_settings: { product: "rules.config_rules", rules: ruleCounts(10, 25, 50, 300) },
    // rules.single_redirects: num_rules, regex_support No/No/Yes/Yes.
    http_request_dynamic_redirect: { product: "rules.single_redirects", rules: ruleCounts(10, 25, 50, 300), regex: businessAndAbove },
    // security.waf_c_custom_rules: b_custom_rules 5 / 20 / 100 / 1,000, f_regex_support No/No/Yes/Yes.
    http_request_firewall_custom: { product: "security.waf_c_custom_rules", rules: ruleCounts(5, 20, 100, 1000), regex: businessAndAbove },
    // rules.origin_rules.num_rules.
    http_request_origin: { product: "rules.origin_rules", rules: ruleCounts(10, 25, 50, 300) },
    // rules.transform_rules: "Active Transform Rules" 10 / 25 / 50 / 300, regex_support No/No/Yes/Yes.
    http_request_late_transform: {
        product: "rules.transform_rules", rules: ruleCounts(10, 25, 50, 300), regex: businessAndAbove,
        sharedWith: ["http_request_transform", "http_response_headers_transform"],
    },
};

/** Cloud Connector rules (rules.cloud_connector.num_rules). */
export const CLOUD_CONNECTOR_RULES: PerPlan<number> = ruleCounts(10, 25, 50, 300);

/** A rule feature the matrix restricts by plan, and where in a ruleset rule it shows. */
export interface PlanFeature {
    /** The matrix's row. */
    title: string;
    row: string;
    allowed: PerPlan<boolean>;
}

/** Features the matrix restricts, by the rule property (SDK input path under `actionParameters`) that uses them. */
export const PLAN_FEATURES = {
    // cache.cache_status_code.availability: "Enterprise-only".
    "edgeTtl.statusCodeTtls": { title: "Cache by status code", row: "cache.cache_status_code", allowed: enterpriseOnly },
    // cache.cache_key: headers, cookie, host, user: No / No / No / Yes (query-string include/exclude is left out:
    // the matrix also lists "Ignore query string" for every plan, which is the same property).
    "cacheKey.customKey.header": { title: "Cache key: headers", row: "cache.cache_key.headers", allowed: enterpriseOnly },
    "cacheKey.customKey.cookie": { title: "Cache key: cookie", row: "cache.cache_key.cookie", allowed: enterpriseOnly },
    "cacheKey.customKey.host": { title: "Cache key: host", row: "cache.cache_key.host", allowed: enterpriseOnly },
    "cacheKey.customKey.user": { title: "Cache key: user features", row: "cache.cache_key.user", allowed: enterpriseOnly },
    // rules.origin_rules: override_host_header, override_sni, override_dns_record: Enterprise; override_destination_port: all.
    hostHeader: { title: "Origin rule: override Host header", row: "rules.origin_rules.override_host_header", allowed: enterpriseOnly },
    sni: { title: "Origin rule: override SNI", row: "rules.origin_rules.override_sni", allowed: enterpriseOnly },
    "origin.host": { title: "Origin rule: override DNS record", row: "rules.origin_rules.override_dns_record", allowed: enterpriseOnly },
    "origin.port": { title: "Origin rule: override destination port", row: "rules.origin_rules.override_destination_port", allowed: allPlans },
} satisfies Record<string, PlanFeature>;

export type PlanFeatureKey = keyof typeof PLAN_FEATURES;

/** Whether `plan` may use a restricted feature. */
export const planAllows = (plan: CloudflarePlan, feature: PlanFeatureKey) => PLAN_FEATURES[feature].allowed[plan];

/** cache.edge_cache_ttl.minimum: "Minimum Edge Cache TTL" 2 hours / 1 hour / 1 second / 1 second. */
export const MIN_EDGE_TTL_SECONDS: PerPlan<number> = { free: 7200, pro: 3600, business: 1, enterprise: 1 };

/** security.waf_c_custom_rules.d_supported_actions: "All except Log" below Enterprise. */
export const CUSTOM_RULE_ACTIONS_ENTERPRISE_ONLY = ["log"];

/** The plans from which a feature is available, for messages ("enterprise", "business and above"). */
export function plansAllowing(allowed: PerPlan<boolean>): string {
    const plans = CLOUDFLARE_PLANS.filter((p) => allowed[p]);
    if (plans.length === 1) return `${plans[0]} only`;
    return plans.length === CLOUDFLARE_PLANS.length ? "every plan" : `${plans[0]} and above`;
}
