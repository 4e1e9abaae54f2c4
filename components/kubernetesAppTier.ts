import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import type { ServiceConfig } from "../stacks/schema/app";
import { SPOT_NODE_LABEL, SPOT_TAINT } from "./aksCluster";
import { AppServiceOutput, AppTierCommonArgs, AppTierOutputs, millicores, PROBE_TIMINGS, roleService, serviceSettings } from "./contracts";
import { resolveImage } from "./images";

/** The namespace every app resource lives in (the database tier's PgBouncer joins it). */
export const APP_NAMESPACE = "bookstore";
/** The ServiceAccount the pods run as, federated with the platform's workload identity. */
export const APP_SERVICE_ACCOUNT = "bookstore";
/** Kubernetes Secret holding the secrets the other tiers wire in. */
export const APP_SETTINGS_SECRET = "app-settings";
/** Kubernetes Secret the Key Vault CSI driver syncs `secretEnv` references into. */
export const KEYVAULT_SECRET = "keyvault-secrets";
const KEYVAULT_PROVIDER_CLASS = "keyvault";

export interface KubernetesAppTierArgs extends AppTierCommonArgs {
    /** Any Kubernetes provider: the AKS cluster's, or one for a cluster this program did not create. */
    provider: k8s.Provider;
    /**
     * OIDC issuer of the cluster. When set, the platform's workload identity gets a federated
     * credential for the app ServiceAccount; leave it out when that credential is managed elsewhere.
     */
    oidcIssuerUrl?: pulumi.Input<string>;
    /** Spot pool present: spot-tolerant services get the spot toleration and node affinity. Default false. */
    spotPool?: boolean;
    /** Nodes span availability zones: the zone spread becomes a hard constraint. Default false. */
    zoneRedundant?: boolean;
    /** Ingress of the external service. */
    ingress: {
        /** Ingress class name. */
        className: string;
        /** Public host name of the external service. */
        host: string;
        /**
         * Create an application-routing NGINX controller of `className` (AKS add-on), optionally with
         * a DNS label on its public IP so `<label>.<region>.cloudapp.azure.com` resolves to it.
         */
        appRoutingController?: { dnsLabel?: string };
        /**
         * TLS for `host` with a Key Vault certificate, served by the application-routing add-on
         * (its identity needs read access to the certificate). Default: none, the controller then
         * answers with its self-signed certificate.
         */
        tls?: {
            /** Versionless certificate URI, e.g. "https://<vault>.vault.azure.net/certificates/<name>". */
            keyVaultCertificateUri: pulumi.Input<string>;
            /** Resources the Ingress waits for, e.g. the add-on identity's Key Vault role assignment. */
            dependsOn?: pulumi.Resource[];
        };
    };
}

/** Annotation the application-routing add-on reads to sync a Key Vault certificate into the Ingress's TLS secret. */
export const KEYVAULT_CERTIFICATE_ANNOTATION = "kubernetes.azure.com/tls-cert-keyvault-uri";
/** The add-on writes the certificate to this Secret; the Ingress's `tls` must name it. */
export const keyVaultTlsSecretName = (ingressName: string) => `keyvault-${ingressName}`;

const labelsOf = (service: string) => ({
    "app.kubernetes.io/name": service,
    "app.kubernetes.io/part-of": "bookstore",
    "app.kubernetes.io/managed-by": "pulumi",
});
const selectorOf = (service: string) => ({ "app.kubernetes.io/name": service });

/** The HPA v2 spec of one service: the seed's resource metrics, custom Pods metrics when enabled, its behaviour. */
export function hpaSpec(service: string, svc: ServiceConfig): k8sInput.autoscaling.v2.HorizontalPodAutoscalerSpec {
    const metrics: k8sInput.autoscaling.v2.MetricSpec[] = [];
    const resource = (name: "cpu" | "memory", averageUtilization: number | null) => {
        if (averageUtilization !== null) metrics.push({ type: "Resource", resource: { name, target: { type: "Utilization", averageUtilization } } });
    };
    resource("cpu", svc.scale.cpuUtilization);
    resource("memory", svc.scale.memoryUtilization);
    // One HPA per Deployment: Kubernetes refuses to act when two HPAs target the same pods,
    // so the custom metrics join this HPA (it scales to the highest proposal of all metrics).
    if (svc.hpa.customMetrics.enabled) {
        for (const m of svc.hpa.customMetrics.metrics) {
            metrics.push({ type: "Pods", pods: { metric: { name: m.name }, target: { type: "AverageValue", averageValue: m.averageValue } } });
        }
    }
    return {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: service },
        minReplicas: svc.minReplicas,
        maxReplicas: svc.maxReplicas,
        metrics,
        behavior: svc.hpa.behavior,
    };
}

