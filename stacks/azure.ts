import * as pulumi from "@pulumi/pulumi";
import { PlatformBase } from "../components/platform";
import { AppWiring, DiagnosticTarget, mergeWiring } from "../components/wiring";
import { StackConfig, stackTags } from "./config";

/** Stack outputs: what operators and internal tools read after `pulumi up`. */
export type AzureStackOutputs = Record<string, pulumi.Input<unknown>>;

/**
 * Composes the Azure platform from validated config: the base first, then each tier on top of
 * it; every tier hands the app tier its settings (AppWiring) and adds its stack outputs.
 */
export function composeAzureStack(config: StackConfig): AzureStackOutputs {
    const tags = stackTags(config);
    const platform = new PlatformBase("platform", {
        namePrefix: config.namePrefix,
        environment: config.environment,
        location: config.location,
        tags,
        addressSpace: config.network.addressSpace,
        subnets: config.network.subnets,
        logRetentionDays: config.monitoring.logRetentionDays,
        registrySku: config.registry.sku,
        alertEmails: config.monitoring.alertEmails,
    });
    const outputs: AzureStackOutputs = {
        resourceGroupName: platform.resourceGroupName,
        location: platform.location,
        keyVaultName: platform.keyVault.name,
        registryLoginServer: platform.registry.loginServer,
        workloadIdentityClientId: platform.workloadIdentity.clientId,
    };
    /** Settings each tier hands the app tier. */
    const wirings: AppWiring[] = [];
    /** Resources whose logs and metrics go to the workspace (filled by every tier). */
    const diagnosticTargets: DiagnosticTarget[] = [];

    // --- AKS cluster (platform "aks" only; the database tier's pooler runs on it) ---

    // --- database tier (PostgreSQL primary, replicas, alerts; pooler endpoints) ---

    // --- cache and real-time (wired into the app) ---

    // --- app tier (Container Apps or Kubernetes) ---
    const wiring = mergeWiring(...wirings);
    void wiring;

    // --- PgBouncer Deployment (pooler "deployment", in the app namespace) ---

    // --- static assets and CDN (Front Door or Cloudflare; needs the web app's host) ---

    // --- observability (diagnostic settings for every target, alerts, scrape config) ---
    void diagnosticTargets;

    return outputs;
}
