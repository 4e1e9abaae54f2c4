// KubernetesAppTier: the cloud-neutral app tier on any Kubernetes cluster (Deployments, Services, HPA v2, PDBs, spread, Gateway API or Ingress entry).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import type { ServiceSpec } from "../serviceSpec";
import type { CloudIdentity, CsiSecretStore, GatewayClass, IngressClass, SpotNodes } from "./cloudAdapters";
import { createWebGateway, type EdgeHeader } from "./webGateway";
import { createWebIngress } from "./webIngress";
import { spotScheduling, topologySpread } from "./scheduling";
import { AppServiceOutput, AppTierCommonArgs, AppTierOutputs, millicores, PROBE_TIMINGS, roleService, serviceSettings } from "../contracts";
import { resolveImage } from "../images";
import { createScaledObject, KedaArgs, kedaTriggerAuthentication, telemetryJob, usesKeda } from "./keda";

/** The namespace every app resource lives in (the database tier's PgBouncer joins it). */
export const APP_NAMESPACE = "bookstore";
/** The ServiceAccount the pods run as (the cloud identity binds to it). */
export const APP_SERVICE_ACCOUNT = "bookstore";
/** Kubernetes Secret holding the secrets the other tiers wire in. */
export const APP_SETTINGS_SECRET = "app-settings";

export interface KubernetesAppTierArgs extends AppTierCommonArgs {
    /** Any Kubernetes provider: the AKS cluster's, or one for a cluster this program did not create. */
    provider: k8s.Provider;
    /** Login server of the stack's registry: a relative image is a repository of it. */
    registryLoginServer: pulumi.Input<string>;
    /** Settings the platform gives every pod (e.g. the telemetry connection string), before the tiers' wiring. Default none. */
    podSettings?: Record<string, pulumi.Input<string>>;
    /** How the pods get a cloud identity (e.g. azureWorkloadIdentity in components/azure/aksAdapters.ts). Default: none. */
    identity?: CloudIdentity;
    /** Where `secretEnv` references are read from (a CSI SecretProviderClass). Required when a service has one. */
    secretStore?: CsiSecretStore;
    /** The cluster's spot nodes, when it has a spot pool: spot-tolerant services tolerate and prefer them. Default: no spot pool. */
    spot?: SpotNodes;
    /** Labels on every service's resources and pods, e.g. `environment` (the policy pack's environment scope). Default none. */
    labels?: Record<string, string>;
    /** Nodes span availability zones: the zone spread becomes a hard constraint. Default false. */
    zoneRedundant?: boolean;
    /** Web entry of the external service: a Gateway API Gateway (webGateway.ts) or an Ingress (webIngress.ts). */
    ingress: WebEntry;
    /** KEDA (components/kubernetes/keda.ts): required when a service has `hpa.customMetrics` on; it then gets a ScaledObject instead of an HPA. */
    keda?: KedaArgs;
}

/** The external service's web entry: its public host, served by a Gateway API implementation or by an Ingress controller. */
export type WebEntry =
    | {
        /** Public host name (may be the implementation's generated FQDN, known once deployed). */
        host: pulumi.Input<string>;
        /** The Gateway API implementation serving it (e.g. appRoutingGateway in components/azure/aksAdapters.ts). */
        gateway: GatewayClass;
        /** Certificate chain and private key for `host` (secrets); without them the Gateway serves HTTP only. */
        tls?: { chain: pulumi.Input<string>; privateKey: pulumi.Input<string> };
        /** The header the edge in front adds; the route then serves only requests carrying it (webGateway.ts). Default: none. */
        edgeHeader?: EdgeHeader;
    }
    | {
        host: string;
        /** The Ingress controller serving it (e.g. albIngress in components/aws/eksAdapters.ts); TLS is the controller's. */
        ingressClass: IngressClass;
    };

const labelsOf = (service: string, extra?: Record<string, string>) => ({
    "app.kubernetes.io/name": service,
    "app.kubernetes.io/part-of": "bookstore",
    "app.kubernetes.io/managed-by": "pulumi",
    ...extra,
});
const selectorOf = (service: string) => ({ "app.kubernetes.io/name": service });

