import * as pulumi from "@pulumi/pulumi";
import { PlatformBase } from "../components/platform";
import { StackConfig, stackTags } from "./config";

/** Stack outputs: what operators and internal tools read after `pulumi up`. */
export interface AzureStackOutputs {
    resourceGroupName: pulumi.Output<string>;
    location: string;
    keyVaultName: pulumi.Output<string>;
    registryLoginServer: pulumi.Output<string>;
    workloadIdentityClientId: pulumi.Output<string>;
}

/** Composes the Azure platform from validated config: the base first, then each tier on top of it. */
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
    });

    return {
        resourceGroupName: platform.resourceGroupName,
        location: platform.location,
        keyVaultName: platform.keyVault.name,
        registryLoginServer: platform.registry.loginServer,
        workloadIdentityClientId: platform.workloadIdentity.clientId,
    };
}
