import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { AKS_KUBERNETES_VERSIONS, aksVersionProblem, aksVersionStatus, DEFAULT_AKS_KUBERNETES_VERSION } from "../../policy/shared/aksVersions";
import { parseStackConfig } from "../../stacks/config";
import { problemsOf } from "../helpers/config";
import { plannedRun, stackVariant } from "../helpers/plan";

const ON = (iso: string) => new Date(`${iso}T12:00:00Z`);

describe("AKS Kubernetes version support table", () => {
    it("puts 1.33 (the old default) past end of life on 2026-11-29 and 1.36 in standard support", () => {
        assert.deepStrictEqual(aksVersionStatus("1.33", ON("2026-11-29")), { status: "end-of-life", minor: "1.33", endOfLife: "2026-07-31", daysLeft: -121 });
        assert.strictEqual(aksVersionStatus("1.36", ON("2026-11-29")).status, "supported");
        assert.strictEqual(aksVersionStatus("1.36.5", ON("2026-11-29")).status, "supported");
    });

    it("warns within 90 days of the end of standard support and counts the last day as supported", () => {
        assert.deepStrictEqual(aksVersionStatus("1.34", ON("2026-11-29")), { status: "ending", minor: "1.34", endOfLife: "2026-11-30", daysLeft: 1 });
        assert.strictEqual(aksVersionStatus("1.36", ON("2027-04-01")).status, "ending");
        assert.strictEqual(aksVersionStatus("1.36", ON("2027-03-31")).status, "supported");
        assert.strictEqual(aksVersionStatus("1.36", ON("2027-06-30")).status, "ending");
        assert.strictEqual(aksVersionStatus("1.36", ON("2027-07-01")).status, "end-of-life");
    });

    it("names the versions to move to, and refuses versions it has no dates for", () => {
        assert.strictEqual(aksVersionProblem("1.36", ON("2026-11-29")), undefined);
        assert.match(aksVersionProblem("1.33", ON("2026-11-29"))!, /left AKS standard support on 2026-07-31.*\(1\.35, 1\.36, 1\.37\)/);
        assert.match(aksVersionProblem("1.40", ON("2026-11-29"))!, /not in the AKS support table/);
        assert.match(aksVersionProblem("1.37", ON("2026-09-15"))!, /not generally available on AKS before 2026-10/);
    });

    it("keeps the default and the prod-aks stack's version in standard support today", () => {
        assert.ok(AKS_KUBERNETES_VERSIONS.some((r) => r.minor === DEFAULT_AKS_KUBERNETES_VERSION));
        assert.strictEqual(aksVersionProblem(DEFAULT_AKS_KUBERNETES_VERSION), undefined);
        const stack = parse(fs.readFileSync(path.join(__dirname, "../../Pulumi.prod-aks.yaml"), "utf8"));
        assert.strictEqual(aksVersionProblem(stack.config["bookstore:app"].aks.kubernetesVersion), undefined);
    });
});

describe("app.aks.kubernetesVersion in the stack schema", () => {
    const aksConfig = (environment: string, aks: Record<string, unknown>) => ({
        platform: "aks",
        environment,
        tags: { owner: "team@example.com", costCenter: "cc-1" },
        app: { services: { web: { image: "bookstore/web:1.2.3", ingress: { external: true } } }, aks },
    });

    it("is required in prod, naming the key", () => {
        assert.deepStrictEqual(problemsOf(aksConfig("prod", {})),
            ["bookstore:app.aks.kubernetesVersion: expected a Kubernetes version in prod (one in AKS standard support, see policy/shared/aksVersions.ts), got nothing (the key is required)"]);
        assert.strictEqual(parseStackConfig(aksConfig("prod", { kubernetesVersion: "1.36" })).app.aks.kubernetesVersion, "1.36");
    });

    it("may be left out elsewhere (the component then uses the table's default)", () => {
        assert.strictEqual(parseStackConfig(aksConfig("dev", {})).app.aks.kubernetesVersion, undefined);
    });
});

describe("AKS version in the offline plan", () => {
    const endOfLife = plannedRun("prod-aks", { stackFile: stackVariant("prod-aks", (config) => { config["bookstore:app"].aks.kubernetesVersion = "1.33"; }) });
    it("fails a prod-aks plan on 1.33 (past end of life) with the mandatory policy and a warning naming the date", () => {
        const run = endOfLife();
        assert.strictEqual(run.exitCode, 3, run.stderr);
        assert.match(run.stderr + run.stdout, /Kubernetes 1\.33 left AKS standard support on 2026-07-31/);
        const violations = (run.document as any).policy.violations;
        assert.deepStrictEqual([...new Set(violations.map((v: any) => `${v.policy} ${v.level}`))], ["aks-kubernetes-version-supported mandatory"]);
        // The control plane and every node pool (they name the same version) are refused, each by name.
        const where = violations.map((v: any) => /^(.*?): Kubernetes 1\.33/.exec(v.message)?.[1]).sort();
        assert.deepStrictEqual(where, ["agent pool \"spot1\" orchestratorVersion", "agent pool \"spot2\" orchestratorVersion", "agent pool \"spot3\" orchestratorVersion",
            "agent pool \"user1\" orchestratorVersion", "agent pool \"user2\" orchestratorVersion", "agent pool \"user3\" orchestratorVersion",
            "agentPoolProfiles \"system\" orchestratorVersion", "kubernetesVersion"]);
    });

    it("keeps the near-end check advisory in the shipped policy config", () => {
        const config = JSON.parse(fs.readFileSync(path.join(__dirname, "../../policy/config.json"), "utf8"));
        assert.strictEqual(config["aks-kubernetes-version-ending"], "advisory");
    });
});
