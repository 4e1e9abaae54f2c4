/**
 * Network and transport security: private data stores, TLS 1.2+, HTTPS only, no anonymous access,
 * no shared admin credentials.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { configSchema, describe, ofType, settingsOf, tokenOf } from "./common";
import { isReplica } from "./availability";
import {
    BlobContainer, CloudflareRuleset, CloudflareZoneSetting, FrontDoorRoute, KeyVault, ManagedCluster, ManagedRedis, ManagedRedisDatabase,
    PostgresServer, RedisCache, Registry, StorageAccount,
} from "./types";

export const postgresPrivateAccess: ResourceValidationPolicy = {
    name: "postgres-private-access",
    description: "PostgreSQL servers are reachable only from the virtual network: public network access disabled "
        + "(VNet integration or a private endpoint).",
    validateResource: validateResourceOfType(PostgresServer, (server, _args, reportViolation) => {
        const access = server.network?.publicNetworkAccess;
        if (access === "Enabled") {
            reportViolation("network.publicNetworkAccess is Enabled; the server is reachable from the internet.");
        } else if (access === undefined && !server.network?.delegatedSubnetResourceId && !isReplica(server)) {
            // A server without VNet integration defaults to public access; a replica inherits its primary's network.
            reportViolation("the server has neither network.delegatedSubnetResourceId nor publicNetworkAccess Disabled, so Azure makes it public.");
        }
    }),
};

/** Compares TLS versions written "1.2", "TLS1_2" or "TLS1.2". */
export function tlsAtLeast(version: string | undefined, minimum: string): boolean {
    const number = (v: string) => Number(v.replace(/^tls/i, "").replace("_", "."));
    return version !== undefined && number(version) >= number(minimum);
}

const redisTlsSchema = configSchema({
    minTlsVersion: { type: "string", enum: ["1.2", "1.3"], default: "1.2", description: "Lowest TLS version clients may use." },
});

export const redisTls: ResourceValidationPolicy = {
    name: "redis-tls",
    description: "Redis accepts only TLS 1.2 or later and has no plaintext port.",
    configSchema: redisTlsSchema,
    validateResource: [
        validateResourceOfType(RedisCache, (cache, args, reportViolation) => {
            const { minTlsVersion } = settingsOf<{ minTlsVersion: string }>(args, redisTlsSchema);
            if (!tlsAtLeast(cache.minimumTlsVersion, minTlsVersion)) {
                reportViolation(`minimumTlsVersion is ${cache.minimumTlsVersion}; expected ${minTlsVersion} or later, set explicitly.`);
            }
            if (cache.enableNonSslPort === true) reportViolation("enableNonSslPort is true; the plaintext port 6379 is open.");
        }),
        validateResourceOfType(ManagedRedis, (cluster, args, reportViolation) => {
            const { minTlsVersion } = settingsOf<{ minTlsVersion: string }>(args, redisTlsSchema);
            // Azure Managed Redis defaults to TLS 1.2.
            const version = cluster.minimumTlsVersion ?? "1.2";
            if (!tlsAtLeast(version, minTlsVersion)) reportViolation(`minimumTlsVersion is ${version}; expected ${minTlsVersion} or later.`);
        }),
        validateResourceOfType(ManagedRedisDatabase, (database, _args, reportViolation) => {
            const protocol = database.clientProtocol ?? "Encrypted";
            if (protocol !== "Encrypted") reportViolation(`clientProtocol is ${protocol}; expected Encrypted (TLS).`);
        }),
    ],
};

const storageTransportSchema = configSchema({
    minTlsVersion: { type: "string", enum: ["TLS1_2", "TLS1_3"], default: "TLS1_2", description: "Lowest TLS version clients may use." },
});

export const storageSecureTransport: ResourceValidationPolicy = {
    name: "storage-secure-transport",
    description: "Storage accounts accept HTTPS only, with TLS 1.2 or later set explicitly.",
    configSchema: storageTransportSchema,
    validateResource: validateResourceOfType(StorageAccount, (account, args, reportViolation) => {
        const { minTlsVersion } = settingsOf<{ minTlsVersion: string }>(args, storageTransportSchema);
        if (account.enableHttpsTrafficOnly === false) reportViolation("enableHttpsTrafficOnly is false; plain HTTP is accepted.");
        if (!tlsAtLeast(account.minimumTlsVersion, minTlsVersion)) {
            reportViolation(`minimumTlsVersion is ${account.minimumTlsVersion}; expected ${minTlsVersion} or later, set explicitly.`);
        }
    }),
};

const publicBlobSchema = configSchema({
    publicContainers: {
        type: "array",
        items: { type: "string" },
        default: ["static"],
        description: "Blob containers that may allow anonymous blob reads (the CDN origin of the static assets).",
    },
});

const containerNameOf = (r: PolicyResource) => String(r.props.containerName ?? r.props.name ?? r.name);

