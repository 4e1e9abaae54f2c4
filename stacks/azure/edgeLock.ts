/**
 * Edge-only access to the AKS web entry, at layer 7: the web HTTPRoute matches only requests that
 * carry the header the edge in front adds (Front Door's `X-Azure-FDID`, or a secret header
 * Cloudflare sets), so a request that reaches the Gateway's public frontend directly gets a 404.
 * Created before the app tier, which writes the route.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { FRONT_DOOR_ID_HEADER, FrontDoorCdn } from "../../components/azure/frontDoor";
import { CLOUDFLARE_ORIGIN_HEADER } from "../../components/cloudflare/cloudflareRules";
import type { EdgeHeader } from "../../components/kubernetes/webGateway";
import type { StackConfig } from "../config";
import { aksWebEdge } from "../schema/edge";
import type { AzureFoundation } from "./foundation";

export interface AzureEdgeLock {
    /** The Front Door component (`cdn: frontdoor`), its profile created here; composeEdge adds its routes. */
    frontDoor?: FrontDoorCdn;
    /** The header the AKS web HTTPRoute requires; the Cloudflare edge sets it when it is Cloudflare's. */
    webEdgeHeader?: EdgeHeader;
}

/**
 * Which edge's header the AKS web route requires: the edge that fronts the web app (Front Door's
 * web route, or Cloudflare), or none when browsers reach the Gateway directly (or on containerapps).
 */
export function lockedWebEdge(config: StackConfig): "frontdoor" | "cloudflare" | undefined {
    if (config.platform !== "aks") return undefined;
    const edge = aksWebEdge(config);
    if (edge === "cloudflare" && !(config.cloudflare && config.cloudflareApiToken)) return undefined;
    return edge === "direct" ? undefined : edge;
}

/** The Front Door profile (when `cdn` is frontdoor) and the header the AKS web route requires. */
export function composeEdgeLock(base: AzureFoundation): AzureEdgeLock {
    const { config, platform, tags } = base;
    const frontDoor = config.cdn === "frontdoor"
        ? new FrontDoorCdn("frontdoor", { resourceGroupName: platform.resourceGroupName, profileName: `${base.baseName}-fd`, tags })
        : undefined;
    const edge = lockedWebEdge(config);
    if (edge === "frontdoor" && frontDoor) {
        return { frontDoor, webEdgeHeader: { name: FRONT_DOOR_ID_HEADER, value: frontDoor.frontDoorId } };
    }
    if (edge === "cloudflare") {
        // Letters and digits only: a header value the Rules language and Gateway API both take verbatim.
        const secret = new random.RandomPassword("cloudflare-origin-header-value", { length: 48, special: false });
        return { frontDoor, webEdgeHeader: { name: CLOUDFLARE_ORIGIN_HEADER, value: pulumi.secret(secret.result) } };
    }
    return { frontDoor };
}
