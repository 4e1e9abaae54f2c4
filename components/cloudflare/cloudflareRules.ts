// The Cloudflare edge's rulesets (cache, HTTPS redirect, origin Host and header, SSL, TLS floor) as pure, tested builders.
import type * as cloudflare from "@pulumi/cloudflare";
import type * as pulumi from "@pulumi/pulumi";
import { STATIC_EDGE_TTL_SECONDS, STATIC_FILE_EXTENSIONS } from "../staticFiles";
import { type CloudflarePlan, planAllows } from "./plans";

/**
 * The Rules-language expressions and rules of the Cloudflare edge, as pure functions. Every rule
 * matches our host names only: the zone may serve other sites, which these rules never touch.
 */

type Rule = cloudflare.types.input.RulesetRule;

/** Cookie prefix of ASP.NET Core's authentication, session and antiforgery cookies. */
export const AUTH_COOKIE_PREFIX = ".AspNetCore.";

/** Visitor TLS versions refused on our host names (TLS 1.2 minimum); `cf.tls_version` values. */
export const LEGACY_TLS_VERSIONS = ["TLSv1", "TLSv1.1"];

const quoted = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(" ");

/** Matches requests to our host names only. */
export function hostMatch(hostnames: readonly string[]): string {
    return `http.host in {${quoted(hostnames)}}`;
}

/** Static files by extension on our host names (cached at the edge for a week). */
export function staticFilesExpression(hostnames: readonly string[], extensions: readonly string[] = STATIC_FILE_EXTENSIONS): string {
    return `(${hostMatch(hostnames)} and http.request.uri.path.extension in {${quoted(extensions)}})`;
}

/**
 * Dynamic or personal responses, never cached: the API and authenticated paths (by prefix,
 * case-insensitive), and any request that carries credentials (Authorization header or an
 * ASP.NET Core auth/session cookie), whatever its extension.
 */
export function bypassExpression(hostnames: readonly string[], pathPrefixes: readonly string[]): string {
    const paths = pathPrefixes.map((p) => `starts_with(lower(http.request.uri.path), ${JSON.stringify(p.toLowerCase())})`);
    const credentials = [
        // http.request.headers.names keeps the client's case (HTTP/1.1 sends "Authorization"), so lower() it:
        // https://developers.cloudflare.com/ruleset-engine/rules-language/fields/reference/http.request.headers.names/
        `any(lower(http.request.headers.names[*])[*] eq "authorization")`,
        `http.cookie contains ${JSON.stringify(AUTH_COOKIE_PREFIX)}`,
    ];
    return `(${hostMatch(hostnames)} and (${[...paths, ...credentials].join(" or ")}))`;
}

/** How long the edge keeps a 404 of a static path, where the plan lets a rule say so (Enterprise: "Cache by status code"). */
export const STATIC_NOT_FOUND_TTL_SECONDS = 60;

/**
 * The zone's cache rules. Cache rules stack and the last match wins, so the bypass rule comes
 * after the static rule: a `/api/export.css` is still never cached. A 404's own edge TTL is
 * "Cache by status code", Enterprise-only in Cloudflare's plan matrix (components/cloudflare/plans.ts);
 * below it a 404 keeps Cloudflare's default TTL for that status.
 */
export function cacheRules(hostnames: readonly string[], bypassPathPrefixes: readonly string[], plan: CloudflarePlan): Rule[] {
    const statusCodeTtls = planAllows(plan, "edgeTtl.statusCodeTtls") ? { statusCodeTtls: [{ statusCode: 404, value: STATIC_NOT_FOUND_TTL_SECONDS }] } : {};
    return [
        {
            ref: "cache_static_assets",
            description: "Static assets (scripts, styles, images, fonts): one week at the edge",
            expression: staticFilesExpression(hostnames),
            action: "set_cache_settings",
            actionParameters: {
                cache: true,
                edgeTtl: { mode: "override_origin", default: STATIC_EDGE_TTL_SECONDS, ...statusCodeTtls },
                browserTtl: { mode: "respect_origin" },
                respectStrongEtags: true,
            },
            enabled: true,
        },
        {
            ref: "bypass_dynamic",
            description: "API, authenticated paths and requests with credentials: never cached",
            expression: bypassExpression(hostnames, bypassPathPrefixes),
            action: "set_cache_settings",
            actionParameters: { cache: false },
            enabled: true,
        },
    ];
}

