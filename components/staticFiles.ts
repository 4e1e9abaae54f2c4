/**
 * What every edge (Front Door, Cloudflare, CloudFront) treats as a static file, how long it keeps
 * one, and the path the static assets are served under: shared so the CDNs cannot disagree.
 */

/** Extensions of the files that are cached at the edge (scripts, styles, images, fonts). */
export const STATIC_FILE_EXTENSIONS = [
    "js", "mjs", "css", "map",
    "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico",
    "woff", "woff2", "ttf", "otf", "eot",
] as const;

/** How long the edge keeps a static file: one week. */
export const STATIC_EDGE_TTL_SECONDS = 7 * 24 * 60 * 60;

/** The blob container that holds the static assets; the only one readable anonymously. */
export const STATIC_CONTAINER = "static";
