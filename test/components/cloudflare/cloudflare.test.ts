import * as assert from "assert";
import * as fc from "fast-check";
import {
    AUTH_COOKIE_PREFIX, cacheRules, CLOUDFLARE_ORIGIN_HEADER, httpsRedirectRules, originHeaderRules, sslStrictRules, tlsFloorRules,
} from "../../../components/cloudflare/cloudflareRules";
import { certificateName, pemBlob } from "../../../components/azure/customDomain";
import { STATIC_EDGE_TTL_SECONDS, STATIC_FILE_EXTENSIONS } from "../../../components/staticFiles";
import { DEFAULT_BYPASS_PATH_PREFIXES } from "../../../stacks/schema/edge";
import { cacheDecision, EdgeRequest, evaluate, evaluateValue } from "../../helpers/cloudflareRules";
import { inputs, oneOfType, planned, planOf, resourcesOfType, stackVariant, nonEmpty } from "../../helpers/plan";
import { type CloudflarePlan, MIN_EDGE_TTL_SECONDS } from "../../../components/cloudflare/plans";
import type { PlanDocument } from "../../../tools/offline/types";

const WEB = "www.bookstore.example";
const STATIC = "static.bookstore.example";
const ONE_WEEK = 604800;

describe("Cloudflare origin header rule (evaluated like the edge)", () => {
    const [rule] = originHeaderRules(WEB, { name: CLOUDFLARE_ORIGIN_HEADER, value: "s3cr3tvalue" }) as any[];

    it("sets (overwrites) the secret header on requests to the web host only, in a request header transform", () => {
        assert.deepStrictEqual([rule.action, rule.actionParameters], ["rewrite", { headers: { "X-Bookstore-Edge-Key": { operation: "set", value: "s3cr3tvalue" } } }]);
        assert.strictEqual(evaluate(rule.expression, { host: WEB, path: "/books" }), true);
        for (const host of [STATIC, "blog.bookstore.example"]) assert.strictEqual(evaluate(rule.expression, { host, path: "/" }), false, host);
    });
});

describe("Cloudflare cache rules (evaluated like the edge)", () => {
    const rules = cacheRules([WEB, STATIC], DEFAULT_BYPASS_PATH_PREFIXES, "free");
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
        assert.strictEqual(decide({ host: STATIC, path: "/static/js/app.js", headers: { Authorization: "Bearer x" } })?.cache, false);
        assert.strictEqual(decide({ host: WEB, path: "/cart.js", cookie: `${AUTH_COOKIE_PREFIX}Identity.Application=abc` })?.cache, false);
        assert.strictEqual(decide({ host: STATIC, path: "/static/js/app.js", cookie: "theme=dark" })?.cache, true);
    });

    it("bypasses the cache for an Authorization header in any case (HTTP/1.1 keeps the client's case)", () => {
        for (const name of ["Authorization", "authorization", "AUTHORIZATION", "aUtHoRiZaTiOn"]) {
            assert.strictEqual(decide({ host: STATIC, path: "/static/app.js", headers: { [name]: "Bearer x" } })?.cache, false, name);
        }
        // The helper keeps the case too: a case-sensitive match would miss "Authorization".
        assert.strictEqual(evaluate(`any(http.request.headers.names[*] eq "authorization")`, { host: WEB, path: "/", headers: { Authorization: "x" } }), false);
    });

    it("leaves other hosts of the zone alone", () => {
        assert.strictEqual(decide({ host: "blog.bookstore.example", path: "/api/x.js" }), undefined);
    });

    it("sets a 404's own edge TTL only on Enterprise (Cache by status code), and no TTL below the plan's minimum", () => {
        const ttls = (plan: CloudflarePlan) => cacheRules([WEB, STATIC], DEFAULT_BYPASS_PATH_PREFIXES, plan)
            .flatMap((r: any) => r.actionParameters.edgeTtl ? [r.actionParameters.edgeTtl] : []);
        for (const plan of ["free", "pro", "business"] as const) {
            assert.deepStrictEqual(ttls(plan).map((t: any) => t.statusCodeTtls), [undefined], plan);
            assert.ok(ttls(plan).every((t: any) => t.default >= MIN_EDGE_TTL_SECONDS[plan]), plan);
        }
        assert.deepStrictEqual(ttls("enterprise").map((t: any) => t.statusCodeTtls), [[{ statusCode: 404, value: 60 }]]);
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

});

