// CloudflareEdge: proxied DNS records, host-scoped SSL/TLS, redirect and cache rules, and Cloud Connector for an existing Cloudflare zone.
import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { type CloudflarePlan, planAllows } from "./plans";
import {
    cacheRules, httpsRedirectRules, originHeaderRules, originHostRules, sslStrictRules, staticCloudConnectorRules, tlsFloorRules,
} from "./cloudflareRules";
import { STATIC_CONTAINER } from "../staticFiles";

export interface CloudflareEdgeArgs {
    /** Existing zone; it is read, never created or deleted. */
    zoneId: string;
    /** API token (secret config) for the explicit provider. */
    apiToken: pulumi.Input<string>;
    /** The zone's plan: only `enterprise` rewrites the web origin's Host header. */
    plan: CloudflarePlan;
    /**
     * Proxied host of the web app and the Azure host it fronts (e.g. the Container Apps FQDN). Below
     * Enterprise the origin must serve `hostname` itself (a custom domain bound on the app).
     */
    web: {
        hostname: string;
        /** The Host header the web origin answers for (Enterprise rewrites to it). */
        originHost: pulumi.Input<string>;
        /** Where the proxied record points, when not `originHost` itself (AKS with AGC: the frontend's FQDN). */
        originAddress?: pulumi.Input<string>;
        /** A header (secret value) set on every request to the web origin, which the origin requires. Default: none. */
        originHeader?: { name: string; value: pulumi.Input<string> };
        /**
         * Create the web host's proxied record. Default true; false when the web app binds the host itself
         * (components/azure/customDomain.ts), which owns the record because the binding must find it first.
         */
        record?: boolean;
    };
    /** Proxied host of the static assets and the blob host it fronts (reached through Cloud Connector). */
    static: { hostname: string; originHost: pulumi.Input<string> };
    /** Path prefixes that bypass the cache. */
    bypassPathPrefixes: readonly string[];
}

/**
 * Cloudflare in front of the web app and the static assets, for an existing zone that may serve
 * other sites: proxied DNS records; SSL strict, HTTPS redirect and TLS 1.2 minimum scoped to our
 * host names (rules, not zone settings); cache rules (static assets a week at the edge, dynamic
 * paths bypassed); Cloud Connector for the Blob storage origin; on Enterprise only, an origin
 * rule that sends the web origin its own Host header; and, when asked, a secret request header
 * the web origin requires (a request header transform rule).
 */
export class CloudflareEdge extends pulumi.ComponentResource {
    readonly webUrl: string;
    readonly staticUrl: string;

    constructor(name: string, args: CloudflareEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:cdn:CloudflareEdge", name, {}, opts);
        const provider = new cloudflare.Provider(`${name}-provider`, { apiToken: pulumi.secret(args.apiToken) }, { parent: this });
        const child = { parent: this, provider };
        const hostnames = [args.web.hostname, args.static.hostname];

        const targets = [
            ...(args.web.record === false ? [] : [["web", args.web.hostname, args.web.originAddress ?? args.web.originHost] as const]),
            ["static", args.static.hostname, args.static.originHost] as const,
        ];
        for (const [role, hostname, target] of targets) {
            new cloudflare.DnsRecord(`${name}-${role}-dns`, {
                zoneId: args.zoneId,
                name: hostname,
                type: "CNAME",
                content: target,
                proxied: true,
                ttl: 1,
                comment: `BookStore ${role} (managed by Pulumi)`,
            }, child);
        }

        // A zone has one entry-point ruleset per phase; this program owns these phases' ones.
        const ruleset = (suffix: string, phase: string, title: string, rules: cloudflare.types.input.RulesetRule[]) =>
            new cloudflare.Ruleset(`${name}-${suffix}`, { zoneId: args.zoneId, name: `BookStore ${title}`, description: title, kind: "zone", phase, rules }, child);
        ruleset("tls-config", "http_config_settings", "SSL strict on our host names", sslStrictRules(hostnames));
        ruleset("https-redirect", "http_request_dynamic_redirect", "HTTP to HTTPS on our host names", httpsRedirectRules(hostnames));
        ruleset("tls-floor", "http_request_firewall_custom", "TLS 1.2 minimum on our host names", tlsFloorRules(hostnames));
        new cloudflare.Ruleset(`${name}-cache-rules`, {
            zoneId: args.zoneId,
            name: "BookStore cache rules",
            description: "Static assets cached for a week; API and authenticated paths bypass the cache",
            kind: "zone",
            phase: "http_request_cache_settings",
            rules: cacheRules(hostnames, args.bypassPathPrefixes, args.plan),
        }, child);
        if (planAllows(args.plan, "hostHeader")) {
            ruleset("origin-rules", "http_request_origin", "origin host header", originHostRules(args.web.hostname, args.web.originHost));
        }
        if (args.web.originHeader) {
            ruleset("origin-header", "http_request_late_transform", "origin request header", originHeaderRules(args.web.hostname, args.web.originHeader));
        }
        // The zone's Cloud Connector rule list is replaced as a whole (PUT), like a phase ruleset.
        new cloudflare.CloudConnectorRules(`${name}-cloud-connector`, {
            zoneId: args.zoneId,
            rules: staticCloudConnectorRules(args.static.hostname, args.static.originHost),
        }, child);

        this.webUrl = `https://${args.web.hostname}/`;
        this.staticUrl = `https://${args.static.hostname}/${STATIC_CONTAINER}/`;
        this.registerOutputs({ webUrl: this.webUrl, staticUrl: this.staticUrl });
    }
}
