/**
 * BookStore's images, built from its repository at the pinned commit with the .NET SDK's own
 * container publishing (no Dockerfile in the repository, no Docker engine needed:
 * `dotnet publish -t:PublishContainer`, Learn "Containerize a .NET app with dotnet publish"),
 * pushed to the stack's registry (ACR) or the account's (ECR), and pinned by the digest the
 * registry reports. The same steps either run (`e2e images`, `e2e run`) or print as a shell script
 * (`e2e images --print`), so what CI runs is what a person can read and run by hand.
 *
 * What BookStore needs (aalmada/BookStore 79aabad): the .NET 10 SDK (Directory.Build.props:
 * net10.0); two web projects, src/BookStore.ApiService and src/BookStore.Web (Microsoft.NET.Sdk.Web:
 * container publishing on by default since SDK 8.0.200); no Dockerfile; no global.json SDK pin.
 */
import * as path from "path";
import { importedAs, PGBOUNCER_IMAGE_SOURCE } from "../../stacks/schema/registry";
import type { ProcessRunner } from "../automation/processes";

/** The app's repository and the commit the platform pins (its contract is read from this commit). */
export const APP_SOURCE = {
    repository: "https://github.com/aalmada/BookStore.git",
    commit: "79aabad177f47a179f0eaa3ae08738ec51c591f1",
} as const;

/** The app's services, their projects and the repositories their images go to. */
export const APP_IMAGES = [
    { service: "api", project: "src/BookStore.ApiService/BookStore.ApiService.csproj", repository: "bookstore/api" },
    { service: "web", project: "src/BookStore.Web/BookStore.Web.csproj", repository: "bookstore/web" },
] as const;

/** Where the images go: the stack's ACR (name and login server after the registry step) or the account's ECR. */
export type ImageRegistry =
    | { cloud: "azure"; name: string; loginServer: string }
    | { cloud: "aws"; region: string; loginServer: string };

export interface ImageBuildOptions {
    registry: ImageRegistry;
    /** The nodes' CPU: x64 on the Azure templates' D-series, arm64 on the EKS templates' Graviton groups. */
    architecture: "x64" | "arm64";
    /** Where the app's source is checked out. */
    checkoutDir: string;
    /** Image tag; default the commit's first 7 characters. An existing tag is reused, not rebuilt (ECR tags are immutable). */
    tag?: string;
}

/** One command of the build. `${NAME}` in args and env is a value an earlier step captured. */
export interface ImageStep {
    why: string;
    command: string;
    args: string[];
    env?: Record<string, string>;
    /** Fed to stdin: a captured value (a registry password for `--password-stdin`). */
    stdin?: string;
    /** Keep the step's trimmed stdout under this name. */
    capture?: string;
    /** A failure is an answer (the image or repository is not there yet), not an error. */
    mayFail?: boolean;
    /** Skip the step when this captured value is non-empty. */
    unless?: string;
    /** The captured value is a credential: never printed. */
    secret?: boolean;
}

const ACR_TOKEN_USER = "00000000-0000-0000-0000-000000000000";

/** The variable a digest is captured in: API_DIGEST, WEB_DIGEST. */
export const digestVariable = (service: string) => `${service.toUpperCase()}_DIGEST`;

function digestQuery(registry: ImageRegistry, repository: string, tag: string): Omit<ImageStep, "why" | "capture"> {
    return registry.cloud === "azure"
        ? { command: "az", args: ["acr", "repository", "show", "--name", registry.name, "--image", `${repository}:${tag}`, "--query", "digest", "--output", "tsv"] }
        : { command: "aws", args: ["ecr", "describe-images", "--region", registry.region, "--repository-name", repository, "--image-ids", `imageTag=${tag}`,
            "--query", "imageDetails[0].imageDigest", "--output", "text"] };
}

/** ECR repositories are not created on push: describe, else create (tags immutable, scanned on push). */
function ecrRepositorySteps(region: string, repository: string): ImageStep[] {
    const variable = `REPO_${repository.replace(/[^a-z0-9]/gi, "_").toUpperCase()}`;
    return [
        { why: `is there an ECR repository ${repository}?`, command: "aws", args: ["ecr", "describe-repositories", "--region", region, "--repository-names", repository, "--query", "repositories[0].repositoryUri", "--output", "text"], capture: variable, mayFail: true },
        { why: `create the ECR repository ${repository}`, command: "aws", args: ["ecr", "create-repository", "--region", region, "--repository-name", repository,
            "--image-tag-mutability", "IMMUTABLE", "--image-scanning-configuration", "scanOnPush=true", "--output", "none"], unless: variable },
    ];
}

