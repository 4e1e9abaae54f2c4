import * as assert from "assert";
import { parseStackConfig } from "../../stacks/config";
import { frontDoorWebRoute, isValidSignalRCapacity, realtimeMode } from "../../stacks/schema/edge";
import { problemsOf, valid } from "../helpers/config";

/** The minimal config on AKS, with `ingress` as app.aks.ingress. */
function onAks(ingress: Record<string, string> = {}): Record<string, any> {
    const raw = valid("aks");
    raw.app.aks.ingress = ingress;
    return raw;
}

/** The Gateway certificate secrets (values are opaque to the schema). */
const TLS_SECRETS = new Set(["aksTlsCertificate", "aksTlsPrivateKey"]);
function withTls(raw: Record<string, any>): Record<string, any> {
    raw.aksTlsCertificate = "-----BEGIN CERTIFICATE-----";
    raw.aksTlsPrivateKey = "-----BEGIN PRIVATE KEY-----";
    return raw;
}

const cloudflare = { zoneId: "0123456789abcdef0123456789abcdef", webHostname: "www.bookstore.example", staticHostname: "static.bookstore.example" };

describe("edge config (cache, cdn, realtime, observability)", () => {
    it("defaults to Front Door, EnterpriseCluster, VolatileLRU and the seed's alert thresholds", () => {
        const config = parseStackConfig(valid());
        assert.strictEqual(config.cdn, "frontdoor");
        assert.strictEqual(frontDoorWebRoute(config), true);
        assert.strictEqual(config.cache.clusteringPolicy, "EnterpriseCluster");
        assert.strictEqual(config.cache.evictionPolicy, "VolatileLRU");
        assert.deepStrictEqual(config.observability, {
            replicasAtMaxMinutes: 10, http5xxPercent: 1, p95LatencyMs: 500,
            redisMemoryPercent: 80, signalrConnectionQuotaPercent: 80, frontDoorOriginHealthPercent: 100,
            grafana: { enabled: false, adminGroupIds: [], viewerGroupIds: [] },
        });
    });

    it("picks SignalR Service on containerapps and the Redis backplane on aks unless configured", () => {
        assert.strictEqual(realtimeMode({ platform: "containerapps", environment: "prod" }), "signalr");
        assert.strictEqual(realtimeMode({ platform: "aks", environment: "prod" }), "redis-backplane");
        assert.strictEqual(realtimeMode({ platform: "aks", environment: "prod", realtime: "signalr" }), "signalr");
    });

    it("rejects the Redis backplane on containerapps, naming the key", () => {
        const raw = valid();
        raw.realtime = "redis-backplane";
        assert.deepStrictEqual(problemsOf(raw), [
            'bookstore:realtime: expected "signalr" on platform "containerapps" (the Redis backplane is for platform "aks" only), got "redis-backplane"',
        ]);
    });

    it("requires the zone, host names and a token when cdn is cloudflare", () => {
        const raw = valid();
        raw.cdn = "cloudflare";
        const problems = problemsOf(raw);
        assert.ok(problems.some((p) => p.startsWith("bookstore:cloudflare: expected zoneId, webHostname and staticHostname")), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("bookstore:cloudflareApiToken: expected a secret Cloudflare API token")), problems.join("\n"));
    });

    it("never prints the Cloudflare token, even when it is rejected", () => {
        const raw = valid();
        raw.cdn = "cloudflare";
        raw.cloudflare = cloudflare;
        raw.cloudflareApiToken = "";
        const problems = problemsOf(raw, new Set(["cloudflareApiToken"]));
        assert.deepStrictEqual(problems, ["bookstore:cloudflareApiToken: expected a Cloudflare API token, got [secret]"]);
    });

    it("validates the zone id and host names", () => {
        const raw = valid();
        raw.cdn = "cloudflare";
        raw.cloudflareApiToken = "token";
        raw.cloudflare = { ...cloudflare, zoneId: "not-a-zone", staticHostname: "Static.Bookstore.Example" };
        const problems = problemsOf(raw, new Set(["cloudflareApiToken"]));
        assert.ok(problems.some((p) => p.startsWith('bookstore:cloudflare.zoneId: expected a Cloudflare zone id (32 lowercase hex characters), got "not-a-zone"')), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("bookstore:cloudflare.staticHostname: expected a lowercase DNS host name")), problems.join("\n"));
    });

    it("rejects the same host for web and static assets", () => {
        const raw = valid();
        raw.cdn = "cloudflare";
        raw.cloudflareApiToken = "token";
        raw.cloudflare = { ...cloudflare, staticHostname: cloudflare.webHostname, plan: "enterprise" };
        assert.deepStrictEqual(problemsOf(raw, new Set(["cloudflareApiToken"])), [
            'bookstore:cloudflare.staticHostname: expected a host name different from cloudflare.webHostname, got "www.bookstore.example"',
        ]);
    });

    it("fronts the web app with Front Door by default only where the origin's certificate can be validated", () => {
        assert.strictEqual(frontDoorWebRoute(parseStackConfig(onAks())), false, "aks without a certificate: HTTP-only origin");
        assert.strictEqual(frontDoorWebRoute(parseStackConfig(withTls(onAks()), TLS_SECRETS)), true);
        const off = withTls(onAks());
        off.frontDoor = { webRoute: false };
        assert.strictEqual(frontDoorWebRoute(parseStackConfig(off, TLS_SECRETS)), false);
        const containerApps = valid();
        containerApps.frontDoor = { webRoute: false };
        assert.strictEqual(frontDoorWebRoute(parseStackConfig(containerApps)), false);
    });

    it("rejects frontDoor.webRoute true on aks without a certificate, saying what to set", () => {
        const raw = onAks();
        raw.frontDoor = { webRoute: true };
        assert.deepStrictEqual(problemsOf(raw), [
            'bookstore:frontDoor.webRoute: expected false on platform "aks" without aksTlsCertificate '
            + "(Front Door validates the origin's certificate): set the secrets aksTlsCertificate (PEM chain for app.aks.ingress.host) "
            + "and aksTlsPrivateKey, or leave frontDoor.webRoute unset, got true",
        ]);
        assert.strictEqual(frontDoorWebRoute(parseStackConfig(withTls(raw), TLS_SECRETS)), true);
    });

    it("rejects cdn cloudflare on aks without a certificate, naming aksTlsCertificate", () => {
        const raw = onAks({ host: "origin.bookstore.example" });
        raw.cdn = "cloudflare";
        raw.cloudflare = { ...cloudflare, plan: "enterprise" };
        raw.cloudflareApiToken = "token";
        assert.deepStrictEqual(problemsOf(raw, new Set(["cloudflareApiToken"])), [
            'bookstore:aksTlsCertificate: expected a certificate when cdn is "cloudflare" on platform "aks" '
            + "(SSL strict validates the origin's certificate): set the secrets aksTlsCertificate (PEM chain for app.aks.ingress.host) "
            + "and aksTlsPrivateKey, got nothing (the key is required)",
        ]);
        assert.strictEqual(parseStackConfig(withTls(raw), new Set(["cloudflareApiToken", ...TLS_SECRETS])).cdn, "cloudflare");
    });

    it("rejects a Cloudflare web host that is the AKS ingress host it would point at", () => {
        const raw = withTls(onAks({ host: cloudflare.webHostname }));
        raw.cdn = "cloudflare";
        raw.cloudflare = { ...cloudflare, plan: "enterprise" };
        raw.cloudflareApiToken = "token";
        assert.deepStrictEqual(problemsOf(raw, new Set(["cloudflareApiToken", ...TLS_SECRETS])), [
            "bookstore:cloudflare.webHostname: expected a host name different from app.aks.ingress.host (the Cloudflare record points at that origin host), got \"www.bookstore.example\"",
        ]);
    });

    it("assumes a non-Enterprise Cloudflare plan unless told, and names a bad plan", () => {
        const raw = valid();
        raw.cdn = "cloudflare";
        raw.cloudflare = cloudflare;
        raw.cloudflareApiToken = "token";
        raw.cloudflareOriginCertificate = "pem";
        const secrets = new Set(["cloudflareApiToken", "cloudflareOriginCertificate"]);
        assert.strictEqual(parseStackConfig(raw, secrets).cloudflare?.plan, "free");
        raw.cloudflare = { ...cloudflare, plan: "team" };
        assert.deepStrictEqual(problemsOf(raw, secrets), ['bookstore:cloudflare.plan: expected one of "free" | "pro" | "business" | "enterprise", got "team"']);
    });

    it("requires a secret Origin CA certificate for the web custom domain below Enterprise, and none on Enterprise", () => {
        for (const plan of ["free", "pro", "business"]) {
            const raw = valid();
            raw.cdn = "cloudflare";
            raw.cloudflare = { ...cloudflare, plan };
            raw.cloudflareApiToken = "token";
            assert.deepStrictEqual(problemsOf(raw, new Set(["cloudflareApiToken"])), [
                "bookstore:cloudflareOriginCertificate: expected a secret Cloudflare Origin CA certificate (PEM with its private key) for "
                + `cloudflare.webHostname when cloudflare.plan is "${plan}" (the web app serves that host name itself; only "enterprise" may rewrite the Host header), got nothing (the key is required)`,
            ], plan);
            raw.cloudflareOriginCertificate = "-----BEGIN CERTIFICATE-----";
            assert.deepStrictEqual(problemsOf(raw, new Set(["cloudflareApiToken"])), [
                "bookstore:cloudflareOriginCertificate: expected a secret (set it with `pulumi config set --secret bookstore:cloudflareOriginCertificate <value>`), got a plain-text value",
            ], `${plan}: a plain-text private key`);
            assert.strictEqual(parseStackConfig(raw, new Set(["cloudflareApiToken", "cloudflareOriginCertificate"])).cloudflare?.plan, plan);
        }
        const raw = valid();
        raw.cdn = "cloudflare";
        raw.cloudflare = { ...cloudflare, plan: "enterprise" };
        raw.cloudflareApiToken = "token";
        assert.strictEqual(parseStackConfig(raw, new Set(["cloudflareApiToken"])).cloudflareOriginCertificate, undefined);
    });

    it("requires the Enterprise plan for Cloudflare on aks (its ingress answers only its own host name)", () => {
        const raw = withTls(onAks({ host: "origin.bookstore.example" }));
        raw.cdn = "cloudflare";
        raw.cloudflare = cloudflare;
        raw.cloudflareApiToken = "token";
        assert.deepStrictEqual(problemsOf(raw, new Set(["cloudflareApiToken", ...TLS_SECRETS])), [
            'bookstore:cloudflare.plan: expected "enterprise" on platform "aks" (the ingress answers only app.aks.ingress.host, and rewriting the Host header is Enterprise-only), got "free"',
        ]);
    });

    it("takes the Gateway certificate and key only as secrets, and only together", () => {
        const plain = withTls(onAks());
        assert.deepStrictEqual(problemsOf(plain), [
            "bookstore:aksTlsCertificate: expected a secret (set it with `pulumi config set --secret bookstore:aksTlsCertificate <value>`), got a plain-text value",
            "bookstore:aksTlsPrivateKey: expected a secret (set it with `pulumi config set --secret bookstore:aksTlsPrivateKey <value>`), got a plain-text value",
        ]);
        const keyOnly = withTls(onAks());
        delete keyOnly.aksTlsCertificate;
        assert.deepStrictEqual(problemsOf(keyOnly, TLS_SECRETS), [
            "bookstore:aksTlsCertificate: expected both aksTlsCertificate and aksTlsPrivateKey (the Gateway serves the certificate with its key), got nothing (the key is required)",
        ]);
    });

    it("accepts only the capacities Standard_S1 offers (1-10, then tens to 100)", () => {
        for (const ok of [1, 2, 10, 20, 50, 100]) assert.ok(isValidSignalRCapacity(ok), String(ok));
        for (const bad of [0, 11, 15, 25, 110, 2.5]) assert.ok(!isValidSignalRCapacity(bad), String(bad));
        const raw = valid();
        raw.signalr = { capacity: 15 };
        assert.deepStrictEqual(problemsOf(raw), ["bookstore:signalr.capacity: expected 1-10, 20, 30, ... or 100 units, got 15"]);
    });

    it("rejects unknown cache options and SKUs", () => {
        const raw = valid();
        raw.cache = { sku: "Premium_P1", persistance: "aof" };
        const problems = problemsOf(raw);
        assert.ok(problems.some((p) => p.startsWith('bookstore:cache.sku: expected one of "Balanced_B0"')), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("bookstore:cache.persistance: unknown key")), problems.join("\n"));
    });

    it("allows only replica-ceiling windows made of 5-minute alert periods", () => {
        const raw = valid();
        raw.observability = { replicasAtMaxMinutes: 12 };
        assert.deepStrictEqual(problemsOf(raw), ["bookstore:observability.replicasAtMaxMinutes: expected 5, 10, 15, 20, 25 or 30 (minutes), got 12"]);
    });
});
