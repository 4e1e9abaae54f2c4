// Day 2 on AWS (prod-eks): an EKS-managed Kubernetes upgrade, a node-group instance-type change and
// a destroy after a re-create, replayed on offline plans with the replacement rules of `diff`.
import * as assert from "assert";
import { kubernetesVersionToSend } from "../../components/aws/eksCluster";
import { nextUpdate } from "../../tools/review/day2";
import { replaceReasons } from "../../tools/review/replacement";
import { inputs, planned, resourcesOfType, stackVariant } from "../helpers/plan";

const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const ADDON = "aws:eks/addon:Addon";
const CLUSTER = "aws:eks/cluster:Cluster";

describe("day 2 on AWS: the next up after EKS or a config change moved prod-eks", function () {
    this.timeout(180_000);
    const deployed = planned("prod-eks");
    // EKS upgraded the control plane itself at the end of 1.35's standard support (upgradePolicy STANDARD):
    // DescribeCluster now answers version 1.36 (EKS UG, "Understand the Kubernetes version lifecycle on EKS").
    const upgradedByEks = planned("prod-eks", { env: { BOOKSTORE_OFFLINE_LIVE_EKS: JSON.stringify({ "bookstore-prod": { version: "1.36" } }) } });
    const biggerNodes = planned("prod-eks", { stackFile: stackVariant("prod-eks", (c) => { c["bookstore:aws"].eks.appNodeGroup.instanceTypes = ["m8g.xlarge"]; }) });

    it("never sends a version below the cluster's own: EKS's upgrade is followed, not fought", () => {
        assert.strictEqual(kubernetesVersionToSend("1.35", undefined), "1.35");
        assert.strictEqual(kubernetesVersionToSend("1.35", "1.35"), "1.35");
        assert.strictEqual(kubernetesVersionToSend("1.35", "1.36"), "1.36");
        assert.strictEqual(kubernetesVersionToSend("1.36", "1.35"), "1.36", "a raised pin upgrades");
    });

    it("after EKS's upgrade, the cluster, every node group and every add-on follow 1.36 in place; nothing is replaced", () => {
        const state = { stack: "prod-eks", resources: deployed().resources };
        const result = nextUpdate(state, upgradedByEks());
        assert.deepStrictEqual([result.counts.replace, result.counts.create, result.counts.delete], [0, 0, 0]);
        const lines = result.changes.map((c) => `${c.type.split(":").pop()} ${c.name}: ${c.changes.map((p) => `${p.path}=${String(p.new)}`).join(", ")}`).sort();
        assert.deepStrictEqual(lines, [
            ...["amazon-cloudwatch-observability", "coredns", "eks-pod-identity-agent", "kube-proxy", "kube-state-metrics", "metrics-server", "vpc-cni"]
                .map((a) => `Addon ${a === "amazon-cloudwatch-observability" ? "cluster-addons-" : ""}${a}: addonVersion=default-for-1.36`),
            "Cluster eks-cluster: version=1.36",
            ...["app", "spot", "system"].map((g) => `NodeGroup ${g}: version=1.36`),
        ].sort());
    });

    it("node groups and add-ons carry the cluster's version (within the skew rules: never above the control plane)", () => {
        const doc = deployed();
        const version = inputs(resourcesOfType(doc, CLUSTER)[0]).version;
        for (const group of resourcesOfType(doc, NODE_GROUP)) assert.strictEqual(inputs(group).version, version, group.name);
        for (const addon of resourcesOfType(doc, ADDON)) assert.strictEqual(inputs(addon).addonVersion, `default-for-${version}`, addon.name);
    });

    it("an instance-type change replaces the node group create-before-delete, under a new name from its prefix", () => {
        const result = nextUpdate({ stack: "prod-eks", resources: deployed().resources }, biggerNodes());
        const app = result.changes.find((c) => c.type === NODE_GROUP && c.name === "app")!;
        assert.strictEqual(app.op, "replace");
        assert.deepStrictEqual(app.replaceReasons, [{ path: "instanceTypes[0]", rule: "forceNew in the AWS provider" }]);
        assert.strictEqual(app.deleteBeforeReplace, false);
        const group = resourcesOfType(biggerNodes(), NODE_GROUP).find((g) => g.name === "app")!;
        // A prefix: the provider appends a unique suffix, so the new group never collides with the one it replaces.
        assert.deepStrictEqual([inputs(group).nodeGroupNamePrefix, inputs(group).nodeGroupName], ["bookstore-prod-app-", undefined]);
        assert.deepStrictEqual(result.guardedReplacements, [], "a node group holds no data");
        // Moving from a fixed name to a prefix is itself a ForceNew change: each node group is replaced once (docs/aws.md).
        assert.strictEqual(replaceReasons(NODE_GROUP, ["nodeGroupNamePrefix"]).length, 1);
    });

    it("the final snapshot of each re-created primary has its own identifier (a second destroy does not collide)", () => {
        const primary = resourcesOfType(deployed(), "aws:rds/instance:Instance").find((r) => r.name === "database-primary")!;
        assert.ok(primary.dependencies.some((d) => d.endsWith("random:index/randomId:RandomId::database-final-snapshot")), "suffix from a RandomId of this stack");
        const suffix = resourcesOfType(deployed(), "random:index/randomId:RandomId").find((r) => r.name === "database-final-snapshot")!;
        assert.deepStrictEqual(inputs(suffix), { byteLength: 4, keepers: { identifier: "bookstore-prod-db" } });
        assert.deepStrictEqual(replaceReasons("aws:rds/instance:Instance", ["finalSnapshotIdentifier"]), [], "read at delete time: an in-place change");
    });
});
