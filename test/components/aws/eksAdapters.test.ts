import { strict as assert } from "assert";
import type { PlanResource } from "../../../tools/offline/render";
import { planned, plannedRun, runPlan, stackVariant, ofType } from "../../helpers/plan";

const deployment = (resources: PlanResource[], name: string) => ofType(resources, "kubernetes:apps/v1:Deployment").find((d) => d.inputs.metadata.name === name)!;

describe("the EKS adapters of the Kubernetes app tier (components/aws/eksAdapters.ts)", function () {
    this.timeout(300000);
    const shipped = planned("prod-eks");
    const spotTolerantWeb = planned("prod-eks", {
        stackFile: stackVariant("prod-eks", (config) => { config["bookstore:app"].services.web.spotTolerant = true; }),
    });

    it("binds the app's ServiceAccount with EKS Pod Identity (no annotation) and starts the pods once the association and its policy have propagated", () => {
        const { resources } = shipped();
        const association = ofType(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation").find((a) => a.inputs.serviceAccount === "bookstore")!;
        assert.equal(association.inputs.namespace, "bookstore");
        assert.match(association.urn, /bookstore:app:KubernetesAppTier\$bookstore:aws:PodIdentity\$/);
        const [account] = ofType(resources, "kubernetes:core/v1:ServiceAccount").filter((s) => s.inputs.metadata.name === "bookstore");
        assert.deepEqual(account.inputs.metadata.annotations ?? {}, {});
        // IAM and Pod Identity are eventually consistent: a 2-minute wait follows the association and the role's policy.
        const wait = ofType(resources, "time:index/sleep:Sleep").find((w) => w.name === "app-identity-propagation")!;
        const policy = ofType(resources, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "app-identity-policy")!;
        assert.deepEqual([wait.inputs.createDuration, wait.dependencies.includes(association.urn), wait.dependencies.includes(policy.urn)], ["120s", true, true]);
        for (const name of ["api", "web"]) assert.ok(deployment(resources, name).dependencies.includes(wait.urn), `${name} must start after the wait`);
    });

    it("serves the web service through an ALB Ingress (class alb, the ACM certificate, TLS 1.2+, HTTP → HTTPS) after the Load Balancer Controller", () => {
        const { resources } = shipped();
        const [ingress] = ofType(resources, "kubernetes:networking.k8s.io/v1:Ingress");
        assert.equal(ingress.inputs.spec.ingressClassName, "alb");
        assert.deepEqual(ingress.inputs.spec.rules.map((r: any) => [r.host, r.http.paths[0].backend.service.name]), [["www.bookstore.example", "web"]]);
        const a = ingress.inputs.metadata.annotations;
        assert.match(a["alb.ingress.kubernetes.io/certificate-arn"], /^arn:aws:acm:us-east-1:/);
        assert.match(a["alb.ingress.kubernetes.io/security-groups"], /^sg-/);
        assert.deepEqual([a["alb.ingress.kubernetes.io/ssl-policy"], a["alb.ingress.kubernetes.io/ssl-redirect"], a["alb.ingress.kubernetes.io/healthcheck-path"]],
            ["ELBSecurityPolicy-TLS13-1-2-2021-06", "443", "/health"]);
        const controller = ofType(resources, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "aws-load-balancer-controller")!;
        assert.ok(ingress.dependencies.includes(controller.urn), "the Ingress must wait for the controller (its webhook rejects it otherwise)");
    });

    it("lets a spot-tolerant service tolerate the spot group's taint and prefer its label; others stay off spot", () => {
        const { resources } = spotTolerantWeb();
        const spotGroup = ofType(resources, "aws:eks/nodeGroup:NodeGroup").find((g) => g.inputs.capacityType === "SPOT")!;
        const [taint] = spotGroup.inputs.taints;
        const [[labelKey, labelValue]] = Object.entries(spotGroup.inputs.labels as Record<string, string>);
        const web = deployment(resources, "web").inputs.spec.template.spec;
        assert.deepEqual(web.tolerations, [{ key: taint.key, operator: "Equal", value: taint.value, effect: "NoSchedule" }]);
        assert.equal(taint.effect, "NO_SCHEDULE");
        const [preference] = web.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution;
        assert.deepEqual(preference.preference.matchExpressions, [{ key: labelKey, operator: "In", values: [labelValue] }]);
        const api = deployment(resources, "api").inputs.spec.template.spec;
        assert.equal(api.tolerations, undefined);
    });

    it("labels the app's resources with the environment, so dev-eks (HPA min 1) is outside the production-only HPA floor", () => {
        const run = runPlan("dev-eks");
        assert.equal(run.exitCode, 0, run.stderr);
        const hpas = ofType(run.document!.resources, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
        assert.ok(hpas.some((h) => h.inputs.spec.minReplicas < 2), "dev-eks keeps an HPA below the production floor");
        assert.deepEqual(hpas.map((h) => h.inputs.metadata.labels.environment), hpas.map(() => "dev"));
        assert.equal(deployment(run.document!.resources, "web").inputs.spec.template.metadata.labels.environment, "dev");
    });

    const secretEnv = plannedRun("prod-eks", { stackFile: stackVariant("prod-eks", (config) => { config["bookstore:app"].services.api.secretEnv = { Feature__Key: "feature-key" }; }) });
    it("refuses a secretEnv reference on eks before planning (no secret store there), naming the service's key", () => {
        const run = secretEnv();
        assert.notEqual(run.exitCode, 0);
        assert.match(run.stderr + run.stdout, /bookstore:app\.services\.api\.secretEnv/);
    });
});
