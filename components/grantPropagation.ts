import * as pulumi from "@pulumi/pulumi";

/**
 * Azure role assignments take effect only after they propagate: "it can take up to 10 minutes for
 * changes to take effect" (https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected).
 */
export const ROLE_ASSIGNMENT_PROPAGATION_SECONDS = 600;

export interface GrantPropagationWaitArgs {
    /** How long to wait after the grants are created. */
    seconds: number;
    /**
     * Ids of the grants (role assignments, federated credentials) waited for: a new or replaced
     * grant replaces this resource, so it waits again; unchanged grants never wait again.
     */
    grantIds: pulumi.Input<string>[];
}

interface WaitInputs { seconds: number; grantIds: string[] }

/** Sleeps on create only; a change of the grants replaces (and so re-runs) the wait. */
export const grantWaitProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: WaitInputs) {
        await new Promise((resolve) => setTimeout(resolve, inputs.seconds * 1000));
        return { id: `waited-${inputs.seconds}s`, outs: inputs };
    },
    async diff(_id: string, olds: WaitInputs, news: WaitInputs) {
        const grantsChanged = JSON.stringify([...olds.grantIds].sort()) !== JSON.stringify([...news.grantIds].sort());
        return { changes: grantsChanged || olds.seconds !== news.seconds, replaces: grantsChanged ? ["grantIds"] : [], deleteBeforeReplace: true };
    },
    async update(_id: string, _olds: WaitInputs, news: WaitInputs) {
        return { outs: news };
    },
};

/**
 * A pause between new grants and the workloads that use them: pods that pull with the kubelet's
 * AcrPull or sign in through a federated credential depend on this, not just on the grants.
 * (A Pulumi dynamic resource, so the program needs no extra provider plugin.)
 */
export class GrantPropagationWait extends pulumi.dynamic.Resource {
    constructor(name: string, args: GrantPropagationWaitArgs, opts?: pulumi.CustomResourceOptions) {
        super(grantWaitProvider, name, { seconds: args.seconds, grantIds: args.grantIds }, opts, "bookstore", "GrantPropagationWait");
    }
}
