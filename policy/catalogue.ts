import type { Policies } from "@pulumi/policy";
import { availabilityPolicies } from "./availability";
import { awsPolicies } from "./aws";
import { budgetPolicies } from "./budget";
import { dataProtectionPolicies } from "./dataProtection";
import { lifecyclePolicies } from "./lifecycle";
import { networkPolicies } from "./network";
import { registryPolicies } from "./registry";
import { privateAndZonalPolicies } from "./privateAndZonal";
import { workloadPolicies } from "./workload";
import { name, version } from "./package.json";

/** The pack's name and version as the engine reports them ("policy 'x' from policy pack 'bookstore-policy@v0.1.0'"). */
export const PACK_NAME = name;
export const PACK_VERSION = version;

/** Every policy of the pack, by domain. Importing this does not start the analyzer (index.ts does). */
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
