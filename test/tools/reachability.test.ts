import * as assert from "assert";
import type { CapturedResource } from "../../tools/offline/capture";
import { reachabilityOf, reachabilitySection } from "../../tools/offline/reachability";
import { planned } from "../helpers/plan";

function resource(type: string, name: string, inputs: Record<string, unknown>): CapturedResource {
    return {
        urn: `urn:pulumi:prod-eks::bookstore::${type}::${name}`, type, name, custom: true, dependencies: [],
        options: { protect: false, ignoreChanges: [], retainOnDelete: false, deleteBeforeReplace: false },
        wireInputs: inputs, wireState: inputs,
    };
}

/** The cluster as prod-eks registered it at 12753a4: private endpoint only, Kubernetes objects in the same run. */
const privateOnly = resource("aws:eks/cluster:Cluster", "eks-cluster", { name: "bookstore-prod", vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false, subnetIds: ["subnet-1"] } });
const namespace = resource("kubernetes:core/v1:Namespace", "bookstore", { metadata: { name: "bookstore" } });

describe("reachable by the deployer (tools/offline/reachability.ts)", function () {
    this.timeout(300000);
    const prodEks = planned("prod-eks");
    const devEks = planned("dev-eks");
    const prodAks = planned("prod-aks");

    it("refuses a private-only EKS endpoint when the same run creates Kubernetes objects, naming the config key", () => {
        const { problems } = reachabilityOf([privateOnly, namespace]);
        assert.strictEqual(problems.length, 1);
        assert.match(problems[0], /EKS cluster "bookstore-prod" has a private-only API endpoint .* Set bookstore:aws\.eks\.publicAccessCidrs to the egress CIDRs of whoever runs `pulumi up`/);
        // Without Kubernetes objects in the run (a cluster-only stack), nothing needs the API.
        assert.deepStrictEqual(reachabilityOf([privateOnly]).problems, []);
    });

    it("reads the provider's default (public to 0.0.0.0/0) and the allow-list, and AKS private clusters", () => {
        const open = resource("aws:eks/cluster:Cluster", "c", { name: "c", vpcConfig: {} });
        const listed = resource("aws:eks/cluster:Cluster", "d", { name: "d", vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } });
        assert.deepStrictEqual(reachabilityOf([open, listed, namespace]).clusters.map((c) => c.from), ["anywhere", ["203.0.113.0/24"]]);
        const aks = resource("azure-native:containerservice:ManagedCluster", "aks", { apiServerAccessProfile: { enablePrivateCluster: true } });
        assert.match(reachabilityOf([aks, namespace]).problems[0], /AKS cluster "aks" is a private cluster/);
    });

    it("fails the plan section with exit 1", () => {
        const document: any = { project: "bookstore", stack: "prod-eks", resources: [], outputs: {} };
        const original = console.error;
        console.error = () => undefined;
        try {
            assert.strictEqual(reachabilitySection({ document, run: { resources: [privateOnly, namespace], outputs: {}, unansweredInvokes: [] }, options: { stack: "prod-eks" }, out: () => undefined }), 1);
        } finally {
            console.error = original;
        }
        assert.strictEqual(document.reachability.problems.length, 1);
    });

    it("reaches every shipped cluster: the eks stacks from the deployer's CIDR, prod-aks from anywhere", () => {
        for (const [document, from] of [[prodEks(), ["203.0.113.0/24"]], [devEks(), ["203.0.113.0/24"]], [prodAks(), "anywhere"]] as const) {
            const section = document.reachability as { clusters: { from: unknown }[]; problems: string[] };
            assert.deepStrictEqual([section.problems, section.clusters.map((c) => c.from)], [[], [from]], document.stack);
        }
    });
});