/**
 * SSL Full (strict) for our host names only (a configuration rule, phase http_config_settings, all
 * plans), instead of the zone-wide `ssl` setting that would change every other host of the zone:
 * https://developers.cloudflare.com/rules/configuration-rules/settings/#ssl
 */
export function sslStrictRules(hostnames: readonly string[]): Rule[] {
    return [{
        ref: "ssl_strict",
        description: "SSL Full (strict) to the origins of the BookStore host names",
        expression: `(${hostMatch(hostnames)})`,
        action: "set_config",
        actionParameters: { ssl: "strict" },
        enabled: true,
    }];
}

/**
 * HTTP to HTTPS (301, path and query kept) for our host names only (a single redirect, phase
 * http_request_dynamic_redirect, all plans; `concat` needs no regex, which some plans lack), instead of the
 * zone-wide `always_use_https`: https://developers.cloudflare.com/rules/url-forwarding/#availability
 */
export function httpsRedirectRules(hostnames: readonly string[]): Rule[] {
    return [{
        ref: "always_https",
        description: "Redirect HTTP to HTTPS on the BookStore host names",
        expression: `(not ssl and ${hostMatch(hostnames)})`,
        action: "redirect",
        actionParameters: {
            fromValue: {
                statusCode: 301,
                preserveQueryString: true,
                targetUrl: { expression: `concat("https://", http.host, http.request.uri.path)` },
            },
        },
        enabled: true,
    }];
}

/**
 * TLS 1.2 minimum for our host names only (a WAF custom rule, phase http_request_firewall_custom, all
 * plans, on https://developers.cloudflare.com/ruleset-engine/rules-language/fields/reference/cf.tls_version/).
 * The zone-wide `min_tls_version` would change every host; the per-hostname TLS setting needs
 * Advanced Certificate Manager: https://developers.cloudflare.com/ssl/edge-certificates/additional-options/minimum-tls/
 */
export function tlsFloorRules(hostnames: readonly string[]): Rule[] {
    return [{
        ref: "tls_1_2_minimum",
        description: "Refuse TLS 1.0 and 1.1 on the BookStore host names",
        expression: `(${hostMatch(hostnames)} and ssl and cf.tls_version in {${quoted(LEGACY_TLS_VERSIONS)}})`,
        action: "block",
        enabled: true,
    }];
}

/**
 * Host header override of the web origin: Enterprise only, so used only with `cloudflare.plan`
 * enterprise: https://developers.cloudflare.com/rules/origin-rules/features/#host-header
 */
export function originHostRules(hostname: string, originHost: pulumi.Input<string>): Rule[] {
    return [{
        ref: "origin_host_web",
        description: "Host header of the web app origin",
        expression: `(http.host eq ${JSON.stringify(hostname)})`,
        action: "route",
        actionParameters: { hostHeader: originHost },
        enabled: true,
    }];
}

/** Request header the edge adds to the web app's requests, with a secret value the origin requires. */
export const CLOUDFLARE_ORIGIN_HEADER = "X-Bookstore-Edge-Key";

/**
 * Sets the secret origin header on requests to the web host (a request header transform rule:
 * phase http_request_late_transform, action rewrite, all plans), so the origin can refuse requests
 * that did not come through this zone: https://developers.cloudflare.com/rules/transform/request-header-modification/reference/parameters/
 * `set` overwrites a value a visitor sent.
 */
export function originHeaderRules(hostname: string, header: { name: string; value: pulumi.Input<string> }): Rule[] {
    return [{
        ref: "origin_header_web",
        description: "Secret header the web app origin requires",
        expression: `(http.host eq ${JSON.stringify(hostname)})`,
        action: "rewrite",
        actionParameters: { headers: { [header.name]: { operation: "set", value: header.value } } },
        enabled: true,
    }];
}

/**
 * The static host served from Blob storage by Cloud Connector (all plans; it rewrites the Host header
 * to the storage account's, which Blob storage routes by):
 * https://developers.cloudflare.com/rules/cloud-connector/providers/#microsoft-azure---blob-storage
 */
export function staticCloudConnectorRules(hostname: string, blobHost: pulumi.Input<string>): cloudflare.types.input.CloudConnectorRulesRule[] {
    return [{
        description: "BookStore static assets from Azure Blob Storage",
        enabled: true,
        expression: `(http.host eq ${JSON.stringify(hostname)})`,
        cloudConnectorRulesProvider: "azure_storage",
        parameters: { host: blobHost },
    }];
}
