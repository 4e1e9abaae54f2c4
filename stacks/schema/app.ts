import { z } from "zod";
import { KUBELOGIN_MODES } from "../../components/azure/kubeconfig";
import { AksGatewaySchema } from "./aksGateway";
import { bool, int, ipv4Cidr, mapOf, memoryQuantity, num, oneOf, pattern, stringMap, text } from "./common";
import { imagePinProblem } from "../../policy/shared/images";
import { memoryGi } from "../../lib/containerApps";
import { probePath } from "../../components/appContract";
import { CUSTOM_METRIC_NAMES, type CustomMetricName } from "../../components/kubernetes/prometheus";

/** A container image reference that must be pinned; `example` shows the expected form. */
export const pinnedImage = (example?: string) =>
    text(`an image pinned to a tag or digest${example ? `, e.g. "${example}"` : ""}`).superRefine((image, ctx) => {
        const problem = imagePinProblem(image);
        if (problem) ctx.addIssue({ code: "custom", input: image, message: `expected an image pinned to a tag or digest (${problem})` });
    });

/** An HTTP path a probe requests. */
const httpPath = pattern(/^\/\S*$/, "a path starting with \"/\"");

/** A Key Vault object (secret or certificate) name: 1-127 letters, digits and dashes. */
const keyVaultObjectName = (kind: "secret" | "certificate") =>
    pattern(/^[0-9a-zA-Z-]{1,127}$/, `a Key Vault ${kind} name (letters, digits, dashes)`);

/** Utilisation or concurrency trigger; `null` turns the trigger off. */
const trigger = (min: number, max: number) => int(min, max).nullable();

/** One HPA scaling policy: at most `value` pods or percent per `periodSeconds`. */
const HpaPolicySchema = z.strictObject({
    type: oneOf(["Pods", "Percent"]),
    value: int(1, 1000),
    periodSeconds: int(1, 1800),
});

/** HPA v2 scaling rules for one direction (field names as in `autoscaling/v2`). */
const HpaRulesSchema = z.strictObject({
    stabilizationWindowSeconds: int(0, 3600).optional(),
    selectPolicy: oneOf(["Max", "Min", "Disabled"]).optional(),
    policies: z.array(HpaPolicySchema, { error: "expected a list of {type, value, periodSeconds}" }).optional(),
});

/**
 * The seed's api HPA behaviour: scale down after 5 min of calm by at most 50 % a minute; scale up
 * at once by the larger of 100 % or 2 pods per 30 s. The schema default for every service.
 */
export const SEED_HPA_BEHAVIOR = {
    scaleDown: {
        stabilizationWindowSeconds: 300,
        policies: [{ type: "Percent" as const, value: 50, periodSeconds: 60 }],
    },
    scaleUp: {
        stabilizationWindowSeconds: 0,
        policies: [
            { type: "Percent" as const, value: 100, periodSeconds: 30 },
            { type: "Pods" as const, value: 2, periodSeconds: 30 },
        ],
        selectPolicy: "Max" as const,
    },
};

/**
 * The seed's custom-metrics HPA targets: 1000 requests/s per pod and a p95 of 500m (0.5 s), read by
 * KEDA's Prometheus scaler from the app's request histogram (components/kubernetes/prometheus.ts).
 */
export const SEED_CUSTOM_METRICS: { name: CustomMetricName; target: string }[] = [
    { name: "http_requests_per_second", target: "1000" },
    { name: "api_response_time_p95", target: "500m" },
];

/** A Kubernetes quantity such as "1000", "500m", "1.5", "2k". */
const quantity = pattern(/^\d+(\.\d+)?(m|k|M|G|Ki|Mi|Gi)?$/, "a Kubernetes quantity such as \"1000\" or \"500m\"");

