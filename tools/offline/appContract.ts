/**
 * Plan section `appContract`: reads the planned workloads (Container Apps, Kubernetes Deployments)
 * as the runtime would start them, with every secret reference followed to the Key Vault secret or
 * Kubernetes Secret it names, and checks each entry of the app's contract
 * (components/appContract.ts) against them and against the planned data resources. A stack that
 * misses an entry fails the plan (exit 4) naming the entry, the service and the app file it comes
 * from. The rendered environment goes into the plan's JSON with passwords masked: the rehearsal
 * test (test/rehearsal/) starts a stand-in app with it against real servers.
 */
import {
    APP_CONTRACT, APP_RESOURCE_NAMES, APP_SOURCE, APP_ROLES, cite, type AppRole, type ContractEntry,
} from "../../components/appContract";
import { appRole } from "../../components/contracts";
import type { CapturedResource } from "./capture";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "./capture";
import { stackConfigOf } from "./stackFile";
import { EXIT, type PlanSection } from "./types";

/**
 * What the Container Apps environment's managed OpenTelemetry agent injects into every app when it
 * has a destination (Learn, "Collect and read OpenTelemetry data in Azure Container Apps",
 * Environment variables: the endpoint shown there, and "The managed agent only supports grpc").
 */
export const CONTAINER_APPS_OTEL_AGENT = { endpoint: "http://otel.service.k8se-apps:4317/", protocol: "grpc" } as const;

/**
 * Entries a platform cannot meet with the app as published, each a documented decision: the plan
 * prints it on every plan of that platform instead of failing.
 */
export const CONTRACT_DEVIATIONS: readonly { platform: "eks"; entries: readonly string[]; reason: string; doc: string }[] = [{
    platform: "eks",
    entries: ["blobs", "blob-container"],
    reason: "the app's blob client speaks only the Azure Blob API; AWS gets a private S3 bucket and the app needs an S3 implementation to use it",
    doc: "docs/running-bookstore.md#blobs-on-aws",
}];

/** One environment variable as the container receives it. */
export interface RenderedVar {
    /** The value; undefined when the plan cannot know it (a value computed at deploy time). */
    value?: string;
    secret: boolean;
    /** Where it comes from: "env", "Key Vault secret <name>", "Secret <name>/<key>", "downward API", "injected by …". */
    from: string;
}

export interface RenderedProbe {
    path: string;
    port?: number;
}

/** One service of the app as the plan would start it. */
export interface RenderedWorkload {
    service: string;
    role: AppRole;
    /** `Container App <name>` or `Deployment <namespace>/<name>`. */
    workload: string;
    env: Record<string, RenderedVar>;
    probes: Partial<Record<"liveness" | "readiness" | "startup", RenderedProbe>>;
    /** The port the ingress or Service sends traffic to. */
    trafficPort?: number;
}

export interface ContractViolation {
    entry: string;
    service?: string;
    message: string;
}

// --- wire values ------------------------------------------------------------------------------

interface Revealed { value: unknown; secret: boolean }

/** A wire value with secrets unwrapped (and noted) and unknowns as undefined. */
function reveal(value: unknown): Revealed {
    if (value === UNKNOWN) return { value: undefined, secret: false };
    if (Array.isArray(value)) {
        const items = value.map(reveal);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SIG_KEY] === SECRET_SIG) return { value: reveal(obj.value).value, secret: true };
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) {
            const r = reveal(v);
            secret ||= r.secret;
            out[k] = r.value;
        }
        return { value: out, secret };
    }
    return { value, secret: false };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const inputsOf = (r: CapturedResource): any => reveal(r.wireInputs).value;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const stateOf = (r: CapturedResource): any => reveal(r.wireState).value;
const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);

// --- rendering --------------------------------------------------------------------------------

/** Key Vault secrets by their versionless URI, lower-cased. */
function vaultSecrets(resources: CapturedResource[]): Map<string, { name: string; value: Revealed }> {
    const map = new Map<string, { name: string; value: Revealed }>();
    for (const r of resources.filter((x) => x.type === "azure-native:keyvault:Secret")) {
        const inputs = inputsOf(r);
        const properties = (r.wireInputs.properties ?? {}) as Record<string, unknown>;
        const uri = `https://${inputs.vaultName}.vault.azure.net/secrets/${inputs.secretName}`.toLowerCase();
        map.set(uri, { name: String(inputs.secretName), value: reveal(properties.value) });
    }
    return map;
}

