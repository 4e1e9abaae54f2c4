import * as pulumi from "@pulumi/pulumi";
import { PlatformBase } from "../components/platform";
import { AppWiring, mergeWiring } from "../components/wiring";
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
    const wirings: AppWiring[] = [];

    // --- database tier (PostgreSQL, replicas, pooler) ---

    // --- cache, CDN, real-time, observability ---

    // --- app tier (Container Apps or AKS) ---
    const wiring = mergeWiring(...wirings);
    void wiring;

    return outputs;
}
