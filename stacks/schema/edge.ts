import type { StackCheck } from "./checks";

/**
 * Top-level keys of the cache, CDN, real-time and observability tiers
 * (`cache`, `cdn`, `cloudflare`, `realtime`, ...), spread into the root schema.
 */
export const edgeFields = {};

/** Cross-key rules of the edge tiers. */
export const edgeChecks: StackCheck[] = [];
