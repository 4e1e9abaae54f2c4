/**
 * A way into the stack's private network for the checks that must run there: `doctor` (the
 * database servers have no public access) and the smoke load test (the api has no public entry;
 * docs/load-testing.md). Nothing of it is part of the stack: it is opened after `up`, closed
 * before `destroy`, and every path of the run closes it.
 *
 * - aks, eks: `kubectl port-forward` to the stack's own Services: `pgbouncer` (one database per
 *   server: `bookstore` the primary, `bookstore-replica-N` the replicas, pgbouncer.ini of
 *   components/kubernetes/pgbouncer.ts) and `api` (port 80). The kube API is reached as the
 *   deployer: AKS through `az aks get-credentials` + kubelogin, EKS through `aws eks update-kubeconfig`
 *   (its endpoint admits the runner's address, aws.eks.publicAccessCidrs).
 * - containerapps: the environment has no port-forward, so relay apps run in it (nginx: a TCP
 *   stream proxy per database server, an HTTP proxy to the api's internal ingress that sets the
 *   api's host name), each with external ingress admitting only the runner's address.
 */
import * as os from "os";
import * as path from "path";
import * as fs from "fs";
import type { DoctorTargets, ServerTarget } from "../doctor/targets";
import type { BackgroundProcess, ProcessRunner } from "../automation/processes";
import type { E2ePlatform } from "./names";

export interface Reach {
    /** The database servers, as doctor reaches them through the reach. */
    doctorTargets: DoctorTargets;
    /** The api's base URL through the reach (the smoke load test's target). */
    apiUrl: string;
    /** Ends every forward and removes every relay; safe to call twice. */
    close(): Promise<void>;
}

export interface ReachContext {
    platform: E2ePlatform;
    /** The run's suffix: relay app names carry it. */
    suffix: string;
    /** Plain stack outputs (secrets decrypted). */
    outputs: Record<string, unknown>;
    processes: ProcessRunner;
    /** containerapps: the Container Apps environment's resource id (from the stack's state). */
    environmentId?: string;
    /** containerapps: the runner's public address, the only source the relays admit. */
    runnerAddress?: string;
    /** containerapps: the relays' image. */
    relayImage?: string;
    /** Bound on each wait for a forward or relay to answer. */
    timeoutMs?: number;
    onProgress?: (line: string) => void;
}

export class ReachError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ReachError";
    }
}

/** The official nginx image (stream and http proxy modules built in); override with --relay-image. */
export const DEFAULT_RELAY_IMAGE = "docker.io/library/nginx:1.27-alpine";

const PGBOUNCER_PORT = 6432;
const API_SERVICE_PORT = 80;
/** Container Apps: a TCP app's exposed port must be unique in its environment. */
const RELAY_BASE_PORT = 15432;

function text(outputs: Record<string, unknown>, key: string): string {
    const value = outputs[key];
    if (typeof value !== "string" || value.length === 0) throw new ReachError(`stack output ${key} is missing: deploy the stack with this version first`);
    return value;
}

function readHosts(outputs: Record<string, unknown>): string[] {
    const hosts = outputs.databaseReadHosts ?? [];
    if (!Array.isArray(hosts) || hosts.some((host) => typeof host !== "string")) throw new ReachError("stack output databaseReadHosts is not a list of host names");
    return hosts as string[];
}

const credentials = (outputs: Record<string, unknown>) => ({ user: text(outputs, "databaseAdminLogin"), password: text(outputs, "databaseAdminPassword") });

async function run(processes: ProcessRunner, command: string, args: string[], what: string): Promise<string> {
    const outcome = await processes.run(command, args);
    if (outcome.exitCode !== 0) throw new ReachError(`${what} failed: ${outcome.stderr.trim().split("\n").slice(-3).join(" ")}`);
    return outcome.stdout.trim();
}

// --- aks, eks: port-forwards through the kube API ------------------------------------------

/** The commands that write a kubeconfig for the stack's cluster into `file`. */
export function kubeconfigCommands(platform: "aks" | "eks", outputs: Record<string, unknown>, file: string): [string, string[]][] {
    if (platform === "aks") {
        return [
            ["az", ["aks", "get-credentials", "--resource-group", text(outputs, "resourceGroupName"), "--name", text(outputs, "aksClusterName"), "--file", file, "--overwrite-existing", "--only-show-errors"]],
            // Entra ID clusters: kubelogin signs in with the az CLI's session (the deployer's, or the workflow's OIDC login).
            ["kubelogin", ["convert-kubeconfig", "--login", "azurecli", "--kubeconfig", file]],
        ];
    }
    return [["aws", ["eks", "update-kubeconfig", "--region", text(outputs, "region"), "--name", text(outputs, "eksClusterName"), "--kubeconfig", file]]];
}