const versionless = (uri: string) => uri.toLowerCase().replace(/\/$/, "").replace(/(\/secrets\/[^/]+)\/[0-9a-f]{32}$/, "$1");

function renderContainerApp(app: CapturedResource, resources: CapturedResource[]): Omit<RenderedWorkload, "service" | "role"> {
    const inputs = inputsOf(app);
    const container = inputs.template?.containers?.[0] ?? {};
    const secrets = new Map<string, { value?: Revealed; keyVaultUrl?: string }>();
    for (const [i, s] of ((inputs.configuration?.secrets ?? []) as Record<string, unknown>[]).entries()) {
        const wire = ((app.wireInputs.configuration as Record<string, unknown>)?.secrets as unknown[])?.[i] as Record<string, unknown> | undefined;
        secrets.set(String(s.name), s.keyVaultUrl ? { keyVaultUrl: String(s.keyVaultUrl) } : { value: reveal(wire?.value) });
    }
    const vault = vaultSecrets(resources);
    const env: Record<string, RenderedVar> = {};
    for (const e of (container.env ?? []) as { name: string; value?: unknown; secretRef?: string }[]) {
        if (e.secretRef === undefined) {
            env[e.name] = { value: asString(e.value), secret: false, from: "env" };
            continue;
        }
        const secret = secrets.get(e.secretRef);
        if (secret?.keyVaultUrl) {
            const kv = vault.get(versionless(secret.keyVaultUrl));
            env[e.name] = { value: asString(kv?.value.value), secret: true, from: kv ? `Key Vault secret ${kv.name}` : `Key Vault reference ${secret.keyVaultUrl} (no such secret planned)` };
        } else {
            env[e.name] = { value: asString(secret?.value?.value), secret: true, from: `Container App secret ${e.secretRef}` };
        }
    }
    // The environment's OpenTelemetry agent injects the OTLP variables unless the app sets its own.
    const environment = resources.find((r) => r.type === "azure-native:app:ManagedEnvironment" && stateOf(r).id === inputs.environmentId)
        ?? resources.find((r) => r.type === "azure-native:app:ManagedEnvironment");
    if (environment && agentDestinations(inputsOf(environment)).length > 0) {
        const injected = `injected by the environment's OpenTelemetry agent (${agentDestinations(inputsOf(environment)).join(", ")})`;
        env.OTEL_EXPORTER_OTLP_ENDPOINT ??= { value: CONTAINER_APPS_OTEL_AGENT.endpoint, secret: false, from: injected };
        env.OTEL_EXPORTER_OTLP_PROTOCOL ??= { value: CONTAINER_APPS_OTEL_AGENT.protocol, secret: false, from: injected };
    }
    const probes: RenderedWorkload["probes"] = {};
    for (const p of (container.probes ?? []) as { type: string; httpGet?: { path: string; port: number } }[]) {
        if (p.httpGet) probes[p.type.toLowerCase() as "liveness"] = { path: p.httpGet.path, port: p.httpGet.port };
    }
    return { workload: `Container App ${inputs.containerAppName ?? app.name}`, env, probes, trafficPort: inputs.configuration?.ingress?.targetPort };
}

