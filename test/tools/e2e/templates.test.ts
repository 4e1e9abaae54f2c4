import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { planned } from "../../helpers/plan";
import { PROJECT_DIR, tempDir } from "../../helpers/planJobs";
import { E2E_PLATFORMS, E2ePlatform, e2eNamePrefix, e2eStackName } from "../../../tools/e2e/names";
import { EXPIRES_TAG, renderE2eStack, RUN_TAG, templateFile, TEMPLATES_DIR } from "../../../tools/e2e/template";
import type { PlanDocument } from "../../../tools/offline/types";

const SUFFIX = "k3f9q2";
const EXPIRES = new Date("2026-12-08T15:30:00Z");
const DIGEST = `sha256:${"ab".repeat(32)}`;
const AWS = {
    region: "us-east-2", adminRoleArn: "arn:aws:iam::111122223333:role/gh-e2e", publicAccessCidr: "203.0.113.7/32",
    webHost: `${SUFFIX}.e2e.example.org`, staticHost: `static-${SUFFIX}.e2e.example.org`,
    albCertificateArn: "arn:aws:acm:us-east-2:111122223333:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    cloudFrontCertificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/aaaaaaaa-bbbb-cccc-dddd-ffffffffffff",
};

/** A template rendered as a run renders it, in a stack file of its own. */
function rendered(platform: E2ePlatform): { stack: string; file: string; text: string } {
    const stack = e2eStackName(platform, SUFFIX, EXPIRES);
    const text = renderE2eStack(fs.readFileSync(templateFile(platform), "utf8"), {
        namePrefix: e2eNamePrefix(SUFFIX), runId: "gh-4242-1", expiresAt: EXPIRES,
        images: { api: `bookstore/api@${DIGEST}`, web: `bookstore/web@${DIGEST}` },
        ...(platform === "eks" ? { aws: AWS } : { location: "swedencentral" }),
    });
    const file = path.join(tempDir("e2e-template-"), `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, text);
    return { stack, file, text };
}

const plans = Object.fromEntries(E2E_PLATFORMS.map((platform) => {
    const { stack, file } = rendered(platform);
    return [platform, planned(stack, { stackFile: file })];
})) as Record<E2ePlatform, () => PlanDocument>;

const WORKLOAD_IMAGES: Record<E2ePlatform, (doc: PlanDocument) => string[]> = {
    containerapps: (doc) => doc.resources.filter((r) => r.type === "azure-native:app:ContainerApp").map((r) => (r.inputs as any).template.containers[0].image),
    aks: (doc) => kubernetesImages(doc),
    eks: (doc) => kubernetesImages(doc),
};
function kubernetesImages(doc: PlanDocument): string[] {
    return doc.resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment" && ["api", "web"].includes((r.inputs as any).metadata.name))
        .map((r) => (r.inputs as any).spec.template.spec.containers[0].image);
}

describe("e2e templates: prod-shaped, small, planned offline with the policy pack", function () {
    this.timeout(300_000);

    for (const platform of E2E_PLATFORMS) {
        it(`${platform}: plans with exit 0 and no policy violation, images by digest, every resource tagged with the run and its expiry`, () => {
            const doc = plans[platform]();
            assert.deepEqual((doc.policy as { violations: unknown[] }).violations, []);
            const images = WORKLOAD_IMAGES[platform](doc);
            assert.equal(images.length, 2);
            for (const image of images) assert.match(image, /\/bookstore\/(api|web)@sha256:(ab){32}$/);
            const tagged = doc.resources.filter((r) => (r.inputs as any)?.tags?.owner !== undefined);
            assert.ok(tagged.length > 20, `${tagged.length} tagged resources`);
            for (const r of tagged) {
                const tags = (r.inputs as any).tags;
                assert.equal(tags[EXPIRES_TAG], "2026-12-08T15:30:00Z", `${r.type} ${r.name}`);
                assert.equal(tags[RUN_TAG], "gh-4242-1");
            }
        });
    }

    it("prod-shaped: production environment, read replicas, a pooler, private database networking", () => {
        for (const platform of E2E_PLATFORMS) {
            const config = parse(rendered(platform).text).config;
            assert.equal(config["bookstore:environment"], "prod", platform);
        }
        const azureServers = (doc: PlanDocument) => doc.resources.filter((r) => r.type === "azure-native:dbforpostgresql:Server");
        for (const platform of ["containerapps", "aks"] as const) {
            const servers = azureServers(plans[platform]());
            assert.deepEqual(servers.map((s) => (s.inputs as any).createMode ?? "Default").sort(), ["Default", "Replica"], platform);
            assert.ok(servers.every((s) => (s.inputs as any).network.publicNetworkAccess === "Disabled"), `${platform}: servers reachable only in the VNet`);
            assert.ok(servers.every((s) => (s.inputs as any).location === "swedencentral"), "the run's region");
        }
        assert.ok(plans.containerapps().resources.some((r) => r.type === "azure-native:dbforpostgresql:Configuration" && (r.inputs as any).configurationName === "pgbouncer.enabled" && (r.inputs as any).value === "true"));
        assert.ok(plans.aks().resources.some((r) => r.type === "kubernetes:apps/v1:Deployment" && (r.inputs as any).metadata.name === "pgbouncer"));
        const eks = plans.eks();
        const rds = eks.resources.filter((r) => r.type === "aws:rds/instance:Instance");
        assert.equal(rds.length, 3, "a Multi-AZ primary and two replicas (the production policy asks for two)");
        assert.ok(rds.every((r) => (r.inputs as any).publiclyAccessible !== true && (r.inputs as any).multiAz === true));
        assert.ok(eks.resources.some((r) => r.type === "kubernetes:apps/v1:Deployment" && (r.inputs as any).metadata.name === "pgbouncer"));
        const cluster = eks.resources.find((r) => r.type === "aws:eks/cluster:Cluster")!;
        assert.deepEqual((cluster.inputs as any).vpcConfig.publicAccessCidrs, [AWS.publicAccessCidr], "the EKS endpoint admits only the runner");
    });

    it("are not shipped stacks: .ci/run's Pulumi.*.yaml loop at the root never sees them, and rendered copies are ignored by git", () => {
        assert.deepEqual(fs.readdirSync(TEMPLATES_DIR).sort(), ["aks.yaml", "containerapps.yaml", "eks.yaml"]);
        assert.deepEqual(fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\.e2e-/.test(f)), []);
        assert.match(fs.readFileSync(path.join(PROJECT_DIR, ".gitignore"), "utf8"), /^Pulumi\.e2e-\*\.yaml$/m);
    });
});
