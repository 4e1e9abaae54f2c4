import { z } from "zod";
import { bool, int, memoryQuantity, num, pattern, stringMap, text } from "./common";

/**
 * An image reference is pinned when it names a tag other than `latest` or a digest.
 * Returns a description of the problem, or undefined when the reference is pinned.
 */
export function imagePinProblem(image: string): string | undefined {
    if (/@sha256:[a-f0-9]{64}$/.test(image)) return undefined;
    const lastSlash = image.lastIndexOf("/");
    const colon = image.indexOf(":", lastSlash + 1);
    if (colon < 0) return "has no tag or digest";
    const tag = image.slice(colon + 1);
    if (tag === "" ) return "has an empty tag";
    if (tag === "latest") return "uses the mutable tag \"latest\"";
    return undefined;
}

const pinnedImage = text("an image pinned to a tag or digest, e.g. \"bookstoreacr.azurecr.io/bookstore-api:1.4.2\"")
    .superRefine((image, ctx) => {
        const problem = imagePinProblem(image);
        if (problem) {
            ctx.addIssue({
                code: "custom",
                input: image,
                message: `expected an image pinned to a tag or digest (${problem})`,
            });
        }
    });

/** Utilisation or concurrency trigger; `null` turns the trigger off. */
const trigger = (min: number, max: number) => int(min, max).nullable();

export const ServiceSchema = z.strictObject({
    /** Container image, pinned to a tag or digest; `latest` or no tag is an error. */
    image: pinnedImage,
    /** Port the container listens on. Default 8080 (the seed's). */
    port: int(1, 65535).default(8080),
    /** HTTP path for liveness, readiness and startup probes. Default `/health`. */
    healthPath: pattern(/^\/\S*$/, "a path starting with \"/\"").default("/health"),
    /** CPU cores requested per replica (Container Apps allocation, Kubernetes request). Default 0.5. */
    cpu: num(0.05, 16).default(0.5),
    /** Memory per replica (Container Apps allocation, Kubernetes request). Default "1Gi". */
    memory: memoryQuantity.default("1Gi"),
    /** Kubernetes limits. Default: the seed's 1 core / 1Gi. Container Apps ignores limits. */
    limits: z.strictObject({
        cpu: num(0.05, 32).default(1),
        memory: memoryQuantity.default("1Gi"),
    }).default({ cpu: 1, memory: "1Gi" }),
    /** Replica floor. Seed: 2 (no cold starts, survives one instance failing). */
    minReplicas: int(1, 1000).default(2),
    /** Replica ceiling. Seed: 10 for the api. */
    maxReplicas: int(1, 1000).default(10),
    /** Scale triggers; `null` disables one. Seed: 50 concurrent requests, CPU 70 %, memory 80 %. */
    scale: z.strictObject({
        concurrentRequests: trigger(1, 10000).default(50),
        cpuUtilization: trigger(1, 100).default(70),
        memoryUtilization: trigger(1, 100).default(80),
    }).default({ concurrentRequests: 50, cpuUtilization: 70, memoryUtilization: 80 }),
    /** Plain environment variables. */
    env: stringMap("a map of environment variable names to string values").default({}),
    /** Environment variables read from Key Vault: variable name → Key Vault secret name. */
    secretEnv: z.record(
        z.string(),
        pattern(/^[0-9a-zA-Z-]{1,127}$/, "a Key Vault secret name (letters, digits, dashes)"),
    ).default({}),
    /** Ingress: external (internet-facing) or internal to the environment/cluster. */
    ingress: z.strictObject({
        external: bool().default(false),
    }).default({ external: false }),
    /** Database connections each replica's pool may open. Seed: 20. */
    dbPoolSize: int(1, 1000).default(20),
});

export type ServiceConfig = z.infer<typeof ServiceSchema>;

export const AppSchema = z.strictObject({
    /** Services by name; the seed's app has `api` (internal) and `web` (external). */
    services: z.record(
        pattern(/^[a-z][a-z0-9-]{0,23}$/, "a service name of lowercase letters, digits and dashes"),
        ServiceSchema,
        { error: "expected a map of service name to service settings" },
    ),
});

export type AppConfig = z.infer<typeof AppSchema>;
