import * as assert from "assert";
import { frontDoorDuration } from "../../../components/azure/frontDoor";
import { STATIC_FILE_EXTENSIONS } from "../../../components/staticFiles";
import { inputs, oneOfType, planned, planOf, resourcesOfType, stackVariant } from "../../helpers/plan";

const ROUTE = "azure-native:cdn:Route";

describe("static assets: pure settings", () => {
    it("writes Front Door durations as d.hh:mm:ss", () => {
        assert.strictEqual(frontDoorDuration(7 * 86400), "7.00:00:00");
        assert.strictEqual(frontDoorDuration(90061), "1.01:01:01");
    });

    it("covers scripts, styles, images and fonts", () => {
        for (const ext of ["js", "css", "png", "jpg", "svg", "webp", "woff2"]) assert.ok((STATIC_FILE_EXTENSIONS as readonly string[]).includes(ext), ext);
    });
});

describe("static assets: storage (plan of prod)", () => {
    const prod = () => planOf("prod");

    it("is a zone-redundant StorageV2 account, HTTPS only, TLS 1.2, Entra-only, protected", () => {
        const account = oneOfType(prod(), "azure-native:storage:StorageAccount");
        const a = inputs(account);
        assert.strictEqual(a.kind, "StorageV2");
        assert.deepStrictEqual(a.sku, { name: "Standard_ZRS" });
        assert.strictEqual(a.enableHttpsTrafficOnly, true);
        assert.strictEqual(a.minimumTlsVersion, "TLS1_2");
        assert.strictEqual(a.allowSharedKeyAccess, false);
        assert.strictEqual(account.options.protect, true);
    });

    it("keeps deleted blobs and containers restorable (soft delete, 30 days in prod)", () => {
        const service = inputs(oneOfType(prod(), "azure-native:storage:BlobServiceProperties"));
        assert.deepStrictEqual(service.deleteRetentionPolicy, { enabled: true, days: 30 });
        assert.deepStrictEqual(service.containerDeleteRetentionPolicy, { enabled: true, days: 30 });
    });

    it("has one protected `static` container, readable per blob (no listing); no other container is public", () => {
        const containers = resourcesOfType(prod(), "azure-native:storage:BlobContainer");
        const publicOnes = containers.filter((c) => (inputs(c).publicAccess ?? "None") !== "None");
        assert.deepStrictEqual(publicOnes.map((c) => inputs(c).containerName), ["static"]);
        assert.strictEqual(inputs(publicOnes[0]).publicAccess, "Blob");
        assert.strictEqual(publicOnes[0].options.protect, true);
    });

    it("is locally redundant with 7-day soft delete in dev", () => {
        const doc = planOf("dev");
        assert.deepStrictEqual(inputs(oneOfType(doc, "azure-native:storage:StorageAccount")).sku, { name: "Standard_LRS" });
        assert.strictEqual(inputs(oneOfType(doc, "azure-native:storage:BlobServiceProperties")).deleteRetentionPolicy.days, 7);
    });
});

