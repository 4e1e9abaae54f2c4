import type { PolicyConfigSchema, PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import type { Unwrap } from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";

/**
 * A resource class as far as @pulumi/policy's type filters need it: the SDK matches
 * `validateResourceOfType`, `isType` and `asType` on the class's `__pulumiType` token only.
 * Importing the provider SDKs as types keeps the props typed against the real `.d.ts` files
 * while the pack loads no provider SDK at run time (the runtime's type check still reads their
 * `.d.ts` files, so they are the pack's dependencies: see policy/README.md).
 */
export function resourceType<C>(token: string): C {
    return { __pulumiType: token } as unknown as C;
}

/** The type token of a class made by {@link resourceType}. */
export function tokenOf(resourceClass: unknown): string {
    return (resourceClass as { __pulumiType: string }).__pulumiType;
}

/** A policy's config schema with every property's default, as `--policy-pack-config` takes it. */
export function configSchema(properties: Record<string, PolicyConfigJSONSchema>): PolicyConfigSchema {
    return { properties };
}

/**
 * The policy's effective settings: the schema's defaults overlaid with `getConfig()`. The CLI
 * validates the config file against the schema; the defaults apply whether or not it fills them in.
 */
export function settingsOf<T extends object>(
    args: Pick<ResourceValidationArgs | StackValidationArgs, "getConfig">,
    schema: PolicyConfigSchema,
): T {
    const defaults: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(schema.properties)) {
        if (property.default !== undefined) defaults[key] = property.default;
    }
    return { ...defaults, ...args.getConfig<Partial<T>>() } as T;
}

/** Environment classes a policy applies to, matched against each resource's environment. */
export interface Scoped {
    environments: string[];
}

/** The `environments` config property: production-only policies default to `["prod"]`. */
export function environmentsProperty(defaults: string[]): PolicyConfigJSONSchema {
    return {
        type: "array",
        items: { type: "string" },
        default: defaults,
        description: "Environment classes (the `environment` tag of Azure resources, the `environment` label of "
            + "Kubernetes objects) this policy applies to; \"*\" means every environment. A resource without "
            + "an environment is always checked.",
    };
}

/**
 * The environment class a resource belongs to: Azure resources carry it as the `environment`
 * tag, Kubernetes objects as the `environment` label. Reading it may throw the SDK's
 * UnknownValueError during preview, which the analyzer reports as "can't run ... during preview".
 */
export function environmentOf(props: Record<string, any>): string | undefined {
    const tags = props.tags;
    if (tags && typeof tags.environment === "string") return tags.environment;
    const labels = props.metadata?.labels;
    if (labels && typeof labels.environment === "string") return labels.environment;
    return undefined;
}

/** Whether a policy scoped to `scope.environments` applies to a resource with these props. */
export function inScope(scope: Scoped, props: Record<string, any>): boolean {
    if (scope.environments.includes("*")) return true;
    const environment = environmentOf(props);
    return environment === undefined || scope.environments.includes(environment);
}

/** A short name of a resource for messages: its type's last segment and its logical name. */
export function describe(resource: Pick<PolicyResource, "type" | "name">): string {
    return `${resource.type.split(":").pop()} "${resource.name}"`;
}

export type PodSpec = Unwrap<k8s.types.input.core.v1.PodSpec>;

/** Kubernetes workload kinds whose pod template the workload policies inspect. */
export const WORKLOAD_TYPES = [
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1:ReplicaSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:batch/v1:CronJob",
    "kubernetes:core/v1:Pod",
] as const;

/** Long-running workloads: the ones that serve traffic and need probes. */
export const SERVING_WORKLOAD_TYPES = [
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
];

/** The pod spec of a Kubernetes workload's props, or undefined for other types. */
export function podSpecOf(type: string, props: Record<string, any>): PodSpec | undefined {
    if (!(WORKLOAD_TYPES as readonly string[]).includes(type)) return undefined;
    if (type === "kubernetes:core/v1:Pod") return props.spec;
    if (type === "kubernetes:batch/v1:CronJob") return props.spec?.jobTemplate?.spec?.template?.spec;
    return props.spec?.template?.spec;
}

/** Guards a resource validation to the given types, reporting the others as not applicable. */
export function onlyTypes(args: ResourceValidationArgs, types: readonly string[]): void {
    if (!types.includes(args.type)) args.notApplicable(`Policy only applies to resources of types ${types.join(", ")}`);
}

/** The resources of a stack of one type token. */
export function ofType(resources: PolicyResource[], token: string): PolicyResource[] {
    return resources.filter((r) => r.type === token);
}

/** The last segment of an ARM id (the resource's own name). */
export function armName(id: string): string {
    return id.split("/").filter(Boolean).pop() ?? "";
}

/** Compares TLS versions written "1.2", "TLS1_2" or "TLS1.2". */
export function tlsAtLeast(version: string | undefined, minimum: string): boolean {
    const number = (v: string) => Number(v.replace(/^tls/i, "").replace("_", "."));
    return version !== undefined && number(version) >= number(minimum);
}
