// Entry point: `pulumi up` and the offline plan both run this file.
// Config is validated first, so a bad stack file fails before any resource is registered.
import { readStackConfig } from "./stacks/config";
import { composeAzureStack } from "./stacks/azure";

const config = readStackConfig();
const outputs = composeAzureStack(config);

export const resourceGroupName = outputs.resourceGroupName;
export const location = outputs.location;
export const keyVaultName = outputs.keyVaultName;
export const registryLoginServer = outputs.registryLoginServer;
export const workloadIdentityClientId = outputs.workloadIdentityClientId;
