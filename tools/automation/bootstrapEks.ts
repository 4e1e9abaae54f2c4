/**
 * First deployment of an eks stack. Its workloads pull from the stack's own ECR repositories,
 * which the stack creates and which start empty:
 *   1. `up --target` the repositories (component `registry`, stacks/aws/compute.ts);
 *   2. copy every image the config imports (`registry.imports`, CloudNativePG's PgBouncer by
 *      default) from its public registry, all platforms (`docker buildx imagetools create`), unless present;
 *   3. check every image the workloads name relative to the registry is there, and that an image
 *      index offers the nodes' architecture (arm64: Graviton node groups); else stop, saying what to push;
 *   4. `up` the whole stack.
 * Re-running it is safe: step 1 changes nothing on a deployed stack, step 2 copies only what is
 * missing (tags are immutable, so a present tag is never overwritten).
 */
import { ecrRepositoryName, ecrRepositoryResourceName, NODE_ARCHITECTURE, REGISTRY_COMPONENT, REGISTRY_TYPE } from "../../components/aws/registryNames";
import type { EksStackConfig } from "../../stacks/config";
import { repositoryOf, stackRegistryImages } from "../../stacks/schema/registry";
import { localProcesses, type ProcessRunner } from "./processes";
import { shortStackName } from "./guard";
import type { Confirmation } from "./guard";
import { deployStack, OperationOptions, OperationResult, PolicyOptions } from "./index";

export interface EksBootstrapOptions extends OperationOptions, PolicyOptions, Confirmation {
    /** Runs the AWS CLI v2 and Docker with buildx (the image step); default: the installed ones. */
    processes?: ProcessRunner;
}

/** Media types ECR returns a manifest in: image indexes (multi-platform) and single images. */
const MANIFEST_TYPES = [
    "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
];

export interface EcrImage {
    /** As the config names it, relative to the stack's registry ("bookstore/api:1.0.0"). */
    image: string;
    /** The ECR repository: the stack's namespace and the image's repository. */
    repository: string;
    /** `imageTag=<tag>` or `imageDigest=<digest>`, as the ECR CLI takes an image id. */
    imageId: string;
    /** The public image it is copied from; none when it must be pushed. */
    source?: string;
}

/** What a bootstrap of an eks stack does, decided from its validated config before anything runs. */
export interface EksBootstrapPlan {
    /** URNs of step 1: the stack, the primary region's provider, the registry component and its repositories. */
    targets: string[];
    region: string;
    namespace: string;
    images: EcrImage[];
}

/** The ECR CLI's image id of a reference: its digest when pinned by one, else its tag. */
function imageIdOf(image: string): string {
    const at = image.indexOf("@");
    if (at >= 0) return `imageDigest=${image.slice(at + 1)}`;
    return `imageTag=${image.slice(image.lastIndexOf(":") + 1)}`;
}

export function eksBootstrapPlan(project: string, stack: string, config: EksStackConfig): EksBootstrapPlan {
    const urn = (type: string, name: string) => `urn:pulumi:${shortStackName(stack)}::${project}::${type}::${name}`;
    const namespace = `${config.namePrefix}-${config.environment}`;
    const images = stackRegistryImages(config).map(({ image, source }) => ({
        image, repository: ecrRepositoryName(namespace, repositoryOf(image)), imageId: imageIdOf(image), ...(source ? { source } : {}),
    }));
    const component = REGISTRY_TYPE;
    return {
        targets: [
            urn("pulumi:pulumi:Stack", `${project}-${shortStackName(stack)}`),
            urn("pulumi:providers:aws", "aws-primary"),
            urn(component, REGISTRY_COMPONENT),
            ...[...new Set(images.map((i) => repositoryOf(i.image)))].map((repository) => urn(`${component}$aws:ecr/repository:Repository`, ecrRepositoryResourceName(REGISTRY_COMPONENT, repository))),
        ],
        region: config.aws.region,
        namespace,
        images,
    };
}

/** `aws` is missing or not signed in; nothing was deployed. */
export class AwsCliUnavailableError extends Error {
    constructor(detail: string) {
        super(`bootstrap needs the AWS CLI v2, signed in to the stack's account (\`aws configure sso\`, or a CI role): ${detail || "aws sts get-caller-identity failed"}`);
        this.name = "AwsCliUnavailableError";
    }
}

/** Images the workloads need that the stack's repositories lack: push them, then run bootstrap again. */
export class MissingEcrImagesError extends Error {
    constructor(readonly registry: string, readonly region: string, readonly images: string[]) {
        super([
            `The stack's ECR repositories (${registry}) lack ${images.length} image(s) the workloads pull; push them (for linux/${NODE_ARCHITECTURE}: the nodes are Graviton), then run bootstrap again:`,
            `  aws ecr get-login-password --region ${region} | docker login --username AWS --password-stdin ${registry.split("/")[0]}`,
            ...images.map((image) => `  docker buildx build --platform linux/${NODE_ARCHITECTURE} --tag ${registry}/${image} --push <context>`),
        ].join("\n"));
        this.name = "MissingEcrImagesError";
    }
}

