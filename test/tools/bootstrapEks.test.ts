import { strict as assert } from "assert";
import { bootstrapConfig, bootstrapStack, MissingEcrImagesError, WrongArchitectureError } from "../../tools/automation/bootstrap";
import { eksBootstrapPlan, type EksBootstrapResult } from "../../tools/automation/bootstrapEks";
import { FakeProcesses, type ProcessCall } from "./e2e/fakeProcesses";
import { PROJECT_DIR } from "../../tools/automation";
import type { EksStackConfig } from "../../stacks/config";
import { runCli } from "../../tools/cli";
import { FakePulumiCli } from "./automationFakeCli";
import { planned } from "../helpers/plan";

const HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
const REGISTRY = `${HOST}/bookstore-prod`;
const index = (...platforms: string[]) => JSON.stringify({ manifests: platforms.map((p) => ({ platform: { os: p.split("/")[0], architecture: p.split("/")[1] } })) });

/**
 * The aws and docker of the image step: `present` maps an ECR repository to the manifest of its
 * image (one tag each); a copy lands the source's index (linux/amd64 + linux/arm64).
 */
function fakeTools(present: Map<string, string>, signedIn = true): FakeProcesses {
    const repository = (call: ProcessCall) => call.args[call.args.indexOf("--repository-name") + 1];
    return new FakeProcesses()
        .on(/^aws sts get-caller-identity/, signedIn ? { stdout: JSON.stringify({ Account: "123456789012" }) } : { stderr: "Unable to locate credentials.", exitCode: 253 })
        .on(/^aws ecr get-login-password/, { stdout: "secret-token\n" })
        .on(/^aws ecr describe-images/, (call) => (present.has(repository(call)) ? { stdout: "{}" } : { stderr: "ImageNotFoundException", exitCode: 254 }))
        .on(/^aws ecr batch-get-image/, (call) => ({ stdout: JSON.stringify({ images: [{ imageManifest: present.get(repository(call)) }] }) }))
        .on(/^docker login/, {})
        .on(/^docker buildx imagetools create/, (call) => {
            present.set(call.args[call.args.indexOf("--tag") + 1].slice(HOST.length + 1).replace(/:[^:/]+$/, ""), index("linux/amd64", "linux/arm64"));
            return {};
        });
}

const appImages = (manifest = index("linux/arm64")) => new Map([["bookstore-prod/bookstore/api", manifest], ["bookstore-prod/bookstore/web", manifest]]);
const eksConfig = (stack: string) => bootstrapConfig(stack, PROJECT_DIR).config as EksStackConfig;