/** `kubectl port-forward` to a Service on a free local port; resolves once kubectl says where it listens. */
export async function portForward(processes: ProcessRunner, kubeconfig: string, namespace: string, service: string, port: number, timeoutMs: number): Promise<{ port: number; process: BackgroundProcess }> {
    const process = processes.start("kubectl", ["--kubeconfig", kubeconfig, "--namespace", namespace, "port-forward", `service/${service}`, `:${port}`, "--address", "127.0.0.1"]);
    try {
        // kubectl prints "Forwarding from 127.0.0.1:<local> -> <remote>" once it listens.
        const match = await process.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) ->/, timeoutMs);
        return { port: Number(match[1]), process };
    } catch (err) {
        await process.stop();
        throw new ReachError(`kubectl port-forward to service/${service} in ${namespace}: ${(err as Error).message}`);
    }
}

/** Doctor's targets through PgBouncer: the primary's database and each replica's, TLS-free on the forwarded loopback port. */
export function pgbouncerTargets(outputs: Record<string, unknown>, port: number): DoctorTargets {
    const database = text(outputs, "databaseName");
    const target = (name: string, role: ServerTarget["role"]): ServerTarget => ({
        label: `pgbouncer/${name}`,
        role,
        pooled: true,
        // The kube API's TLS carries the forward; PgBouncer's client side has no TLS (client_tls_sslmode default).
        connection: { host: "127.0.0.1", port, database: name, ...credentials(outputs), ssl: false },
    });
    return { primary: target(database, "primary"), replicas: readHosts(outputs).map((_, i) => target(`${database}-replica-${i + 1}`, "replica")) };
}

async function kubernetesReach(context: ReachContext & { platform: "aks" | "eks" }): Promise<Reach> {
    const { processes, outputs } = context;
    const timeout = context.timeoutMs ?? 60_000;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bookstore-e2e-kube-"));
    const kubeconfig = path.join(dir, "kubeconfig");
    const forwards: BackgroundProcess[] = [];
    const close = async () => {
        await Promise.all(forwards.splice(0).map((forward) => forward.stop()));
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        for (const [command, args] of kubeconfigCommands(context.platform, outputs, kubeconfig)) await run(processes, command, args, `${command} ${args.slice(0, 2).join(" ")}`);
        const namespace = text(outputs, "kubernetesNamespace");
        const pooler = await portForward(processes, kubeconfig, namespace, "pgbouncer", PGBOUNCER_PORT, timeout);
        forwards.push(pooler.process);
        const api = await portForward(processes, kubeconfig, namespace, "api", API_SERVICE_PORT, timeout);
        forwards.push(api.process);
        context.onProgress?.(`reach: port-forwards to pgbouncer (127.0.0.1:${pooler.port}) and api (127.0.0.1:${api.port}) in ${namespace}`);
        return { doctorTargets: pgbouncerTargets(outputs, pooler.port), apiUrl: `http://127.0.0.1:${api.port}`, close };
    } catch (err) {
        await close();
        throw err;
    }
}

// --- containerapps: relay apps in the environment --------------------------------------------

export interface Relay {
    name: string;
    /** nginx.conf of the relay. */
    config: string;
    /** TCP relays: the environment-wide exposed port; HTTP relays answer on 443 of their FQDN. */
    exposedPort?: number;
}

/** The relays of a containerapps stack: one TCP relay per database server (5432), one HTTP relay to the api. */
export function containerAppsRelays(suffix: string, outputs: Record<string, unknown>): Relay[] {
    const servers = [text(outputs, "databaseWriteHost"), ...readHosts(outputs)];
    const apiHost = text(outputs, "apiHost");
    const tcp = servers.map((host, i): Relay => ({
        name: `e2e-relay-${suffix}-db${i}`,
        exposedPort: RELAY_BASE_PORT + i,
        config: `events {}\nstream {\n  server {\n    listen 5432;\n    proxy_pass ${host}:5432;\n  }\n}\n`,
    }));
    const api: Relay = {
        name: `e2e-relay-${suffix}-api`,
        // The api's internal ingress routes by host name and serves HTTPS: send its own name, in SNI too.
        config: `events {}\nhttp {\n  server {\n    listen 8080;\n    location / {\n      proxy_pass https://${apiHost};\n      proxy_set_header Host ${apiHost};\n      proxy_ssl_server_name on;\n      proxy_ssl_name ${apiHost};\n    }\n  }\n}\n`,
    };
    return [...tcp, api];
}