/** Toleration and preferred affinity that let a pod use the spot pool without depending on it. */
export function spotScheduling(): { tolerations: k8sInput.core.v1.Toleration[]; affinity: k8sInput.core.v1.Affinity } {
    return {
        tolerations: [{ key: SPOT_TAINT.key, operator: "Equal", value: SPOT_TAINT.value, effect: SPOT_TAINT.effect }],
        affinity: {
            nodeAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{
                    weight: 50,
                    preference: { matchExpressions: [{ key: SPOT_NODE_LABEL.key, operator: "In", values: [SPOT_NODE_LABEL.value] }] },
                }],
            },
        },
    };
}

/**
 * The app on Kubernetes: namespace `bookstore`, a ServiceAccount bound to the workload identity,
 * and per service a hardened Deployment, a ClusterIP Service, an `autoscaling/v2` HPA and a
 * PodDisruptionBudget; an Ingress for the external service. Works with any Kubernetes provider.
 */
export class KubernetesAppTier extends pulumi.ComponentResource implements AppTierOutputs {
    readonly runtime = "aks" as const;
    readonly webHost: pulumi.Output<string>;
    readonly apiHost: pulumi.Output<string>;
    readonly services: Record<string, AppServiceOutput> = {};
    readonly diagnosticTargets: AppTierOutputs["diagnosticTargets"] = [];
    readonly provider: k8s.Provider;
    readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: KubernetesAppTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:app:KubernetesAppTier", name, {}, opts);
        this.provider = args.provider;
        const { platform } = args;
        const k = { parent: this, provider: args.provider };

        const namespace = new k8s.core.v1.Namespace("namespace", {
            metadata: {
                name: APP_NAMESPACE,
                labels: {
                    // Baseline is enforced so co-tenants (the pooler) keep working; our pods meet "restricted".
                    "pod-security.kubernetes.io/enforce": "baseline",
                    "pod-security.kubernetes.io/warn": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                },
            },
        }, k);
        this.namespace = namespace.metadata.name;
        const ns = this.namespace;

        const serviceAccount = new k8s.core.v1.ServiceAccount("service-account", {
            metadata: {
                name: APP_SERVICE_ACCOUNT,
                namespace: ns,
                annotations: {
                    "azure.workload.identity/client-id": platform.workloadIdentity.clientId,
                    "azure.workload.identity/tenant-id": platform.tenantId,
                },
            },
        }, k);
        if (args.oidcIssuerUrl !== undefined) {
            new managedidentity.FederatedIdentityCredential("service-account-federation", {
                resourceGroupName: platform.resourceGroupName,
                resourceName: platform.workloadIdentity.name,
                federatedIdentityCredentialResourceName: `${args.namePrefix}-${args.environment}-aks-${APP_SERVICE_ACCOUNT}`,
                issuer: args.oidcIssuerUrl,
                subject: `system:serviceaccount:${APP_NAMESPACE}:${APP_SERVICE_ACCOUNT}`,
                audiences: ["api://AzureADTokenExchange"],
            }, { parent: this });
        }

        const serviceNames = Object.keys(args.services);
        const settingsOf = Object.fromEntries(Object.entries(args.services).map(([service, svc]) => [service, serviceSettings(service, svc, args.wiring, {
            ASPNETCORE_HTTP_PORTS: String(svc.port),
            APPLICATIONINSIGHTS_CONNECTION_STRING: platform.appInsights.connectionString,
            // Same namespace: each Service is reachable by its short name.
            ...Object.fromEntries(serviceNames.filter((o) => o !== service).map((o) => [`services__${o}__http__0`, `http://${o}`])),
        })]));

