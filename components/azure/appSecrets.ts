// The app's generated secrets (JWT signing key, seeded admin password) in Key Vault, referenced by the app.
import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as random from "@pulumi/random";
import { appSecretEntries, secretGenerator } from "../appSecrets";
import type { SecretSetting } from "../wiring";
import { vaultSecretName, type VaultTarget } from "./databaseSecrets";

export interface AppSecretsArgs {
    /** The vault the app's identity reads (Container Apps Key Vault references; AKS gets the values as a Kubernetes Secret). */
    keyVault: VaultTarget;
}

/** One generated value per secret entry of the app's contract, each kept as a Key Vault secret named after its variable. */
export class AppSecrets extends pulumi.ComponentResource {
    /** `Jwt__SecretKey`, `Seeding__AdminPassword` → value (secret) and Key Vault URI. */
    readonly settings: Record<string, SecretSetting> = {};

    constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:azure:AppSecrets", name, {}, opts);
        const child = { parent: this };
        for (const entry of appSecretEntries()) {
            const value = pulumi.secret(new random.RandomPassword(`${name}-${entry.id}`, secretGenerator(entry), child).result);
            const secret = new keyvault.Secret(`${name}-${entry.id}`, {
                resourceGroupName: args.keyVault.resourceGroupName,
                vaultName: args.keyVault.keyVaultName,
                secretName: vaultSecretName(entry.env),
                properties: { value, contentType: "text/plain" },
                tags: args.keyVault.tags,
            }, child);
            this.settings[entry.env] = { value, keyVaultSecretUri: secret.properties.apply((p) => p.secretUri) };
        }
        this.registerOutputs({ settings: Object.keys(this.settings) });
    }
}
