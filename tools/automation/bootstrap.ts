/**
 * First deployment of a stack. Its registry has a random name and starts empty, so the workloads
 * cannot start until their images are in it:
 *   1. `up --target` the resource group, registry, workload identity and its AcrPull grants;
 *   2. `az acr import` every `registry.imports` image (and the default PgBouncer image) into the registry (skipped when present);
 *   3. check every image named relative to the registry is there (else stop, saying what to push);
 *   4. `up` the whole stack;
 *   5. where the web Container App binds a host behind Cloudflare (below Enterprise), `up` once more: the
 *      first `up` bound it with a DNS-only CNAME (Azure validates the CNAME), this one proxies the record.
 * Re-running it is safe: step 1 changes nothing on a deployed platform, step 2 imports only what is missing.
 * An eks stack's image step (ECR repositories, copies with docker buildx) is tools/automation/bootstrapEks.ts.
 */
import * as path from "path";
import { isEksConfig, ParsedStackConfig, stackConfigFromEntries, StackConfig } from "../../stacks/config";
import { effectiveImports, importedAs } from "../../stacks/schema/registry";
import { imageHost } from "../../policy/shared/images";
import { resolveDatabase } from "../../stacks/schema/database";
import { webHostBoundOnApp } from "../../stacks/schema/edge";
import { readStackFile } from "../offline/stackFile";
import { shortStackName } from "./guard";
import { deployStack, openStack, OperationOptions, OperationResult, PROJECT_DIR } from "./index";
import type { CommandOutcome } from "./runner";

import { AzRunner, installedAz } from "./az";
import { bootstrapEksStack, type EksBootstrapOptions, type EksBootstrapResult } from "./bootstrapEks";
export { AwsCliUnavailableError, MissingEcrImagesError, WrongArchitectureError } from "./bootstrapEks";

const PLATFORM = "bookstore:platform:PlatformBase";
const DATABASE_TIER = "bookstore:database:DatabaseTier";

/** What a bootstrap of one stack does, decided from its validated config before anything runs. */
export interface BootstrapPlan {
    /** URNs of step 1: the platform's registry, the identity that pulls, and the grants. */
    targets: string[];
    /** URN of the stack's registry: its name and login server are read from the state after step 1. */
    registryUrn: string;
    /** Step 2: source image → repository:tag in the stack's registry. */
    imports: { source: string; image: string }[];
    /** Step 3: relative images the workloads pull from the stack's registry. */
    requiredImages: string[];
    /** Step 4: the primary PostgreSQL server and its read replicas (none: step 4 is skipped). */
    database: { primaryUrn: string; replicaUrns: string[] };
}

export function bootstrapPlan(project: string, stack: string, config: StackConfig): BootstrapPlan {
    const urn = (type: string, name: string) => `urn:pulumi:${shortStackName(stack)}::${project}::${type}::${name}`;
    const child = (type: string, name: string) => urn(`${PLATFORM}$${type}`, name);
    const registryUrn = child("azure-native:containerregistry:Registry", `${config.namePrefix}${config.environment}acr`);
    const targets = [
        urn("pulumi:pulumi:Stack", `${project}-${shortStackName(stack)}`),
        urn(PLATFORM, "platform"),
        child("azure-native:resources:ResourceGroup", "rg"),
        registryUrn,
        child("azure-native:managedidentity:UserAssignedIdentity", "workload-identity"),
        child("azure-native:authorization:RoleAssignment", "acr-pull"),
        ...(config.registry.existing ? [child("azure-native:authorization:RoleAssignment", "acr-pull-existing")] : []),
    ];
    const imports = effectiveImports(config).map((source) => ({ source, image: importedAs(source) }));
    const images = Object.values(config.app.services).map((svc) => svc.image);
    const pooler = config.database.pooler ?? (config.platform === "aks" ? "deployment" : "builtin");
    if (pooler === "deployment") images.push(config.database.pgbouncer.image);
    const requiredImages = [...new Set(images.filter((image) => imageHost(image) === undefined))];
    const server = (name: string) => urn(`${DATABASE_TIER}$azure-native:dbforpostgresql:Server`, name);
    const base = `${config.namePrefix}-${config.environment}-pg`;
    const replicas = resolveDatabase(config).replicas.length;
    const database = { primaryUrn: server(base), replicaUrns: Array.from({ length: replicas }, (_, i) => server(`${base}-replica-${i + 1}`)) };
    return { targets, registryUrn, imports, requiredImages, database };
}