        const dependsOn: pulumi.Resource[] = [serviceAccount];
        if (Object.keys(args.wiring.secrets).length > 0) {
            dependsOn.push(new k8s.core.v1.Secret("app-settings", {
                metadata: { name: APP_SETTINGS_SECRET, namespace: ns },
                type: "Opaque",
                stringData: Object.fromEntries(Object.entries(args.wiring.secrets).map(([n, s]) => [n, pulumi.secret(s.value)])),
            }, k));
        }
        const vaultSecretNames = [...new Set(Object.values(settingsOf).flatMap((s) => s.keyVault.map((r) => r.secretName)))].sort();
        if (vaultSecretNames.length > 0) {
            dependsOn.push(new k8s.apiextensions.CustomResource("keyvault-provider", {
                apiVersion: "secrets-store.csi.x-k8s.io/v1",
                kind: "SecretProviderClass",
                metadata: { name: KEYVAULT_PROVIDER_CLASS, namespace: ns },
                spec: {
                    provider: "azure",
                    parameters: {
                        usePodIdentity: "false",
                        clientID: platform.workloadIdentity.clientId,
                        keyvaultName: platform.keyVault.name,
                        tenantId: platform.tenantId,
                        objects: `array:\n${vaultSecretNames.map((n) => `  - |\n    objectName: ${n}\n    objectType: secret\n`).join("")}`,
                    },
                    // The driver syncs a Kubernetes Secret while at least one pod mounts the volume.
                    secretObjects: [{
                        secretName: KEYVAULT_SECRET,
                        type: "Opaque",
                        data: vaultSecretNames.map((n) => ({ objectName: n, key: n })),
                    }],
                },
            }, k));
        }

        // Pods read Key Vault through the workload identity: its grants must exist before they start.
        dependsOn.push(...platform.identityGrants);
        for (const [service, svc] of Object.entries(args.services)) {
            this.services[service] = this.service(service, svc, settingsOf[service], args, ns, dependsOn, k);
        }

