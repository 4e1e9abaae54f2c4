// FrontDoorCdn: Azure Front Door Standard in front of the static assets and the web app.
import * as pulumi from "@pulumi/pulumi";
import * as cdn from "@pulumi/azure-native/cdn";
import type { DiagnosticTarget } from "../wiring";
import { STATIC_CONTAINER, STATIC_EDGE_TTL_SECONDS, STATIC_FILE_EXTENSIONS } from "../staticFiles";

/** Content types Front Door compresses (text formats; images and fonts are already compressed). */
const COMPRESSIBLE_TYPES = [
    "text/css", "text/html", "text/plain", "text/javascript", "application/javascript", "application/x-javascript",
    "application/json", "image/svg+xml", "application/xml", "font/ttf", "font/otf", "application/vnd.ms-fontobject",
];

/** A duration as Front Door's rule engine writes it: `d.hh:mm:ss`. */
export function frontDoorDuration(seconds: number): string {
    const pad = (n: number) => String(n).padStart(2, "0");
    const days = Math.floor(seconds / 86400);
    const rest = seconds % 86400;
    return `${days}.${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
}

/**
 * Request header Front Door adds to every request it sends to an origin: the profile's Front Door id
 * (`frontDoorId`). Origins check it, beside IP filtering, to refuse requests that bypass this profile:
 * https://learn.microsoft.com/azure/frontdoor/origin-security#front-door-identifier
 */
export const FRONT_DOOR_ID_HEADER = "X-Azure-FDID";

export interface FrontDoorCdnArgs {
    resourceGroupName: pulumi.Input<string>;
    /** Profile name, e.g. "bookstore-prod-fd". */
    profileName: string;
    tags: Record<string, string>;
}

/** What Front Door serves, once its origins are known (`FrontDoorCdn.serve`). */
export interface FrontDoorRoutesArgs {
    /** Blob host of the static assets account (the static origin). */
    staticOriginHost: pulumi.Input<string>;
    /**
     * Path Front Door probes on the static origin (HEAD), for a team whose publish step uploads one.
     * Default: no probe (a single origin is routed to whatever its probes say).
     */
    staticProbePath?: string;
    /**
     * When set, a second route fronts the web app with caching off: `host` is where Front Door connects,
     * the Host header it sends and the name the origin's certificate must carry (on AKS with AGC a host of
     * your own is a CNAME to the frontend's generated FQDN, so it resolves there).
     */
    web?: { host: pulumi.Input<string>; healthPath: string };
}

/** The endpoint and the URLs Front Door serves. */
export interface FrontDoorRoutes {
    endpointHostName: pulumi.Output<string>;
    /** https URL of the static assets through Front Door. */
    staticUrl: pulumi.Output<string>;
    /** https URL of the web app through Front Door (when the web route exists). */
    webUrl?: pulumi.Output<string>;
}

/**
 * A Front Door origin group with one origin that receives all traffic, probed at `probe` (or not
 * probed: a single origin gets the traffic whatever its probes say, Learn "Health probes",
 * Disabling health probes).
 */
function singleOriginGroup(
    parent: pulumi.Resource, name: string, profile: cdn.Profile, resourceGroupName: pulumi.Input<string>,
    host: pulumi.Input<string>, probe: { path: string; method: "HEAD" | "GET" } | undefined,
): { group: cdn.AFDOriginGroup; origin: cdn.AFDOrigin } {
    const group = new cdn.AFDOriginGroup(`${name}-origins`, {
        resourceGroupName,
        profileName: profile.name,
        originGroupName: name,
        loadBalancingSettings: { sampleSize: 4, successfulSamplesRequired: 3, additionalLatencyInMilliseconds: 50 },
        ...(probe ? { healthProbeSettings: { probePath: probe.path, probeProtocol: "Https", probeRequestType: probe.method, probeIntervalInSeconds: 100 } } : {}),
        sessionAffinityState: "Disabled",
    }, { parent });
    const origin = new cdn.AFDOrigin(`${name}-origin`, {
        resourceGroupName,
        profileName: profile.name,
        originGroupName: group.name,
        originName: name,
        // One name for all three: where Front Door connects, the Host it sends and the name it checks the
        // origin's certificate against. Learn's pages disagree on which one the check uses (end-to-end-tls.md:
        // "a subject name matching the origin hostname"; origin.md: "the request host name"), so they never
        // differ: the AKS Gateway's listener and `web-tls` certificate are for this host.
        hostName: host,
        originHostHeader: host,
        httpsPort: 443,
        httpPort: 80,
        priority: 1,
        weight: 1000,
        enabledState: "Enabled",
        enforceCertificateNameCheck: true,
    }, { parent });
    return { group, origin };
}

/**
 * Azure Front Door Standard in front of the static assets (and optionally the web app). The seed's
 * Azure CDN Standard_Microsoft is retired for new profiles, so this is its replacement.
 * Routes are HTTPS only (HTTP is redirected) and forward over HTTPS. Only the static route caches:
 * its rule set keeps scripts, styles, images and fonts for a week at the edge; the web route has no
 * cache configuration, so dynamic pages and the API are never cached.
 *
 * Built in two steps: the constructor creates the profile, whose `frontDoorId` the web origin
 * checks (the AKS web HTTPRoute requires `X-Azure-FDID`, so it is created before the app tier);
 * `serve` then adds the endpoint, origins and routes, which need the origins' addresses.
 */
export class FrontDoorCdn extends pulumi.ComponentResource {
    readonly profileId: pulumi.Output<string>;
    /** The profile's Front Door id: the value of the `X-Azure-FDID` header on every request to an origin. */
    readonly frontDoorId: pulumi.Output<string>;
    readonly diagnosticTargets: DiagnosticTarget[];
    private readonly profile: cdn.Profile;
    private readonly args: FrontDoorCdnArgs;

    constructor(private readonly logicalName: string, args: FrontDoorCdnArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:cdn:FrontDoorCdn", logicalName, {}, opts);
        this.args = args;
        this.profile = new cdn.Profile(`${logicalName}-profile`, {
            resourceGroupName: args.resourceGroupName,
            profileName: args.profileName,
            location: "global",
            sku: { name: "Standard_AzureFrontDoor" },
            originResponseTimeoutSeconds: 60,
            tags: args.tags,
        }, { parent: this });
        this.profileId = this.profile.id;
        this.frontDoorId = this.profile.frontDoorId;
        this.diagnosticTargets = [{ name: `${logicalName}-profile`, resourceId: this.profile.id, resourceType: "Microsoft.Cdn/profiles" }];
    }

    /** The endpoint, origins, caching rules and routes (call once, when the origins' addresses are known). */
    serve(args: FrontDoorRoutesArgs): FrontDoorRoutes {
        const name = this.logicalName;
        const child = { parent: this };
        const rg = this.args.resourceGroupName;
        const profile = this.profile;

        const endpoint = new cdn.AFDEndpoint(`${name}-endpoint`, {
            resourceGroupName: rg,
            profileName: profile.name,
            endpointName: this.args.profileName,
            location: "global",
            enabledState: "Enabled",
            autoGeneratedDomainNameLabelScope: "TenantReuse",
            tags: this.args.tags,
        }, child);

        // No probe of the blob host: nothing creates a blob to probe (the account refuses shared-key
        // writes, so the program cannot upload one), a missing one kept the origin-health alert firing
        // from the first deploy (review 2026-12 azure-data-edge m2), and a single origin is routed to anyway.
        const staticOrigin = singleOriginGroup(this, "static", profile, rg, args.staticOriginHost,
            args.staticProbePath ? { path: args.staticProbePath, method: "HEAD" } : undefined);

        // Rule set and rule names allow letters and digits only.
        const ruleSet = new cdn.RuleSet(`${name}-static-caching`, {
            resourceGroupName: rg,
            profileName: profile.name,
            ruleSetName: "staticcaching",
        }, child);
        new cdn.Rule(`${name}-cache-static-files`, {
            resourceGroupName: rg,
            profileName: profile.name,
            ruleSetName: ruleSet.name,
            ruleName: "cachestaticfiles",
            order: 1,
            matchProcessingBehavior: "Continue",
            conditions: [{
                name: "UrlFileExtension",
                parameters: {
                    typeName: "DeliveryRuleUrlFileExtensionMatchConditionParameters",
                    operator: "Equal",
                    matchValues: [...STATIC_FILE_EXTENSIONS],
                    transforms: ["Lowercase"],
                    negateCondition: false,
                },
            }],
            actions: [{
                name: "RouteConfigurationOverride",
                parameters: {
                    typeName: "DeliveryRuleRouteConfigurationOverrideActionParameters",
                    cacheConfiguration: {
                        cacheBehavior: "OverrideAlways",
                        cacheDuration: frontDoorDuration(STATIC_EDGE_TTL_SECONDS),
                        queryStringCachingBehavior: "UseQueryString",
                        isCompressionEnabled: "Enabled",
                    },
                },
            }],
        }, child);

        /**
         * A route on the endpoint, HTTPS only (HTTP redirected) and forwarding over HTTPS. It waits
         * for an enabled origin in its group, or Azure rejects it.
         */
        const route = (routeName: string, origin: { group: cdn.AFDOriginGroup; origin: cdn.AFDOrigin }, settings: Partial<cdn.RouteArgs>) =>
            new cdn.Route(`${name}-${routeName}-route`, {
                resourceGroupName: rg,
                profileName: profile.name,
                endpointName: endpoint.name,
                routeName,
                originGroup: { id: origin.group.id },
                supportedProtocols: ["Http", "Https"],
                httpsRedirect: "Enabled",
                forwardingProtocol: "HttpsOnly",
                linkToDefaultDomain: "Enabled",
                enabledState: "Enabled",
                ...settings,
            }, { ...child, dependsOn: [origin.origin] });

        route("static", staticOrigin, {
            patternsToMatch: [`/${STATIC_CONTAINER}/*`],
            ruleSets: [{ id: ruleSet.id }],
            cacheConfiguration: {
                // Versioned asset URLs (?v=hash) must not share a cache entry.
                queryStringCachingBehavior: "UseQueryString",
                compressionSettings: { isCompressionEnabled: true, contentTypesToCompress: COMPRESSIBLE_TYPES },
            },
        });

        let webUrl: pulumi.Output<string> | undefined;
        if (args.web) {
            // Front Door adds X-Azure-FDID to every request it sends the origin (FRONT_DOOR_ID_HEADER); the AKS web route requires it.
            const webOrigin = singleOriginGroup(this, "web", profile, rg, args.web.host, { path: args.web.healthPath, method: "GET" });
            // No cacheConfiguration: caching stays off for pages and the API behind the web app.
            route("web", webOrigin, { patternsToMatch: ["/*"] });
            webUrl = pulumi.interpolate`https://${endpoint.hostName}/`;
        }

        const staticUrl = pulumi.interpolate`https://${endpoint.hostName}/${STATIC_CONTAINER}/`;
        this.registerOutputs({
            profileId: this.profileId, frontDoorId: this.frontDoorId, endpointHostName: endpoint.hostName, staticUrl, webUrl,
        });
        return { endpointHostName: endpoint.hostName, staticUrl, webUrl };
    }
}
