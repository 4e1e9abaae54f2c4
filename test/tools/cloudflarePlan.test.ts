import * as assert from "assert";
import { cacheRules, httpsRedirectRules, originHostRules, tlsFloorRules } from "../../components/cloudflare/cloudflareRules";
import { DEFAULT_BYPASS_PATH_PREFIXES } from "../../stacks/schema/edge";
import { cloudflarePlanViolations, usesRegex } from "../../tools/offline/cloudflarePlan";
import type { PlanResource } from "../../tools/offline/render";
import { plannedRun, stackVariant } from "../helpers/plan";

const HOSTS = ["www.bookstore.example", "static.bookstore.example"];

/** A Ruleset as the plan records it (inputs as the program sends them). */
const ruleset = (name: string, phase: string, rules: unknown[]): PlanResource => ({
    urn: `urn:pulumi:test::bookstore::cloudflare:index/ruleset:Ruleset::${name}`, type: "cloudflare:index/ruleset:Ruleset", name,
    parent: null, dependencies: [], provider: null, options: { protect: false, ignoreChanges: [], retainOnDelete: false, deleteBeforeReplace: false },
    inputs: { phase, kind: "zone", rules },
});

describe("Cloudflare plan features (the offline plan's check)", () => {
    it("refuses the Enterprise cache rules on a Free zone: cache by status code, and a 404 TTL below the 2-hour minimum", () => {
        const violations = cloudflarePlanViolations([ruleset("cache", "http_request_cache_settings", cacheRules(HOSTS, DEFAULT_BYPASS_PATH_PREFIXES, "enterprise"))], "free");
        assert.deepStrictEqual(violations.map((v) => [v.rule, v.problem]), [
            ["cache_static_assets", "uses Cache by status code (actionParameters.edgeTtl.statusCodeTtls), enterprise only (cache.cache_status_code)"],
            ["cache_static_assets", "edgeTtl.statusCodeTtls[0].value 60 s is below the free plan's minimum edge TTL of 7200 s (cache.edge_cache_ttl.minimum)"],
        ]);
        assert.deepStrictEqual(cloudflarePlanViolations([ruleset("cache", "http_request_cache_settings", cacheRules(HOSTS, DEFAULT_BYPASS_PATH_PREFIXES, "free"))], "free"), []);
    });

    it("refuses the Host header override below Enterprise, and more rules than a plan allows", () => {
        const origin = ruleset("origin", "http_request_origin", originHostRules(HOSTS[0], "bookstore-web.example.azurecontainerapps.io"));
        assert.deepStrictEqual(cloudflarePlanViolations([origin], "business").map((v) => v.problem),
            ["uses Origin rule: override Host header (actionParameters.hostHeader), enterprise only (rules.origin_rules.override_host_header)"]);
        assert.deepStrictEqual(cloudflarePlanViolations([origin], "enterprise"), []);
        const sixFloors = ruleset("tls", "http_request_firewall_custom", Array.from({ length: 6 }, () => tlsFloorRules(HOSTS)[0]));
        assert.deepStrictEqual(cloudflarePlanViolations([sixFloors], "free").map((v) => v.problem), ["6 rules in security.waf_c_custom_rules; the free plan allows 5"]);
        assert.deepStrictEqual(cloudflarePlanViolations([sixFloors], "pro"), []);
    });

    it("refuses regex below Business where the matrix restricts it, and the redirect the program sends uses none", () => {
        assert.ok(usesRegex(`(http.request.uri.path matches "^/api/")`));
        assert.ok(usesRegex(`http.host ~ "^www"`));
        assert.ok(!usesRegex(`(http.host eq "matches ~ here")`));
        const regexRedirect = ruleset("redirect", "http_request_dynamic_redirect", [{ ...httpsRedirectRules(HOSTS)[0], expression: `(http.request.uri.path matches "^/old/")` }]);
        assert.deepStrictEqual(cloudflarePlanViolations([regexRedirect], "pro").map((v) => v.problem),
            ["uses a regular expression (matches), business and above in rules.single_redirects (regex_support)"]);
        assert.deepStrictEqual(cloudflarePlanViolations([ruleset("redirect", "http_request_dynamic_redirect", httpsRedirectRules(HOSTS))], "free"), []);
    });

    it("names a phase the table does not know rather than passing it", () => {
        assert.match(cloudflarePlanViolations([ruleset("x", "http_ratelimit", [])], "free")[0].problem, /phase http_ratelimit is not in the plan table/);
    });
});

describe("Cloudflare plan features in the plans of the stacks", () => {
    const free = plannedRun("prod-cloudflare");
    const pro = plannedRun("prod-cloudflare", { stackFile: stackVariant("prod-cloudflare", (c) => { c["bookstore:cloudflare"].plan = "pro"; }) });

    it("prod-cloudflare (Free) sends nothing its plan lacks, and says which plan and matrix it checked", () => {
        for (const run of [free(), pro()]) {
            assert.strictEqual(run.exitCode, 0, run.stderr);
            const section = (run.document as any).cloudflarePlan;
            assert.deepStrictEqual([section.violations, section.source.file], [[], "src/content/plans/index.json"]);
        }
        assert.strictEqual((free().document as any).cloudflarePlan.plan, "free");
        const cache = free().document!.resources.find((r) => (r.inputs as any).phase === "http_request_cache_settings")!;
        assert.ok(!JSON.stringify(cache.inputs).includes("statusCodeTtls"), "a Free zone's cache rule must not set cache by status code");
    });
});