/** `az` arguments that create a relay app, admit only the runner, read its FQDN, and delete it. */
export function relayCommands(relay: Relay, resourceGroup: string, environmentId: string, image: string, runnerAddress: string): { create: string[]; restrict: string[]; fqdn: string[]; remove: string[] } {
    const app = ["--name", relay.name, "--resource-group", resourceGroup];
    const ingress = relay.exposedPort === undefined
        ? ["--ingress", "external", "--target-port", "8080"]
        : ["--ingress", "external", "--transport", "tcp", "--target-port", "5432", "--exposed-port", String(relay.exposedPort)];
    return {
        create: ["containerapp", "create", ...app, "--environment", environmentId, "--image", image, ...ingress,
            "--min-replicas", "1", "--max-replicas", "1", "--cpu", "0.25", "--memory", "0.5Gi",
            // The image's entrypoint templates http configs only: write nginx.conf whole, then run nginx in the foreground.
            "--env-vars", `RELAY_CONF=${relay.config}`, "--command", "/bin/sh", "--args", "-c", "printf '%s' \"$RELAY_CONF\" > /etc/nginx/nginx.conf && exec nginx -g 'daemon off;'",
            "--output", "none", "--only-show-errors"],
        restrict: ["containerapp", "ingress", "access-restriction", "set", ...app, "--rule-name", "e2e-runner", "--ip-address", `${runnerAddress}/32`, "--action", "Allow", "--output", "none", "--only-show-errors"],
        fqdn: ["containerapp", "show", ...app, "--query", "properties.configuration.ingress.fqdn", "--output", "tsv", "--only-show-errors"],
        remove: ["containerapp", "delete", ...app, "--yes", "--only-show-errors"],
    };
}

async function containerAppsReach(context: ReachContext): Promise<Reach> {
    const { processes, outputs } = context;
    if (!context.environmentId) throw new ReachError("the stack's state has no Container Apps environment");
    if (!context.runnerAddress) throw new ReachError("the runner's public address is unknown: the relays admit only it");
    const resourceGroup = text(outputs, "resourceGroupName");
    const relays = containerAppsRelays(context.suffix, outputs);
    const created: string[][] = [];
    const close = async () => {
        for (const remove of created.splice(0)) await processes.run("az", remove);
    };
    try {
        const hosts: string[] = [];
        for (const relay of relays) {
            const commands = relayCommands(relay, resourceGroup, context.environmentId, context.relayImage ?? DEFAULT_RELAY_IMAGE, context.runnerAddress);
            context.onProgress?.(`reach: relay app ${relay.name}${relay.exposedPort ? ` (TCP ${relay.exposedPort})` : " (HTTP)"}`);
            created.push(commands.remove);
            await run(processes, "az", commands.create, `az containerapp create ${relay.name}`);
            await run(processes, "az", commands.restrict, `az containerapp ingress access-restriction set ${relay.name}`);
            hosts.push(await run(processes, "az", commands.fqdn, `az containerapp show ${relay.name}`));
        }
        const database = text(outputs, "databaseName");
        const target = (i: number, role: ServerTarget["role"]): ServerTarget => ({
            label: `${relays[i].name}:${relays[i].exposedPort}`,
            role,
            // TLS end to end with the server; its certificate names the server, not the relay, so it is not verified (sslmode require).
            connection: { host: hosts[i], port: relays[i].exposedPort, database, ...credentials(outputs), ssl: { rejectUnauthorized: false } },
        });
        const dbRelays = relays.length - 1;
        return {
            doctorTargets: { primary: target(0, "primary"), replicas: Array.from({ length: dbRelays - 1 }, (_, i) => target(i + 1, "replica")) },
            apiUrl: `https://${hosts[hosts.length - 1]}`,
            close,
        };
    } catch (err) {
        await close();
        throw err;
    }
}

/** Opens the platform's reach into the stack's network. */
export function openReach(context: ReachContext): Promise<Reach> {
    return context.platform === "containerapps" ? containerAppsReach(context) : kubernetesReach(context as ReachContext & { platform: "aks" | "eks" });
}
