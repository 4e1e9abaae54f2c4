import { sessionEndpointName } from "../../components/kubernetes/pgbouncer";
import type { StackCheck } from "./checks";
import { resolveDatabase, type DatabaseContext } from "./database";
import { realtimeMode, type EdgeConfigView } from "./edge";
import { connectionStringEnv, entriesOf } from "../../components/appContract";
import { appRole, POD_NAME_ENV } from "../../components/contracts";

/** The slice of the parsed config that decides which environment variables the tiers set. */
export type EnvNamesConfigView = DatabaseContext & EdgeConfigView & {
    platform: "containerapps" | "aks";
    app: { services: Record<string, { env: Record<string, string>; secretEnv: Record<string, string>; ingress: { external: boolean } }> };
};

/**
 * Every environment variable the platform and the other tiers set on `service`: runtime basics,
 * service discovery, the database endpoints' connection strings, the cache and real-time wiring.
 * Mirrors stacks/azure/ and the app tiers (test/stacks/envNames.test.ts compares it with the plans).
 */
export function tierEnvNames(config: EnvNamesConfigView, service: string): Set<string> {
    const names = new Set<string>(["ASPNETCORE_HTTP_PORTS", "APPLICATIONINSIGHTS_CONNECTION_STRING"]);
    if (config.platform === "containerapps") names.add("AZURE_CLIENT_ID");
    // Kubernetes: the collector's endpoint and the pod's identity on its telemetry (components/kubernetes/kubernetesAppTier.ts).
    else names.add(POD_NAME_ENV).add("OTEL_RESOURCE_ATTRIBUTES").add("OTEL_EXPORTER_OTLP_ENDPOINT").add("OTEL_EXPORTER_OTLP_PROTOCOL");
    const role = appRole(service, config.app.services);
    if (role) {
        names.add("OTEL_SERVICE_NAME");
        const scheme = config.platform === "containerapps" ? "https" : "http";
        for (const entry of entriesOf("service-discovery").filter((e) => e.roles.includes(role))) {
            for (const env of entry.env.filter((e) => e.includes(`__${scheme}__`))) names.add(env);
        }
    }
    const db = resolveDatabase(config);
    names.add(`ConnectionStrings__${db.databaseName}`);
    db.replicas.forEach((_, i) => names.add(`ConnectionStrings__${db.databaseName}-replica-${i + 1}`));
    names.add(`ConnectionStrings__${sessionEndpointName(db.databaseName)}`);
    names.add(connectionStringEnv("cache")).add(connectionStringEnv("blobs"));
    // The generated secrets the api requires (components/appSecrets.ts).
    for (const entry of entriesOf("secret")) names.add(entry.env);
    if (realtimeMode(config) === "signalr") names.add("Azure__SignalR__ConnectionString");
    else names.add("SignalR__Backplane").add("SignalR__Redis__ChannelPrefix");
    return names;
}

/**
 * Variables the runtime injects into every container beside the plan's: on Container Apps, what the
 * environment's OpenTelemetry agent sets (Learn, "Collect and read OpenTelemetry data in Azure
 * Container Apps": a value set in the app spec overrides the injected one).
 */
export function injectedEnvNames(config: Pick<EnvNamesConfigView, "platform">): string[] {
    return config.platform === "containerapps" ? ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL"] : [];
}

/**
 * A variable a service sets that a tier sets too (or that it sets in both `env` and `secretEnv`)
 * would silently lose one of the two values: refused with the config, before any resource exists.
 */
export const envNameChecks: StackCheck[] = [
    (config: EnvNamesConfigView, report) => {
        for (const [service, svc] of Object.entries(config.app.services)) {
            const taken = new Set([...tierEnvNames(config, service), ...injectedEnvNames(config)]);
            for (const name of Object.keys(svc.env)) {
                if (taken.has(name)) report(["app", "services", service, "env", name], `expected a name no other tier sets (${name} is set by the platform or another tier)`, svc.env[name]);
            }
            for (const name of Object.keys(svc.secretEnv)) {
                if (taken.has(name)) report(["app", "services", service, "secretEnv", name], `expected a name no other tier sets (${name} is set by the platform or another tier)`, svc.secretEnv[name]);
                else if (Object.hasOwn(svc.env, name)) report(["app", "services", service, "secretEnv", name], `expected a name not also set in env (env.${name})`, svc.secretEnv[name]);
            }
        }
    },
];
