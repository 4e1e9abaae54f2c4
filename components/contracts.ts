/**
 * The contracts between the app tier and its runtimes (Container Apps, Kubernetes on AKS): the
 * outputs every runtime returns, the arguments both take, and the pure helpers both use to shape
 * a service (probe timings, environment assembly, the web/api role, CPU notation). The runtimes
 * and components/azure/appTier.ts import this module, so none of them imports another.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { ServiceSpec } from "./serviceSpec";
import type { AppWiring, DiagnosticTarget, SecretSetting } from "./wiring";
import { APP_RESOURCE_NAMES, APP_ROLES, type AppRole, entriesOf } from "./appContract";

/** What the next tiers read about one service. */
export interface AppServiceOutput {
    /** Container App name, or Kubernetes Deployment name. */
    name: pulumi.Output<string>;
    /** Host the service answers on (public FQDN when external, internal name otherwise). */
    host: pulumi.Output<string>;
    /** Container App ARM id (Container Apps only): the replica-count alert's scope. */
    resourceId?: pulumi.Output<string>;
    /** HPA name (Kubernetes only): kube-state-metrics reports its current and max replicas. */
    hpaName?: pulumi.Output<string>;
    minReplicas: number;
    maxReplicas: number;
    external: boolean;
}

export interface AppTierOutputs {
    /** Which runtime runs the services: Azure Container Apps, or Kubernetes (AKS or EKS). */
    runtime: "containerapps" | "kubernetes";
    /** Public FQDN of the web app: the CDN / Cloudflare tier points its origin at it. */
    webHost: pulumi.Output<string>;
    /** Where edges connect to reach `webHost` when that is only the Host header (AKS with AGC: the frontend's FQDN); unset: `webHost`. */
    webOriginAddress?: pulumi.Output<string>;
    /** Host of the api (internal to the environment or cluster by default). */
    apiHost: pulumi.Output<string>;
    /** Base URL of the api where the web reaches it (inside the environment or cluster): the load test's target. */
    apiUrl: pulumi.Output<string>;
    services: Record<string, AppServiceOutput>;
    /** Resources whose logs and metrics go to the workspace (environment or cluster). */
    diagnosticTargets: DiagnosticTarget[];
    /** Kubernetes only: the provider the tier deployed with; later tiers deploy into `namespace`. */
    provider?: k8s.Provider;
    /** Kubernetes only: the app namespace ("bookstore"). */
    namespace?: pulumi.Output<string>;
    /** Kubernetes only: done once the pods' grants (kubelet AcrPull, identity grants) took effect; other pods start after it. */
    workloadGrantsReady?: pulumi.Resource;
}

/** Inputs both runtimes share. */
export interface AppTierCommonArgs {
    /** Short prefix for resource names. */
    namePrefix: string;
    environment: "dev" | "staging" | "prod";
    /** Services and their scaling, as the stack config validated them. */
    services: Record<string, ServiceSpec>;
    /** Env vars and secrets every service receives from the other tiers. */
    wiring: AppWiring;
    tags: Record<string, string>;
}

/**
 * Seconds a replica may take to start listening before it is restarted. The api applies Marten's
 * whole schema before it listens, and the web asks the api for its settings before it listens,
 * waiting up to HttpClient's default 100 s timeout (APP_RUNTIME_FACTS in components/appContract.ts;
 * .NET HttpClient.Timeout). Three times that wait: a first deploy's schema work against a cold
 * database, or a web started while the api is still migrating, is not killed mid-way.
 */
export const STARTUP_BUDGET_SECONDS = 300;

/**
 * Probe timings: the seed's liveness (30 s/10 s) and readiness (5 s/5 s), and a startup probe
 * whose initial delay + period × failures is STARTUP_BUDGET_SECONDS on each runtime. Container Apps
 * caps a probe at 10 failures and a 60 s initial delay (ContainerAppProbe, Microsoft.App
 * 2025-02-02-preview), so its startup probe polls every 29 s; Kubernetes has no such cap and polls every 5 s.
 */
