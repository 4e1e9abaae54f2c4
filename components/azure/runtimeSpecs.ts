/**
 * The Azure app runtimes' settings, owned by the components that take them: the Container Apps
 * environment and the AKS cluster. The stack config (its app schema) validates user input
 * into these shapes and fills the defaults documented there.
 */
import type { KubeloginMode } from "./kubeconfig";

/**
 * Gateway API implementations of the AKS web entry: Application Gateway for Containers (declared
 * entirely by this program) or the application routing add-on's Istio-based one (a one-time
 * `az aks` step until azure-native sends containerservice 2026-02-01; docs/runbooks.md).
 */
export const AKS_GATEWAY_IMPLEMENTATIONS = ["application-gateway-for-containers", "approuting-istio"] as const;
export type AksGatewayImplementation = (typeof AKS_GATEWAY_IMPLEMENTATIONS)[number];

/** Container Apps environment settings. */
export interface ContainerAppsSpec {
    /** Zone-redundant environment (needs the VNet subnet; fixed at creation). Unset: true in prod. */
    zoneRedundant?: boolean;
    /** Environment reachable only from the VNet (no public ingress at all). */
    internal: boolean;
    /** Dedicated workload profiles besides the always-present "Consumption" profile. */
    workloadProfiles: { name: string; workloadProfileType: string; minimumCount: number; maximumCount: number }[];
}

/** One autoscaled node pool: VM size and node count range. */
export interface AksPoolSpec {
    vmSize: string;
    minCount: number;
    maxCount: number;
}

/** The AKS cluster: version, pools, zones, network ranges and the web entry's host. */
export interface AksSpec {
    /** Kubernetes minor (or patch) version; unset: DEFAULT_AKS_KUBERNETES_VERSION (policy/shared/aksVersions.ts). */
    kubernetesVersion?: string;
    /** How kubelogin signs in without a prompt (kubeconfig.ts). */
    kubeloginMode: KubeloginMode;
    /** Control-plane tier; unset: Standard in prod, Free elsewhere. */
    skuTier?: "Free" | "Standard" | "Premium";
    /** Entra groups that get cluster-admin through Entra RBAC. */
    adminGroupObjectIds: string[];
    /** Availability zones of every pool; unset: ["1","2","3"] in prod, none elsewhere. */
    zones?: ("1" | "2" | "3")[];
    /** Inline system pool (tainted CriticalAddonsOnly); minCount unset: 3 in prod, 1 elsewhere. */
    systemPool: { vmSize: string; minCount?: number; maxCount: number };
    /** Autoscaled user pool for the app. */
    userPool: AksPoolSpec;
    /** Optional spot pool (only `spotTolerant` services go there), with extra node labels. */
    spotPool?: AksPoolSpec & { nodeLabels: Record<string, string> };
    /**
     * Web entry of the external service; host unset: the AGC frontend's generated FQDN
     * (approuting-istio: `<namePrefix>-<environment>.<location>.cloudapp.azure.com`).
     */
    ingress: { host?: string };
    /** Its Gateway API implementation, and the AGC association subnet (inside the VNet, a /24). */
    gateway: { implementation: AksGatewayImplementation; subnet: string };
    /** Azure CNI overlay pod range, Kubernetes service range and cluster DNS address. */
    podCidr: string;
    serviceCidr: string;
    dnsServiceIP: string;
}

/** The runtime sections of the app config: Container Apps and AKS settings. */
export interface AzureRuntimeSpec {
    containerApps: ContainerAppsSpec;
    aks: AksSpec;
}
