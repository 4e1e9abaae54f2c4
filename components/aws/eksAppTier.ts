import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import type { ServiceSpec } from "../serviceSpec";
import { millicores, PROBE_TIMINGS, roleService, serviceSettings } from "../contracts";
import { APP_NAMESPACE, APP_SERVICE_ACCOUNT, APP_SETTINGS_SECRET, hpaSpec } from "../kubernetes/kubernetesAppTier";
import type { AppWiring } from "../wiring";
import { EKS_SPOT_LABEL, EKS_SPOT_TAINT } from "./eksCluster";
import { resolveImage } from "../images";
import { createScaledObject, type KedaArgs, kedaTriggerAuthentication, usesKeda } from "../kubernetes/keda";

export interface EksAppTierArgs {
    provider: k8s.Provider;
    services: Record<string, ServiceSpec>;
    wiring: AppWiring;
    /** Spot group present: spot-tolerant services get its toleration and a preference for it. */
    spotNodeGroup: boolean;
    /** The ALB in front of the external service. */
    ingress: {
        host: string;
        /** ACM certificate of `host` in the cluster's region. */
        certificateArn: string;
        /** Security group the ALB uses (opened to the internet on 443/80 by the foundation). */
        securityGroupId: pulumi.Input<string>;
        /** Name the controller gives the ALB (CloudWatch finds its metrics by it, components/aws/albAlarms.ts). */
        loadBalancerName: string;
        /** Resources the Ingress waits for (the Load Balancer Controller). */
        dependsOn: pulumi.Resource[];
    };
    environment: string;
    /** The account's ECR registry host: relative image names (`bookstore/api:1.0.0`) resolve against it. */
    registryLoginServer: pulumi.Input<string>;
}

/** TLS 1.2+ on the ALB listener (ELB UG — Security policies for your Application Load Balancer). */
export const ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

const labelsOf = (service: string, environment: string) => ({
    "app.kubernetes.io/name": service, "app.kubernetes.io/part-of": "bookstore", "app.kubernetes.io/managed-by": "pulumi", environment,
});

/** Annotations of the web Ingress: an internet-facing ALB, IP targets, HTTPS with the ACM certificate, HTTP redirected. */
export function albAnnotations(args: { certificateArn: string; securityGroupId: string; healthPath: string; loadBalancerName: string }): Record<string, string> {
    return {
        // A name of ours rather than the controller's generated k8s-<ns>-<name>-<hash>: the alarms and dashboard look the ALB up by it.
        "alb.ingress.kubernetes.io/load-balancer-name": args.loadBalancerName,
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/listen-ports": JSON.stringify([{ HTTP: 80 }, { HTTPS: 443 }]),
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/certificate-arn": args.certificateArn,
        "alb.ingress.kubernetes.io/ssl-policy": ALB_SSL_POLICY,
        "alb.ingress.kubernetes.io/security-groups": args.securityGroupId,
        // The controller adds the ALB → pod rules to the node security group itself.
        "alb.ingress.kubernetes.io/manage-backend-security-group-rules": "true",
        "alb.ingress.kubernetes.io/healthcheck-path": args.healthPath,
        "alb.ingress.kubernetes.io/load-balancer-attributes": "routing.http.drop_invalid_header_fields.enabled=true",
    };
}

/**
 * The app on EKS. Minimal by necessity: `KubernetesAppTier` is bound to Azure (workload identity
 * annotations, Key Vault CSI, application routing), so this renders the same Deployment shape —
 * the seed's HPA (via `hpaSpec`), probes, requests/limits, PDB, hardened pod — with EKS specifics:
 * Pod Identity on the ServiceAccount, the spot group's label/taint and an ALB Ingress.
 */
export class EksAppTier extends pulumi.ComponentResource {
    readonly namespace: pulumi.Output<string>;
    readonly webHost: pulumi.Output<string>;
    readonly ingress?: k8s.networking.v1.Ingress;
    /** Services scaled by KEDA, waiting for `scaleWithKeda` (the AMP workspace is created after the app). */
    private readonly kedaServices: { service: string; svc: ServiceSpec; labels: Record<string, string>; deployment: k8s.apps.v1.Deployment }[] = [];
    private nsRef!: pulumi.Output<string>;
    private k8sOpts!: pulumi.CustomResourceOptions;