export const PROBE_TIMINGS = {
    liveness: { initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
    readiness: { initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
    startup: {
        containerapps: { initialDelaySeconds: 10, periodSeconds: 29, timeoutSeconds: 3, failureThreshold: 10 },
        kubernetes: { initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 59 },
    },
} as const;

/** Kubernetes: the downward-API variable holding the pod's name (expanded into OTEL_RESOURCE_ATTRIBUTES). */
export const POD_NAME_ENV = "POD_NAME";

/** The app contract's role of a service (the api, the web), or undefined for a service the app does not have. */
export function appRole(service: string, services: Record<string, { ingress: { external: boolean } }>): AppRole | undefined {
    return APP_ROLES.find((role) => roleService(services, role) === service);
}

/**
 * The settings the app contract asks of a service beyond the other tiers' wiring: the service name
 * its telemetry carries (OTEL_SERVICE_NAME, the Aspire resource name) and, for the web, the api's
 * base URL under the discovery variable the runtime can serve (`https` on Container Apps, `http`
 * inside a cluster). A service outside the contract gets nothing.
 */
export function contractSettings(role: AppRole | undefined, apiUrl: { scheme: "https" | "http"; url: pulumi.Input<string> }): Record<string, pulumi.Input<string>> {
    if (!role) return {};
    const settings: Record<string, pulumi.Input<string>> = { OTEL_SERVICE_NAME: APP_RESOURCE_NAMES[role] };
    for (const entry of entriesOf("service-discovery").filter((e) => e.roles.includes(role))) {
        const name = entry.env.find((env) => env.includes(`__${apiUrl.scheme}__`));
        if (!name) throw new Error(`app contract entry ${entry.id} has no ${apiUrl.scheme} variable`);
        settings[name] = apiUrl.url;
    }
    return settings;
}

/** A Key Vault secret reference from `secretEnv`: environment variable name → vault secret name. */
export interface KeyVaultReference {
    env: string;
    secretName: string;
}

/** Everything one service's container gets as environment, before a runtime shapes it. */
export interface ServiceSettings {
    plain: Record<string, pulumi.Input<string>>;
    secrets: Record<string, SecretSetting>;
    keyVault: KeyVaultReference[];
}

/**
 * Assembles a service's environment: runtime basics (port, App Insights, how to reach the other
 * services), the other tiers' wiring, then the service's own `env`/`secretEnv`. A name set twice
 * is a config mistake (the service would silently lose a tier's setting), so it fails naming the key.
 */
export function serviceSettings(
    service: string,
    svc: ServiceSpec,
    wiring: AppWiring,
    basics: Record<string, pulumi.Input<string>>,
): ServiceSettings {
    // Own-key checks only: `in` would find Object.prototype's `toString` or `constructor` (config
    // validation refuses real clashes first, the config schema's envNames check; this stays as a guard).
    const plain: Record<string, pulumi.Input<string>> = Object.create(null);
    for (const [name, value] of Object.entries(basics)) {
        if (!Object.hasOwn(wiring.env, name) && !Object.hasOwn(wiring.secrets, name)) plain[name] = value;
    }
    for (const [name, value] of Object.entries(wiring.env)) plain[name] = value;
    const secrets = { ...wiring.secrets };
    const taken = (name: string) => Object.hasOwn(plain, name) || Object.hasOwn(secrets, name);
    for (const [name, value] of Object.entries(svc.env)) {
        if (taken(name)) throw duplicateSetting(service, "env", name);
        plain[name] = value;
    }
    const keyVault: KeyVaultReference[] = [];
    for (const [name, secretName] of Object.entries(svc.secretEnv)) {
        if (taken(name)) throw duplicateSetting(service, "secretEnv", name);
        keyVault.push({ env: name, secretName });
    }
    return { plain, secrets, keyVault };
}

function duplicateSetting(service: string, key: string, name: string): Error {
    return new pulumi.RunError(
        `bookstore:app.services.${service}.${key}.${name}: expected a name no other tier sets; ${name} is already set by the platform or another tier`);
}

/**
 * The name of the service other tiers call "web" (public) or "api": the service of that name,
 * else the first external (web) or first internal (api) service.
 */
export function roleService(services: Record<string, { ingress: { external: boolean } }>, role: "web" | "api"): string {
    if (role in services) return role;
    const entries = Object.entries(services);
    const match = entries.find(([, svc]) => svc.ingress.external === (role === "web")) ?? entries[0];
    return match[0];
}

/** Kubernetes CPU quantity in millicores, e.g. 0.5 → "500m", 1 → "1000m" (the seed's notation). */
export const millicores = (cpu: number) => `${Math.round(cpu * 1000)}m`;
