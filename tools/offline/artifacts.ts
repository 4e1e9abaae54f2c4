/**
 * Plan section `artifacts`: every image a workload pulls exists by the time it is deployed. An
 * image must resolve to a registry the stack itself creates (an ACR, or an ECR repository) and
 * that the image step (`bookstore-infra bootstrap`) fills, or to a public registry the config
 * allows (`registry.publicRegistries`) and the nodes can reach. Otherwise the pods sit in
 * ImagePullBackOff and the first `up` times out on the workload's rollout: at 12753a4 every eks
 * workload pointed at ECR repositories nothing created.
 */
import { imageHost } from "../../policy/shared/images";
import type { ParsedStackConfig } from "../../stacks/config";
import { imageSource, repositoryOf, stackRegistryImages } from "../../stacks/schema/registry";
import type { CapturedResource } from "./capture";
import { plain } from "./specRules";
import { stackConfigOf } from "./stackFile";
import type { PlanSection } from "./types";

const POD_TEMPLATES: Record<string, string[]> = {
    "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
    "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
    "azure-native:app:ContainerApp": ["template"],
    "azure-native:app:Job": ["template"],
};

const ECR_HOST = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/;

/** Every image a workload of the plan pulls (known during preview), with the workload. */
export function workloadImages(resources: CapturedResource[]): { urn: string; image: string }[] {
    const images: { urn: string; image: string }[] = [];
    for (const resource of resources) {
        const templatePath = POD_TEMPLATES[resource.type];
        if (!templatePath) continue;
        let node: unknown = resource.wireInputs;
        for (const key of templatePath) node = (plain(node) as Record<string, unknown> | undefined)?.[key];
        const spec = (plain(node) ?? {}) as Record<string, unknown>;
        for (const list of ["initContainers", "containers"]) {
            for (const container of (plain(spec[list]) as unknown[] | undefined) ?? []) {
                const image = plain((plain(container) as { image?: unknown } | undefined)?.image);
                if (typeof image === "string") images.push({ urn: resource.urn, image });
            }
        }
    }
    return images;
}

/** Where each image comes from, and why any of them could not be pulled on the first `up`. */
export function artifactProblems(resources: CapturedResource[], config: ParsedStackConfig): { images: { urn: string; image: string; from: string }[]; problems: string[] } {
    const filled = new Set(stackRegistryImages(config).map(({ image }) => image));
    const ecrRepositories = new Set(resources.filter((r) => r.type === "aws:ecr/repository:Repository").map((r) => plain(r.wireInputs.name)).filter((n): n is string => typeof n === "string"));
    const acrServers = new Set(resources.filter((r) => r.type === "azure-native:containerregistry:Registry").map((r) => plain(r.wireState.loginServer)).filter((s): s is string => typeof s === "string"));
    // On AWS the nodes leave the VPC through NAT gateways; without one no public registry is reachable.
    const egress = !resources.some((r) => r.type === "aws:eks/cluster:Cluster") || resources.some((r) => r.type === "aws:ec2/natGateway:NatGateway");
    const images: { urn: string; image: string; from: string }[] = [];
    const problems: string[] = [];
    for (const { urn, image } of workloadImages(resources)) {
        const host = imageHost(image);
        const path = host === undefined ? image : image.slice(image.indexOf("/") + 1);
        const stepFills = (relative: string) => filled.has(relative)
            ? undefined
            : `${urn}: ${image} is in the stack's registry, but the image step (bookstore-infra bootstrap) neither copies nor checks ${relative}`;
        let from: string;
        let problem: string | undefined;
        if (host !== undefined && ECR_HOST.test(host)) {
            const repository = repositoryOf(path);
            const namespace = repository.split("/")[0];
            from = `ECR repository ${repository}`;
            problem = !ecrRepositories.has(repository)
                ? `${urn}: ${image} names ECR repository ${repository}, which the stack does not create (no aws:ecr/repository:Repository of that name)`
                : stepFills(path.slice(namespace.length + 1));
        } else if (host !== undefined && acrServers.has(host)) {
            from = `the stack's registry ${host}`;
            problem = stepFills(path);
        } else {
            const source = host === undefined ? undefined : imageSource(image, config.registry);
            if (source && "kind" in source && source.kind === "existing") {
                from = `existing registry ${host} (AcrPull granted by the stack)`;
            } else if (source && "kind" in source && source.kind === "public") {
                from = `public registry ${host}`;
                problem = egress ? undefined : `${urn}: ${image} is on public registry ${host}, but the nodes have no route to the internet (no NAT gateway)`;
            } else {
                from = host ?? "no registry";
                problem = `${urn}: ${image} resolves to ${host ?? "no registry host"}: neither a registry the stack creates and the image step fills, nor a public registry in registry.publicRegistries`;
            }
        }
        images.push({ urn, image, from });
        if (problem) problems.push(problem);
    }
    return { images, problems };
}

export const artifactsSection: PlanSection = ({ document, run, options }) => {
    const { images, problems } = artifactProblems(run.resources, stackConfigOf(options));
    document.artifacts = { images, problems };
    if (problems.length === 0) return 0;
    // Printed even with --quiet: the plan fails because of these.
    console.error("Images no registry of the stack will hold (their pods would never start):");
    for (const problem of problems) console.error(`  - ${problem}`);
    return 1;
};