/** The HPA v2 spec of one service: the seed's resource metrics and its behaviour (custom metrics go through KEDA, components/kubernetes/keda.ts). */
export function hpaSpec(service: string, svc: ServiceSpec): k8sInput.autoscaling.v2.HorizontalPodAutoscalerSpec {
    const metrics: k8sInput.autoscaling.v2.MetricSpec[] = [];
    const resource = (name: "cpu" | "memory", averageUtilization: number | null) => {
        if (averageUtilization !== null) metrics.push({ type: "Resource", resource: { name, target: { type: "Utilization", averageUtilization } } });
    };
    resource("cpu", svc.scale.cpuUtilization);
    resource("memory", svc.scale.memoryUtilization);
    return {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: service },
        minReplicas: svc.minReplicas,
        maxReplicas: svc.maxReplicas,
        metrics,
        behavior: svc.hpa.behavior,
    };
}

/**
 * The app on Kubernetes: namespace `bookstore`, a ServiceAccount bound to the cloud identity,
 * and per service a hardened Deployment, a ClusterIP Service, an `autoscaling/v2` HPA and a
 * PodDisruptionBudget; for the external service a Gateway API Gateway and HTTPRoute, or an Ingress
 * on the cluster's Ingress controller. Works with any Kubernetes provider.
 */
export class KubernetesAppTier extends pulumi.ComponentResource implements AppTierOutputs {
    readonly runtime = "kubernetes" as const;
    readonly webHost: pulumi.Output<string>;
    readonly webOriginAddress?: pulumi.Output<string>;
    readonly apiHost: pulumi.Output<string>;
    readonly apiUrl: pulumi.Output<string>;
    readonly services: Record<string, AppServiceOutput> = {};
    readonly diagnosticTargets: AppTierOutputs["diagnosticTargets"] = [];
    readonly provider: k8s.Provider;
    readonly namespace: pulumi.Output<string>;
    readonly workloadGrantsReady?: pulumi.Resource;
    /** The external service's Ingress, when the web entry is an Ingress controller (its status carries the load balancer's address). */
    readonly ingress?: k8s.networking.v1.Ingress;
    private kedaAuth?: pulumi.Resource;