const HpaSchema = z.strictObject({
    behavior: z.strictObject({
        scaleUp: HpaRulesSchema.optional(),
        scaleDown: HpaRulesSchema.optional(),
    }).default(SEED_HPA_BEHAVIOR)
        .describe("`autoscaling/v2` behavior. Default: the seed's api behaviour (SEED_HPA_BEHAVIOR)."),
    customMetrics: z.strictObject({
        enabled: bool().default(false),
        metrics: z.array(z.strictObject({
            name: oneOf(CUSTOM_METRIC_NAMES)
                .describe("One of the signals the platform computes from the app's request histogram (docs/signals.md)."),
            target: quantity
                .describe("The target: requests per second per pod for http_requests_per_second (KEDA AverageValue), seconds for api_response_time_p95 (KEDA Value; \"500m\" is 0.5 s)."),
        }), { error: "expected a list of {name, target}" }).min(1, { error: "expected at least one metric" }).default(SEED_CUSTOM_METRICS),
    }).prefault({})
        .describe("The seed's custom metrics (http_requests_per_second, api_response_time_p95), computed "
            + "from the app's request histogram. When enabled, the service's one autoscaler is a KEDA "
            + "ScaledObject (KEDA add-on on AKS, KEDA chart on EKS) reading the cluster's managed "
            + "Prometheus, in place of the plain HPA. Default off."),
});

export const ServiceSchema = z.strictObject({
    image: pinnedImage("bookstore/api:1.4.2")
        .describe("Container image, pinned to a tag or digest; `latest` or no tag is an error. "
            + "Relative names (\"bookstore/api:1.4.2\") are repositories of the stack's registry; "
            + "see stacks/schema/registry.ts."),
    port: int(1, 65535).default(8080)
        .describe("Port the container listens on. Default 8080 (the seed's)."),
    healthPath: httpPath.default(probePath("readiness"))
        .describe("HTTP path of the readiness probe. Default: the app's `/health` (every health check; "
            + "components/appContract.ts)."),
    livenessPath: httpPath.default(probePath("liveness"))
        .describe("HTTP path of the liveness and startup probes. Default: the app's `/alive` (the process only; "
            + "components/appContract.ts)."),
    cpu: num(0.05, 16).default(0.5)
        .describe("CPU cores requested per replica (Container Apps allocation, Kubernetes request). "
            + "Default 0.5."),
    memory: memoryQuantity.default("1Gi")
        .describe("Memory per replica (Container Apps allocation, Kubernetes request). Default \"1Gi\"."),
    limits: z.strictObject({
        cpu: num(0.05, 32).default(1),
        memory: memoryQuantity.default("1Gi"),
    }).prefault({})
        .describe("Kubernetes limits. Default: the seed's 1 core / 1Gi. Container Apps ignores "
            + "limits."),
    minReplicas: int(1, 1000).default(2)
        .describe("Replica floor. Seed: 2 (no cold starts, survives one instance failing)."),
    maxReplicas: int(1, 1000).default(10)
        .describe("Replica ceiling. Seed: 10 for the api."),
    scale: z.strictObject({
        concurrentRequests: trigger(1, 10000).default(50),
        cpuUtilization: trigger(1, 100).default(70),
        memoryUtilization: trigger(1, 100).default(80),
    }).prefault({})
        .describe("Scale triggers; `null` disables one. Seed: 50 concurrent requests, CPU 70 %, "
            + "memory 80 %."),
    env: stringMap("a map of environment variable names to string values").default({})
        .describe("Plain environment variables."),
    secretEnv: mapOf(keyVaultObjectName("secret"), "a map of environment variable names to Key Vault secret names").default({})
        .describe("Environment variables read from Key Vault: variable name → Key Vault secret name."),
    ingress: z.strictObject({
        external: bool().default(false),
    }).prefault({})
        .describe("Ingress: external (internet-facing) or internal to the environment/cluster."),
    dbPoolSize: int(1, 1000).default(20)
        .describe("Database connections each replica's pool may open. Seed: 20."),
    hpa: HpaSchema.prefault({})
        .describe("Kubernetes only: the HPA's behaviour and optional custom metrics (CPU/memory come "
            + "from `scale`)."),
    workloadProfile: text("a workload profile name").default("Consumption")
        .describe("Container Apps only: the workload profile the app runs on. Default \"Consumption\"."),
    spotTolerant: bool().default(false)
        .describe("Kubernetes only: may run on the spot pool (gets its toleration and affinity when "
            + "the pool exists)."),
    runAsUser: int(1, 2147483647).default(1654)
        .describe("Kubernetes only: numeric user the container runs as. Default 1654, the `app` user "
            + "of .NET 8+ images."),
});

