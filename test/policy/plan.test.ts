import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { prefetchPlans, runPlan } from "../helpers/plan";
import { PROJECT_DIR, tempDir } from "../helpers/planJobs";
import type { PolicyViolation } from "../../tools/offline/policy";

const FIXTURES = path.join(PROJECT_DIR, "test/fixtures");
const shippedStacks = fs.readdirSync(PROJECT_DIR)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => Boolean(s));

function violationsOf(stack: string, opts: { stackFile?: string; args?: string[] } = {}): { exitCode: number; stderr: string; violations: PolicyViolation[] } {
    const run = runPlan(stack, opts);
    const policy = run.document?.policy as { violations: PolicyViolation[] } | undefined;
    return { exitCode: run.exitCode, stderr: run.stderr, violations: policy?.violations ?? [] };
}

function policyConfigFile(config: unknown): string {
    const file = path.join(tempDir("policy-config-"), "config.json");
    fs.writeFileSync(file, JSON.stringify(config));
    return file;
}

const mandatoryPolicies = (violations: PolicyViolation[]) =>
    [...new Set(violations.filter((v) => v.level === "mandatory").map((v) => v.policy))].sort();

describe("policy pack in the offline plan", () => {
    it("finds the shipped stacks", () => {
        assert.ok(shippedStacks.includes("prod") && shippedStacks.includes("dev"), shippedStacks.join(", "));
    });

    for (const stack of shippedStacks) {
        it(`plans shipped stack ${stack} with zero mandatory violations`, () => {
            const { exitCode, stderr, violations } = violationsOf(stack);
            assert.equal(exitCode, 0, stderr);
            assert.deepEqual(violations.filter((v) => v.level === "mandatory"), []);
        });
    }

    // [fixture, the shipped stack it was edited from, the mandatory policies it breaks]
    const fixtures: [string, string, string[]][] = [
        ["prod-min-replicas-1", "prod", ["containerapp-min-replicas"]],
        ["prod-ha-off", "prod", ["containerapps-environment-zone-redundant", "postgres-zone-redundant-ha", "redis-high-availability"]],
        ["prod-no-replicas", "prod", ["postgres-geo-redundant-backup", "postgres-read-replica", "signalr-capacity"]],
        ["prod-aks-single-replicas", "prod-aks", ["k8s-deployment-replicas", "k8s-hpa-min-replicas"]],
    ];
    for (const [fixture, stack, expected] of fixtures) {
        it(`fails misconfigured ${fixture} with exit 3 naming ${expected.join(", ")}`, () => {
            const { exitCode, stderr, violations } = violationsOf(stack, { stackFile: path.join(FIXTURES, `Pulumi.${fixture}.yaml`) });
            assert.equal(exitCode, 3);
            assert.deepEqual(mandatoryPolicies(violations), expected);
            for (const name of expected) assert.match(stderr, new RegExp(`mandatory policy violations?: .*${name}`));
            for (const v of violations) assert.deepEqual(Object.keys(v).sort(), ["level", "message", "policy", "urn"]);
        });
    }

    it("reports each under-provisioned Container App with its replica floor", () => {
        const { violations } = violationsOf("prod", { stackFile: path.join(FIXTURES, "Pulumi.prod-min-replicas-1.yaml") });
        assert.deepEqual(violations.map((v) => [v.urn.split("::").pop(), v.message]).sort(), [
            ["api", "ContainerApp \"api\" has template.scale.minReplicas 1; expected at least 3 (its environment ManagedEnvironment \"environment\" is zone redundant)."],
            ["web", "ContainerApp \"web\" has template.scale.minReplicas 1; expected at least 3 (its environment ManagedEnvironment \"environment\" is zone redundant)."],
        ]);
    });

    it("holds the PgBouncer Deployment and the HPAs of the Kubernetes tier to the production floors", () => {
        const { violations } = violationsOf("prod-aks", { stackFile: path.join(FIXTURES, "Pulumi.prod-aks-single-replicas.yaml") });
        assert.deepEqual(violations.map((v) => [v.policy, v.urn.split("::").pop(), v.message]).sort(), [
            ["k8s-deployment-replicas", "pgbouncer-deployment", "Deployment \"pgbouncer-deployment\" has spec.replicas 1 and no HorizontalPodAutoscaler; expected at least 2."],
            ["k8s-hpa-min-replicas", "api", "spec.minReplicas is 1; expected at least 2."],
            ["k8s-hpa-min-replicas", "web", "spec.minReplicas is 1; expected at least 2."],
        ]);
    });

    it("prints the report grouped by enforcement level", () => {
        const run = runPlan("prod", { stackFile: path.join(FIXTURES, "Pulumi.prod-ha-off.yaml") });
        assert.match(run.stdout, /Policies: bookstore-policy@v0\.1\.0, \d+ policies, config policy\/config\.json\n  mandatory \(3\):\n    \[/);
        assert.match(run.stdout, /\[postgres-zone-redundant-ha\] azure-native:dbforpostgresql:Server bookstore-prod-pg\n        highAvailability.mode is Disabled; expected ZoneRedundant\./);
    });

    it("rejects a latest image at config validation, before any policy runs", () => {
        const run = runPlan("prod", { stackFile: path.join(FIXTURES, "Pulumi.prod-latest-image.yaml") });
        assert.equal(run.exitCode, 2);
        assert.match(run.stderr, /bookstore:app\.services\.api\.image: expected an image pinned to a tag or digest \(uses the mutable tag "latest"\)/);
        assert.equal(run.document, undefined);
    });

    describe("--policy-config (the --policy-pack-config format)", () => {
        const minReplicas1 = path.join(FIXTURES, "Pulumi.prod-min-replicas-1.yaml");
        // Written (and their plans started in the background) when the suite is defined.
        const downgrade = policyConfigFile({ all: "mandatory", "containerapp-min-replicas": "advisory" });
        const thresholds = policyConfigFile({ "containerapp-min-replicas": { minReplicas: 1, zoneRedundantMinReplicas: 1 } });
        const invalid = policyConfigFile({ "containerapp-min-replica": "advisory", "signalr-capacity": { minCapacity: "two" } });
        prefetchPlans([
            { stack: "prod", stackFile: minReplicas1, args: ["--policy-config", downgrade] },
            { stack: "prod", stackFile: minReplicas1, args: ["--policy-config", thresholds] },
            { stack: "prod", args: ["--policy-config", invalid] },
        ]);

        it("downgrades a policy to advisory: reported, exit 0", () => {
            const config = downgrade;
            const { exitCode, violations } = violationsOf("prod", { stackFile: minReplicas1, args: ["--policy-config", config] });
            assert.equal(exitCode, 0);
            assert.deepEqual(violations.map((v) => [v.policy, v.level]), [["containerapp-min-replicas", "advisory"], ["containerapp-min-replicas", "advisory"]]);
        });

        it("takes thresholds from the file, as getConfig() would return them", () => {
            const config = thresholds;
            const { exitCode, violations } = violationsOf("prod", { stackFile: minReplicas1, args: ["--policy-config", config] });
            assert.equal(exitCode, 0);
            assert.deepEqual(violations, []);
        });

        it("rejects a config naming an unknown policy or a setting of the wrong type, exit 2", () => {
            const run = runPlan("prod", { args: ["--policy-config", invalid] });
            assert.equal(run.exitCode, 2);
            assert.match(run.stderr, /containerapp-min-replica: no such policy/);
            assert.match(run.stderr, /signalr-capacity\.minCapacity: expected an integer, got "two"/);
        });
    });
});