/** The stack's validated config, read from its stack file (a ConfigError names every bad key). */
export function bootstrapConfig(stack: string, projectDir: string): { project: string; config: ParsedStackConfig } {
    const file = readStackFile(projectDir, path.join(projectDir, `Pulumi.${shortStackName(stack)}.yaml`));
    return { project: file.project, config: stackConfigFromEntries(file.config, (key) => file.secretKeys.includes(key)).config };
}

/** Images the workloads need that are neither in the registry nor imported: push them, then run bootstrap again. */
export class MissingImagesError extends Error {
    constructor(readonly registry: string, readonly loginServer: string, readonly images: string[]) {
        super([
            `The stack's registry ${loginServer} lacks ${images.length} image(s) the workloads pull; push them, then run bootstrap again:`,
            `  az acr login --name ${registry}`,
            ...images.map((image) => `  docker push ${loginServer}/${image}    # or: az acr build --registry ${registry} --image ${image} <context>`),
        ].join("\n"));
        this.name = "MissingImagesError";
    }
}

/** `az` is missing or not signed in; nothing was deployed. */
export class AzCliUnavailableError extends Error {
    constructor(detail: string) {
        super(`bootstrap needs the Azure CLI, signed in (\`az login\`, or a CI login step): ${detail || "az account show failed"}`);
        this.name = "AzCliUnavailableError";
    }
}

export interface BootstrapOptions extends EksBootstrapOptions {
    /** Runs the Azure CLI; default: the installed `az`. */
    az?: AzRunner;
}

export interface BootstrapResult {
    platform: OperationResult;
    registry: { name: string; loginServer: string };
    imported: string[];
    /** Step 4's primary server, restarted once its static parameters were set (undefined: no replicas, or they exist). */
    restartedPrimary?: { name: string; resourceGroup: string };
    stack: OperationResult;
}

type StateResource = { urn: string; outputs?: Record<string, unknown> };

async function stateResources(options: OperationOptions): Promise<StateResource[]> {
    const stack = await openStack(options);
    const state = await stack.exportStack();
    return state.deployment?.resources ?? [];
}

/** Name and resource group of a server in the state (its ARM id names the group). */
function serverFromState(resources: StateResource[], urn: string): { name: string; resourceGroup: string } {
    const server = resources.find((r) => r.urn === urn);
    const name = server?.outputs?.name;
    const group = /\/resourceGroups\/([^/]+)\//i.exec(String(server?.outputs?.id ?? ""))?.[1];
    if (typeof name !== "string" || !group) throw new Error(`bootstrap: the stack's state has no server ${urn} after the primary step`);
    return { name, resourceGroup: group };
}

/** Name and login server of the stack's registry, from the state after step 1. */
export async function registryFromState(options: OperationOptions, registryUrn: string): Promise<{ name: string; loginServer: string }> {
    const resources = await stateResources(options);
    const registry = resources.find((r) => r.urn === registryUrn);
    const name = registry?.outputs?.name;
    const loginServer = registry?.outputs?.loginServer;
    if (typeof name !== "string" || typeof loginServer !== "string") {
        throw new Error(`bootstrap: the stack's state has no registry ${registryUrn} after the platform step`);
    }
    return { name, loginServer };
}

async function az(runner: AzRunner, args: string[]): Promise<CommandOutcome> {
    return runner.run([...args, "--only-show-errors"]);
}

