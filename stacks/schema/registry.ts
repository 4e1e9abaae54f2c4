import { z } from "zod";
import type { StackCheck } from "./checks";
import { pinnedImage } from "./app";
import { oneOf, pattern } from "./common";
import { parseRegistryId, REGISTRY_ID } from "../../lib/registry";
import { acrLoginServer, imageHost } from "../../policy/shared/images";

/**
 * Where workload images come from. An image is one of:
 *  - relative (`bookstore/api:1.4.2`): a repository of the stack's own registry, resolved against its
 *    login server at deploy time (the registry's name has a random suffix, so it cannot be written down);
 *  - on `registry.existing` (`contoso.azurecr.io/bookstore/api:1.4.2`): the stack grants AcrPull on it;
 *  - on a public registry listed in `registry.publicRegistries` (anonymous pull).
 * Anything else is refused: no identity of the stack could pull it.
 */

/** ARM id of a container registry; groups: subscription, resource group, registry name. */

/** A registry host name such as "mcr.microsoft.com" (no scheme, no path). */
const registryHost = pattern(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?$/, "a registry host name such as \"mcr.microsoft.com\"");

export const RegistrySchema = z.strictObject({
    sku: oneOf(["Basic", "Standard", "Premium"]).optional()
        .describe("Container registry SKU. Default: Premium in prod (zone redundancy, private link), "
            + "Standard elsewhere."),
    existing: z.strictObject({
        resourceId: pattern(REGISTRY_ID, "a registry resource id \"/subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.ContainerRegistry/registries/<name>\""),
    }).optional()
        .describe("An existing Azure Container Registry the workloads may also pull from, by ARM "
            + "resource id. The stack creates the AcrPull grants on it (workload identity; on aks "
            + "the kubelet identity), so the deployer needs a role that may write role "
            + "assignments on that registry (Owner, User Access Administrator or Role Based "
            + "Access Control Administrator)."),
    imports: z.array(pinnedImage("ghcr.io/cloudnative-pg/pgbouncer:1.25.2").refine((image) => imageHost(image) !== undefined,
        { error: "expected an image with its registry host, e.g. \"ghcr.io/cloudnative-pg/pgbouncer:1.25.2\"" }),
    { error: "expected a list of images" }).default([])
        .describe("Images `bookstore-infra bootstrap` copies into the stack's registry with `az acr "
            + "import` (e.g. \"ghcr.io/cloudnative-pg/pgbouncer:1.25.2\", then named "
            + "\"cloudnative-pg/pgbouncer:1.25.2\"): the workloads then pull a copy the stack "
            + "controls instead of a public registry."),
    publicRegistries: z.array(registryHost, { error: "expected a list of registry host names" }).default([])
        .describe("Public registries (anonymous pull) images may name. Default: none."),
});
export type RegistryConfig = z.infer<typeof RegistrySchema>;

export type ImageSource =
    | { kind: "stack"; repository: string }
    | { kind: "existing"; host: string }
    | { kind: "public"; host: string };

/** Where an image is pulled from, or a problem saying why no identity of the stack could pull it. */
export function imageSource(image: string, registry: Pick<RegistryConfig, "existing" | "publicRegistries">): ImageSource | { problem: string } {
    const host = imageHost(image);
    if (host === undefined) return { kind: "stack", repository: image };
    const existing = registry.existing ? acrLoginServer(parseRegistryId(registry.existing.resourceId).name) : undefined;
    if (host === existing) return { kind: "existing", host };
    if (registry.publicRegistries.map((h) => h.toLowerCase()).includes(host)) return { kind: "public", host };
    const hint = host.endsWith(".azurecr.io")
        ? "name the image relative to the stack's registry (e.g. \"bookstore/api:1.4.2\"), or set registry.existing to that registry's resource id"
        : "name the image relative to the stack's registry (e.g. \"bookstore/api:1.4.2\", after `az acr import`), or add the host to registry.publicRegistries";
    return { problem: `expected an image the stack can pull: ${host} is neither the stack's registry, registry.existing nor in registry.publicRegistries (${hint})` };
}

/** The repository an imported image lands in: the reference without its registry host. */
export function importedAs(source: string): string {
    return source.slice(source.indexOf("/") + 1);
}

/** Where the default PgBouncer image comes from: bootstrap imports it into the stack's registry. */
export const PGBOUNCER_IMAGE_SOURCE = "ghcr.io/cloudnative-pg/pgbouncer:1.25.2";

/**
 * The images bootstrap imports: `registry.imports`, plus CloudNativePG's PgBouncer when the
 * PgBouncer Deployment runs the default image (its copy in the stack's registry).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function effectiveImports(config: any): string[] {
    const imports: string[] = [...config.registry.imports];
    const pgbouncer = imagesOf(config).find(([path]) => path[0] === "database")?.[1];
    if (pgbouncer === importedAs(PGBOUNCER_IMAGE_SOURCE) && !imports.some((source) => importedAs(source) === pgbouncer)) imports.push(PGBOUNCER_IMAGE_SOURCE);
    return imports;
}

/** Every image the stack deploys, by config key path. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function imagesOf(config: any): [(string | number)[], string][] {
    const images: [(string | number)[], string][] = Object.entries(config.app.services as Record<string, { image: string }>)
        .map(([name, svc]) => [["app", "services", name, "image"], svc.image]);
    // The PgBouncer Deployment (pooler "deployment", the default on aks) is a workload too.
    const pooler = config.database?.pooler ?? (config.platform === "aks" ? "deployment" : "builtin");
    if (config.platform !== "eks" && pooler === "deployment" && config.database?.pgbouncer?.image) {
        images.push([["database", "pgbouncer", "image"], config.database.pgbouncer.image]);
    }
    // On eks the PgBouncer Deployment is configured under aws.database and pulls from the account's ECR.
    if (config.platform === "eks" && config.aws?.database?.pgbouncer?.image) {
        images.push([["aws", "database", "pgbouncer", "image"], config.aws.database.pgbouncer.image]);
    }
    return images;
}

/** Every workload image must come from a registry the workload can pull from. */
export const registryChecks: StackCheck[] = [
    (config, report) => {
        for (const [path, image] of imagesOf(config)) {
            const source = imageSource(image, config.registry);
            if ("problem" in source) report(path, source.problem, image);
        }
    },
];
