// PropagationWait: waits for grants to take effect (Azure RBAC, federated credentials; AWS IAM uses it too), a time_sleep from @pulumiverse/time.
import * as pulumi from "@pulumi/pulumi";
import * as time from "@pulumiverse/time";

/**
 * Azure RBAC is eventually consistent: a new role assignment can take up to 10 minutes to take
 * effect ("Role assignment changes are not being detected", https://learn.microsoft.com/azure/role-based-access-control/troubleshooting).
 * A workload created right after its grants (an image pull with AcrPull, a Key Vault reference with
 * Key Vault Secrets User) fails its first start. The wait happens once, when created, and again
 * only when one of the grants it follows is replaced; resources that need the grants depend on it.
 */

/** What Microsoft documents as the upper bound of role-assignment propagation. */
export const RBAC_PROPAGATION_SECONDS = 600;

/**
 * Kubernetes authorization through Azure RBAC on AKS: "New role assignments can take up to five
 * minutes to propagate and be updated by the authorization server" (Learn, "Use Azure RBAC for
 * Kubernetes Authorization", MicrosoftDocs/azure-aks-docs articles/aks/manage-azure-rbac.md).
 */
export const AKS_RBAC_PROPAGATION_SECONDS = 300;

/**
 * A new federated identity credential: "If a token request is made immediately after adding the
 * federated identity credential, it might lead to failure for a couple of minutes as the cache is
 * populated in the directory with old data" (Learn, "Deploy and configure workload identity on an AKS
 * cluster", articles/aks/workload-identity-deploy-cluster.md). Read as two minutes.
 */
export const FEDERATED_CREDENTIAL_PROPAGATION_SECONDS = 120;

export interface PropagationWaitArgs {
    /** The grants to wait for (their ids: a replaced grant means a new wait). */
    grants: pulumi.CustomResource[];
    /** How long to wait after they exist. Default: RBAC_PROPAGATION_SECONDS. */
    seconds?: number;
}

/**
 * The sleep's triggers: one entry per grant, keyed by position. time_sleep replaces itself (and so
 * waits again) when a trigger changes (terraform-provider-time, `time_sleep` triggers), i.e. when a
 * grant is replaced and gets a new id; a grant updated in place keeps its id and no wait is due.
 */
export function grantTriggers(grantIds: pulumi.Input<string>[]): Record<string, pulumi.Input<string>> {
    return Object.fromEntries(grantIds.map((id, i) => [`grant${i}`, id]));
}

/**
 * A time_sleep of `seconds` after the grants exist. A provider resource rather than a Pulumi dynamic
 * resource: nothing of the program is serialized into the state, and the plan pays no closure
 * serialization (which loads the TypeScript compiler).
 */
export function propagationWait(name: string, args: PropagationWaitArgs, opts?: pulumi.CustomResourceOptions): time.Sleep {
    return new time.Sleep(name, {
        createDuration: `${args.seconds ?? RBAC_PROPAGATION_SECONDS}s`,
        triggers: grantTriggers(args.grants.map((grant) => grant.id)),
    }, { ...opts, dependsOn: args.grants });
}
