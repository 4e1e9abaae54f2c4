/**
 * Azure network and transport security: private PostgreSQL, TLS 1.2+ to Redis and Storage, no
 * anonymous blob access, HTTPS-only Front Door, Key Vault purge protection and RBAC, Entra RBAC
 * on AKS, no shared registry admin user.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { configSchema, describe, ofType, settingsOf, tlsAtLeast, tokenOf } from "../common";
import { isReplica } from "./availability";
import { BlobContainer, FrontDoorRoute, KeyVault, ManagedCluster, ManagedRedis, ManagedRedisDatabase, PostgresServer, RedisCache, Registry, StorageAccount } from "../types";

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
