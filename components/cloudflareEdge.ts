import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { STATIC_CONTAINER, STATIC_EDGE_TTL_SECONDS, STATIC_FILE_EXTENSIONS } from "./staticAssets";

/** Cookie prefix of ASP.NET Core's authentication, session and antiforgery cookies. */
export const AUTH_COOKIE_PREFIX = ".AspNetCore.";

/** Zone settings this program owns: SSL Full (strict), TLS 1.2 minimum, HTTP always redirected to HTTPS. */
export const ZONE_SETTINGS: Record<string, string> = {
    ssl: "strict",
    min_tls_version: "1.2",
    always_use_https: "on",
};

const quoted = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(" ");

/** Matches requests to our host names only: the zone may serve other sites. */
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
        `any(http.request.headers.names[*] eq "authorization")`,
        `http.cookie contains ${JSON.stringify(AUTH_COOKIE_PREFIX)}`,
    ];
    return `(${hostMatch(hostnames)} and (${[...paths, ...credentials].join(" or ")}))`;
}

/**
 * The zone's cache rules. Cache rules stack and the last match wins, so the bypass rule comes
 * after the static rule: a `/api/export.css` is still never cached.
 */
export function cacheRules(hostnames: readonly string[], bypassPathPrefixes: readonly string[]): cloudflare.types.input.RulesetRule[] {
    return [
        {
            ref: "cache_static_assets",
            description: "Static assets (scripts, styles, images, fonts): one week at the edge",
            expression: staticFilesExpression(hostnames),
            action: "set_cache_settings",
            actionParameters: {
                cache: true,
                edgeTtl: { mode: "override_origin", default: STATIC_EDGE_TTL_SECONDS, statusCodeTtls: [{ statusCode: 404, value: 60 }] },
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

export interface CloudflareEdgeArgs {
    /** Existing zone; it is read, never created or deleted. */
    zoneId: string;
    /** API token (secret config) for the explicit provider. */
    apiToken: pulumi.Input<string>;
    /** Proxied host of the web app and the Azure host it fronts (e.g. the Container Apps FQDN). */
    web: { hostname: string; originHost: pulumi.Input<string> };
    /** Proxied host of the static assets and the blob host it fronts. */
    static: { hostname: string; originHost: pulumi.Input<string> };
    /** Path prefixes that bypass the cache. */
    bypassPathPrefixes: readonly string[];
}

/**
 * Cloudflare in front of the web app and the static assets, for an existing zone: proxied DNS
 * records, the zone's TLS settings, one cache-settings ruleset (static assets a week at the edge,
 * dynamic paths bypassed) and one origin ruleset that sends each Azure origin the Host header it
 * serves (Container Apps and Blob storage route by Host; their certificates match that name).
 */
export class CloudflareEdge extends pulumi.ComponentResource {
    readonly webUrl: string;
    readonly staticUrl: string;

    constructor(name: string, args: CloudflareEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:cdn:CloudflareEdge", name, {}, opts);
        const provider = new cloudflare.Provider(`${name}-provider`, { apiToken: pulumi.secret(args.apiToken) }, { parent: this });
        const child = { parent: this, provider };
        const hosts = [args.web, args.static];
        const hostnames = hosts.map((h) => h.hostname);

        for (const [role, host] of [["web", args.web], ["static", args.static]] as const) {
            new cloudflare.DnsRecord(`${name}-${role}-dns`, {
                zoneId: args.zoneId,
                name: host.hostname,
                type: "CNAME",
                content: host.originHost,
                proxied: true,
                ttl: 1,
                comment: `BookStore ${role} (managed by Pulumi)`,
            }, child);
        }

        for (const [settingId, value] of Object.entries(ZONE_SETTINGS)) {
            new cloudflare.ZoneSetting(`${name}-${settingId.replace(/_/g, "-")}`, { zoneId: args.zoneId, settingId, value }, child);
        }

        // A zone has one entry-point ruleset per phase; this program owns the cache-settings one.
        new cloudflare.Ruleset(`${name}-cache-rules`, {
            zoneId: args.zoneId,
            name: "BookStore cache rules",
            description: "Static assets cached for a week; API and authenticated paths bypass the cache",
            kind: "zone",
            phase: "http_request_cache_settings",
            rules: cacheRules(hostnames, args.bypassPathPrefixes),
        }, child);

        new cloudflare.Ruleset(`${name}-origin-rules`, {
            zoneId: args.zoneId,
            name: "BookStore origin host headers",
            description: "Send each Azure origin its own host name",
            kind: "zone",
            phase: "http_request_origin",
            rules: hosts.map((host, i) => ({
                ref: `origin_host_${i === 0 ? "web" : "static"}`,
                description: `Host header of the ${i === 0 ? "web app" : "static assets"} origin`,
                expression: `(http.host eq ${JSON.stringify(host.hostname)})`,
                action: "route",
                actionParameters: { hostHeader: host.originHost },
                enabled: true,
            })),
        }, child);

        this.webUrl = `https://${args.web.hostname}/`;
        this.staticUrl = `https://${args.static.hostname}/${STATIC_CONTAINER}/`;
        this.registerOutputs({ webUrl: this.webUrl, staticUrl: this.staticUrl });
    }
}