/** Every step of checking out, building, pushing and reading back the digests, in order. */
export function imageSteps(options: ImageBuildOptions): ImageStep[] {
    const { registry, checkoutDir } = options;
    const tag = options.tag ?? APP_SOURCE.commit.slice(0, 7);
    const git = (...args: string[]) => ["-C", checkoutDir, ...args];
    const steps: ImageStep[] = [
        { why: "an empty repository for the app's source (re-used when present)", command: "git", args: ["init", "--quiet", checkoutDir] },
        // GitHub serves a commit by its full id (uploadpack.allowReachableSHA1InWant): no branch or tag involved.
        { why: `fetch ${APP_SOURCE.commit.slice(0, 7)} of aalmada/BookStore`, command: "git", args: git("fetch", "--depth", "1", APP_SOURCE.repository, APP_SOURCE.commit) },
        { why: "check out exactly that commit", command: "git", args: git("checkout", "--quiet", "--detach", APP_SOURCE.commit) },
    ];
    if (registry.cloud === "aws") for (const image of APP_IMAGES) steps.push(...ecrRepositorySteps(registry.region, image.repository));
    steps.push(registry.cloud === "azure"
        // An ACR access token for the SDK's push (az acr login --expose-token: no Docker daemon needed).
        ? { why: `a push token for ${registry.loginServer}`, command: "az", args: ["acr", "login", "--name", registry.name, "--expose-token", "--query", "accessToken", "--output", "tsv"], capture: "REGISTRY_PASSWORD", secret: true }
        : { why: `a push password for ${registry.loginServer}`, command: "aws", args: ["ecr", "get-login-password", "--region", registry.region], capture: "REGISTRY_PASSWORD", secret: true });
    const credentials = {
        // The SDK's registry credentials when no Docker config is used (names since SDK 8.0.400; Azure/azure-dev passes the same).
        DOTNET_CONTAINER_REGISTRY_UNAME: registry.cloud === "azure" ? ACR_TOKEN_USER : "AWS",
        DOTNET_CONTAINER_REGISTRY_PWORD: "${REGISTRY_PASSWORD}",
    };
    for (const image of APP_IMAGES) {
        const digest = digestVariable(image.service);
        steps.push(
            { why: `is ${image.repository}:${tag} pushed already?`, ...digestQuery(registry, image.repository, tag), capture: digest, mayFail: true },
            {
                why: `build ${image.repository}:${tag} (linux-${options.architecture}) and push it`,
                command: "dotnet",
                args: ["publish", path.join(checkoutDir, image.project), "--configuration", "Release", "--os", "linux", "--arch", options.architecture,
                    "-t:PublishContainer", `-p:ContainerRegistry=${registry.loginServer}`, `-p:ContainerRepository=${image.repository}`, `-p:ContainerImageTag=${tag}`],
                env: credentials,
                unless: digest,
            },
            { why: `the digest of ${image.repository}:${tag}`, ...digestQuery(registry, image.repository, tag), capture: digest },
        );
    }
    if (registry.cloud === "aws") {
        // ECR has no `az acr import`: the PgBouncer image (multi-arch index) is copied registry to registry.
        const pgbouncer = importedAs(PGBOUNCER_IMAGE_SOURCE);
        const [repository, pgTag] = pgbouncer.split(":");
        steps.push(
            ...ecrRepositorySteps(registry.region, repository),
            { why: `is ${pgbouncer} in ECR already?`, ...digestQuery(registry, repository, pgTag), capture: "PGBOUNCER_DIGEST", mayFail: true },
            { why: `sign Docker in to ${registry.loginServer}`, command: "docker", args: ["login", "--username", "AWS", "--password-stdin", registry.loginServer], stdin: "${REGISTRY_PASSWORD}", unless: "PGBOUNCER_DIGEST" },
            { why: `copy ${PGBOUNCER_IMAGE_SOURCE} with all its platforms`, command: "docker", args: ["buildx", "imagetools", "create", "--tag", `${registry.loginServer}/${pgbouncer}`, PGBOUNCER_IMAGE_SOURCE], unless: "PGBOUNCER_DIGEST" },
        );
    }
    return steps;
}

const reference = (text: string) => text.replace(/\$\{([A-Z_]+)\}/g, (_, name) => `$${name}`);
const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\`])/g, "\\$1")}"`);

/** The steps as a POSIX shell script (credentials stay in variables; nothing secret is written out). */
export function imageScript(steps: ImageStep[]): string[] {
    const lines = ["set -eu"];
    for (const step of steps) {
        const env = Object.entries(step.env ?? {}).map(([key, value]) => `${key}=${quote(reference(value))} `).join("");
        let line = `${env}${step.command} ${step.args.map((arg) => quote(reference(arg))).join(" ")}`;
        if (step.stdin) line = `printf '%s' ${quote(reference(step.stdin))} | ${line}`;
        if (step.capture) line = `${step.capture}=$(${line}${step.mayFail ? " 2>/dev/null) || " + step.capture + "=" : ")"}`;
        if (step.unless) line = `[ -n "\${${step.unless}:-}" ] || ${line}`;
        lines.push(`# ${step.why}`, line);
    }
    return lines;
}

/** The images a run pins: service → `repository@digest`, relative to the registry the stack pulls from. */
export type PinnedImages = Record<string, string>;

export class ImageBuildError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ImageBuildError";
    }
}

/** Runs the steps; returns the pinned images. Stops at the first failing step, saying which and why. */
export async function buildImages(steps: ImageStep[], processes: ProcessRunner, onProgress: (line: string) => void = () => undefined, signal?: AbortSignal): Promise<PinnedImages> {
    const values = new Map<string, string>();
    const fill = (text: string) => text.replace(/\$\{([A-Z_]+)\}/g, (_, name) => values.get(name) ?? "");
    for (const step of steps) {
        if (step.unless && values.get(step.unless)) continue;
        onProgress(`images: ${step.why}`);
        const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([key, value]) => [key, fill(value)]));
        const outcome = await processes.run(step.command, step.args.map(fill), { env, input: step.stdin === undefined ? undefined : fill(step.stdin), signal });
        if (step.capture) values.set(step.capture, outcome.exitCode === 0 ? outcome.stdout.trim().replace(/^None$/, "") : "");
        if (outcome.exitCode !== 0 && !step.mayFail) {
            throw new ImageBuildError(`${step.command} ${step.args.slice(0, 3).join(" ")} failed (${step.why}): ${outcome.stderr.trim().split("\n").slice(-3).join(" ")}`);
        }
    }
    const pinned: PinnedImages = {};
    for (const image of APP_IMAGES) {
        const digest = values.get(digestVariable(image.service)) ?? "";
        if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new ImageBuildError(`the registry reported no digest for ${image.repository} (got "${digest}")`);
        pinned[image.service] = `${image.repository}@${digest}`;
    }
    return pinned;
}
