// Entry point: `pulumi up` and the offline plan both run this file.
// Config is validated first, so a bad stack file fails before any resource is registered.
import { isEksConfig, readStackConfig, StackConfig } from "./stacks/config";
import { composeAzureStack } from "./stacks/azure";
import { composeAwsStack } from "./stacks/aws";
import { registerSecretConfigGuard } from "./stacks/secrets";

const { config, secretValues } = readStackConfig();
registerSecretConfigGuard(secretValues);
// `platform` picks the cloud: eks composes the AWS platform, containerapps and aks the Azure one.
const outputs = isEksConfig(config) ? composeAwsStack(config) : composeAzureStack(config as StackConfig);

// Pulumi turns the module's exports into stack outputs.
export = outputs;
