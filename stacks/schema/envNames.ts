import type { StackCheck } from "./checks";
import { resolveDatabase, type DatabaseContext } from "./database";
import { realtimeMode, type EdgeConfigView } from "./edge";

/** The slice of the parsed config that decides which environment variables the tiers set. */
export type EnvNamesConfigView = DatabaseContext & EdgeConfigView & {
    platform: "containerapps" | "aks";
    app: { services: Record<string, { env: Record<string, string>; secretEnv: Record<string, string> }> };
};

/**
 * Every environment variable the platform and the other tiers set on `service`: runtime basics,
 * service discovery, the database endpoints' connection strings, the cache and real-time wiring.
 * Mirrors stacks/azure/ and the app tiers (test/stacks/envNames.test.ts compares it with the plans).
 */
export function tierEnvNames(config: EnvNamesConfigView, service: string): Set<string> {
    const names = new Set<string>(["ASPNETCORE_HTTP_PORTS", "APPLICATIONINSIGHTS_CONNECTION_STRING"]);
    if (config.platform === "containerapps") names.add("AZURE_CLIENT_ID");
    for (const other of Object.keys(config.app.services)) {
        if (other !== service) names.add(`services__${other}__http__0`);
    }
    const db = resolveDatabase(config);
    names.add(`ConnectionStrings__${db.databaseName}`);
    db.replicas.forEach((_, i) => names.add(`ConnectionStrings__${db.databaseName}-replica-${i + 1}`));
    names.add("ConnectionStrings__redis");
    if (realtimeMode(config) === "signalr") names.add("Azure__SignalR__ConnectionString");
    else names.add("SignalR__Backplane").add("SignalR__Redis__ChannelPrefix");
    return names;
}

/**
 * A variable a service sets that a tier sets too (or that it sets in both `env` and `secretEnv`)
 * would silently lose one of the two values: refused with the config, before any resource exists.
 */
export const envNameChecks: StackCheck[] = [
    (config: EnvNamesConfigView, report) => {
        for (const [service, svc] of Object.entries(config.app.services)) {
            const taken = tierEnvNames(config, service);
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
