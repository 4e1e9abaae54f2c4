// Entry point: `pulumi up` and the offline plan both run this file.
// Config is validated first, so a bad stack file fails before any resource is registered.
import { readStackConfig } from "./stacks/config";
import { composeAzureStack } from "./stacks/azure";
import { registerSecretConfigGuard } from "./stacks/secrets";

const { config, secretValues } = readStackConfig();
registerSecretConfigGuard(secretValues);
const outputs = composeAzureStack(config);

// Pulumi turns the module's exports into stack outputs.
export = outputs;
