/**
 * Names the eks stack's images live under, pure (no Pulumi): the registry component, its ECR
 * repositories and the architecture their images must be built for. The component and the image
 * step (tools/automation/bootstrapEks.ts, which targets the repositories by URN) share them.
 */

/** The component's type token and the logical name the eks stack gives it. */
export const REGISTRY_TYPE = "bookstore:aws:ContainerRegistry";
export const REGISTRY_COMPONENT = "registry";

/** The CPU architecture of every node group (Graviton; one architecture per group). */
export const NODE_ARCHITECTURE: "arm64" | "amd64" = "arm64";

/** An ECR repository's name: the stack's namespace and the image's repository path. */
export const ecrRepositoryName = (namespace: string, repository: string) => `${namespace}/${repository}`;

/** The logical name of a repository's resource ("bookstore/api" → "registry-bookstore-api"). */
export const ecrRepositoryResourceName = (component: string, repository: string) => `${component}-${repository.replace(/[^a-z0-9]+/g, "-")}`;