    constructor(name: string, args: EksAppTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:aws:EksAppTier", name, {}, opts);
        const k = { parent: this, provider: args.provider };
        const namespace = new k8s.core.v1.Namespace("namespace", {
            metadata: {
                name: APP_NAMESPACE,
                labels: { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "restricted" },
            },
        }, k);
        this.namespace = namespace.metadata.name;
        const ns = this.namespace;
        this.nsRef = ns;
        this.k8sOpts = k;
        // Pod Identity binds this ServiceAccount to the app's IAM role; no annotation is needed.
        const serviceAccount = new k8s.core.v1.ServiceAccount("service-account", { metadata: { name: APP_SERVICE_ACCOUNT, namespace: ns } }, k);
        const dependsOn: pulumi.Resource[] = [serviceAccount];
        if (Object.keys(args.wiring.secrets).length > 0) {
            dependsOn.push(new k8s.core.v1.Secret("app-settings", {
                metadata: { name: APP_SETTINGS_SECRET, namespace: ns }, type: "Opaque",
                stringData: Object.fromEntries(Object.entries(args.wiring.secrets).map(([n, s]) => [n, pulumi.secret(s.value)])),
            }, k));
        }
        const names = Object.keys(args.services);
        for (const [service, svc] of Object.entries(args.services)) {
            const settings = serviceSettings(service, svc, args.wiring, {
                ASPNETCORE_HTTP_PORTS: String(svc.port),
                ...Object.fromEntries(names.filter((o) => o !== service).map((o) => [`services__${o}__http__0`, `http://${o}`])),
            });
            this.service(service, svc, settings, args, ns, dependsOn, k);
        }
        const web = roleService(args.services, "web");
        const external = Object.entries(args.services).find(([, svc]) => svc.ingress.external)?.[0];
        if (external) {
            this.ingress = new k8s.networking.v1.Ingress(external, {
                metadata: {
                    name: external, namespace: ns, labels: labelsOf(external, args.environment),
                    annotations: pulumi.output(args.ingress.securityGroupId).apply((sg) => albAnnotations({ certificateArn: args.ingress.certificateArn, securityGroupId: sg, healthPath: args.services[external].healthPath, loadBalancerName: args.ingress.loadBalancerName })),
                },
                spec: {
                    ingressClassName: "alb",
                    rules: [{ host: args.ingress.host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: external, port: { name: "http" } } } }] } }],
                },
            }, { ...k, dependsOn: args.ingress.dependsOn });
        }
        this.webHost = external === web ? pulumi.output(args.ingress.host) : pulumi.interpolate`${web}.${ns}.svc.cluster.local`;
        this.registerOutputs({ namespace: this.namespace, webHost: this.webHost });
    }

    /**
     * The ScaledObjects of the services with custom metrics, and the namespace's TriggerAuthentication.
     * Without KEDA (`keda` undefined) while a service needs it, the error names that service's key.
     */
    scaleWithKeda(services: Record<string, ServiceSpec>, keda: KedaArgs | undefined): void {
        const auth = kedaTriggerAuthentication({ services, keda }, this.nsRef, this.k8sOpts);
        for (const { service, svc, labels, deployment } of this.kedaServices) {
            createScaledObject(service, svc, APP_NAMESPACE, this.nsRef, labels, keda!, [deployment, auth!], this.k8sOpts);
        }
    }

    private service(service: string, svc: ServiceSpec, settings: ReturnType<typeof serviceSettings>, args: EksAppTierArgs,
        ns: pulumi.Output<string>, dependsOn: pulumi.Resource[], k: pulumi.CustomResourceOptions): void {
        if (settings.keyVault.length > 0) throw new pulumi.RunError(`bookstore:app.services.${service}.secretEnv: Key Vault references are not available on platform "eks"`);
        const labels = labelsOf(service, args.environment);
        const selector = { "app.kubernetes.io/name": service };
        const env: k8sInput.core.v1.EnvVar[] = [
            ...Object.entries(settings.plain).map(([name, value]) => ({ name, value })),
            ...Object.keys(settings.secrets).map((name) => ({ name, valueFrom: { secretKeyRef: { name: APP_SETTINGS_SECRET, key: name } } })),
        ];
        const httpGet = { path: svc.healthPath, port: "http" };
        const spot: Partial<k8sInput.core.v1.PodSpec> = svc.spotTolerant && args.spotNodeGroup ? {
            tolerations: [{ key: EKS_SPOT_TAINT.key, operator: "Equal", value: EKS_SPOT_TAINT.value, effect: EKS_SPOT_TAINT.kubernetesEffect }],
            affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: EKS_SPOT_LABEL.key, operator: "In", values: [EKS_SPOT_LABEL.value] }] } }] } },
        } : {};
        const deployment = new k8s.apps.v1.Deployment(service, {
            metadata: { name: service, namespace: ns, labels },
            spec: {
                // No `replicas`: the HPA owns the count.
                selector: { matchLabels: selector },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: APP_SERVICE_ACCOUNT,
                        securityContext: { runAsNonRoot: true, runAsUser: svc.runAsUser, runAsGroup: svc.runAsUser, fsGroup: svc.runAsUser, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [{
                            name: service, image: resolveImage(svc.image, args.registryLoginServer),
                            ports: [{ name: "http", containerPort: svc.port, protocol: "TCP" }],
                            env,
                            resources: { requests: { cpu: millicores(svc.cpu), memory: svc.memory }, limits: { cpu: millicores(svc.limits.cpu), memory: svc.limits.memory } },
                            livenessProbe: { httpGet, ...PROBE_TIMINGS.liveness },
                            readinessProbe: { httpGet, ...PROBE_TIMINGS.readiness },
                            startupProbe: { httpGet, ...PROBE_TIMINGS.startup },
                            securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ["ALL"] } },
                            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                        }],
                        volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
                        topologySpreadConstraints: [
                            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector }, matchLabelKeys: ["pod-template-hash"] },
                            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector }, matchLabelKeys: ["pod-template-hash"] },
                        ],
                        ...spot,
                        terminationGracePeriodSeconds: 30,
                    },
                },
            },
        }, { ...k, dependsOn });
        new k8s.core.v1.Service(service, {
            metadata: { name: service, namespace: ns, labels },
            spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
        }, k);
        // One autoscaler per Deployment: a KEDA ScaledObject (scaleWithKeda) or the plain HPA v2.
        if (usesKeda(svc)) this.kedaServices.push({ service, svc, labels, deployment });
        else new k8s.autoscaling.v2.HorizontalPodAutoscaler(service, { metadata: { name: `${service}-hpa`, namespace: ns, labels }, spec: hpaSpec(service, svc) }, { ...k, dependsOn: [deployment] });
        new k8s.policy.v1.PodDisruptionBudget(service, {
            metadata: { name: `${service}-pdb`, namespace: ns, labels },
            spec: { maxUnavailable: 1, selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
        }, k);
    }
}