describe("bootstrap of an eks stack (ECR repositories and the image step)", function () {
    this.timeout(300000);
    const prodEks = planned("prod-eks");

    it("targets the stack's repositories, copies the PgBouncer image and needs the app images, by their ECR repositories", () => {
        const plan = eksBootstrapPlan("bookstore", "acme/bookstore/prod-eks", eksConfig("prod-eks"));
        assert.deepEqual(plan.images, [
            { image: "bookstore/api:1.0.0", repository: "bookstore-prod/bookstore/api", imageId: "imageTag=1.0.0" },
            { image: "bookstore/web:1.0.0", repository: "bookstore-prod/bookstore/web", imageId: "imageTag=1.0.0" },
            { image: "cloudnative-pg/pgbouncer:1.25.2", repository: "bookstore-prod/cloudnative-pg/pgbouncer", imageId: "imageTag=1.25.2", source: "ghcr.io/cloudnative-pg/pgbouncer:1.25.2" },
        ]);
        // Every target is a resource the program registers (the offline plan's URNs), and every repository it creates is targeted.
        const urns = new Set(prodEks().resources.map((r) => r.urn));
        assert.deepEqual(plan.targets.filter((t) => !urns.has(t)), []);
        const repositories = prodEks().resources.filter((r) => r.type === "aws:ecr/repository:Repository");
        assert.deepEqual(repositories.map((r) => r.urn).filter((u) => !plan.targets.includes(u)), []);
        assert.deepEqual(repositories.map((r) => [(r.inputs as any).name, (r.inputs as any).imageTagMutability, (r.inputs as any).imageScanningConfiguration.scanOnPush, (r.inputs as any).encryptionConfigurations[0].encryptionType]).sort(), [
            ["bookstore-prod/bookstore/api", "IMMUTABLE", true, "KMS"], ["bookstore-prod/bookstore/web", "IMMUTABLE", true, "KMS"], ["bookstore-prod/cloudnative-pg/pgbouncer", "IMMUTABLE", true, "KMS"],
        ]);
    });

    it("runs up --target, copies the missing image with every platform, checks images and architecture, then runs up", async () => {
        const cli = new FakePulumiCli();
        const processes = fakeTools(appImages());
        const progress: string[] = [];
        const result = await bootstrapStack({ stack: "prod-eks", runner: cli, processes, confirm: "prod-eks", onProgress: (l) => progress.push(l) }) as EksBootstrapResult;
        const ups = cli.calls.filter((c) => c.command === "up");
        assert.equal(ups.length, 2);
        const targets = ups[0].args.flatMap((arg, i) => (arg === "--target" ? [ups[0].args[i + 1]] : []));
        assert.deepEqual(targets, eksBootstrapPlan("bookstore", "prod-eks", eksConfig("prod-eks")).targets);
        assert.ok(!ups[1].args.includes("--target"), "the last step deploys the whole stack");
        assert.deepEqual(processes.calls.filter((c) => c.command === "docker").map((c) => [c.args, c.input]), [
            [["login", "--username", "AWS", "--password-stdin", HOST], "secret-token"],
            [["buildx", "imagetools", "create", "--tag", `${REGISTRY}/cloudnative-pg/pgbouncer:1.25.2`, "ghcr.io/cloudnative-pg/pgbouncer:1.25.2"], undefined],
        ]);
        assert.deepEqual(result.copied, ["cloudnative-pg/pgbouncer:1.25.2"]);
        assert.equal(result.registry, REGISTRY);
        assert.deepEqual(progress.filter((l) => l.startsWith("bootstrap ")).map((l) => l.slice(0, 13)), ["bootstrap 1/4", "bootstrap 2/4", "bootstrap 3/4", "bootstrap 4/4"]);
    });

    it("stops before the full update when an app image is missing, saying what to push and for which architecture", async () => {
        const cli = new FakePulumiCli();
        const processes = fakeTools(new Map([["bookstore-prod/bookstore/api", index("linux/arm64")]]));
        await assert.rejects(bootstrapStack({ stack: "prod-eks", runner: cli, processes, confirm: "prod-eks" }), (err: unknown) => {
            assert.ok(err instanceof MissingEcrImagesError);
            assert.deepEqual(err.images, ["bookstore/web:1.0.0"]);
            assert.match(err.message, new RegExp(`docker buildx build --platform linux/arm64 --tag ${REGISTRY}/bookstore/web:1\\.0\\.0 --push`));
            return true;
        });
        assert.equal(cli.calls.filter((c) => c.command === "up").length, 1, "only the repositories were deployed");
    });

    it("refuses an image whose index has no linux/arm64 build (the nodes are Graviton)", async () => {
        const processes = fakeTools(appImages(index("linux/amd64")));
        await assert.rejects(bootstrapStack({ stack: "prod-eks", runner: new FakePulumiCli(), processes, confirm: "prod-eks" }), (err: unknown) => {
            assert.ok(err instanceof WrongArchitectureError);
            assert.deepEqual(err.images.map((i) => i.image), ["bookstore/api:1.0.0", "bookstore/web:1.0.0"]);
            return true;
        });
    });

    it("CLI: exits 1 before deploying anything when aws is not signed in", async () => {
        const cli = new FakePulumiCli();
        const err: string[] = [];
        const code = await runCli(["bootstrap", "--stack", "prod-eks", "--yes", "--confirm", "prod-eks"], { out: () => undefined, err: (l) => err.push(l), runner: cli, processes: fakeTools(new Map(), false) });
        assert.equal(code, 1);
        assert.match(err.join("\n"), /bootstrap needs the AWS CLI v2, signed in .*Unable to locate credentials/);
        assert.deepEqual(cli.calls, []);
    });
});
