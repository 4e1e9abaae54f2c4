/**
 * Every policy of the pack, in the pack's order (by domain: availability, data protection,
 * network, workload hygiene, registry, budget, private and zonal, lifecycle, AWS). The policies
 * live by provider: azure/, kubernetes/, cloudflare/, aws/, and stack/ for the cross-cutting ones.
 * Importing this does not start the analyzer (index.ts does).
 */
import type { Policies } from "@pulumi/policy";
import * as azureAvailability from "./azure/availability";
import * as azureData from "./azure/dataProtection";
import { lifecyclePolicies } from "./azure/lifecycle";
import * as azureNetwork from "./azure/network";
import { privateAndZonalPolicies } from "./azure/privateAndZonal";
import { awsPolicies } from "./aws";
import { cloudflareMinTls, cloudflareSslStrict } from "./cloudflare/zoneSettings";
import * as k8sAvailability from "./kubernetes/availability";
import { k8sNoPrivilegeEscalation, k8sRunAsNonRoot } from "./kubernetes/workload";
import { budgetPolicies } from "./stack/budget";
import { imagePinned } from "./stack/imagePinned";
import { protectStatefulResources } from "./stack/protection";
import { registryPolicies } from "./stack/registry";
import { name, version } from "./package.json";

/** The pack's name and version as the engine reports them ("policy 'x' from policy pack 'bookstore-policy@v0.1.0'"). */
export const PACK_NAME = name;
export const PACK_VERSION = version;

/** Scale and availability: replica floors and ceilings, autoscaling, probes, disruption budgets, HA. */
const availabilityPolicies = [
    azureAvailability.containerAppMinReplicas, azureAvailability.containerAppMaxReplicas, azureAvailability.containerAppScaleRules,
    azureAvailability.containerAppsEnvironmentZoneRedundant,
    k8sAvailability.k8sDeploymentReplicas, k8sAvailability.k8sHpaMinReplicas, k8sAvailability.k8sHpaMaxReplicas,
    k8sAvailability.k8sHpaScaleDownStabilization, k8sAvailability.k8sHpaMetrics, k8sAvailability.containerResources,
    k8sAvailability.containerProbes, k8sAvailability.k8sPodDisruptionBudget,
    azureAvailability.aksUserPoolAutoscaling, azureAvailability.aksUserPoolPerZone,
    azureAvailability.postgresZoneRedundantHa, azureAvailability.postgresReadReplica, azureAvailability.postgresReplicaWithoutHa,
    azureAvailability.postgresBurstableSku, azureAvailability.redisHighAvailability, azureAvailability.signalRCapacity,
];

/** Data protection: backups, deletion protection and soft delete for everything that holds state. */
const dataProtectionPolicies = [azureData.postgresBackupRetention, azureData.postgresGeoRedundantBackup, protectStatefulResources, azureData.storageSoftDelete];

/** Network and transport security: private data stores, TLS 1.2+, HTTPS only, no anonymous access or shared admin credentials. */
const networkPolicies = [
    azureNetwork.postgresPrivateAccess, azureNetwork.redisTls, azureNetwork.storageSecureTransport, azureNetwork.storagePublicBlobAccess,
    azureNetwork.frontDoorHttpsOnly, cloudflareSslStrict, cloudflareMinTls, azureNetwork.keyVaultPurgeProtection,
    azureNetwork.keyVaultRbacAuthorization, azureNetwork.aksEntraRbac, azureNetwork.registryAdminUserDisabled,
];

/** Workload hygiene: reproducible images and unprivileged containers. */
const workloadPolicies = [imagePinned, k8sRunAsNonRoot, k8sNoPrivilegeEscalation];

/** Every policy of the pack, by domain. */
export const policies: Policies = [
    ...availabilityPolicies,
    ...dataProtectionPolicies,
    ...networkPolicies,
    ...workloadPolicies,
    ...registryPolicies,
    ...budgetPolicies,
    ...privateAndZonalPolicies,
    ...lifecyclePolicies,
    ...awsPolicies,
];
