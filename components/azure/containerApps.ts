// ContainerAppsTier: the Azure Container Apps runtime of the app tier (managed environment, one Container App per service).
import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import type * as types from "@pulumi/azure-native/types/input";
import type { ServiceSpec } from "../serviceSpec";
import type { ContainerAppsSpec } from "./runtimeSpecs";
import { containerAppName, memoryGi } from "../../lib/containerApps";
import { AppServiceOutput, AppTierCommonArgs, AppTierOutputs, PROBE_TIMINGS, roleService, serviceSettings } from "../contracts";
import { resolveImage } from "../images";
import type { PlatformOutputs } from "./platform";
import { ContainerAppCustomDomain, WebCustomDomainSpec } from "./customDomain";
import { propagationWait } from "./propagationWait";

/**
 * Identity, registry, Key Vault, workspace and App Insights of the platform base, and the
 * identity's role assignments: workloads wait for them, or their first pull or secret read fails.
 */
export type AppPlatform = Pick<PlatformOutputs,
    "resourceGroupName" | "location" | "workloadIdentity" | "registry" | "keyVault" | "appInsights" | "tenantId" | "identityGrants">;

export interface ContainerAppsTierArgs extends AppTierCommonArgs {
    /** The platform base the apps run on and are granted access to. */
    platform: AppPlatform;
    /** Workspace the environment's logs go to. */
    workspace: PlatformOutputs["workspace"];
    /** Infrastructure subnet (delegated to Microsoft.App/environments, /27 or larger). */
    subnetId: pulumi.Input<string>;
    /** Environment settings; `zoneRedundant` default: true in prod. */
    containerApps: ContainerAppsSpec;
    /** A host name of ours the web app serves itself (Cloudflare below Enterprise). */
    webCustomDomain?: WebCustomDomainSpec;
}

/**
 * Container App secret names allow lowercase letters, digits, '-' and '.'; env names such as
 * `ConnectionStrings__bookstore` become `connectionstrings--bookstore`.
 */
export function containerAppSecretName(envName: string): string {
    return envName.toLowerCase().replace(/[^a-z0-9.-]/g, "-").replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
}

/** KEDA scale rules of one service: HTTP concurrency, CPU and memory utilisation (each optional). */
export function scaleRules(scale: ServiceSpec["scale"]): types.app.ScaleRuleArgs[] {
    const rules: types.app.ScaleRuleArgs[] = [];
    if (scale.concurrentRequests !== null) {
        rules.push({ name: "http-rule", http: { metadata: { concurrentRequests: String(scale.concurrentRequests) } } });
    }
    if (scale.cpuUtilization !== null) {
        rules.push({ name: "cpu-rule", custom: { type: "cpu", metadata: { type: "Utilization", value: String(scale.cpuUtilization) } } });
    }
    if (scale.memoryUtilization !== null) {
        rules.push({ name: "memory-rule", custom: { type: "memory", metadata: { type: "Utilization", value: String(scale.memoryUtilization) } } });
    }
    return rules;
}

/**
 * Container Apps states allocations in Gi ("0.5Gi", the form Azure reports back); a config value
 * such as "512Mi" (valid for Kubernetes) is rewritten so the API and later plans see one form.
 */
export const containerAppsMemory = (memory: string) => `${memoryGi(memory)}Gi`;

function probes(svc: ServiceSpec): types.app.ContainerAppProbeArgs[] {
    const httpGet = { path: svc.healthPath, port: svc.port, scheme: "HTTP" };
    return (["Liveness", "Readiness", "Startup"] as const).map((type) => ({
        type,
        httpGet,
        ...PROBE_TIMINGS[type.toLowerCase() as Lowercase<typeof type>],
    }));
}

/**
 * Azure Container Apps runtime: a workload-profiles environment injected into the platform
 * subnet (zone redundant in prod, logs to Log Analytics) and one Container App per service with
 * KEDA scale rules, probes, registry pull and Key Vault references through the workload identity.
 */
