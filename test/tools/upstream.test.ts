import * as assert from "assert";
import type { CapturedResource } from "../../tools/offline/capture";
import { upstreamCharts, upstreamProblems, upstreamSection, valueKeyPaths } from "../../tools/offline/upstream";
import { LBC_IAM_POLICY } from "../../components/aws/lbcIamPolicy";
import { CLUSTER_AUTOSCALER, clusterAutoscalerChart } from "../../components/aws/eksAddons";
import { EKS_VERSIONS } from "../../lib/awsCatalog";
import { planned, plannedRun } from "../helpers/plan";

function resource(type: string, name: string, inputs: Record<string, unknown>): CapturedResource {
    return {
        urn: `urn:pulumi:prod-eks::bookstore::${type}::${name}`, type, name, custom: true, dependencies: [],
        options: { protect: false, ignoreChanges: [], retainOnDelete: false, deleteBeforeReplace: false },
        wireInputs: inputs, wireState: inputs,
    };
}

const release = (name: string, chart: string, version: string, values: Record<string, unknown> = {}) => resource("kubernetes:helm.sh/v3:Release", name, { chart, version, values });
const cluster = (version: string) => resource("aws:eks/cluster:Cluster", "eks-cluster", { name: "bookstore-prod", version });
const caValues = { autoDiscovery: { clusterName: "bookstore-prod" }, awsRegion: "us-east-1", rbac: { serviceAccount: { create: true, name: "cluster-autoscaler" } }, extraArgs: { expander: "least-waste" } };

