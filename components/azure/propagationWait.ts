// PropagationWait: a dynamic resource that waits for Azure RBAC role assignments to take effect.
import * as pulumi from "@pulumi/pulumi";

/**
 * Azure RBAC is eventually consistent: a new role assignment can take up to 10 minutes to take
 * effect ("Role assignment changes are not being detected", https://learn.microsoft.com/azure/role-based-access-control/troubleshooting).
 * A workload created right after its grants (an image pull with AcrPull, a Key Vault reference with
 * Key Vault Secrets User) fails its first start. This resource waits once, when created, and again
 * only when one of the grants it follows is replaced; resources that need the grants depend on it.
 */

/** What Microsoft documents as the upper bound of role-assignment propagation. */
export const RBAC_PROPAGATION_SECONDS = 600;

export interface PropagationWaitArgs {
    /** The role assignments to wait for (their ids: a replaced grant means a new wait). */
    grants: pulumi.CustomResource[];
    /** How long to wait after they exist. Default: RBAC_PROPAGATION_SECONDS. */
    seconds?: number;
}

interface WaitInputs {
    grantIds: string[];
    seconds: number;
}

/** The decision the provider makes on an update: a wait is due again only when the grants changed. */
export function waitAgain(olds: Partial<WaitInputs>, news: WaitInputs): boolean {
    const before = [...(olds.grantIds ?? [])].sort().join(",");
    const after = [...news.grantIds].sort().join(",");
    return before !== after;
}

// Serialized into the state by the dynamic provider: it must capture nothing but globals and waitAgain.
const provider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: WaitInputs) {
        await new Promise((resolve) => setTimeout(resolve, inputs.seconds * 1000));
        return { id: `wait-${Date.now()}`, outs: inputs };
    },
    async diff(_id: string, olds: WaitInputs, news: WaitInputs) {
        const replace = waitAgain(olds, news);
        return { changes: replace || olds.seconds !== news.seconds, replaces: replace ? ["grantIds"] : [], deleteBeforeReplace: false };
    },
    async update(_id: string, _olds: WaitInputs, news: WaitInputs) {
        return { outs: news };
    },
};

/** Waits for role assignments to propagate before the resources that depend on it are created. */
export class PropagationWait extends pulumi.dynamic.Resource {
    constructor(name: string, args: PropagationWaitArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, {
            grantIds: args.grants.map((grant) => grant.id),
            seconds: args.seconds ?? RBAC_PROPAGATION_SECONDS,
        }, { ...opts, dependsOn: args.grants });
    }
}
