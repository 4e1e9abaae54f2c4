/**
 * Images a workload can actually pull. A Container App pulls with the identity of a
 * `configuration.registries` entry, an AKS pod with the kubelet identity; both need AcrPull on the
 * registry, which this stack creates (its own registry, or `registry.existing`). Public images pull
 * anonymously, but only from the registries this policy's `publicRegistries` allows.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { acrLoginServer, imageHost } from "../shared/images";
import { configSchema, describe, ofType, podSpecOf, settingsOf, tokenOf, WORKLOAD_TYPES } from "../common";
import { ContainerApp, RoleAssignment } from "../types";

/** AcrPull, a built-in role: the same id in every tenant. */
const ACR_PULL_ROLE = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
const REGISTRY_SCOPE = /\/providers\/Microsoft\.ContainerRegistry\/registries\/([^/]+)$/i;

const schema = configSchema({
    publicRegistries: {
        type: "array",
        items: { type: "string" },
        default: ["mcr.microsoft.com"],
        description: "Registry hosts workloads may pull from anonymously (images without a host are Docker Hub, \"docker.io\").",
    },
});

/**
 * AWS managed policies that let an EKS node pull from the account's private ECR registries
 * (ECR User Guide, "Using Amazon ECR images with Amazon EKS": the node IAM role needs one of them).
 */
const ECR_PULL_POLICIES = /:policy\/(AmazonEC2ContainerRegistryReadOnly|AmazonEC2ContainerRegistryPullOnly)$/;
const ECR_HOST = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/;

/** ECR hosts are pullable when a role of the stack carries an ECR pull policy (the node role on eks). */
export function grantsEcrPull(resources: PolicyResource[]): boolean {
    return resources.some((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && ECR_PULL_POLICIES.test(String(r.props.policyArn ?? "")));
}

/** Login servers of the registries some identity of the stack has AcrPull on. */
export function grantedRegistries(resources: PolicyResource[]): Set<string> {
    const hosts = new Set<string>();
    for (const grant of ofType(resources, tokenOf(RoleAssignment))) {
        const assignment = grant.asType(RoleAssignment)!;
        if (!String(assignment.roleDefinitionId ?? "").toLowerCase().endsWith(`/${ACR_PULL_ROLE}`)) continue;
        const registry = REGISTRY_SCOPE.exec(String(assignment.scope ?? ""));
        if (registry) hosts.add(acrLoginServer(registry[1]));
    }
    return hosts;
}

/** The registry an image reference is pulled from; Docker Hub when it names none. */
const hostOf = (image: string) => imageHost(image) ?? "docker.io";

export const imageRegistryPullable: StackValidationPolicy = {
    name: "image-registry-pullable",
    description: "Every workload image comes from a registry the workload can pull from: one the stack grants AcrPull on "
        + "(and, for a Container App, listed in its registries), or an allowed public registry.",
    configSchema: schema,
    validateStack: (args, reportViolation) => {
        const settings = settingsOf<{ publicRegistries: string[] }>(args, schema);
        const allowed = new Set(settings.publicRegistries.map((host) => host.toLowerCase()));
        const granted = grantedRegistries(args.resources);
        const ecr = grantsEcrPull(args.resources);
        const check = (resource: PolicyResource, container: { name?: string; image?: string }, credentials?: Set<string>) => {
            if (container.image === undefined) return;
            const host = hostOf(container.image);
            if (allowed.has(host) || (ecr && ECR_HOST.test(host))) return;
            const where = `${describe(resource)} container "${container.name}" image ${JSON.stringify(container.image)}`;
            if (!granted.has(host)) {
                reportViolation(`${where}: no identity of this stack has AcrPull on ${host}, and it is not an allowed public registry (${[...allowed].join(", ") || "none"}).`, resource.urn);
            } else if (credentials && !credentials.has(host)) {
                reportViolation(`${where}: configuration.registries has no entry for ${host}, so the app pulls it without credentials.`, resource.urn);
            }
        };
        for (const resource of ofType(args.resources, tokenOf(ContainerApp))) {
            const app = resource.asType(ContainerApp)!;
            const credentials = new Set((app.configuration?.registries ?? []).map((r) => String(r.server ?? "").toLowerCase()));
            for (const container of [...(app.template?.initContainers ?? []), ...(app.template?.containers ?? [])]) check(resource, container, credentials);
        }
        for (const resource of args.resources.filter((r) => (WORKLOAD_TYPES as readonly string[]).includes(r.type))) {
            const spec = podSpecOf(resource.type, resource.props);
            for (const container of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) check(resource, container);
        }
    },
};

export const registryPolicies = [imageRegistryPullable];