describe("Cloudflare TLS rules scoped to our host names (evaluated like the edge)", () => {
    const hosts = [WEB, STATIC];
    const matches = (rules: { expression?: any }[], req: EdgeRequest) => rules.some((r) => evaluate(r.expression, req));

    it("sets SSL Full (strict) for our hosts only", () => {
        const rules = sslStrictRules(hosts);
        assert.deepStrictEqual(rules.map((r) => [r.action, r.actionParameters]), [["set_config", { ssl: "strict" }]]);
        assert.ok(matches(rules, { host: WEB, path: "/" }));
        assert.ok(matches(rules, { host: STATIC, path: "/static/a.js" }));
        assert.ok(!matches(rules, { host: "blog.bookstore.example", path: "/" }));
    });

    it("redirects HTTP to HTTPS (301, same host, path and query) on our hosts only", () => {
        const [rule] = httpsRedirectRules(hosts);
        const from = (rule.actionParameters as any).fromValue;
        assert.strictEqual(rule.action, "redirect");
        assert.strictEqual(from.statusCode, 301);
        assert.strictEqual(from.preserveQueryString, true);
        const req: EdgeRequest = { host: WEB, path: "/books/1", scheme: "http" };
        assert.ok(evaluate(rule.expression as string, req));
        assert.strictEqual(evaluateValue(from.targetUrl.expression, req), `https://${WEB}/books/1`);
        assert.ok(!evaluate(rule.expression as string, { ...req, scheme: "https" }), "no loop on https");
        assert.ok(!evaluate(rule.expression as string, { ...req, host: "blog.bookstore.example" }), "other hosts keep their own setting");
    });

    it("refuses TLS 1.0 and 1.1 on our hosts only, and lets TLS 1.2 and 1.3 through", () => {
        const rules = tlsFloorRules(hosts);
        assert.deepStrictEqual(rules.map((r) => r.action), ["block"]);
        for (const tlsVersion of ["TLSv1", "TLSv1.1"]) {
            assert.ok(matches(rules, { host: WEB, path: "/", tlsVersion }), tlsVersion);
            assert.ok(!matches(rules, { host: "blog.bookstore.example", path: "/", tlsVersion }), tlsVersion);
        }
        for (const tlsVersion of ["TLSv1.2", "TLSv1.3"]) assert.ok(!matches(rules, { host: STATIC, path: "/", tlsVersion }), tlsVersion);
        assert.ok(!matches(rules, { host: WEB, path: "/", scheme: "http" }), "plain HTTP is redirected, not blocked");
    });
});