export type ServiceConfig = z.infer<typeof ServiceSchema>;

/** Dedicated Container Apps workload profile types: vCPU and memory (GiB) of one node. */
export const DEDICATED_PROFILES = {
    D4: { cpu: 4, memoryGi: 16 }, D8: { cpu: 8, memoryGi: 32 }, D16: { cpu: 16, memoryGi: 64 }, D32: { cpu: 32, memoryGi: 128 },
    E4: { cpu: 4, memoryGi: 32 }, E8: { cpu: 8, memoryGi: 64 }, E16: { cpu: 16, memoryGi: 128 }, E32: { cpu: 32, memoryGi: 256 },
} as const;
export type DedicatedProfileType = keyof typeof DEDICATED_PROFILES;
const dedicatedTypes = Object.keys(DEDICATED_PROFILES) as [DedicatedProfileType, ...DedicatedProfileType[]];

const ContainerAppsSchema = z.strictObject({
    zoneRedundant: bool().optional()
        .describe("Zone-redundant environment (needs the VNet subnet; fixed at creation). Default: "
            + "true in prod."),
    internal: bool().default(false)
        .describe("Environment reachable only from the VNet (no public ingress at all). Default "
            + "false."),
    workloadProfiles: z.array(z.strictObject({
        name: pattern(/^[a-zA-Z][a-zA-Z0-9-]{0,14}$/, "a profile name of letters, digits and dashes (max 15)"),
        workloadProfileType: oneOf(dedicatedTypes),
        minimumCount: int(0, 100).default(1),
        maximumCount: int(1, 100).default(3),
    }), { error: "expected a list of {name, workloadProfileType, minimumCount, maximumCount}" }).default([])
        .describe("Dedicated workload profiles besides the always-present \"Consumption\" profile."),
});

const poolSize = (minCount: number, maxCount: number) => ({ minCount: int(0, 1000).default(minCount), maxCount: int(1, 1000).default(maxCount) });
const vmSize = pattern(/^Standard_[A-Za-z0-9_]+$/, "an Azure VM size such as \"Standard_D4ds_v5\"");