describe("upstream-published settings match the pinned versions (tools/offline/upstream.ts)", function () {
    this.timeout(300000);
    const prodEks = plannedRun("prod-eks");
    const prodAks = planned("prod-aks");

    it("refuses a chart version never compared with its project's sources, naming what to read", () => {
        // The pin of 12753a4: chart 9.52.1 ships Cluster Autoscaler 1.34.1.
        const [problem] = upstreamProblems([release("cluster-autoscaler", "cluster-autoscaler", "9.52.1", caValues), cluster("1.35")]);
        assert.match(problem, /Release "cluster-autoscaler" \(chart cluster-autoscaler 9\.52\.1\): this chart version was never compared .* \(compared: 9\.53\.0, 9\.59\.0\)/);
    });

    it("ties the Cluster Autoscaler's minor to the cluster's Kubernetes minor", () => {
        assert.deepStrictEqual(upstreamProblems([release("cluster-autoscaler", "cluster-autoscaler", "9.59.0", caValues), cluster("1.35")]), []);
        assert.deepStrictEqual(upstreamProblems([release("cluster-autoscaler", "cluster-autoscaler", "9.53.0", caValues), cluster("1.34")]), []);
        assert.match(upstreamProblems([release("cluster-autoscaler", "cluster-autoscaler", "9.53.0", caValues), cluster("1.35")])[0],
            /runs Cluster Autoscaler 1\.34\.2 on a Kubernetes 1\.35 cluster/);
    });

    it("pins a Cluster Autoscaler chart of the same minor for every EKS version the config offers", () => {
        for (const version of Object.keys(EKS_VERSIONS)) {
            const pin = clusterAutoscalerChart(`${version}.7`);
            const record = upstreamCharts().find((c) => c.chart === CLUSTER_AUTOSCALER.chart && c.version === pin.version)!;
            assert.strictEqual(record.appVersion!.split(".").slice(0, 2).join("."), version);
            assert.strictEqual(pin.behind, undefined);
        }
        // EKS moved the control plane past every pin (its upgrade at the end of standard support): the deploy keeps the newest
        // chart and says what to add; the upstream check above then refuses the plan until it is added.
        const after = clusterAutoscalerChart("1.36");
        assert.strictEqual(after.version, CLUSTER_AUTOSCALER.versions["1.35"]);
        assert.match(after.behind!, /stays on the chart for 1\.35 on this Kubernetes 1\.36 cluster: add the chart whose appVersion is 1\.36\.x/);
        assert.throws(() => clusterAutoscalerChart("1.30"), /no Cluster Autoscaler chart is pinned for Kubernetes 1\.30 or below/);
    });

    it("refuses a values key the chart's values.yaml does not have, and an extraArgs key that is no autoscaler flag", () => {
        const problems = upstreamProblems([
            release("lbc", "aws-load-balancer-controller", "1.14.1", { clusterName: "c", serviceAcount: { name: "x" } }),
            release("cluster-autoscaler", "cluster-autoscaler", "9.59.0", { ...caValues, extraArgs: { "scale-down-everything": true } }),
        ]);
        assert.strictEqual(problems.length, 2, problems.join("\n"));
        assert.ok(problems[0].startsWith("Release \"lbc\" (chart aws-load-balancer-controller 1.14.1): values key serviceAcount.name is not among the keys checked in the chart's values.yaml (kubernetes-sigs/aws-load-balancer-controller tag v2.14.1"), problems[0]);
        assert.strictEqual(problems[1], "Release \"cluster-autoscaler\" (chart cluster-autoscaler 9.59.0): extraArgs.scale-down-everything is not a flag checked in kubernetes/autoscaler tag cluster-autoscaler-1.35.0, cluster-autoscaler/config/flags/flags.go");
    });

    it("ties the Load Balancer Controller's IAM policy to the chart version it was transcribed for", () => {
        assert.strictEqual(LBC_IAM_POLICY.source.chartVersion, "1.14.1");
        const lbc = upstreamCharts().find((c) => c.chart === "aws-load-balancer-controller")!;
        assert.strictEqual(lbc.appVersion, LBC_IAM_POLICY.source.tag);
        // A pin moved to 1.15.0 with its chart recorded, but the policy not compared again.
        const moved = [{ ...lbc, version: "1.15.0" }];
        assert.match(upstreamProblems([release("lbc", "aws-load-balancer-controller", "1.15.0", { clusterName: "c" })], moved)[0], /IAM policy .* is transcribed for chart 1\.14\.1/);
    });

    it("lists leaf key paths of a values object (lists are leaves)", () => {
        assert.deepStrictEqual(valueKeyPaths({ a: { b: 1, c: [1, 2] }, d: {} }).map((p) => p.join(".")), ["a.b", "a.c", "d"]);
    });

    it("fails the plan section with exit 1", () => {
        const document: any = { project: "bookstore", stack: "prod-eks", resources: [], outputs: {} };
        const original = console.error;
        console.error = () => undefined;
        try {
            const code = upstreamSection({ document, run: { resources: [release("k", "keda", "2.19.0")], outputs: {}, unansweredInvokes: [] }, options: { stack: "prod-eks" }, out: () => undefined });
            assert.strictEqual(code, 1);
        } finally {
            console.error = original;
        }
        assert.strictEqual(document.upstream.problems.length, 1);
    });

    it("passes every Helm release the shipped stacks install (KEDA on prod-eks), with the published LBC policy on its role", () => {
        const prod = prodEks();
        assert.strictEqual(prod.exitCode, 0, prod.stderr);
        for (const document of [prod.document!, prodAks()]) {
            const section = document.upstream as { releases: { chart: string }[]; problems: string[] };
            assert.deepStrictEqual(section.problems, [], document.stack);
            assert.ok(section.releases.length > 0, document.stack);
        }
        assert.deepStrictEqual((prod.document!.upstream as any).releases.map((r: any) => r.chart).sort(), ["aws-load-balancer-controller", "cluster-autoscaler", "keda"]);
        const policy = prod.document!.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === "load-balancer-controller-policy")!;
        assert.deepStrictEqual(JSON.parse((policy.inputs as any).policy).Statement, LBC_IAM_POLICY.statements);
    });
});