        const webService = roleService(args.services, "web");
        const external = Object.entries(args.services).find(([, svc]) => svc.ingress.external)?.[0];
        let controller: pulumi.Resource | undefined;
        if (args.ingress.appRoutingController) {
            const dnsLabel = args.ingress.appRoutingController.dnsLabel;
            controller = new k8s.apiextensions.CustomResource("ingress-controller", {
                apiVersion: "approuting.kubernetes.azure.com/v1alpha1",
                kind: "NginxIngressController",
                metadata: { name: args.ingress.className },
                spec: {
                    ingressClassName: args.ingress.className,
                    controllerNamePrefix: args.ingress.className,
                    loadBalancerAnnotations: dnsLabel ? { "service.beta.kubernetes.io/azure-dns-label-name": dnsLabel } : {},
                },
            }, k);
        }
        if (external) {
            const tls = args.ingress.tls;
            new k8s.networking.v1.Ingress(external, {
                metadata: {
                    name: external,
                    namespace: ns,
                    labels: labelsOf(external),
                    ...(tls ? { annotations: { [KEYVAULT_CERTIFICATE_ANNOTATION]: tls.keyVaultCertificateUri } } : {}),
                },
                spec: {
                    ingressClassName: args.ingress.className,
                    ...(tls ? { tls: [{ hosts: [args.ingress.host], secretName: keyVaultTlsSecretName(external) }] } : {}),
                    rules: [{
                        host: args.ingress.host,
                        http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: external, port: { name: "http" } } } }] },
                    }],
                },
            }, { ...k, dependsOn: [...(controller ? [controller] : []), ...(tls?.dependsOn ?? [])] });
            this.services[external].host = pulumi.output(args.ingress.host);
        }
        this.webHost = this.services[webService].host;
        this.apiHost = this.services[roleService(args.services, "api")].host;

        this.registerOutputs({
            namespace: this.namespace,
            webHost: this.webHost,
            apiHost: this.apiHost,
            services: Object.fromEntries(Object.entries(this.services).map(([s, o]) => [s, { name: o.name, host: o.host, hpaName: o.hpaName }])),
        });
    }

    private service(
        service: string,
        svc: ServiceConfig,
        settings: ReturnType<typeof serviceSettings>,
        args: KubernetesAppTierArgs,
        ns: pulumi.Output<string>,
        dependsOn: pulumi.Resource[],
        k: pulumi.CustomResourceOptions,
    ): AppServiceOutput {
        const labels = labelsOf(service);
        const selector = selectorOf(service);
        const env: k8sInput.core.v1.EnvVar[] = [
            ...Object.entries(settings.plain).map(([name, value]) => ({ name, value })),
            ...Object.keys(settings.secrets).map((name) => ({ name, valueFrom: { secretKeyRef: { name: APP_SETTINGS_SECRET, key: name } } })),
            ...settings.keyVault.map((ref) => ({ name: ref.env, valueFrom: { secretKeyRef: { name: KEYVAULT_SECRET, key: ref.secretName } } })),
        ];
        const volumes: k8sInput.core.v1.Volume[] = [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }];
        const volumeMounts: k8sInput.core.v1.VolumeMount[] = [{ name: "tmp", mountPath: "/tmp" }];
        if (settings.keyVault.length > 0) {
            volumes.push({ name: "keyvault", csi: { driver: "secrets-store.csi.k8s.io", readOnly: true, volumeAttributes: { secretProviderClass: KEYVAULT_PROVIDER_CLASS } } });
            volumeMounts.push({ name: "keyvault", mountPath: "/mnt/secrets-store", readOnly: true });
        }
        const httpGet = { path: svc.healthPath, port: "http" };
        const spot = svc.spotTolerant && args.spotPool ? spotScheduling() : undefined;

        const deployment = new k8s.apps.v1.Deployment(service, {
            metadata: { name: service, namespace: ns, labels },
            spec: {
                // No `replicas`: the HPA owns the count (a value here would reset it on every update).
                selector: { matchLabels: selector },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
                template: {
                    metadata: { labels: { ...labels, "azure.workload.identity/use": "true" } },
                    spec: {
                        serviceAccountName: APP_SERVICE_ACCOUNT,
                        securityContext: {
                            runAsNonRoot: true,
                            runAsUser: svc.runAsUser,
                            runAsGroup: svc.runAsUser,
                            fsGroup: svc.runAsUser,
                            seccompProfile: { type: "RuntimeDefault" },
                        },
                        containers: [{
                            name: service,
                            image: resolveImage(svc.image, args.platform.registry.loginServer),
                            ports: [{ name: "http", containerPort: svc.port, protocol: "TCP" }],
                            env,
                            resources: {
                                requests: { cpu: millicores(svc.cpu), memory: svc.memory },
                                limits: { cpu: millicores(svc.limits.cpu), memory: svc.limits.memory },
                            },
                            livenessProbe: { httpGet, ...PROBE_TIMINGS.liveness },
                            readinessProbe: { httpGet, ...PROBE_TIMINGS.readiness },
                            startupProbe: { httpGet, ...PROBE_TIMINGS.startup },
                            securityContext: {
                                runAsNonRoot: true,
                                allowPrivilegeEscalation: false,
                                readOnlyRootFilesystem: true,
                                privileged: false,
                                capabilities: { drop: ["ALL"] },
                            },
                            volumeMounts,
                        }],
                        volumes,
                        topologySpreadConstraints: [
                            {
                                maxSkew: 1,
                                topologyKey: "topology.kubernetes.io/zone",
                                whenUnsatisfiable: args.zoneRedundant ? "DoNotSchedule" : "ScheduleAnyway",
                                labelSelector: { matchLabels: selector },
                                matchLabelKeys: ["pod-template-hash"],
                            },
                            {
                                maxSkew: 1,
                                topologyKey: "kubernetes.io/hostname",
                                whenUnsatisfiable: "ScheduleAnyway",
                                labelSelector: { matchLabels: selector },
                                matchLabelKeys: ["pod-template-hash"],
                            },
                        ],
                        ...(spot ?? {}),
                        terminationGracePeriodSeconds: 30,
                    },
                },
            },
        }, { ...k, dependsOn });

        new k8s.core.v1.Service(service, {
            metadata: { name: service, namespace: ns, labels },
            spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
        }, k);

        const hpa = new k8s.autoscaling.v2.HorizontalPodAutoscaler(service, {
            metadata: { name: `${service}-hpa`, namespace: ns, labels },
            spec: hpaSpec(service, svc),
        }, { ...k, dependsOn: [deployment] });

        new k8s.policy.v1.PodDisruptionBudget(service, {
            metadata: { name: `${service}-pdb`, namespace: ns, labels },
            spec: { maxUnavailable: 1, selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
        }, k);

        return {
            name: deployment.metadata.name,
            host: pulumi.interpolate`${service}.${ns}.svc.cluster.local`,
            hpaName: hpa.metadata.name,
            minReplicas: svc.minReplicas,
            maxReplicas: svc.maxReplicas,
            external: svc.ingress.external,
        };
    }
}