export class ContainerAppsTier extends pulumi.ComponentResource implements AppTierOutputs {
    readonly runtime = "containerapps" as const;
    readonly webHost: pulumi.Output<string>;
    readonly apiHost: pulumi.Output<string>;
    readonly apiUrl: pulumi.Output<string>;
    readonly services: Record<string, AppServiceOutput> = {};
    readonly diagnosticTargets: AppTierOutputs["diagnosticTargets"];
    readonly environmentId: pulumi.Output<string>;
    readonly defaultDomain: pulumi.Output<string>;

    constructor(name: string, args: ContainerAppsTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:app:ContainerAppsTier", name, {}, opts);
        const child = { parent: this };
        const { platform, tags } = args;
        const base = `${args.namePrefix}-${args.environment}`;
        const rg = { resourceGroupName: platform.resourceGroupName, location: platform.location };
        const zoneRedundant = args.containerApps.zoneRedundant ?? args.environment === "prod";

        const sharedKeys = operationalinsights.getSharedKeysOutput({
            resourceGroupName: platform.resourceGroupName,
            workspaceName: args.workspace.name,
        }, child);
        const environment = new app.ManagedEnvironment("environment", {
            ...rg,
            environmentName: `${base}-aca`,
            appLogsConfiguration: {
                destination: "log-analytics",
                logAnalyticsConfiguration: {
                    customerId: args.workspace.customerId,
                    sharedKey: pulumi.secret(sharedKeys.apply((k) => k.primarySharedKey ?? "")),
                },
            },
            workloadProfiles: [
                { name: "Consumption", workloadProfileType: "Consumption" },
                ...args.containerApps.workloadProfiles.map((p) => ({
                    name: p.name, workloadProfileType: p.workloadProfileType, minimumCount: p.minimumCount, maximumCount: p.maximumCount,
                })),
            ],
            vnetConfiguration: { infrastructureSubnetId: args.subnetId, internal: args.containerApps.internal },
            // Named here, because Azure otherwise picks one and every later run shows a diff.
            infrastructureResourceGroup: `${base}-aca-infra-rg`,
            zoneRedundant,
            peerTrafficConfiguration: { encryption: { enabled: true } },
            tags,
        }, child);
        this.environmentId = environment.id;
        this.defaultDomain = environment.defaultDomain;
        this.diagnosticTargets = [{ name: "container-apps-environment", resourceId: environment.id, resourceType: "Microsoft.App/managedEnvironments" }];

        const webService = roleService(args.services, "web");
        const webDomain = args.webCustomDomain && new ContainerAppCustomDomain("web-domain", {
            ...args.webCustomDomain,
            ...rg,
            environmentName: environment.name,
            // The environment reports the id the asuid record must hold, so the record can exist before the app binds the name.
            verificationId: environment.customDomainConfiguration.apply((c) => c?.customDomainVerificationId ?? ""),
            environmentDefaultDomain: environment.defaultDomain,
            appName: containerAppName(args.namePrefix, webService),
        }, child);

        const identityId = platform.workloadIdentity.id;
        // Image pulls (AcrPull) and Key Vault references (Secrets User) need the grants in effect, not just created.
        const grantsInEffect = propagationWait("identity-grants-propagation", { grants: platform.identityGrants }, child);
        const registries: types.app.RegistryCredentialsArgs[] = [
            { server: platform.registry.loginServer, identity: identityId },
            ...(platform.registry.existing ? [{ server: platform.registry.existing.loginServer, identity: identityId }] : []),
        ];
        const vaultUrl = platform.keyVault.uri.apply((uri) => uri.replace(/\/$/, ""));
        const appNames = Object.fromEntries(Object.keys(args.services).map((s) => [s, containerAppName(args.namePrefix, s)]));

        for (const [service, svc] of Object.entries(args.services)) {
            // Inside one environment an app is reachable by its name (Aspire-style service discovery keys).
            const discovery = Object.fromEntries(Object.entries(appNames)
                .filter(([other]) => other !== service)
                .map(([other, appName]) => [`services__${other}__http__0`, `http://${appName}`]));
            const settings = serviceSettings(service, svc, args.wiring, {
                ASPNETCORE_HTTP_PORTS: String(svc.port),
                AZURE_CLIENT_ID: platform.workloadIdentity.clientId,
                APPLICATIONINSIGHTS_CONNECTION_STRING: platform.appInsights.connectionString,
                ...discovery,
            });
            const secrets: types.app.SecretArgs[] = [];
            const env: types.app.EnvironmentVarArgs[] = Object.entries(settings.plain).map(([n, value]) => ({ name: n, value }));
            const secretNames = new Map<string, string>();
            const addSecret = (envName: string, secret: types.app.SecretArgs) => {
                const secretName = containerAppSecretName(envName);
                const clash = secretNames.get(secretName);
                if (clash) throw new Error(`settings ${clash} and ${envName} of service ${service} map to the same Container App secret name ${secretName}`);
                secretNames.set(secretName, envName);
                secrets.push({ ...secret, name: secretName });
                env.push({ name: envName, secretRef: secretName });
            };
            for (const [envName, setting] of Object.entries(settings.secrets)) {
                addSecret(envName, setting.keyVaultSecretUri
                    ? { keyVaultUrl: setting.keyVaultSecretUri, identity: identityId }
                    : { value: setting.value });
            }
            for (const ref of settings.keyVault) {
                addSecret(ref.env, { keyVaultUrl: pulumi.interpolate`${vaultUrl}/secrets/${ref.secretName}`, identity: identityId });
            }

            const containerApp = new app.ContainerApp(service, {
                ...rg,
                containerAppName: appNames[service],
                environmentId: environment.id,
                workloadProfileName: svc.workloadProfile,
                identity: { type: "UserAssigned", userAssignedIdentities: [identityId] },
                configuration: {
                    activeRevisionsMode: "Single",
                    ingress: {
                        external: svc.ingress.external,
                        targetPort: svc.port,
                        transport: "auto",
                        allowInsecure: false,
                        traffic: [{ latestRevision: true, weight: 100 }],
                        customDomains: webDomain && service === webService ? [webDomain.binding] : undefined,
                    },
                    registries,
                    secrets,
                },
                template: {
                    containers: [{
                        name: service,
                        image: resolveImage(svc.image, platform.registry.loginServer),
                        resources: { cpu: svc.cpu, memory: containerAppsMemory(svc.memory) },
                        env,
                        probes: probes(svc),
                    }],
                    scale: { minReplicas: svc.minReplicas, maxReplicas: svc.maxReplicas, rules: scaleRules(svc.scale) },
                },
                tags,
            }, {
                ...child,
                dependsOn: [
                    ...platform.identityGrants, grantsInEffect,
                    // Key Vault references are resolved when the revision is created, over the vault's private
                    // endpoint in prod (microsoft/sre-agent#347: "Unable to get value using Managed identity").
                    ...(platform.keyVault.privateAccess ? [platform.keyVault.privateAccess] : []),
                    ...(webDomain && service === webService ? webDomain.ready : []),
                ],
            });
            this.services[service] = {
                name: containerApp.name,
                host: containerApp.configuration.apply((c) => c?.ingress?.fqdn ?? ""),
                resourceId: containerApp.id,
                minReplicas: svc.minReplicas,
                maxReplicas: svc.maxReplicas,
                external: svc.ingress.external,
            };
        }
        this.webHost = this.services[webService].host;
        this.apiHost = this.services[roleService(args.services, "api")].host;
        // Internal ingress: the app's FQDN answers HTTPS, from inside the environment only (Learn, "Ingress in Azure Container Apps").
        this.apiUrl = pulumi.interpolate`https://${this.apiHost}`;

        this.registerOutputs({
            environmentId: this.environmentId,
            webHost: this.webHost,
            apiHost: this.apiHost,
            services: Object.fromEntries(Object.entries(this.services).map(([s, o]) => [s, { name: o.name, host: o.host, resourceId: o.resourceId }])),
        });
    }
}