    constructor(name: string, args: KubernetesAppTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:app:KubernetesAppTier", name, {}, opts);
        this.provider = args.provider;
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
                annotations: { ...(args.identity?.serviceAccountAnnotations ?? {}) },
            },
        }, k);
        const identityReady = args.identity?.bind(this, { namespace: APP_NAMESPACE, name: APP_SERVICE_ACCOUNT });

        const serviceNames = Object.keys(args.services);
        const settingsOf = Object.fromEntries(Object.entries(args.services).map(([service, svc]) => [service, serviceSettings(service, svc, args.wiring, {
            ASPNETCORE_HTTP_PORTS: String(svc.port),
            ...(args.podSettings ?? {}),
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
            const store = args.secretStore;
            if (!store) {
                const service = Object.keys(settingsOf).find((s) => settingsOf[s].keyVault.length > 0)!;
                throw new pulumi.RunError(`bookstore:app.services.${service}.secretEnv: secret references (${vaultSecretNames.join(", ")}) need a secret store, which this cluster does not provide`);
            }
            dependsOn.push(new k8s.apiextensions.CustomResource(store.resourceName, {
                apiVersion: "secrets-store.csi.x-k8s.io/v1",
                kind: "SecretProviderClass",
                metadata: { name: store.className, namespace: ns },
                spec: store.spec(vaultSecretNames),
            }, k));
        }

        // The pods start once the cloud identity's binding and grants have taken effect.
        this.workloadGrantsReady = identityReady;
        if (identityReady) dependsOn.push(identityReady);
        this.kedaAuth = kedaTriggerAuthentication(args, ns, k);
        for (const [service, svc] of Object.entries(args.services)) {
            this.services[service] = this.service(service, svc, settingsOf[service], args, ns, dependsOn, k);
        }

        const webService = roleService(args.services, "web");
        const external = Object.entries(args.services).find(([, svc]) => svc.ingress.external)?.[0];
        if (external) {
            const entry = args.ingress;
            if ("ingressClass" in entry) {
                this.ingress = createWebIngress({
                    service: external,
                    namespace: ns,
                    host: entry.host,
                    labels: labelsOf(external, args.labels),
                    healthPath: args.services[external].healthPath,
                    ingressClass: entry.ingressClass,
                }, k);
            } else {
                createWebGateway({
                    service: external,
                    namespace: ns,
                    host: entry.host,
                    gateway: entry.gateway,
                    tls: entry.tls !== undefined,
                    certificate: entry.tls,
                    edgeHeader: entry.edgeHeader,
                }, k);
                if (entry.gateway.originAddress !== undefined) this.webOriginAddress = pulumi.output(entry.gateway.originAddress);
            }
            this.services[external].host = pulumi.output(entry.host);
        }
        this.webHost = this.services[webService].host;
        this.apiHost = this.services[roleService(args.services, "api")].host;
        // The api's ClusterIP Service listens on port 80 (reachable in the cluster only).
        this.apiUrl = pulumi.interpolate`http://${this.apiHost}`;

        this.registerOutputs({
            namespace: this.namespace,
            webHost: this.webHost,
            apiHost: this.apiHost,
            services: Object.fromEntries(Object.entries(this.services).map(([s, o]) => [s, { name: o.name, host: o.host, hpaName: o.hpaName }])),
        });
    }

    private service(
        service: string,
        svc: ServiceSpec,
        settings: ReturnType<typeof serviceSettings>,
        args: KubernetesAppTierArgs,
        ns: pulumi.Output<string>,
        dependsOn: pulumi.Resource[],
        k: pulumi.CustomResourceOptions,
    ): AppServiceOutput {
        const labels = labelsOf(service, args.labels);
        const selector = selectorOf(service);
        const env: k8sInput.core.v1.EnvVar[] = [
            ...Object.entries(settings.plain).map(([name, value]) => ({ name, value })),
            ...Object.keys(settings.secrets).map((name) => ({ name, valueFrom: { secretKeyRef: { name: APP_SETTINGS_SECRET, key: name } } })),
            ...settings.keyVault.map((ref) => ({ name: ref.env, valueFrom: { secretKeyRef: { name: args.secretStore!.syncedSecretName, key: ref.secretName } } })),
        ];
        const volumes: k8sInput.core.v1.Volume[] = [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }];
        const volumeMounts: k8sInput.core.v1.VolumeMount[] = [{ name: "tmp", mountPath: "/tmp" }];
        if (settings.keyVault.length > 0) {
            volumes.push({ name: "keyvault", csi: { driver: "secrets-store.csi.k8s.io", readOnly: true, volumeAttributes: { secretProviderClass: args.secretStore!.className } } });
            volumeMounts.push({ name: "keyvault", mountPath: "/mnt/secrets-store", readOnly: true });
        }
        const httpGet = { path: svc.healthPath, port: "http" };
        const spot = svc.spotTolerant && args.spot ? spotScheduling(args.spot) : undefined;

        const deployment = new k8s.apps.v1.Deployment(service, {
            metadata: { name: service, namespace: ns, labels },
            spec: {
                // No `replicas`: the HPA owns the count (a value here would reset it on every update).
                selector: { matchLabels: selector },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
                template: {
                    metadata: { labels: { ...labels, ...(args.identity?.podLabels ?? {}) } },
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
                            image: resolveImage(svc.image, args.registryLoginServer),
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
                        topologySpreadConstraints: topologySpread(selector, args.zoneRedundant ?? false),
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

        // One autoscaler per Deployment: KEDA's ScaledObject (it owns the HPA) or the plain HPA v2.
        const hpaName = usesKeda(svc)
            ? createScaledObject(service, svc, telemetryJob(service, args.services), ns, labels, args.keda!, [deployment, this.kedaAuth!], k)
            : new k8s.autoscaling.v2.HorizontalPodAutoscaler(service, {
                metadata: { name: `${service}-hpa`, namespace: ns, labels },
                spec: hpaSpec(service, svc),
            }, { ...k, dependsOn: [deployment] }).metadata.name;

        new k8s.policy.v1.PodDisruptionBudget(service, {
            metadata: { name: `${service}-pdb`, namespace: ns, labels },
            spec: { maxUnavailable: 1, selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
        }, k);

        return {
            name: deployment.metadata.name,
            host: pulumi.interpolate`${service}.${ns}.svc.cluster.local`,
            hpaName,
            minReplicas: svc.minReplicas,
            maxReplicas: svc.maxReplicas,
            external: svc.ingress.external,
        };
    }
}