/** Runs the five steps (an eks stack: bootstrapEks.ts's four); stops at the first that fails (a failed `up` throws OperationFailedError). */
export async function bootstrapStack(options: BootstrapOptions): Promise<BootstrapResult | EksBootstrapResult> {
    const projectDir = options.projectDir ?? PROJECT_DIR;
    const { project, config: parsed } = bootstrapConfig(options.stack, projectDir);
    if (isEksConfig(parsed)) return bootstrapEksStack(options, project, parsed);
    const config = parsed as StackConfig;
    const plan = bootstrapPlan(project, options.stack, config);
    const say = options.onProgress ?? (() => undefined);
    const azRunner = options.az ?? installedAz;

    // Before anything changes: steps 2 and 3 need a signed-in Azure CLI.
    const account = await az(azRunner, ["account", "show", "--output", "none"]);
    if (account.exitCode !== 0) throw new AzCliUnavailableError(account.stderr.trim());

    // A host bound on the web app behind Cloudflare needs one more `up` to proxy its record (webHostBoundOnApp).
    const steps = webHostBoundOnApp(config) ? 6 : 5;
    const step = (n: number) => `bootstrap ${n}/${steps}`;
    say(`${step(1)}: platform registry, workload identity and AcrPull grants (${plan.targets.length} targets)`);
    const platform = await deployStack({ ...options, target: plan.targets });
    const registry = await registryFromState(options, plan.registryUrn);

    say(`${step(2)}: importing ${plan.imports.length} image(s) into ${registry.loginServer}`);
    const imported: string[] = [];
    /** Repositories known to be in the registry: found by a check or imported by this run. */
    const inRegistry = new Set<string>();
    const present = async (image: string) => inRegistry.has(image) || (await az(azRunner, ["acr", "repository", "show", "--name", registry.name, "--image", image, "--output", "none"])).exitCode === 0;
    for (const { source, image } of plan.imports) {
        if (await present(image)) {
            inRegistry.add(image);
            continue;
        }
        const result = await az(azRunner, ["acr", "import", "--name", registry.name, "--source", source, "--image", image]);
        if (result.exitCode !== 0) throw new Error(`bootstrap: az acr import of ${source} failed: ${result.stderr.trim()}`);
        imported.push(image);
        inRegistry.add(image);
    }

    say(`${step(3)}: checking ${plan.requiredImages.length} image(s) the workloads pull`);
    const missing: string[] = [];
    for (const image of plan.requiredImages) if (!(await present(image))) missing.push(image);
    if (missing.length > 0) throw new MissingImagesError(registry.name, registry.loginServer, missing);

    // Replicas copy the primary's parameters when they are created, and a hot standby refuses a
    // max_connections below its primary's; on a new server the static ones (shared_buffers,
    // max_connections, ...) take effect only after a restart (Learn, "Server parameters": static
    // parameters need a restart; "Read replicas": replicas inherit the primary's parameters). So on a
    // first deployment the primary is set and restarted before any replica exists.
    let restartedPrimary: BootstrapResult["restartedPrimary"];
    const known = new Set((await stateResources(options)).map((r) => r.urn));
    const { primaryUrn, replicaUrns } = plan.database;
    if (replicaUrns.length > 0 && !replicaUrns.every((urn) => known.has(urn))) {
        say(`${step(4)}: the database primary and its parameters, without its ${replicaUrns.length} replica(s), then a restart`);
        await deployStack({ ...options, target: undefined, exclude: replicaUrns });
        restartedPrimary = serverFromState(await stateResources(options), primaryUrn);
        const restart = await az(azRunner, ["postgres", "flexible-server", "restart", "--resource-group", restartedPrimary.resourceGroup, "--name", restartedPrimary.name, "--output", "none"]);
        if (restart.exitCode !== 0) throw new Error(`bootstrap: az postgres flexible-server restart of ${restartedPrimary.name} failed: ${restart.stderr.trim()}`);
    } else {
        say(`${step(4)}: the database's replicas exist already (or there are none): no primary restart`);
    }

    say(`${step(5)}: the whole stack`);
    let stack = await deployStack({ ...options, target: undefined });
    if (steps === 6) {
        say(`${step(6)}: the whole stack again, so the web host's Cloudflare record, DNS-only while Azure bound the host, is proxied`);
        stack = await deployStack({ ...options, target: undefined });
    }
    return { platform, registry, imported, restartedPrimary, stack };
}