/** The destinations the environment's agent sends traces, logs or metrics to (empty: no agent). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function agentDestinations(environment: any): string[] {
    const otel = environment.openTelemetryConfiguration ?? {};
    return [...new Set(["tracesConfiguration", "logsConfiguration", "metricsConfiguration"].flatMap((k) => (otel[k]?.destinations ?? []) as string[]))];
}

function renderDeployment(deployment: CapturedResource, resources: CapturedResource[]): Omit<RenderedWorkload, "service" | "role"> {
    const inputs = inputsOf(deployment);
    const namespace = inputs.metadata?.namespace;
    const name = inputs.metadata?.name ?? deployment.name;
    const container = inputs.spec?.template?.spec?.containers?.[0] ?? {};
    const secretsOf = (secretName: string) => resources.find((r) => r.type === "kubernetes:core/v1:Secret"
        && inputsOf(r).metadata?.name === secretName && inputsOf(r).metadata?.namespace === namespace);
    const env: Record<string, RenderedVar> = {};
    for (const e of (container.env ?? []) as { name: string; value?: unknown; valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } } }[]) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) {
            const secret = secretsOf(ref.name);
            const data = secret ? (reveal(secret.wireInputs.stringData).value as Record<string, unknown> | undefined) : undefined;
            env[e.name] = { value: asString(data?.[ref.key]), secret: true, from: secret ? `Secret ${ref.name}/${ref.key}` : `Secret ${ref.name}/${ref.key} (not planned: synced at run time)` };
        } else if (e.valueFrom?.fieldRef) {
            // The downward API: the pod's own name, which only the running pod knows.
            env[e.name] = { value: e.valueFrom.fieldRef.fieldPath === "metadata.name" ? `${name}-pod` : undefined, secret: false, from: `downward API ${e.valueFrom.fieldRef.fieldPath}` };
        } else {
            // Kubernetes expands $(VAR) from variables defined earlier in the list.
            const value = asString(e.value)?.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, v: string) => env[v]?.value ?? whole);
            env[e.name] = { value, secret: false, from: "env" };
        }
    }
    const ports = (container.ports ?? []) as { name?: string; containerPort: number }[];
    const portOf = (port: unknown) => (typeof port === "number" ? port : ports.find((p) => p.name === port)?.containerPort);
    const probes: RenderedWorkload["probes"] = {};
    for (const kind of ["liveness", "readiness", "startup"] as const) {
        const probe = container[`${kind}Probe`];
        if (probe?.httpGet) probes[kind] = { path: probe.httpGet.path, port: portOf(probe.httpGet.port) };
    }
    const service = resources.find((r) => r.type === "kubernetes:core/v1:Service" && inputsOf(r).metadata?.name === name && inputsOf(r).metadata?.namespace === namespace);
    const trafficPort = portOf(inputsOf(service ?? deployment).spec?.ports?.[0]?.targetPort);
    return { workload: `Deployment ${namespace}/${name}`, env, probes, trafficPort };
}

/** The app's services as the plan starts them: Container Apps or Deployments named after the stack's services. */
export function renderWorkloads(resources: CapturedResource[], services: Record<string, { ingress: { external: boolean } }>): RenderedWorkload[] {
    const workloads: RenderedWorkload[] = [];
    for (const service of Object.keys(services)) {
        const role = appRole(service, services);
        if (!role) continue;
        const app = resources.find((r) => r.type === "azure-native:app:ContainerApp" && r.name === service);
        const deployment = resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === service);
        const rendered = app ? renderContainerApp(app, resources) : deployment ? renderDeployment(deployment, resources) : undefined;
        if (rendered) workloads.push({ service, role, ...rendered });
    }
    return workloads;
}

// --- forms the app's clients parse ------------------------------------------------------------

/** Npgsql's `Key=Value;` pairs (keys as written). */
export function npgsqlPairs(text: string): Record<string, string> {
    return Object.fromEntries(text.split(";").filter((p) => p.includes("=")).map((p) => [p.slice(0, p.indexOf("=")).trim(), p.slice(p.indexOf("=") + 1)]));
}

/** StackExchange.Redis: `host:port` endpoints, then `option=value` pairs, comma separated. */
export function redisOptions(text: string): { endpoints: string[]; options: Record<string, string> } {
    const parts = text.split(",").map((p) => p.trim()).filter((p) => p !== "");
    return {
        endpoints: parts.filter((p) => !p.includes("=")),
        options: Object.fromEntries(parts.filter((p) => p.includes("=")).map((p) => [p.slice(0, p.indexOf("=")).toLowerCase(), p.slice(p.indexOf("=") + 1)])),
    };
}