describe("Cloudflare edge (plan of prod-cloudflare)", () => {
    const doc = () => planOf("prod-cloudflare");

    it("uses an explicit provider with the secret token, never printed", () => {
        const providers = resourcesOfType(doc(), "pulumi:providers:cloudflare");
        for (const p of providers) assert.strictEqual(inputs(p).apiToken, "[secret]", p.name);
        for (const type of ["cloudflare:index/dnsRecord:DnsRecord", "cloudflare:index/ruleset:Ruleset", "cloudflare:index/cloudConnectorRules:CloudConnectorRules"]) {
            for (const r of nonEmpty(resourcesOfType(doc(), type))) assert.ok(providers.some((p) => p.urn === r.provider), `${r.name} uses the default provider`);
        }
        assert.ok(!JSON.stringify(doc()).includes("offline-plan-placeholder-secret"));
    });

    it("points the web and static host names at their Azure origins (the web one DNS-only until the app has bound it)", () => {
        const records = resourcesOfType(doc(), "cloudflare:index/dnsRecord:DnsRecord").map(inputs).filter((r) => r.type === "CNAME");
        const byName = Object.fromEntries(records.map((r) => [r.name, r]));
        assert.deepStrictEqual(Object.keys(byName).sort(), [STATIC, WEB]);
        assert.deepStrictEqual([byName[STATIC].proxied, byName[WEB].proxied], [true, false]);
        for (const r of records) {
            assert.strictEqual(r.ttl, 1);
            assert.strictEqual(r.type, "CNAME");
            assert.strictEqual(r.zoneId, "0123456789abcdef0123456789abcdef");
        }
        assert.match(byName[STATIC].content, /\.blob\.core\.windows\.net$/);
        assert.match(byName[WEB].content, /azurecontainerapps\.io$/);
    });

    it("changes no zone-wide setting (the zone may serve other hosts) and never the zone itself", () => {
        assert.strictEqual(resourcesOfType(doc(), "cloudflare:index/zoneSetting:ZoneSetting").length, 0);
        assert.strictEqual(resourcesOfType(doc(), "cloudflare:index/zone:Zone").length, 0);
        const phases = resourcesOfType(doc(), "cloudflare:index/ruleset:Ruleset").map(inputs);
        const rulesOf = (phase: string) => phases.find((r) => r.phase === phase)?.rules ?? [];
        // Per phase, a request our rule acts on; the same request to another host of the zone is left alone.
        const acted: Record<string, EdgeRequest> = {
            http_config_settings: { host: WEB, path: "/" },
            http_request_dynamic_redirect: { host: WEB, path: "/", scheme: "http" },
            http_request_firewall_custom: { host: STATIC, path: "/", tlsVersion: "TLSv1.1" },
        };
        for (const [phase, req] of Object.entries(acted)) {
            const rules = rulesOf(phase);
            assert.strictEqual(rules.length, 1, phase);
            assert.ok(evaluate(rules[0].expression, req), `${phase} misses our host`);
            assert.ok(!evaluate(rules[0].expression, { ...req, host: "blog.bookstore.example" }), `${phase} touches another host`);
        }
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

    it("uses no Enterprise-only feature on a free zone: no Host header override", () => {
        const rulesets = resourcesOfType(doc(), "cloudflare:index/ruleset:Ruleset").map(inputs);
        assert.deepStrictEqual(rulesets.filter((r) => r.phase === "http_request_origin"), []);
        assert.ok(!JSON.stringify(rulesets).includes("hostHeader"));
    });

    it("serves the static host from Blob storage through Cloud Connector (it sets the storage Host header)", () => {
        const connector = inputs(oneOfType(doc(), "cloudflare:index/cloudConnectorRules:CloudConnectorRules"));
        assert.strictEqual(connector.zoneId, "0123456789abcdef0123456789abcdef");
        assert.strictEqual(connector.rules.length, 1);
        const [rule] = connector.rules;
        assert.strictEqual(rule.cloudConnectorRulesProvider, "azure_storage");
        assert.match(rule.parameters.host, /^[a-z0-9]+\.blob\.core\.windows\.net$/);
        assert.ok(evaluate(rule.expression, { host: STATIC, path: "/static/app.js" }));
        assert.ok(!evaluate(rule.expression, { host: WEB, path: "/static/app.js" }));
    });

    it("binds the web host on the web Container App with the Origin CA certificate, after its asuid record", () => {
        const txt = oneOfType(doc(), "cloudflare:index/dnsRecord:DnsRecord", "web-domain-asuid");
        assert.deepStrictEqual({ ...inputs(txt), content: undefined }, {
            zoneId: "0123456789abcdef0123456789abcdef", name: `asuid.${WEB}`, type: "TXT", proxied: false, ttl: 1, content: undefined,
            comment: "BookStore: Azure Container Apps domain verification (managed by Pulumi)",
        });
        const certificate = oneOfType(doc(), "azure-native:app:Certificate");
        assert.strictEqual(inputs(certificate).properties.value, "[secret]");
        assert.strictEqual(inputs(certificate).properties.certificateType, "ServerSSLCertificate");
        const web = oneOfType(doc(), "azure-native:app:ContainerApp", "web");
        const domains = inputs(web).configuration.ingress.customDomains;
        assert.deepStrictEqual(domains.map((d: any) => [d.name, d.bindingType]), [[WEB, "SniEnabled"]]);
        assert.match(inputs(certificate).certificateName, /^web-origin-ca-[0-9a-f]{12}$/);
        assert.ok(domains[0].certificateId.endsWith(`/certificates/${inputs(certificate).certificateName}`));
        assert.ok(web.dependencies.includes(txt.urn), "the app binds the host name only after the asuid record exists");
        // Azure also wants a CNAME of the host pointing directly at the app's default host when the binding is
        // added; a proxied record hides it (microsoft/azure-container-apps#525), so on a first deploy it is DNS-only.
        const cname = oneOfType(doc(), "cloudflare:index/dnsRecord:DnsRecord", "web-domain-cname");
        const environment = oneOfType(doc(), "azure-native:app:ManagedEnvironment");
        assert.deepStrictEqual([inputs(cname).name, inputs(cname).type, inputs(cname).proxied], [WEB, "CNAME", false]);
        assert.ok(web.dependencies.includes(cname.urn), "the app binds the host name only after its CNAME exists");
        assert.ok(!cname.dependencies.includes(web.urn), "the CNAME must not wait for the app it lets bind");
        assert.ok(cname.dependencies.includes(environment.urn), "its target comes from the environment's default domain");
        assert.ok(web.dependencies.includes(certificate.urn));
        assert.strictEqual(inputs(oneOfType(doc(), "azure-native:app:ContainerApp", "api")).configuration.ingress.customDomains, undefined);
        assert.ok(!JSON.stringify(doc()).includes("offline-plan-placeholder"));
    });

    it("uploads the certificate as Container Apps' base64 PEM blob", () => {
        const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
        assert.strictEqual(Buffer.from(pemBlob(pem), "base64").toString("utf8"), pem);
        // A renewed certificate gets a new name: created and bound before the old one is deleted.
        assert.notStrictEqual(certificateName(pem), certificateName(pem.replace("MIIB", "MIIC")));
        assert.strictEqual(certificateName(pem), certificateName(pem));
    });

    it("creates no Front Door, and outputs the Cloudflare URLs", () => {
        assert.strictEqual(resourcesOfType(doc(), "azure-native:cdn:Profile").length, 0);
        const outputs = doc().outputs as Record<string, unknown>;
        assert.strictEqual(outputs.publicWebUrl, `https://${WEB}/`);
        assert.strictEqual(outputs.cdnUrl, `https://${STATIC}/static/`);
    });
});

describe("Cloudflare edge once the web app has bound its host (second up of prod-cloudflare)", () => {
    const live = planned("prod-cloudflare", { env: { BOOKSTORE_OFFLINE_LIVE_APPS: JSON.stringify({ "bookstorecf-web": { customDomains: [WEB] } }) } });
    const first = planned("prod-cloudflare");

    it("proxies the web record, pointing at the same default host, and changes nothing else about the binding", () => {
        const record = (doc: PlanDocument) => inputs(oneOfType(doc, "cloudflare:index/dnsRecord:DnsRecord", "web-domain-cname"));
        assert.deepStrictEqual([record(first()).proxied, record(live()).proxied], [false, true]);
        assert.strictEqual(record(live()).content, record(first()).content);
        const domains = (doc: PlanDocument) => inputs(oneOfType(doc, "azure-native:app:ContainerApp", "web")).configuration.ingress.customDomains;
        assert.deepStrictEqual(domains(live()), domains(first()));
    });
});

describe("Cloudflare edge on an Enterprise zone (cloudflare.plan enterprise)", () => {
    const doc = planned("prod-cloudflare", {
        stackFile: stackVariant("prod-cloudflare", (c) => {
            c["bookstore:cloudflare"].plan = "enterprise";
            delete c["bookstore:cloudflareOriginCertificate"];
        }),
    });

    it("rewrites the web origin's Host header instead of binding a custom domain", () => {
        const origin = resourcesOfType(doc(), "cloudflare:index/ruleset:Ruleset").map(inputs).find((r) => r.phase === "http_request_origin");
        assert.deepStrictEqual(origin.rules.map((r: any) => r.expression), [`(http.host eq "${WEB}")`]);
        assert.match(origin.rules[0].actionParameters.hostHeader, /azurecontainerapps\.io$/);
        assert.strictEqual(resourcesOfType(doc(), "azure-native:app:Certificate").length, 0);
        assert.strictEqual(inputs(oneOfType(doc(), "azure-native:app:ContainerApp", "web")).configuration.ingress.customDomains, undefined);
        assert.strictEqual(resourcesOfType(doc(), "cloudflare:index/cloudConnectorRules:CloudConnectorRules").length, 1);
    });
});
