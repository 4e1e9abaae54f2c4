import { z } from "zod";
import type { StackCheck } from "./checks";
import { bool, int, num, oneOf, pattern, text } from "./common";
import { CLOUDFLARE_PLANS } from "../../components/cloudflare/plans";

/** Azure Managed Redis SKUs this program offers (the `redisenterprise` API's B, M and X families). */
export const CACHE_SKUS = [
    "Balanced_B0", "Balanced_B1", "Balanced_B3", "Balanced_B5", "Balanced_B10", "Balanced_B20", "Balanced_B50", "Balanced_B100",
    "MemoryOptimized_M10", "MemoryOptimized_M20", "MemoryOptimized_M50", "MemoryOptimized_M100",
    "ComputeOptimized_X3", "ComputeOptimized_X5", "ComputeOptimized_X10", "ComputeOptimized_X20", "ComputeOptimized_X50",
] as const;

const CacheSchema = z.strictObject({
    sku: oneOf(CACHE_SKUS).optional()
        .describe("Azure Managed Redis SKU. Default: Balanced_B5 in prod, Balanced_B0 elsewhere."),
    clusteringPolicy: oneOf(["EnterpriseCluster", "OSSCluster"]).default("EnterpriseCluster")
        .describe("`EnterpriseCluster` (default) looks like one Redis to the client, so clients that "
            + "are not cluster-aware (the seed's StackExchange.Redis setup) work; `OSSCluster` "
            + "needs a cluster-aware client. Changing it later replaces the database."),
    evictionPolicy: oneOf(["AllKeysLFU", "AllKeysLRU", "AllKeysRandom", "VolatileLRU", "VolatileLFU", "VolatileTTL", "VolatileRandom", "NoEviction"])
        .default("VolatileLRU")
        .describe("What Redis evicts when memory is full. Default `VolatileLRU` (keys with a TTL, "
            + "least recently used first)."),
    persistence: oneOf(["aof", "rdb", "none"]).optional()
        .describe("Persistence: `aof` (every second), `rdb` (hourly snapshot) or `none`. Default: rdb "
            + "in prod, none elsewhere."),
    highAvailability: bool().optional()
        .describe("Replicate the data set across zones. Default: true in prod, false elsewhere."),
    privateEndpoint: bool().optional()
        .describe("Private endpoint and no public network access. Default: true in prod, false "
            + "elsewhere."),
});

/** Azure SignalR Service Standard_S1 accepts 1-10 units, then 20, 30, ... 100. */
export function isValidSignalRCapacity(units: number): boolean {
    return Number.isInteger(units) && ((units >= 1 && units <= 10) || (units >= 20 && units <= 100 && units % 10 === 0));
}

const SignalRSchema = z.strictObject({
    capacity: z.number({ error: "expected 1-10, 20, 30, ... or 100 units" })
        .refine(isValidSignalRCapacity, { error: "expected 1-10, 20, 30, ... or 100 units" })
        .optional()
        .describe("Units of Standard_S1 (1 000 connections each). Default: 2 in prod (the seed's), 1 "
            + "elsewhere."),
});

const hostname = pattern(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a lowercase DNS host name such as \"www.bookstore.example\"");
const pathPrefix = pattern(/^\/[A-Za-z0-9._~\-/]*$/, "a path prefix starting with \"/\"");

/** Paths that are never cached at the edge: the API, sign-in and account pages, and the SignalR hubs. */
export const DEFAULT_BYPASS_PATH_PREFIXES = ["/api/", "/account/", "/identity/", "/signin-oidc", "/signout", "/hubs/"];

