import * as assert from "assert";
import * as fc from "fast-check";
import { AUTH_COOKIE_PREFIX, cacheRules, ZONE_SETTINGS } from "../../components/cloudflareEdge";
import { STATIC_EDGE_TTL_SECONDS, STATIC_FILE_EXTENSIONS } from "../../components/staticAssets";
import { DEFAULT_BYPASS_PATH_PREFIXES } from "../../stacks/schema/edge";
import { cacheDecision, EdgeRequest } from "../helpers/cloudflareRules";
import { inputs, oneOfType, planOf, resourcesOfType } from "../helpers/plan";

const WEB = "www.bookstore.example";
const STATIC = "static.bookstore.example";
const ONE_WEEK = 604800;

describe("Cloudflare cache rules (evaluated like the edge)", () => {
    const rules = cacheRules([WEB, STATIC], DEFAULT_BYPASS_PATH_PREFIXES);
    const decide = (req: EdgeRequest) => cacheDecision(rules as any, req);

    it("caches scripts, styles, images and fonts for one week at the edge", () => {
        assert.strictEqual(STATIC_EDGE_TTL_SECONDS, ONE_WEEK);
        for (const path of ["/static/js/app.js", "/static/css/site.CSS", "/static/img/cover.webp", "/static/fonts/inter.woff2", "/favicon.ico"]) {
            assert.deepStrictEqual(decide({ host: STATIC, path }), { cache: true, edgeTtlSeconds: ONE_WEEK }, path);
        }
    });

    it("never caches the API or authenticated paths, whatever the extension", () => {
        for (const path of ["/api/books", "/api/books/123", "/api/export.css", "/API/Books.json", "/Account/Login", "/identity/account/manage.js", "/hubs/notifications/negotiate"]) {
            assert.strictEqual(decide({ host: WEB, path })?.cache, false, path);
        }
    });

    it("never caches a request that carries credentials", () => {
        assert.strictEqual(decide({ host: WEB, path: "/books/123", headers: { Authorization: "Bearer x" } })?.cache, false);
        assert.strictEqual(decide({ host: WEB, path: "/cart.js", cookie: `${AUTH_COOKIE_PREFIX}Identity.Application=abc` })?.cache, false);
        assert.strictEqual(decide({ host: STATIC, path: "/static/js/app.js", cookie: "theme=dark" })?.cache, true);
    });

    it("leaves other hosts of the zone alone", () => {
        assert.strictEqual(decide({ host: "blog.bookstore.example", path: "/api/x.js" }), undefined);
    });

    it("property: no path under a bypass prefix is ever cached, for any extension or case", () => {
        const prefix = fc.constantFrom(...DEFAULT_BYPASS_PATH_PREFIXES);
        const segment = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
        const ext = fc.constantFrom(...STATIC_FILE_EXTENSIONS, "json", "html", "");
        fc.assert(fc.property(prefix, fc.array(segment, { maxLength: 3 }), ext, fc.boolean(), fc.constantFrom(WEB, STATIC),
            (p, segments, e, upper, host) => {
                let path = `${p.replace(/\/$/, "")}/${segments.join("/")}${e ? `.${e}` : ""}`;
                if (upper) path = path.toUpperCase();
                assert.strictEqual(decide({ host, path })?.cache, false, path);
            }));
    });

    it("sets SSL strict, TLS 1.2 minimum and always-HTTPS on the zone", () => {
        assert.deepStrictEqual(ZONE_SETTINGS, { ssl: "strict", min_tls_version: "1.2", always_use_https: "on" });
    });
});

describe("Cloudflare edge (plan of prod-cloudflare)", () => {
    const doc = () => planOf("prod-cloudflare");

    it("uses an explicit provider with the secret token, never printed", () => {
        const provider = oneOfType(doc(), "pulumi:providers:cloudflare");
        assert.strictEqual(inputs(provider).apiToken, "[secret]");
        for (const type of ["cloudflare:index/dnsRecord:DnsRecord", "cloudflare:index/zoneSetting:ZoneSetting", "cloudflare:index/ruleset:Ruleset"]) {
            for (const r of resourcesOfType(doc(), type)) assert.strictEqual(r.provider, provider.urn, `${r.name} uses the default provider`);
        }
        assert.ok(!JSON.stringify(doc()).includes("offline-plan-placeholder-secret"));
    });

    it("proxies the web and static host names to their Azure origins", () => {
        const records = resourcesOfType(doc(), "cloudflare:index/dnsRecord:DnsRecord").map(inputs);
        const byName = Object.fromEntries(records.map((r) => [r.name, r]));
        assert.deepStrictEqual(Object.keys(byName).sort(), [STATIC, WEB]);
        for (const r of records) {
            assert.strictEqual(r.proxied, true);
            assert.strictEqual(r.ttl, 1);
            assert.strictEqual(r.type, "CNAME");
            assert.strictEqual(r.zoneId, "0123456789abcdef0123456789abcdef");
        }
        assert.match(byName[STATIC].content, /\.blob\.core\.windows\.net$/);
        assert.match(byName[WEB].content, /azurecontainerapps\.io$/);
    });

    it("manages SSL strict, min TLS 1.2 and always HTTPS on the existing zone (never the zone itself)", () => {
        const settings = resourcesOfType(doc(), "cloudflare:index/zoneSetting:ZoneSetting").map(inputs);
        assert.deepStrictEqual(Object.fromEntries(settings.map((s) => [s.settingId, s.value])), ZONE_SETTINGS);
        assert.strictEqual(resourcesOfType(doc(), "cloudflare:index/zone:Zone").length, 0);
    });

    it("has exactly one cache-settings ruleset, whose rules never cache dynamic paths", () => {
        const rulesets = resourcesOfType(doc(), "cloudflare:index/ruleset:Ruleset").map(inputs);
        const cache = rulesets.filter((r) => r.phase === "http_request_cache_settings");
        assert.strictEqual(cache.length, 1);
        assert.strictEqual(cache[0].kind, "zone");
        const decide = (req: EdgeRequest) => cacheDecision(cache[0].rules, req);
        assert.deepStrictEqual(decide({ host: STATIC, path: "/static/app.js" }), { cache: true, edgeTtlSeconds: ONE_WEEK });
        assert.strictEqual(decide({ host: WEB, path: "/api/books" })?.cache, false);
        assert.strictEqual(decide({ host: WEB, path: "/account/login" })?.cache, false);
    });

    it("sends each Azure origin the Host header it serves", () => {
        const origin = resourcesOfType(doc(), "cloudflare:index/ruleset:Ruleset").map(inputs).find((r) => r.phase === "http_request_origin");
        const hostHeaders = Object.fromEntries(origin.rules.map((r: any) => [r.expression, r.actionParameters.hostHeader]));
        assert.match(hostHeaders[`(http.host eq "${STATIC}")`], /\.blob\.core\.windows\.net$/);
        assert.match(hostHeaders[`(http.host eq "${WEB}")`], /azurecontainerapps\.io$/);
    });

    it("creates no Front Door, and outputs the Cloudflare URLs", () => {
        assert.strictEqual(resourcesOfType(doc(), "azure-native:cdn:Profile").length, 0);
        const outputs = doc().outputs as Record<string, unknown>;
        assert.strictEqual(outputs.publicWebUrl, `https://${WEB}/`);
        assert.strictEqual(outputs.cdnUrl, `https://${STATIC}/static/`);
    });
});