/** A rendered value fit for the plan's JSON: passwords in the connection-string forms masked, other secrets whole-masked. */
export function maskedValue(v: RenderedVar): string | undefined {
    if (v.value === undefined || !v.secret) return v.value;
    if (/(^|;)\s*password=/i.test(v.value)) return v.value.replace(/((?:^|;)\s*password=)[^;]*/gi, "$1[secret]");
    if (/(^|,)\s*password=/i.test(v.value)) return v.value.replace(/((?:^|,)\s*password=)[^,]*/gi, "$1[secret]");
    return "[secret]";
}

/** Why a connection string would not work with the app's client, or undefined. */
function connectionStringProblem(client: string, value: string): string | undefined {
    if (client === "npgsql") {
        const pairs = Object.fromEntries(Object.entries(npgsqlPairs(value)).map(([k, v]) => [k.toLowerCase(), v]));
        const missing = ["host", "port", "database", "username", "password"].filter((k) => !pairs[k]);
        return missing.length > 0 ? `an Npgsql connection string needs ${missing.join(", ")}` : undefined;
    }
    if (client === "stackexchange-redis") {
        const { endpoints, options } = redisOptions(value);
        if (endpoints.length === 0 || !endpoints.every((e) => /^[^:\s]+:\d+$/.test(e))) return "a StackExchange.Redis configuration starts with host:port";
        if (options.ssl?.toLowerCase() !== "true") return "the cache speaks TLS only: ssl=True is missing";
        if (!options.password) return "the cache requires a password (access key or auth token)";
        return undefined;
    }
    // Aspire.Azure.Storage.Blobs: a blob service URI (token credential) or a storage connection string.
    if (/^https:\/\/[a-z0-9]{3,24}\.blob\.core\.windows\.net\/?$/.test(value)) return undefined;
    if (/(^|;)(AccountName|BlobEndpoint)=/.test(value)) return undefined;
    return `expected an Azure Blob service URI (https://<account>.blob.core.windows.net/) or a storage connection string, got ${value}`;
}

// --- the checks -------------------------------------------------------------------------------

interface CheckContext {
    resources: CapturedResource[];
    workloads: RenderedWorkload[];
    byRole: Partial<Record<AppRole, RenderedWorkload>>;
    platform: string;
}

type EntryCheck<E extends ContractEntry = ContractEntry> = (entry: E, workload: RenderedWorkload, ctx: CheckContext) => string | undefined;

const hostOf = (url: string) => {
    try {
        return new URL(url).hostname;
    } catch {
        return undefined;
    }
};