const CloudflareSchema = z.strictObject({
    zoneId: pattern(/^[0-9a-f]{32}$/, "a Cloudflare zone id (32 lowercase hex characters)")
        .describe("Id of the existing zone (32 hex characters). The program never creates or deletes "
            + "the zone."),
    webHostname: hostname
        .describe("Proxied host name of the web app, e.g. \"www.bookstore.example\"."),
    staticHostname: hostname
        .describe("Proxied host name of the static assets, e.g. \"static.bookstore.example\"."),
    bypassPathPrefixes: z.array(pathPrefix, { error: "expected a list of path prefixes" }).default(DEFAULT_BYPASS_PATH_PREFIXES)
        .describe("Path prefixes that bypass the cache (case-insensitive), beside requests that carry "
            + "credentials."),
    plan: oneOf(CLOUDFLARE_PLANS).default("free")
        .describe("The zone's plan. Default `free`: nothing Enterprise-only is used (the web app gets "
            + "a custom domain with an Origin CA certificate). `enterprise` rewrites the web "
            + "origin's Host header instead."),
});

const FrontDoorSchema = z.strictObject({
    webRoute: bool().optional()
        .describe("Add a second route that fronts the web app (caching off). Default: true when the "
            + "web origin has a publicly trusted certificate (always on containerapps; on aks "
            + "with `aksTlsCertificate`), false otherwise. Resolved by `frontDoorWebRoute`."),
});

const ObservabilitySchema = z.strictObject({
    replicasAtMaxMinutes: z.number({ error: "expected 5, 10, 15, 20, 25 or 30 (minutes)" })
        .refine((m) => [5, 10, 15, 20, 25, 30].includes(m), { error: "expected 5, 10, 15, 20, 25 or 30 (minutes)" })
        .default(10)
        .describe("Minutes an app must sit at its replica ceiling before the alert fires (5-minute "
            + "evaluation periods). Default 10."),
    http5xxPercent: num(0.01, 100).default(1)
        .describe("Percent of requests answered with 5xx (Application Insights) that fires an alert. "
            + "Default 1 (the seed's load-test threshold)."),
    p95LatencyMs: int(1, 60000).default(500)
        .describe("p95 server response time in ms (Application Insights) that fires an alert. Default "
            + "500 (the seed's load-test threshold)."),
    redisMemoryPercent: int(1, 100).default(80)
        .describe("Redis used-memory percentage that fires an alert. Default 80."),
    signalrConnectionQuotaPercent: int(1, 100).default(80)
        .describe("SignalR connection-quota percentage that fires an alert. Default 80."),
    frontDoorOriginHealthPercent: int(1, 100).default(100)
        .describe("Front Door origin health percentage below which an alert fires. Default 100."),
    grafana: z.strictObject({
        enabled: bool().default(false)
            .describe("Deploy the managed Grafana with the platform's dashboard. Default off."),
        adminGroupIds: z.array(text("a group id"), { error: "expected a list of group ids" }).default([])
            .describe("Groups whose members administer the Grafana instance: IAM Identity Center group "
                + "ids on eks, Entra ID group object ids on aks. At least one when enabled."),
        viewerGroupIds: z.array(text("a group id"), { error: "expected a list of group ids" }).default([])
            .describe("Groups whose members view the dashboards (same kinds of ids)."),
    }).prefault({})
        .describe("Managed Grafana reading the cluster's managed Prometheus and the cloud's metrics, with "
            + "the scaling guide's dashboard (docs/signals.md): Amazon Managed Grafana on eks, Azure "
            + "Managed Grafana on aks; not on containerapps (no Prometheus workspace)."),
});

/**
 * Top-level keys of the cache, CDN, real-time and observability tiers, spread into the root schema.
 * Environment-dependent defaults are resolved where used (see the helpers below).
 */