/** Images whose index offers no build for the nodes' architecture: their pods would never start. */
export class WrongArchitectureError extends Error {
    constructor(readonly images: { image: string; platforms: string[] }[]) {
        super([
            `${images.length} image(s) have no linux/${NODE_ARCHITECTURE} build, the architecture of the stack's nodes (Graviton):`,
            ...images.map(({ image, platforms }) => `  ${image}: ${platforms.join(", ") || "no platform listed"}`),
        ].join("\n"));
        this.name = "WrongArchitectureError";
    }
}

export interface EksBootstrapResult {
    registry: string;
    copied: string[];
    stack: OperationResult;
}

/** Runs the four steps; stops at the first that fails (a failed `up` throws OperationFailedError). */
export async function bootstrapEksStack(options: EksBootstrapOptions, project: string, config: EksStackConfig): Promise<EksBootstrapResult> {
    const plan = eksBootstrapPlan(project, options.stack, config);
    const say = options.onProgress ?? (() => undefined);
    const processes = options.processes ?? localProcesses;
    const aws = (args: string[]) => processes.run("aws", args);
    const docker = (args: string[], input?: string) => processes.run("docker", args, { input });
    const region = ["--region", plan.region];

    // Before anything changes: the copies and checks need a signed-in AWS CLI, in the stack's account.
    const identity = await aws(["sts", "get-caller-identity", "--output", "json"]);
    if (identity.exitCode !== 0) throw new AwsCliUnavailableError(identity.stderr.trim());
    const account = String((JSON.parse(identity.stdout) as { Account?: string }).Account ?? "");
    const host = `${account}.dkr.ecr.${plan.region}.amazonaws.com`;
    const registry = `${host}/${plan.namespace}`;

    const repositories = plan.targets.length - 3;
    say(`bootstrap 1/4: the stack's ${repositories} ECR repositories (${plan.targets.length} targets)`);
    await deployStack({ ...options, target: plan.targets });

    const copies = plan.images.filter((i) => i.source);
    say(`bootstrap 2/4: copying ${copies.length} image(s) into ${registry}`);
    const present = new Set<string>();
    const isPresent = async (i: EcrImage) => present.has(i.image)
        || (await aws(["ecr", "describe-images", ...region, "--repository-name", i.repository, "--image-ids", i.imageId, "--output", "json"])).exitCode === 0;
    const copied: string[] = [];
    let signedIn = false;
    for (const i of copies) {
        if (await isPresent(i)) {
            present.add(i.image);
            continue;
        }
        if (!signedIn) {
            const password = await aws(["ecr", "get-login-password", ...region]);
            if (password.exitCode !== 0) throw new Error(`bootstrap: aws ecr get-login-password failed: ${password.stderr.trim()}`);
            const login = await docker(["login", "--username", "AWS", "--password-stdin", host], password.stdout.trim());
            if (login.exitCode !== 0) throw new Error(`bootstrap: docker login to ${host} failed: ${login.stderr.trim()}`);
            signedIn = true;
        }
        // Registry to registry, every platform of the source's index (a `docker pull` would copy the runner's one).
        const copy = await docker(["buildx", "imagetools", "create", "--tag", `${registry}/${i.image}`, i.source!]);
        if (copy.exitCode !== 0) throw new Error(`bootstrap: copying ${i.source} to ${registry}/${i.image} failed: ${copy.stderr.trim()}`);
        copied.push(i.image);
        present.add(i.image);
    }

    say(`bootstrap 3/4: checking ${plan.images.length} image(s) the workloads pull, and their architecture`);
    const missing: string[] = [];
    for (const i of plan.images) if (!(await isPresent(i))) missing.push(i.image);
    if (missing.length > 0) throw new MissingEcrImagesError(registry, plan.region, missing);
    const wrong: { image: string; platforms: string[] }[] = [];
    for (const i of plan.images) {
        const got = await aws(["ecr", "batch-get-image", ...region, "--repository-name", i.repository, "--image-ids", i.imageId,
            "--accepted-media-types", ...MANIFEST_TYPES, "--output", "json"]);
        if (got.exitCode !== 0) throw new Error(`bootstrap: aws ecr batch-get-image of ${i.repository} failed: ${got.stderr.trim()}`);
        const manifest = JSON.parse((JSON.parse(got.stdout) as { images: { imageManifest: string }[] }).images[0].imageManifest) as { manifests?: { platform?: { os?: string; architecture?: string } }[] };
        if (!manifest.manifests) {
            say(`  ${i.image}: a single-platform image; make sure it was built for linux/${NODE_ARCHITECTURE}`);
            continue;
        }
        const platforms = manifest.manifests.map((m) => `${m.platform?.os ?? "?"}/${m.platform?.architecture ?? "?"}`).filter((p) => p !== "unknown/unknown");
        if (!platforms.includes(`linux/${NODE_ARCHITECTURE}`)) wrong.push({ image: i.image, platforms });
    }
    if (wrong.length > 0) throw new WrongArchitectureError(wrong);

    say("bootstrap 4/4: the whole stack");
    const stack = await deployStack({ ...options, target: undefined });
    return { registry, copied, stack };
}