describe("static assets: Front Door Standard (plan of prod)", () => {
    const prod = () => planOf("prod");
    const route = (name: string) => oneOfType(prod(), ROUTE, `frontdoor-${name}-route`);

    it("is a Front Door Standard profile, not the retired Standard_Microsoft CDN", () => {
        const profiles = resourcesOfType(prod(), "azure-native:cdn:Profile").map(inputs);
        assert.deepStrictEqual(profiles.map((p) => p.sku.name), ["Standard_AzureFrontDoor"]);
        assert.strictEqual(profiles[0].location, "global");
        assert.strictEqual(resourcesOfType(prod(), "azure-native:cdn:Endpoint").length, 0);
    });

    it("points the static origin at the blob host, without a probe of a blob nothing creates (the origin-health alert would fire from day one)", () => {
        const doc = prod();
        const blobHost = `${(doc.outputs as any).staticAssetsAccount}.blob.core.windows.net`;
        const origin = inputs(oneOfType(doc, "azure-native:cdn:AFDOrigin", "static-origin"));
        assert.strictEqual(origin.hostName, blobHost);
        assert.strictEqual(origin.originHostHeader, blobHost);
        assert.strictEqual(origin.httpsPort, 443);
        assert.strictEqual(origin.enforceCertificateNameCheck, true);
        const group = inputs(oneOfType(doc, "azure-native:cdn:AFDOriginGroup", "static-origins"));
        assert.strictEqual(group.healthProbeSettings, undefined);
    });

    it("routes HTTPS only (HTTP redirected) to the origin over HTTPS, after an origin exists", () => {
        for (const name of ["static", "web"]) {
            const r = route(name);
            const i = inputs(r);
            assert.strictEqual(i.httpsRedirect, "Enabled", name);
            assert.strictEqual(i.forwardingProtocol, "HttpsOnly", name);
            assert.ok(r.dependencies.some((d) => d.includes("azure-native:cdn:AFDOrigin::")), `${name} route does not depend on an origin`);
        }
    });

    it("compresses and caches the static route by query string, with the one-week rule set", () => {
        const doc = prod();
        const i = inputs(route("static"));
        assert.deepStrictEqual(i.patternsToMatch, ["/static/*"]);
        assert.strictEqual(i.cacheConfiguration.queryStringCachingBehavior, "UseQueryString");
        assert.strictEqual(i.cacheConfiguration.compressionSettings.isCompressionEnabled, true);
        assert.strictEqual(i.ruleSets.length, 1);
        assert.match(i.ruleSets[0].id, /\/ruleSets\/staticcaching$/);
        const rule = inputs(oneOfType(doc, "azure-native:cdn:Rule"));
        assert.strictEqual(rule.conditions[0].name, "UrlFileExtension");
        assert.deepStrictEqual(rule.conditions[0].parameters.matchValues, [...STATIC_FILE_EXTENSIONS]);
        assert.deepStrictEqual(rule.conditions[0].parameters.transforms, ["Lowercase"]);
        const cache = rule.actions[0].parameters.cacheConfiguration;
        assert.strictEqual(rule.actions[0].name, "RouteConfigurationOverride");
        assert.strictEqual(cache.cacheBehavior, "OverrideAlways");
        assert.strictEqual(cache.cacheDuration, "7.00:00:00");
    });

    it("never caches the web app: its route has no cache configuration and no rule set", () => {
        const i = inputs(route("web"));
        assert.deepStrictEqual(i.patternsToMatch, ["/*"]);
        assert.strictEqual(i.cacheConfiguration, undefined);
        assert.strictEqual(i.ruleSets, undefined);
        const origin = inputs(oneOfType(prod(), "azure-native:cdn:AFDOrigin", "web-origin"));
        assert.match(origin.hostName, /^bookstore-web\..*azurecontainerapps\.io$/);
    });

    it("outputs the public web and CDN URLs through Front Door", () => {
        const outputs = prod().outputs as Record<string, string>;
        assert.match(outputs.publicWebUrl, /^https:\/\/bookstore-prod-fd-.*\.azurefd\.net\/$/);
        assert.match(outputs.cdnUrl, /^https:\/\/bookstore-prod-fd-.*\.azurefd\.net\/static\/$/);
    });

    const noWebRoute = planned("prod", { stackFile: stackVariant("prod", (c) => { c["bookstore:frontDoor"] = { webRoute: false }; }) });
    const noCdn = planned("prod", { stackFile: stackVariant("prod", (c) => { c["bookstore:cdn"] = "none"; }) });
    it("drops the web route when frontDoor.webRoute is false, and the whole edge when cdn is none", () => {
        const noWeb = noWebRoute();
        assert.deepStrictEqual(resourcesOfType(noWeb, ROUTE).map((r) => inputs(r).routeName), ["static"]);
        const none = noCdn();
        assert.strictEqual(resourcesOfType(none, "azure-native:cdn:Profile").length, 0);
        assert.strictEqual(resourcesOfType(none, "azure-native:storage:BlobContainer").length, 1);
        assert.match(String((none.outputs as any).cdnUrl), /\.blob\.core\.windows\.net\/static$/);
    });
});