const CHECKS: { [K in ContractEntry["kind"]]: EntryCheck<Extract<ContractEntry, { kind: K }>> } = {
    "connection-string": (entry, w) => {
        const v = w.env[entry.env];
        if (!v) return `${entry.env} is not set`;
        return v.value === undefined ? undefined : connectionStringProblem(entry.client, v.value);
    },
    "service-discovery": (entry, w, ctx) => {
        const name = entry.env.find((e) => w.env[e]);
        if (!name) return `none of ${entry.env.join(", ")} is set (the web would call http://localhost:5000)`;
        const value = w.env[name].value;
        const target = ctx.byRole[entry.target];
        if (value === undefined || !target) return undefined;
        const host = hostOf(value);
        if (!host) return `${name} is not a URL: ${value}`;
        const targetName = target.workload.split(" ").pop()!.split("/").pop()!;
        return host === targetName || host.startsWith(`${targetName}.`) ? undefined : `${name} points at ${host}, not at the ${entry.target} (${target.workload})`;
    },
    "probe": (entry, w) => {
        const probe = w.probes[entry.probe];
        if (!probe) return `no ${entry.probe} probe`;
        if (probe.path !== entry.path) return `the ${entry.probe} probe requests ${probe.path}, the app serves ${entry.probe} on ${entry.path}`;
        if (entry.probe === "liveness" && w.probes.startup?.path !== entry.path) {
            return `the startup probe requests ${w.probes.startup?.path ?? "nothing"}: until it passes the process is only starting, which ${entry.path} tells`;
        }
        return undefined;
    },
    "port": (entry, w) => {
        const port = Number(w.env[entry.env]?.value);
        if (!Number.isInteger(port)) return `${entry.env} is not set`;
        const off = Object.entries(w.probes).filter(([, p]) => p.port !== port).map(([k]) => `${k} probe`);
        if (w.trafficPort !== undefined && w.trafficPort !== port) off.push(`traffic (port ${w.trafficPort})`);
        return off.length > 0 ? `the app listens on ${port} but ${off.join(", ")} target another port` : undefined;
    },
    "postgres-extensions": (entry, _w, ctx) => {
        const servers = ctx.resources.filter((r) => r.type === "azure-native:dbforpostgresql:Server" && !inputsOf(r).sourceServerResourceId);
        if (servers.length > 0) {
            const configurations = ctx.resources.filter((r) => r.type === "azure-native:dbforpostgresql:Configuration" && inputsOf(r).configurationName === "azure.extensions");
            for (const server of servers) {
                const serverName = stateOf(server).serverName ?? inputsOf(server).serverName;
                const allowed = configurations.filter((c) => inputsOf(c).serverName === serverName)
                    .flatMap((c) => String(inputsOf(c).value ?? "").split(",").map((x) => x.trim().toLowerCase()));
                const missing = entry.extensions.filter((x) => !allowed.includes(x));
                if (missing.length > 0) return `the Flexible Server ${serverName} does not allow-list ${missing.join(", ")} in azure.extensions`;
            }
            return undefined;
        }
        const instances = ctx.resources.filter((r) => r.type === "aws:rds/instance:Instance" && !inputsOf(r).replicateSourceDb);
        if (instances.length === 0) return "no PostgreSQL server is planned";
        // RDS allows every supported extension unless rds.allowed_extensions narrows it (RDS UG, "Restricting installation of PostgreSQL extensions").
        for (const instance of instances) {
            const group = ctx.resources.find((r) => r.type === "aws:rds/parameterGroup:ParameterGroup" && stateOf(r).name === inputsOf(instance).parameterGroupName);
            const allowed = ((group ? inputsOf(group).parameters : []) ?? []).find((p: { name: string }) => p.name === "rds.allowed_extensions")?.value as string | undefined;
            if (allowed === undefined || allowed.trim() === "*") continue;
            const list = allowed.split(",").map((x) => x.trim().toLowerCase());
            const missing = entry.extensions.filter((x) => !list.includes(x));
            if (missing.length > 0) return `rds.allowed_extensions leaves out ${missing.join(", ")}`;
        }
        return undefined;
    },
    "telemetry": (entry, w, ctx) => {
        const v = w.env[entry.env];
        if (!v) return `${entry.env} is not set`;
        if (entry.env === "OTEL_SERVICE_NAME") return v.value === APP_RESOURCE_NAMES[w.role] ? undefined : `${entry.env} is ${v.value}, the app's resource name is ${APP_RESOURCE_NAMES[w.role]}`;
        if (v.from.startsWith("injected")) return undefined;
        const host = v.value === undefined ? undefined : hostOf(v.value);
        if (!host) return v.value === undefined ? undefined : `${entry.env} is not a URL: ${v.value}`;
        const serviceName = host.split(".")[0];
        const collector = ctx.resources.some((r) => (r.type === "kubernetes:core/v1:Service" && inputsOf(r).metadata?.name === serviceName)
            || (r.type === "kubernetes:opentelemetry.io/v1alpha1:OpenTelemetryCollector" && `${inputsOf(r).metadata?.name}-collector` === serviceName));
        return collector ? undefined : `${entry.env} points at ${host}, which no planned collector serves`;
    },
    "secret": (entry, w) => {
        const v = w.env[entry.env];
        if (!v) return `${entry.env} is not set: ${entry.without}`;
        // The value is generated at deploy time (the plan holds a stand-in); components/appSecrets.ts generates it to the app's rules.
        return v.secret ? undefined : `${entry.env} is a plain setting: it must come from the secret store`;
    },
    "blob-container": (entry, _w, ctx) => {
        const blobs = ctx.byRole.api?.env.ConnectionStrings__blobs?.value;
        const account = blobs ? /^https:\/\/([a-z0-9]+)\.blob\.core\.windows\.net/.exec(blobs)?.[1] : undefined;
        if (!account) return "no Azure Blob account is wired to hold it";
        const container = ctx.resources.find((r) => r.type === "azure-native:storage:BlobContainer"
            && inputsOf(r).accountName === account && inputsOf(r).containerName === entry.container);
        if (!container) return `the account ${account} has no container ${entry.container}`;
        return inputsOf(container).publicAccess === "None" ? undefined : `the container ${entry.container} allows anonymous reads (${inputsOf(container).publicAccess})`;
    },
};

