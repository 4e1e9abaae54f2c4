/**
 * The connection budget, checked on the resources a stack deploys rather than on its config:
 * the same arithmetic as the database tier's config check (policy/shared/budget.ts), so a hand-edited
 * stack or a changed component cannot open more connections than PostgreSQL accepts.
 */
import { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { BudgetInput, BudgetPooler, BudgetService, connectionBudget } from "../shared/budget";
import { isReplica } from "../azure/availability";
import { configSchema, describe, ofType, podSpecOf, settingsOf, tokenOf } from "../common";
import { ContainerApp, Deployment, PostgresConfiguration, PostgresServer } from "../types";
import { autoscalersOf } from "../kubernetes/autoscalers";

const budgetSchema = configSchema({
    connectionStringEnv: {
        type: "string", default: "ConnectionStrings__bookstore",
        description: "Environment variable that marks a workload as a database client (its primary connection string).",
    },
    appPoolSize: {
        type: "integer", minimum: 1, default: 20,
        description: "Connections one app replica's pool opens per endpoint when its connection string sets no `Maximum Pool Size` "
            + "(keep equal to the stack's bookstore:app.services.*.dbPoolSize; seed: 20).",
    },
    reservedConnections: {
        type: "integer", minimum: 0, default: 15,
        description: "Connections of max_connections the platform keeps for itself (Azure Flexible Server: 15).",
    },
});

interface BudgetSettings {
    connectionStringEnv: string;
    appPoolSize: number;
    reservedConnections: number;
}

type EnvVar = { name?: string; value?: string };

/** `Maximum Pool Size=N` of an Npgsql connection string, when the value is visible. */
function maxPoolSize(env: EnvVar | undefined): number | undefined {
    const match = /(?:^|;)\s*Maximum Pool Size\s*=\s*(\d+)/i.exec(env?.value ?? "");
    return match ? Number(match[1]) : undefined;
}

/** The database client of a workload: its connection-string variable, if any container has it. */
function clientEnv(containers: { env?: EnvVar[] }[] | undefined, name: string): EnvVar | undefined {
    for (const container of containers ?? []) {
        const env = (container.env ?? []).find((e) => e.name === name);
        if (env) return env;
    }
    return undefined;
}

/** Every database client workload with its replica ceiling and per-endpoint pool. */
function clientServices(resources: PolicyResource[], settings: BudgetSettings): BudgetService[] {
    const services: BudgetService[] = [];
    for (const resource of ofType(resources, tokenOf(ContainerApp))) {
        const app = resource.asType(ContainerApp)!;
        const env = clientEnv(app.template?.containers, settings.connectionStringEnv);
        if (!env) continue;
        // Azure's default ceiling is 10 replicas.
        services.push({ name: resource.props.containerAppName ?? resource.name, maxReplicas: app.template?.scale?.maxReplicas ?? 10, dbPoolSize: maxPoolSize(env) ?? settings.appPoolSize });
    }
    // A KEDA ScaledObject's maxReplicaCount bounds the Deployment like an HPA's maxReplicas.
    const hpas = autoscalersOf(resources);
    for (const resource of ofType(resources, tokenOf(Deployment))) {
        const deployment = resource.asType(Deployment)!;
        const env = clientEnv(podSpecOf(resource.type, deployment)?.containers, settings.connectionStringEnv);
        if (!env) continue;
        const name = deployment.metadata?.name ?? resource.name;
        const hpa = hpas.find((h) => h.spec?.scaleTargetRef?.kind === "Deployment" && h.spec.scaleTargetRef.name === name);
        services.push({ name, maxReplicas: hpa?.spec?.maxReplicas ?? deployment.spec?.replicas ?? 1, dbPoolSize: maxPoolSize(env) ?? settings.appPoolSize });
    }
    return services;
}

/** Server parameters set on a server, by name. */
function parametersOf(server: PolicyResource, configurations: PolicyResource[]): Map<string, string> {
    const names = [server.props.serverName, server.props.name];
    const result = new Map<string, string>();
    for (const configuration of configurations) {
        // serverName and configurationName are input only: the provider's outputs (what a cloud
        // preview's stack analysis sees) carry the parameter's name as `name`.
        const props = configuration.props as { serverName?: string; configurationName?: string; name?: string; value?: string };
        const ofServer = configuration.dependencies.includes(server) || names.includes(props.serverName);
        const parameter = props.configurationName ?? props.name;
        if (ofServer && parameter && props.value !== undefined) result.set(parameter, props.value);
    }
    return result;
}

/** Settings of a `pgbouncer.ini` (the [pgbouncer] section's key = value lines). */
export function parsePgbouncerIni(text: string): Map<string, string> {
    const settings = new Map<string, string>();
    let section = "";
    for (const line of text.split("\n").map((l) => l.trim())) {
        const header = /^\[(.+)\]$/.exec(line);
        if (header) section = header[1];
        const entry = /^([a-z_]+)\s*=\s*(.*)$/.exec(line);
        if (entry && section === "pgbouncer") settings.set(entry[1], entry[2]);
    }
    return settings;
}

/** The pod labels of a Deployment's template. */
function podSpecLabels(deployment: any): Record<string, string> {
    return deployment?.spec?.template?.metadata?.labels ?? {};
}

/**
 * Pods a PodDisruptionBudget selecting these labels lets go at once: `maxUnavailable` (a count or
 * a percentage of the replicas, rounded up as Kubernetes does), or `replicas − minAvailable`; 0 without a PDB.
 */
export function pdbMaxUnavailable(resources: PolicyResource[], labels: Record<string, string>, replicas: number): number {
    const pdb = resources.find((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget"
        && Object.entries(r.props.spec?.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v)
        && Object.keys(r.props.spec?.selector?.matchLabels ?? {}).length > 0);
    const spec = pdb?.props.spec;
    if (!spec) return 0;
    const count = (value: number | string) => typeof value === "number" ? value : Math.ceil(replicas * parseFloat(value) / 100);
    if (spec.maxUnavailable !== undefined) return count(spec.maxUnavailable);
    if (spec.minAvailable !== undefined) return Math.max(0, replicas - count(spec.minAvailable));
    return 0;
}

/** The PgBouncer Deployment's pooler: its ini (from a ConfigMap) and replica count. */
function deploymentPooler(resources: PolicyResource[]): BudgetPooler | undefined {
    const configMap = resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && typeof r.props.data?.["pgbouncer.ini"] === "string");
    if (!configMap) return undefined;
    const ini = parsePgbouncerIni(configMap.props.data["pgbouncer.ini"]);
    const configMapName = configMap.props.metadata?.name;
    const deployment = ofType(resources, tokenOf(Deployment)).find((d) =>
        JSON.stringify(podSpecOf(d.type, d.props)?.volumes ?? []).includes(`"name":"${configMapName}"`));
    const number = (key: string, fallback: number) => Number(ini.get(key) ?? fallback);
    const labels = podSpecLabels(deployment?.props);
    return {
        kind: "deployment",
        replicas: deployment?.props.spec?.replicas ?? 1,
        maxUnavailable: pdbMaxUnavailable(resources, labels, deployment?.props.spec?.replicas ?? 1),
        // PgBouncer's own defaults.
        maxClientConn: number("max_client_conn", 100),
        defaultPoolSize: number("default_pool_size", 20),
        reservePoolSize: number("reserve_pool_size", 0),
        maxDbConnections: number("max_db_connections", 0),
    };
}

/** Flexible Server's built-in PgBouncer on one server (Azure's defaults when a parameter is left out). */
function builtinPooler(parameters: Map<string, string>): BudgetPooler | undefined {
    if (parameters.get("pgbouncer.enabled") !== "true") return undefined;
    return {
        kind: "builtin",
        replicas: 1,
        maxUnavailable: 0,
        maxClientConn: Number(parameters.get("pgbouncer.max_client_conn") ?? 5000),
        defaultPoolSize: Number(parameters.get("pgbouncer.default_pool_size") ?? 50),
        reservePoolSize: 0,
        maxDbConnections: 0,
    };
}

/** The budget's inputs as the resources describe them, or a reason it can't be computed. */
export function budgetInputFromResources(args: Pick<StackValidationArgs, "resources">, settings: BudgetSettings): BudgetInput | string {
    const servers = ofType(args.resources, tokenOf(PostgresServer));
    const primary = servers.find((s) => !isReplica(s.props));
    if (!primary) return "the stack has no PostgreSQL primary";
    const configurations = ofType(args.resources, tokenOf(PostgresConfiguration));
    const parameters = parametersOf(primary, configurations);
    const pooler = deploymentPooler(args.resources) ?? builtinPooler(parameters);
    if (!pooler) return `${describe(primary)} has no pooler (neither pgbouncer.enabled nor a PgBouncer ConfigMap)`;
    const maxConnections = parameters.get("max_connections");
    if (maxConnections === undefined) return `${describe(primary)} does not set max_connections`;
    return {
        services: clientServices(args.resources, settings),
        pooler,
        readReplicas: servers.filter((s) => isReplica(s.props)).length,
        maxConnections: Number(maxConnections),
        reservedConnections: settings.reservedConnections,
    };
}

export const connectionBudgetPolicy: StackValidationPolicy = {
    name: "connection-budget",
    description: "The app's connection pools fit through the pooler (max_client_conn) and the pooler's server connections "
        + "fit into PostgreSQL's max_connections minus the reserved ones.",
    configSchema: budgetSchema,
    validateStack: (args, reportViolation) => {
        const settings = settingsOf<BudgetSettings>(args, budgetSchema);
        const input = budgetInputFromResources(args, settings);
        if (typeof input === "string") {
            args.notApplicable(input);
            return;
        }
        const budget = connectionBudget(input);
        if (!budget.ok) {
            const primary = ofType(args.resources, tokenOf(PostgresServer)).find((s) => !isReplica(s.props))!;
            reportViolation([...budget.problems.map((p) => `${p}.`), ...budget.lines].join("\n"), primary.urn);
        }
    },
};

export const budgetPolicies = [connectionBudgetPolicy];