const AksSchema = z.strictObject({
    kubernetesVersion: pattern(/^1\.\d+(\.\d+)?$/, "a Kubernetes version such as \"1.36\"").optional()
        .describe("Kubernetes minor (or patch) version; patches follow the `patch` upgrade channel. "
            + "Required in prod (a cluster's version is a deliberate choice); elsewhere "
            + "DEFAULT_AKS_KUBERNETES_VERSION. policy/shared/aksVersions.ts keeps the dated AKS "
            + "support table the plan and policy check it against."),
    kubeloginMode: oneOf(KUBELOGIN_MODES).default("azurecli")
        .describe("How the Kubernetes provider's kubelogin signs in, without a prompt "
            + "(components/azure/kubeconfig.ts): `azurecli` (the deployer's `az login`), "
            + "`workloadidentity` (CI federated token) or `spn` (service principal secret in the "
            + "environment). Default azurecli."),
    skuTier: oneOf(["Free", "Standard", "Premium"]).optional()
        .describe("Control-plane tier. Default: Standard (financially backed SLA) in prod, Free "
            + "elsewhere."),
    adminGroupObjectIds: z.array(pattern(/^[0-9a-f-]{36}$/, "an Entra group object id (GUID)"), { error: "expected a list of Entra group object ids" }).default([])
        .describe("Entra groups that get cluster-admin through Entra RBAC."),
    zones: z.array(oneOf(["1", "2", "3"]), { error: "expected a list of zones \"1\" | \"2\" | \"3\"" }).optional()
        .describe("Availability zones of every pool. Default: [\"1\",\"2\",\"3\"] in prod, none elsewhere."),
    systemPool: z.strictObject({
        vmSize: vmSize.default("Standard_D4ds_v5"),
        minCount: int(1, 1000).optional(),
        maxCount: int(1, 1000).default(5),
    }).prefault({})
        .describe("Inline system pool (tainted CriticalAddonsOnly). minCount default: 3 in prod (one "
            + "per zone), 1 elsewhere."),
    userPool: z.strictObject({ vmSize: vmSize.default("Standard_D4ds_v5"), ...poolSize(2, 10) })
        .prefault({})
        .describe("Autoscaled user pool for the app."),
    spotPool: z.strictObject({
        vmSize: vmSize.default("Standard_D4ds_v5"),
        ...poolSize(0, 10),
        nodeLabels: stringMap("a map of node label names to values").default({ workload: "batch" })
            .describe("Extra node labels. Default: the seed's `workload: batch`."),
    }).optional()
        .describe("Optional spot pool (evicted at any time; only `spotTolerant` services go there)."),
    ingress: z.strictObject({
        host: pattern(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "a lowercase DNS host name").optional()
            .describe("Public host name. Default: the Application Gateway for Containers frontend's "
                + "generated FQDN (approuting-istio: "
                + "`<namePrefix>-<environment>.<location>.cloudapp.azure.com`, a DNS label on the "
                + "Gateway's IP)."),
    }).prefault({})
        .describe("Web entry of the external service: a Gateway API Gateway and HTTPRoute "
            + "(components/kubernetes/webGateway.ts)."),
    gateway: AksGatewaySchema.prefault({})
        .describe("The web entry's Gateway API implementation and the AGC subnet "
            + "(stacks/schema/aksGateway.ts)."),
    podCidr: ipv4Cidr.default("10.244.0.0/16")
        .describe("Azure CNI overlay pod range (not part of the VNet, must not overlap it)."),
    serviceCidr: ipv4Cidr.default("10.0.0.0/16")
        .describe("Kubernetes service range (must not overlap the VNet or the pod range)."),
    dnsServiceIP: pattern(/^\d{1,3}(\.\d{1,3}){3}$/, "an IPv4 address").default("10.0.0.10")
        .describe("Cluster DNS address, inside serviceCidr."),
});

export const AppSchema = z.strictObject({
    services: z.record(
        pattern(/^[a-z][a-z0-9-]{0,23}$/, "a service name of lowercase letters, digits and dashes"),
        ServiceSchema,
        { error: "expected a map of service name to service settings" },
    )
        .describe("Services by name; the seed's app has `api` (internal) and `web` (external)."),
    containerApps: ContainerAppsSchema.prefault({})
        .describe("Container Apps runtime settings (platform \"containerapps\")."),
    aks: AksSchema.prefault({})
        .describe("AKS runtime settings (platform \"aks\")."),
});

export type AppConfig = z.infer<typeof AppSchema>;

export type ContainerAppsConfig = AppConfig["containerApps"];
export type AksConfig = AppConfig["aks"];

/**
 * Allowed Container Apps cpu/memory pairs (total per replica): 0.25 vCPU steps with 2 GiB per vCPU,
 * up to 2 vCPU everywhere and up to 4 vCPU on the Consumption workload profile.
 */
export function containerAppsPairProblem(cpu: number, memory: string): string | undefined {
    const steps = cpu / 0.25;
    const ok = Number.isInteger(Math.round(steps * 1e6) / 1e6) && cpu >= 0.25 && cpu <= 4
        && Math.abs(memoryGi(memory) - cpu * 2) < 1e-9;
    return ok ? undefined : `a Container Apps cpu/memory pair (0.25/0.5Gi, 0.5/1Gi, ... in 0.25 vCPU steps with 2Gi per vCPU, up to 4/8Gi)`;
}
