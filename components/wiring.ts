// The wiring tiers hand the app (settings and secrets) and the diagnostic targets they list.
import * as pulumi from "@pulumi/pulumi";

/** A secret setting handed to the app: its value, and where a runtime that can read Key Vault finds it. */
export interface SecretSetting {
    /** The secret value (a secret Output). Runtimes without Key Vault references (AKS) use it. */
    value: pulumi.Input<string>;
    /** Versionless Key Vault secret URI; Container Apps reads it with the workload identity. */
    keyVaultSecretUri?: pulumi.Input<string>;
}

/**
 * What the other tiers hand the app tier: environment variables every service receives.
 * Names follow the app's configuration keys (e.g. `ConnectionStrings__bookstore`).
 */
export interface AppWiring {
    env: Record<string, pulumi.Input<string>>;
    secrets: Record<string, SecretSetting>;
    /** Role assignments of the app's identity the settings need in effect (e.g. on the blob account); the pods wait for them. */
    grants?: pulumi.CustomResource[];
}

export const emptyWiring = (): AppWiring => ({ env: {}, secrets: {}, grants: [] });

/** Merges wirings; a name set by two tiers is a programming error, not a silent override. */
export function mergeWiring(...parts: AppWiring[]): AppWiring {
    const merged = emptyWiring();
    for (const part of parts) {
        for (const [name, value] of Object.entries(part.env)) {
            if (name in merged.env || name in merged.secrets) throw new Error(`app setting ${name} is wired twice`);
            merged.env[name] = value;
        }
        for (const [name, value] of Object.entries(part.secrets)) {
            if (name in merged.env || name in merged.secrets) throw new Error(`app setting ${name} is wired twice`);
            merged.secrets[name] = value;
        }
        merged.grants!.push(...(part.grants ?? []));
    }
    return merged;
}

/**
 * A resource whose logs and metrics go to the Log Analytics workspace. Every tier lists its
 * resources that support diagnostic settings; the observability tier creates the settings.
 */
export interface DiagnosticTarget {
    /** Logical name, unique in the stack (used to name the diagnostic setting). */
    name: string;
    resourceId: pulumi.Input<string>;
    /** Azure resource type, e.g. "Microsoft.DBforPostgreSQL/flexibleServers". */
    resourceType: string;
}
