/**
 * The Azure composition's edge: static assets in Storage, the CDN in front (Front Door, or
 * Cloudflare in front of any origin, or none), and the SignalR Service, created once the public
 * web origins its CORS list needs are known.
 */
import * as pulumi from "@pulumi/pulumi";
import { roleService } from "../../components/contracts";
import { Realtime } from "../../components/azure/realtime";
import type { FrontDoorCdn } from "../../components/azure/frontDoor";
import { StaticAssets } from "../../components/azure/staticAssets";
import { CloudflareEdge } from "../../components/cloudflare/cloudflareEdge";
import { frontDoorWebRoute } from "../schema/edge";
import { type AzureApp, webCustomDomain } from "./compute";
import type { AzureCache } from "./data";
import type { AzureEdgeLock } from "./edgeLock";
import type { AzureFoundation } from "./foundation";

export interface AzureEdge {
    frontDoor?: FrontDoorCdn;
    signalr?: Realtime;
}

/**
 * Static assets and the CDN (they need the web app's host; Front Door's profile and the Cloudflare
 * origin header come from edgeLock.ts), then SignalR with the public web origins.
 */
export function composeEdge(base: AzureFoundation, app: AzureApp, cache: AzureCache, lock: AzureEdgeLock): AzureEdge {
    const { config, platform, outputs, tags } = base;
    const { appTier, webOrigin } = app;
    const cloudflareConfig = config.cdn === "cloudflare" ? config.cloudflare : undefined;
    const staticAssets = new StaticAssets("static-assets", {
        resourceGroupName: platform.resourceGroupName,
        location: config.location,
        accountLogicalName: `${config.namePrefix.slice(0, 10)}${config.environment.slice(0, 4)}st`,
        zoneRedundant: base.prod,
        softDeleteDays: base.prod ? 30 : 7,
        // Pages on another host fetch fonts cross-origin (Front Door's web route serves pages and assets from one origin).
        corsOrigins: [webOrigin, ...(cloudflareConfig ? [`https://${cloudflareConfig.webHostname}`] : [])],
        tags,
    });
    base.diagnosticTargets.push(...staticAssets.diagnosticTargets);
    outputs.staticAssetsAccount = staticAssets.accountName;
    /** Origins browsers load the web app from: SignalR's CORS list. */
    const publicWebOrigins: pulumi.Input<string>[] = [webOrigin];
    const frontDoor = lock.frontDoor;
    if (frontDoor) {
        const routes = frontDoor.serve({
            staticOriginHost: staticAssets.blobHost,
            web: frontDoorWebRoute(config)
                ? {
                    host: appTier.webHost,
                    healthPath: config.app.services[roleService(config.app.services, "web")].healthPath,
                }
                : undefined,
        });
        base.diagnosticTargets.push(...frontDoor.diagnosticTargets);
        outputs.cdnUrl = routes.staticUrl;
        outputs.publicWebUrl = routes.webUrl ?? webOrigin;
        if (routes.webUrl) publicWebOrigins.push(pulumi.interpolate`https://${routes.endpointHostName}`);
    } else if (cloudflareConfig && config.cloudflareApiToken) {
        const edge = new CloudflareEdge("cloudflare", {
            zoneId: cloudflareConfig.zoneId,
            apiToken: config.cloudflareApiToken,
            plan: cloudflareConfig.plan,
            web: {
                hostname: cloudflareConfig.webHostname, originHost: appTier.webHost,
                ...(appTier.webOriginAddress ? { originAddress: appTier.webOriginAddress } : {}),
                ...(lock.webEdgeHeader ? { originHeader: lock.webEdgeHeader } : {}),
                // Below Enterprise on Container Apps the web app binds the host, and its custom domain owns the record.
                record: webCustomDomain(config) === undefined,
            },
            static: { hostname: cloudflareConfig.staticHostname, originHost: staticAssets.blobHost },
            bypassPathPrefixes: cloudflareConfig.bypassPathPrefixes,
        });
        outputs.cdnUrl = edge.staticUrl;
        outputs.publicWebUrl = edge.webUrl;
        publicWebOrigins.push(`https://${cloudflareConfig.webHostname}`);
    } else {
        outputs.cdnUrl = staticAssets.containerUrl;
        outputs.publicWebUrl = webOrigin;
    }
    // The SignalR Service the app was wired to (data.ts), now that its CORS origins are known.
    const signalr = cache.realtime === "signalr"
        ? new Realtime("realtime", {
            resourceGroupName: platform.resourceGroupName,
            location: config.location,
            resourceName: cache.signalRName,
            capacity: config.signalr.capacity ?? (base.prod ? 2 : 1),
            allowedOrigins: publicWebOrigins,
            appIdentity: platform.workloadIdentity,
            subscriptionId: platform.subscriptionId,
            tags,
        })
        : undefined;
    if (signalr) {
        base.diagnosticTargets.push(...signalr.diagnosticTargets);
        outputs.signalrHost = signalr.hostName;
    }
    return { frontDoor, signalr };
}