export const edgeFields = {
    cache: CacheSchema.prefault({})
        .describe("Azure Managed Redis (cache, sessions, SignalR backplane)."),
    cdn: oneOf(["frontdoor", "cloudflare", "none"]).default("frontdoor")
        .describe("Edge in front of the static assets (and the web app): Front Door Standard, "
            + "Cloudflare, or none. Default `frontdoor`."),
    frontDoor: FrontDoorSchema.default({}),
    cloudflare: CloudflareSchema.optional()
        .describe("Required when `cdn` is `cloudflare`."),
    cloudflareApiToken: text("a Cloudflare API token").optional()
        .describe("Cloudflare API token (edit: DNS, Config Rules, Single Redirect, WAF custom rules, "
            + "Cache Rules, Cloud Connector; Origin Rules on Enterprise; Transform Rules on aks). "
            + "Set with `pulumi config set --secret`."),
    cloudflareOriginCertificate: text("the PEM of a Cloudflare Origin CA certificate and its private key").optional()
        .describe("PEM of a Cloudflare Origin CA certificate for `cloudflare.webHostname` followed by "
            + "its private key, uploaded to the Container Apps environment for the web app's "
            + "custom domain. Required with `cdn: cloudflare` on containerapps unless "
            + "`cloudflare.plan` is `enterprise`. Set with `--secret`."),
    realtime: oneOf(["signalr", "redis-backplane"]).optional()
        .describe("`signalr` (Azure SignalR Service) or `redis-backplane` (aks only). Default: "
            + "signalr on containerapps, redis-backplane on aks."),
    signalr: SignalRSchema.default({}),
    observability: ObservabilitySchema.prefault({}),
};

/** The slice of the parsed stack config the edge tiers read. */
export interface EdgeConfigView {
    platform: "containerapps" | "aks" | "eks";
    environment: "dev" | "staging" | "prod";
    realtime?: "signalr" | "redis-backplane";
}

/** The real-time mode: config, else the seed's choice per runtime (SignalR Service on Container Apps, Redis backplane on Kubernetes). */
export function realtimeMode(config: EdgeConfigView): "signalr" | "redis-backplane" {
    return config.realtime ?? (config.platform === "aks" ? "redis-backplane" : "signalr");
}

/** The slice of the parsed stack config that decides whether an edge can reach the web origin over validated TLS. */
export interface WebOriginConfigView {
    platform: "containerapps" | "aks" | "eks";
    frontDoor: { webRoute?: boolean };
    /** The AKS web Gateway's certificate chain (stacks/config.ts `aksTlsCertificate`). */
    aksTlsCertificate?: string;
}

/**
 * Whether the web app's origin presents a publicly trusted certificate: Container Apps ingress
 * always does (managed certificate); the AKS Gateway only with `aksTlsCertificate` (and its key),
 * else it has no certificate for the host.
 */
export function webOriginTrusted(config: Omit<WebOriginConfigView, "frontDoor">): boolean {
    return config.platform !== "aks" || config.aksTlsCertificate !== undefined;
}

/** Whether Front Door also fronts the web app: config, else only when the origin's certificate can be validated. */
export function frontDoorWebRoute(config: WebOriginConfigView): boolean {
    return config.frontDoor.webRoute ?? webOriginTrusted(config);
}

/** Which edge reaches the AKS web Gateway: the NSG lets in only that one (lib/network.ts). */
export function aksWebEdge(config: WebOriginConfigView & { cdn: "frontdoor" | "cloudflare" | "none" }): "frontdoor" | "cloudflare" | "direct" {
    if (config.cdn === "frontdoor" && frontDoorWebRoute(config)) return "frontdoor";
    return config.cdn === "cloudflare" ? "cloudflare" : "direct";
}

/**
 * The web Container App serves `cloudflare.webHostname` itself (Cloudflare below Enterprise, which
 * cannot rewrite the Host header): it binds the host, which takes a DNS-only CNAME on the first `up`
 * and a second `up` to proxy it (components/azure/customDomain.ts).
 */
export function webHostBoundOnApp(config: { platform: string; cdn: "frontdoor" | "cloudflare" | "none"; cloudflare?: { plan: string } }): boolean {
    return config.cdn === "cloudflare" && config.cloudflare !== undefined && config.cloudflare.plan !== "enterprise" && config.platform === "containerapps";
}

const TLS_CERTIFICATE_HINT = "set the secrets aksTlsCertificate (PEM chain for app.aks.ingress.host) and aksTlsPrivateKey";

/** An Entra ID object id (a GUID). */
const ENTRA_OBJECT_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** An IAM Identity Center (Identity Store) group id (IdentityStore API, Group `GroupId` pattern). */
const IDENTITY_STORE_ID = /^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;

