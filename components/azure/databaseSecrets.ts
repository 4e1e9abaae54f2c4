// The database tier's secrets: the generated admin password and the pooled connection strings, kept in Key Vault.
import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as random from "@pulumi/random";
import { connectionString } from "./databaseServers";
import type { SecretSetting } from "../wiring";

/** A pooled endpoint the app connects to: the name is also PgBouncer's database name. */
export interface PoolerEndpoint {
    name: string;
    host: pulumi.Output<string>;
    port: number;
    /** Database name clients pass: the endpoint name through the PgBouncer Deployment, the real one on a built-in pooler. */
    database: string;
}

/** Where the tier's secrets go. */
export interface VaultTarget {
    resourceGroupName: pulumi.Input<string>;
    keyVaultName: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** Key Vault secret names hold only letters, digits and dashes. */
export const vaultSecretName = (name: string) => name.toLowerCase().replace(/[^a-z0-9-]/g, "-");

/** The admin password (@pulumi/random, a secret) and its Key Vault copy `postgres-admin-password`. */
export function adminPassword(name: string, vault: VaultTarget, parent: pulumi.Resource): pulumi.Output<string> {
    const child = { parent };
    const password = new random.RandomPassword(`${name}-admin-password`, {
        length: 32,
        special: true,
        // Characters that need no escaping in connection strings or PgBouncer's user list.
        overrideSpecial: "-_.",
        minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 1,
    }, child);
    const value = pulumi.secret(password.result);
    new keyvault.Secret(`${name}-admin-password-secret`, {
        resourceGroupName: vault.resourceGroupName,
        vaultName: vault.keyVaultName,
        secretName: "postgres-admin-password",
        properties: { value, contentType: "text/plain" },
        tags: vault.tags,
    }, child);
    return value;
}

export interface ConnectionStringArgs {
    endpoints: PoolerEndpoint[];
    user: string;
    password: pulumi.Output<string>;
    /** Through the in-cluster PgBouncer Deployment TLS ends at the pod network; the built-in pooler requires it. */
    tls: "Disable" | "Require";
    maxPoolSize?: number;
    pooling?: "transaction" | "session";
}

/** One Key Vault secret per pooled endpoint; app setting `ConnectionStrings__<endpoint>` → value and secret URI. */
export function connectionStringSecrets(name: string, vault: VaultTarget, args: ConnectionStringArgs,
    parent: pulumi.Resource): Record<string, SecretSetting> {
    const settings: Record<string, SecretSetting> = {};
    for (const endpoint of args.endpoints) {
        const value = pulumi.secret(connectionString({
            host: endpoint.host,
            port: endpoint.port,
            database: endpoint.database,
            pooling: args.pooling,
            user: args.user,
            password: args.password,
            tls: args.tls,
            maxPoolSize: args.maxPoolSize,
        }));
        const secret = new keyvault.Secret(`${name}-connection-${endpoint.name}`, {
            resourceGroupName: vault.resourceGroupName,
            vaultName: vault.keyVaultName,
            secretName: vaultSecretName(`connectionstrings-${endpoint.name}`),
            properties: { value, contentType: "text/plain" },
            tags: vault.tags,
        }, { parent });
        settings[`ConnectionStrings__${endpoint.name}`] = {
            value,
            keyVaultSecretUri: secret.properties.apply((p) => p.secretUri),
        };
    }
    return settings;
}
