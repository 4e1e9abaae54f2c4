/**
 * Stack-wide data protection: every resource that holds state (on any cloud) is deployed with
 * `protect`, so a mistaken delete or a replacement stops instead of destroying data.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { configSchema, describe, settingsOf, tokenOf } from "../common";
import { KeyVault, PostgresServer, StorageAccount } from "../types";

const protectSchema = configSchema({
    types: {
        type: "array",
        items: { type: "string" },
        default: [tokenOf(PostgresServer), "azure-native:dbforpostgresql:Database", tokenOf(StorageAccount), tokenOf(KeyVault)],
        description: "Resource types that hold data and must be protected from deletion.",
    },
});

export const protectStatefulResources: StackValidationPolicy = {
    name: "protect-stateful-resources",
    description: "Databases, storage accounts and Key Vaults carry the protect option, so no update or destroy can delete them.",
    configSchema: protectSchema,
    validateStack: (args, reportViolation) => {
        const { types } = settingsOf<{ types: string[] }>(args, protectSchema);
        for (const resource of args.resources.filter((r) => types.includes(r.type))) {
            if (!resource.opts.protect) {
                reportViolation(`${describe(resource)} holds data but is not protected (set the protect resource option).`, resource.urn);
            }
        }
    },
};
