/**
 * One service of the app as every runtime (Container Apps, Kubernetes on AKS or EKS) takes it:
 * image, probes, size, scaling and settings. Owned by the components; the stack config
 * (its app schema) validates user input into this shape and fills the defaults named here.
 */

import type { CustomMetricName } from "./kubernetes/prometheus";

/** One HPA scaling policy: at most `value` pods or percent per `periodSeconds`. */
export interface HpaPolicy {
    type: "Pods" | "Percent";
    value: number;
    periodSeconds: number;
}

/** HPA v2 scaling rules for one direction (field names as in `autoscaling/v2`). */
export interface HpaRules {
    stabilizationWindowSeconds?: number;
    selectPolicy?: "Max" | "Min" | "Disabled";
    policies?: HpaPolicy[];
}

/** Kubernetes HPA settings beside the CPU/memory targets of `scale`. */
export interface HpaSpec {
    /** `autoscaling/v2` behavior. Config default: the seed's api behaviour (SEED_HPA_BEHAVIOR). */
    behavior: { scaleUp?: HpaRules; scaleDown?: HpaRules };
    /**
     * The seed's custom metrics, computed from the app's request histogram (components/kubernetes/prometheus.ts
     * CUSTOM_METRIC_SIGNALS) and read by KEDA in place of the plain HPA when enabled. Config default: off.
     */
    customMetrics: { enabled: boolean; metrics: { name: CustomMetricName; target: string }[] };
}

export interface ServiceSpec {
    /** Container image, pinned; a relative name ("bookstore/api:1.4.2") is a repository of the stack's registry. */
    image: string;
    /** Port the container listens on (config default 8080). */
    port: number;
    /** HTTP path of the liveness, readiness and startup probes (config default `/health`). */
    healthPath: string;
    /** CPU cores requested per replica (Container Apps allocation, Kubernetes request). */
    cpu: number;
    /** Memory per replica, a quantity such as "1Gi" (Container Apps allocation, Kubernetes request). */
    memory: string;
    /** Kubernetes limits; Container Apps ignores them. */
    limits: { cpu: number; memory: string };
    /** Replica floor and ceiling. */
    minReplicas: number;
    maxReplicas: number;
    /** Scale triggers; `null` turns one off. */
    scale: { concurrentRequests: number | null; cpuUtilization: number | null; memoryUtilization: number | null };
    /** Plain environment variables. */
    env: Record<string, string>;
    /** Environment variables read from the cloud's secret store: variable name → secret name. */
    secretEnv: Record<string, string>;
    /** Internet-facing, or internal to the environment/cluster. */
    ingress: { external: boolean };
    /** Database connections each replica's pool may open. */
    dbPoolSize: number;
    /** Kubernetes only: the HPA's behaviour and custom metrics. */
    hpa: HpaSpec;
    /** Container Apps only: the workload profile the app runs on. */
    workloadProfile: string;
    /** Kubernetes only: may run on the spot pool. */
    spotTolerant: boolean;
    /** Kubernetes only: numeric user the container runs as. */
    runAsUser: number;
}
