/**
 * Cloudflare transport security, in front of any origin: SSL mode Full (strict) and TLS 1.2+ for
 * the hosts the stack serves, whether set zone-wide or by a configuration rule.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { ofType, tlsAtLeast, tokenOf } from "../common";
import { CloudflareRuleset, CloudflareZoneSetting } from "../types";

/** A rule of a zone's phase ruleset that enforces the setting for the hosts its expression names. */
interface ScopedRule {
    phase: string;
    /** What the rule is, for the message: e.g. "configuration rule setting ssl \"strict\"". */
    what: string;
    covers: (rule: { action?: string; expression?: string; enabled?: boolean; actionParameters?: Record<string, unknown> }) => boolean;
}

/**
 * Checks one Cloudflare setting on every proxied host the stack configures: the zone setting
 * accepts it (Cloudflare's defaults are weaker), or a rule in the zone's `scoped.phase` ruleset
 * enforces it for that host (a shared zone keeps its other hosts' settings).
 */
function zoneSettingPolicy(name: string, description: string, settingId: string, expected: string, accept: (value: unknown) => boolean,
    scoped: ScopedRule): StackValidationPolicy {
    return {
        name,
        description,
        validateStack: (args, reportViolation) => {
            const cloudflare = args.resources.filter((r) => r.type.startsWith("cloudflare:") && r.props.zoneId !== undefined);
            const zoneIds = [...new Set(cloudflare.map((r) => String(r.props.zoneId)))];
            const settings = ofType(args.resources, tokenOf(CloudflareZoneSetting)).filter((r) => r.props.settingId === settingId);
            for (const zoneId of zoneIds) {
                const setting = settings.find((s) => s.props.zoneId === zoneId);
                if (setting && accept(setting.asType(CloudflareZoneSetting)!.value)) continue;
                const where = setting?.urn ?? cloudflare.find((r) => r.props.zoneId === zoneId)!.urn;
                const found = setting ? `sets "${settingId}" to ${JSON.stringify(setting.props.value)}` : `has no "${settingId}" zone setting`;
                const rules = ofType(args.resources, tokenOf(CloudflareRuleset))
                    .filter((r) => r.props.zoneId === zoneId && r.props.phase === scoped.phase)
                    .flatMap((r) => (r.asType(CloudflareRuleset)!.rules ?? []) as Parameters<ScopedRule["covers"]>[0][])
                    .filter((rule) => rule.enabled !== false && scoped.covers(rule));
                const hosts = cloudflare.filter((r) => r.props.zoneId === zoneId && r.type === "cloudflare:index/dnsRecord:DnsRecord" && r.props.proxied === true)
                    .map((r) => String(r.props.name));
                const uncovered = hosts.filter((host) => !rules.some((rule) => String(rule.expression ?? "").includes(JSON.stringify(host))));
                if (hosts.length === 0 || uncovered.length > 0) {
                    const names = uncovered.length > 0 ? ` for ${uncovered.join(", ")}` : "";
                    reportViolation(`zone ${zoneId} ${found} and no ${scoped.what}${names}; expected ${expected}.`, where);
                }
            }
        },
    };
}

export const cloudflareSslStrict = zoneSettingPolicy(
    "cloudflare-ssl-strict",
    "Cloudflare hosts use SSL mode Full (strict): encrypted to the origin with a validated certificate.",
    "ssl", "\"strict\"", (value) => value === "strict",
    {
        phase: "http_config_settings",
        what: "configuration rule setting ssl \"strict\"",
        covers: (rule) => rule.action === "set_config" && rule.actionParameters?.ssl === "strict",
    });

export const cloudflareMinTls = zoneSettingPolicy(
    "cloudflare-min-tls",
    "Cloudflare hosts accept TLS 1.2 or later from visitors.",
    "min_tls_version", "\"1.2\" or later", (value) => typeof value === "string" && tlsAtLeast(value, "1.2"),
    {
        phase: "http_request_firewall_custom",
        what: "custom rule blocking TLS 1.0 and 1.1",
        covers: (rule) => rule.action === "block" && /cf\.tls_version in \{[^}]*"TLSv1"[^}]*\}/.test(rule.expression ?? "")
            && /cf\.tls_version in \{[^}]*"TLSv1\.1"[^}]*\}/.test(rule.expression ?? ""),
    });