/** Cross-key rules of the edge tiers. */
export const edgeChecks: StackCheck[] = [
    (config, report) => {
        const grafana = config.observability.grafana as { enabled: boolean; adminGroupIds: string[]; viewerGroupIds: string[] };
        if (!grafana.enabled) return;
        const path = ["observability", "grafana"];
        if (config.platform === "containerapps") {
            report([...path, "enabled"], "expected false on platform \"containerapps\" (Grafana reads the cluster's Prometheus workspace, which only aks and eks have)", true);
            return;
        }
        if (grafana.adminGroupIds.length === 0) report([...path, "adminGroupIds"], "expected at least one group when grafana is enabled (nobody could sign in)", []);
        const [format, what] = config.platform === "eks" ? [IDENTITY_STORE_ID, "an IAM Identity Center group id"] : [ENTRA_OBJECT_ID, "an Entra ID group object id (a GUID)"];
        for (const key of ["adminGroupIds", "viewerGroupIds"] as const) {
            grafana[key].forEach((id, i) => { if (!format.test(id)) report([...path, key, i], `expected ${what} on platform "${config.platform}"`, id); });
        }
    },
    (config, report) => {
        if (config.realtime === "redis-backplane" && config.platform !== "aks") {
            report(["realtime"], `expected "signalr" on platform "${config.platform}" (the Redis backplane is for platform "aks" only)`, config.realtime);
        }
    },
    (config, report) => {
        if (config.cdn !== "cloudflare") return;
        if (!config.cloudflare) report(["cloudflare"], "expected zoneId, webHostname and staticHostname when cdn is \"cloudflare\"", undefined);
        if (!config.cloudflareApiToken) report(["cloudflareApiToken"], "expected a secret Cloudflare API token when cdn is \"cloudflare\"", undefined);
        if (!config.cloudflare || config.cloudflare.plan === "enterprise") return;
        // Without the Enterprise Host header override the origin sees our host name, so it must serve it.
        if (config.platform === "containerapps" && !config.cloudflareOriginCertificate) {
            report(["cloudflareOriginCertificate"],
                `expected a secret Cloudflare Origin CA certificate (PEM with its private key) for cloudflare.webHostname when cloudflare.plan is "${config.cloudflare.plan}" (the web app serves that host name itself; only "enterprise" may rewrite the Host header)`,
                undefined);
        }
        if (config.platform === "aks") {
            report(["cloudflare", "plan"],
                `expected "enterprise" on platform "aks" (the ingress answers only app.aks.ingress.host, and rewriting the Host header is Enterprise-only)`,
                config.cloudflare.plan);
        }
    },
    (config, report) => {
        const cf = config.cloudflare;
        if (cf && cf.webHostname === cf.staticHostname) {
            report(["cloudflare", "staticHostname"], "expected a host name different from cloudflare.webHostname", cf.staticHostname);
        }
        // The proxied record points at the web origin; on aks the origin is the ingress host.
        if (cf && config.platform === "aks" && cf.webHostname === config.app.aks.ingress.host) {
            report(["cloudflare", "webHostname"], "expected a host name different from app.aks.ingress.host (the Cloudflare record points at that origin host)", cf.webHostname);
        }
    },
    (config, report) => {
        // Both edges validate the origin's certificate; the AKS Gateway has none without aksTlsCertificate.
        if (webOriginTrusted(config)) return;
        if (config.frontDoor.webRoute === true) {
            report(["frontDoor", "webRoute"],
                `expected false on platform "aks" without aksTlsCertificate (Front Door validates the origin's certificate): ${TLS_CERTIFICATE_HINT}, or leave frontDoor.webRoute unset`,
                true);
        }
        if (config.cdn === "cloudflare") {
            report(["aksTlsCertificate"],
                `expected a certificate when cdn is "cloudflare" on platform "aks" (SSL strict validates the origin's certificate): ${TLS_CERTIFICATE_HINT}`,
                undefined);
        }
    },
];
