// Entry point: `pulumi up` and the offline plan both run this file.
// Config is validated first, so a bad stack file fails before any resource is registered.
import { isEksConfig, readStackConfig, StackConfig } from "./stacks/config";
import { registerSecretConfigGuard } from "./stacks/secrets";

const { config, secretValues } = readStackConfig();
registerSecretConfigGuard(secretValues);
// `platform` picks the cloud: eks composes the AWS platform, containerapps and aks the Azure one.
// Each platform's modules load only when it is chosen: an Azure stack never loads @pulumi/aws
// (about 0.1 s of CPU), an AWS stack not the Azure tiers.
/* eslint-disable @typescript-eslint/no-require-imports */
const outputs = isEksConfig(config)
    ? (require("./stacks/aws") as typeof import("./stacks/aws")).composeAwsStack(config)
    : (require("./stacks/azure") as typeof import("./stacks/azure")).composeAzureStack(config as StackConfig);
/* eslint-enable @typescript-eslint/no-require-imports */

// Pulumi turns the module's exports into stack outputs.
export = outputs;