/** Every entry checked against the rendered workloads and planned resources. */
export function contractViolations(ctx: CheckContext): { violations: ContractViolation[]; deviations: typeof CONTRACT_DEVIATIONS[number][] } {
    const deviations = CONTRACT_DEVIATIONS.filter((d) => d.platform === ctx.platform);
    const excused = new Set(deviations.flatMap((d) => d.entries));
    const violations: ContractViolation[] = [];
    for (const role of APP_ROLES) {
        if (!ctx.byRole[role]) violations.push({ entry: "workload", service: role, message: `no Container App or Deployment runs the ${role} (${APP_RESOURCE_NAMES[role]})` });
    }
    for (const entry of APP_CONTRACT) {
        if (excused.has(entry.id)) continue;
        for (const role of entry.roles) {
            const workload = ctx.byRole[role];
            if (!workload) continue;
            const problem = (CHECKS[entry.kind] as EntryCheck)(entry, workload, ctx);
            if (problem) violations.push({ entry: entry.id, service: workload.service, message: problem });
            // Data-tier entries are one per stack, not per service.
            if (entry.kind === "postgres-extensions" || entry.kind === "blob-container") break;
        }
    }
    return { violations, deviations };
}

export function formatViolation(v: ContractViolation): string {
    const entry = APP_CONTRACT.find((e) => e.id === v.entry);
    const source = entry ? ` (${entry.sources.map(cite).join("; ")})` : "";
    return `${v.entry}${v.service ? ` [${v.service}]` : ""}: ${v.message}${source}`;
}

export const appContractSection: PlanSection = ({ document, run, options, out }) => {
    const config = stackConfigOf(options);
    const services = config.app.services;
    const workloads = renderWorkloads(run.resources, services);
    const byRole = Object.fromEntries(workloads.map((w) => [w.role, w])) as CheckContext["byRole"];
    const { violations, deviations } = contractViolations({ resources: run.resources, workloads, byRole, platform: config.platform });
    document.appContract = {
        source: APP_SOURCE,
        services: Object.fromEntries(workloads.map((w) => [w.role, {
            service: w.service,
            workload: w.workload,
            env: Object.fromEntries(Object.entries(w.env).map(([k, v]) => [k, { value: maskedValue(v), secret: v.secret, from: v.from }])),
            probes: w.probes,
            trafficPort: w.trafficPort,
        }])),
        violations,
        deviations,
    };
    out("");
    out(`App contract (${APP_SOURCE.repository}@${APP_SOURCE.commit.slice(0, 7)}, components/appContract.ts):`);
    for (const role of APP_ROLES) {
        const w = byRole[role];
        if (w) out(`    ${APP_RESOURCE_NAMES[role]}: ${w.workload} (service ${w.service})`);
    }
    for (const d of deviations) out(`    deviation (${d.entries.join(", ")}): ${d.reason}; see ${d.doc}`);
    const excused = deviations.flatMap((d) => d.entries).length;
    out(violations.length > 0 ? `    ${violations.length} entr${violations.length === 1 ? "y" : "ies"} not met`
        : `    every entry wired (${APP_CONTRACT.length - excused} of ${APP_CONTRACT.length}${excused > 0 ? `, ${excused} by the deviation above` : ""})`);
    if (violations.length === 0) return EXIT.ok;
    // Printed even with --quiet: the plan fails because of these.
    console.error(`The stack does not meet the app's contract (${APP_SOURCE.repository}@${APP_SOURCE.commit.slice(0, 7)}):`);
    for (const v of violations) console.error(`  - ${formatViolation(v)}`);
    return EXIT.contractViolation;
};
