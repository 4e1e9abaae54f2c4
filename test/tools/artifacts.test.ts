import * as assert from "assert";
import type { CapturedResource } from "../../tools/offline/capture";
import { artifactProblems, artifactsSection } from "../../tools/offline/artifacts";
import { bootstrapConfig } from "../../tools/automation/bootstrap";
import { PROJECT_DIR } from "../../tools/automation";
import { planned } from "../helpers/plan";

function resource(type: string, name: string, inputs: Record<string, unknown>, state: Record<string, unknown> = inputs): CapturedResource {
    return {
        urn: `urn:pulumi:prod-eks::bookstore::${type}::${name}`, type, name, custom: true, dependencies: [],
        options: { protect: false, ignoreChanges: [], retainOnDelete: false, deleteBeforeReplace: false },
        wireInputs: inputs, wireState: state,
    };
}

const ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
const deployment = (name: string, image: string) => resource("kubernetes:apps/v1:Deployment", name, { spec: { template: { spec: { containers: [{ name, image }] } } } });
const repository = (name: string) => resource("aws:ecr/repository:Repository", name.replace(/\//g, "-"), { name });
const cluster = resource("aws:eks/cluster:Cluster", "eks-cluster", { name: "bookstore-prod" });
const config = () => bootstrapConfig("prod-eks", PROJECT_DIR).config;

describe("artifacts exist (tools/offline/artifacts.ts)", function () {
    this.timeout(300000);
    const plans = ["prod-eks", "dev-eks", "prod", "prod-aks"].map((stack) => planned(stack));

    it("refuses an image in an ECR repository the stack does not create (the pgbouncer image of 12753a4)", () => {
        const { problems } = artifactProblems([cluster, deployment("pgbouncer", `${ECR}/cloudnative-pg/pgbouncer:1.25.2`)], config());
        assert.deepStrictEqual(problems, [
            `urn:pulumi:prod-eks::bookstore::kubernetes:apps/v1:Deployment::pgbouncer: ${ECR}/cloudnative-pg/pgbouncer:1.25.2 names ECR repository cloudnative-pg/pgbouncer, which the stack does not create (no aws:ecr/repository:Repository of that name)`,
        ]);
    });

    it("refuses an image of a repository the stack creates but the image step never fills", () => {
        const { problems } = artifactProblems([cluster, repository("bookstore-prod/bookstore/admin"), deployment("admin", `${ECR}/bookstore-prod/bookstore/admin:2.0.0`)], config());
        assert.match(problems[0], /the image step \(bookstore-infra bootstrap\) neither copies nor checks bookstore\/admin:2\.0\.0/);
        const filled = artifactProblems([cluster, repository("bookstore-prod/bookstore/api"), deployment("api", `${ECR}/bookstore-prod/bookstore/api:1.0.0`)], config());
        assert.deepStrictEqual([filled.problems, filled.images.map((i) => i.from)], [[], ["ECR repository bookstore-prod/bookstore/api"]]);
    });

    it("accepts a public registry the config lists only when the nodes can reach the internet", () => {
        const raw = config();
        const withPublic = { ...raw, registry: { ...raw.registry, publicRegistries: ["public.ecr.aws"] } };
        const job = deployment("tool", "public.ecr.aws/docker/library/busybox:1.37");
        assert.match(artifactProblems([cluster, job], withPublic).problems[0], /public registry public\.ecr\.aws, but the nodes have no route to the internet/);
        assert.deepStrictEqual(artifactProblems([cluster, resource("aws:ec2/natGateway:NatGateway", "nat", {}), job], withPublic).problems, []);
        assert.match(artifactProblems([cluster, job], raw).problems[0], /neither a registry the stack creates and the image step fills, nor a public registry in registry\.publicRegistries/);
    });

    it("fails the plan section with exit 1", () => {
        const document: any = { project: "bookstore", stack: "prod-eks", resources: [], outputs: {} };
        const original = console.error;
        console.error = () => undefined;
        try {
            const run = { resources: [cluster, deployment("web", `${ECR}/bookstore/web:1.0.0`)], outputs: {}, unansweredInvokes: [] };
            assert.strictEqual(artifactsSection({ document, run, options: { stack: "prod-eks" }, out: () => undefined }), 1);
        } finally {
            console.error = original;
        }
        assert.strictEqual(document.artifacts.problems.length, 1);
    });

    it("finds every image of the shipped stacks in a registry the stack creates and the image step fills", () => {
        for (const plan of plans) {
            const section = plan().artifacts as { images: { from: string }[]; problems: string[] };
            assert.deepStrictEqual(section.problems, [], plan().stack);
            assert.ok(section.images.length >= 2 && section.images.every((i) => /^(ECR repository|the stack's registry)/.test(i.from)), plan().stack);
        }
    });
});