export const storagePublicBlobAccess: StackValidationPolicy = {
    name: "storage-public-blob-access",
    description: "No anonymous blob access except blob-level reads on the static-assets container (\"static\") the CDN serves.",
    configSchema: publicBlobSchema,
    validateStack: (args, reportViolation) => {
        const { publicContainers } = settingsOf<{ publicContainers: string[] }>(args, publicBlobSchema);
        const containers = ofType(args.resources, tokenOf(BlobContainer));
        const isPublic = (c: PolicyResource) => (c.asType(BlobContainer)!.publicAccess ?? "None") !== "None";
        for (const container of containers.filter(isPublic)) {
            const access = container.asType(BlobContainer)!.publicAccess;
            if (!publicContainers.includes(containerNameOf(container))) {
                reportViolation(`${describe(container)} allows anonymous access (${access}); only ${publicContainers.join(", ")} may.`, container.urn);
            } else if (access !== "Blob") {
                reportViolation(`${describe(container)} allows anonymous access ${access}; expected Blob (reads without listing).`, container.urn);
            }
        }
        for (const account of ofType(args.resources, tokenOf(StorageAccount))) {
            if (account.asType(StorageAccount)!.allowBlobPublicAccess !== true) continue;
            const names = [account.props.accountName, account.props.name];
            const hosts = containers.some((c) => isPublic(c) && publicContainers.includes(containerNameOf(c))
                && (c.dependencies.includes(account) || names.includes(c.props.accountName)));
            if (!hosts) {
                reportViolation(`${describe(account)} sets allowBlobPublicAccess but hosts no public ${publicContainers.join("/")} container.`, account.urn);
            }
        }
    },
};

export const frontDoorHttpsOnly: ResourceValidationPolicy = {
    name: "frontdoor-https-only",
    description: "Front Door routes redirect HTTP to HTTPS and reach the origin over HTTPS only.",
    validateResource: validateResourceOfType(FrontDoorRoute, (route, _args, reportViolation) => {
        const protocols = route.supportedProtocols ?? ["Http", "Https"];
        if (protocols.includes("Http") && route.httpsRedirect !== "Enabled") {
            reportViolation(`the route accepts HTTP with httpsRedirect ${route.httpsRedirect ?? "Disabled"}; expected Enabled.`);
        }
        const forwarding = route.forwardingProtocol ?? "MatchRequest";
        if (forwarding !== "HttpsOnly") reportViolation(`forwardingProtocol is ${forwarding}; expected HttpsOnly.`);
    }),
};

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

export const keyVaultPurgeProtection: ResourceValidationPolicy = {
    name: "keyvault-purge-protection",
    description: "Key Vaults have purge protection, so deleted secrets can be recovered for the retention period.",
    validateResource: validateResourceOfType(KeyVault, (vault, _args, reportViolation) => {
        if (vault.properties?.enablePurgeProtection !== true) reportViolation("properties.enablePurgeProtection is not true.");
    }),
};

export const keyVaultRbacAuthorization: ResourceValidationPolicy = {
    name: "keyvault-rbac-authorization",
    description: "Key Vaults authorize data access with Azure RBAC, not access policies.",
    validateResource: validateResourceOfType(KeyVault, (vault, _args, reportViolation) => {
        if (vault.properties?.enableRbacAuthorization !== true) reportViolation("properties.enableRbacAuthorization is not true.");
    }),
};

export const aksEntraRbac: ResourceValidationPolicy = {
    name: "aks-entra-rbac",
    description: "AKS clusters disable local accounts and authorize with Microsoft Entra ID and Azure RBAC.",
    validateResource: validateResourceOfType(ManagedCluster, (cluster, _args, reportViolation) => {
        if (cluster.disableLocalAccounts !== true) reportViolation("disableLocalAccounts is not true; the static admin kubeconfig works.");
        if (cluster.aadProfile?.managed !== true || cluster.aadProfile?.enableAzureRBAC !== true) {
            reportViolation("aadProfile must set managed and enableAzureRBAC to true (Entra ID authentication, Azure RBAC authorization).");
        }
    }),
};

export const registryAdminUserDisabled: ResourceValidationPolicy = {
    name: "registry-admin-user-disabled",
    description: "Container registries disable the shared admin user; pulls use managed identities.",
    validateResource: validateResourceOfType(Registry, (registry, _args, reportViolation) => {
        if (registry.adminUserEnabled === true) reportViolation("adminUserEnabled is true.");
    }),
};

export const networkPolicies = [
    postgresPrivateAccess, redisTls, storageSecureTransport, storagePublicBlobAccess, frontDoorHttpsOnly,
    cloudflareSslStrict, cloudflareMinTls, keyVaultPurgeProtection, keyVaultRbacAuthorization, aksEntraRbac,
    registryAdminUserDisabled,
];
