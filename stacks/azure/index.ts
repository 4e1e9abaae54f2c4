/**
 * The Azure platform (platform `containerapps` or `aks`) composed from validated config, tier by
 * tier, as in the README's architecture diagram; each tier is a short function in this folder.
 */
import type { StackConfig } from "../config";
import { composeApp } from "./compute";
import { composeCacheAndRealtimeWiring, composeDatabase, composePgbouncer } from "./data";
import { composeEdge } from "./edge";
import { composeEdgeLock } from "./edgeLock";
import { AzureStackOutputs, composeFoundation } from "./foundation";
import { composeOperations } from "./operations";

/**
 * Platform base (and the AKS cluster) → database → cache and real-time wiring → the edge's lock
 * (Front Door's profile, the header the AKS web route requires) → app tier (wired by all of them)
 * → PgBouncer in the app's namespace → static assets, CDN routes and SignalR → observability,
 * workbook and load testing.
 */
export function composeAzureStack(config: StackConfig): AzureStackOutputs {
    const base = composeFoundation(config);
    const database = composeDatabase(base);
    const cache = composeCacheAndRealtimeWiring(base);
    const lock = composeEdgeLock(base);
    const app = composeApp(base, lock);
    composePgbouncer(base, database, app.appTier);
    const edge = composeEdge(base, app, cache, lock);
    composeOperations(base, database, cache, app, edge);
    return base.outputs;
}
