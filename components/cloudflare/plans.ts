/** Cloudflare plans; only `enterprise` may use Enterprise-only features (the origin Host header override). */
export const CLOUDFLARE_PLANS = ["free", "pro", "business", "enterprise"] as const;
export type CloudflarePlan = typeof CLOUDFLARE_PLANS[number];
