import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { APP_IMAGES, APP_SOURCE, buildImages, ImageBuildError, imageScript, imageSteps } from "../../../tools/e2e/images";
import { runCli } from "../../../tools/cli";
import { EXIT } from "../../../tools/cliSupport";
import { FakeProcesses } from "./fakeProcesses";

const ACR = { cloud: "azure" as const, name: "e2ek3f9q2prodacr1a2b3c", loginServer: "e2ek3f9q2prodacr1a2b3c.azurecr.io" };
const ECR = { cloud: "aws" as const, region: "us-east-2", loginServer: "111122223333.dkr.ecr.us-east-2.amazonaws.com" };
const DIGEST = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const SOURCE = "/tmp/bookstore-src";

/** A registry that has the tags in `present` (tag → digest) and gets the others from dotnet publish. */
function registry(present: Record<string, string> = {}) {
    const images = { ...present };
    return new FakeProcesses()
        .on(/^git /, {})
        .on(/^az acr login .*--expose-token/, { stdout: "acr-token\n" })
        .on(/^aws ecr get-login-password/, { stdout: "ecr-password\n" })
        .on(/^aws ecr (describe-repositories|create-repository)/, {})
        .on(/^(az acr repository show|aws ecr describe-images)/, (call) => {
            const repository = call.args[call.args.indexOf(call.command === "az" ? "--image" : "--repository-name") + 1];
            const tag = call.command === "az" ? repository : `${repository}:${call.args[call.args.indexOf("--image-ids") + 1].replace("imageTag=", "")}`;
            return images[tag] ? { stdout: `${images[tag]}\n` } : { stderr: "ImageNotFound", exitCode: 3 };
        })
        .on(/^dotnet publish/, (call) => {
            const repository = call.args.find((a) => a.startsWith("-p:ContainerRepository="))!.split("=")[1];
            const tag = call.args.find((a) => a.startsWith("-p:ContainerImageTag="))!.split("=")[1];
            images[`${repository}:${tag}`] = DIGEST(APP_IMAGES.findIndex((i) => i.repository === repository) + 1);
            return {};
        });
}

describe("e2e images: BookStore built at the pinned commit, pushed, pinned by digest", () => {
    it("checks out exactly the pinned commit, builds both web projects for the nodes' CPU and pushes to the stack's ACR with a token", async () => {
        const fake = registry();
        const images = await buildImages(imageSteps({ registry: ACR, architecture: "x64", checkoutDir: SOURCE }), fake);
        assert.deepEqual(images, { api: `bookstore/api@${DIGEST(1)}`, web: `bookstore/web@${DIGEST(2)}` });
        const git = fake.calls.filter((c) => c.command === "git").map((c) => c.args);
        assert.deepEqual(git, [
            ["init", "--quiet", SOURCE],
            ["-C", SOURCE, "fetch", "--depth", "1", "https://github.com/aalmada/BookStore.git", APP_SOURCE.commit],
            ["-C", SOURCE, "checkout", "--quiet", "--detach", APP_SOURCE.commit],
        ]);
        const publishes = fake.calls.filter((c) => c.command === "dotnet");
        assert.deepEqual(publishes.map((c) => c.args), APP_IMAGES.map((image) => [
            "publish", path.join(SOURCE, image.project), "--configuration", "Release", "--os", "linux", "--arch", "x64", "-t:PublishContainer",
            `-p:ContainerRegistry=${ACR.loginServer}`, `-p:ContainerRepository=${image.repository}`, "-p:ContainerImageTag=79aabad",
        ]));
        // ACR's token user is the all-zero GUID (az acr login --expose-token); the token never appears in an argument.
        for (const call of publishes) assert.deepEqual(call.env, { DOTNET_CONTAINER_REGISTRY_UNAME: "00000000-0000-0000-0000-000000000000", DOTNET_CONTAINER_REGISTRY_PWORD: "acr-token" });
        assert.ok(fake.calls.every((c) => !c.args.some((a) => a.includes("acr-token"))));
    });

    it("reuses a tag already pushed (same commit, same image) instead of rebuilding it", async () => {
        const fake = registry({ "bookstore/api:79aabad": DIGEST(7) });
        const images = await buildImages(imageSteps({ registry: ACR, architecture: "x64", checkoutDir: SOURCE }), fake);
        assert.equal(images.api, `bookstore/api@${DIGEST(7)}`);
        assert.deepEqual(fake.calls.filter((c) => c.command === "dotnet").map((c) => c.args[1]), [path.join(SOURCE, "src/BookStore.Web/BookStore.Web.csproj")]);
    });

    it("on ECR: creates missing repositories (immutable tags, scan on push), builds arm64 for Graviton, copies PgBouncer with all its platforms", async () => {
        const fake = registry().on(/^aws ecr describe-repositories/, { stderr: "RepositoryNotFoundException", exitCode: 254 }).on(/^docker /, {});
        await buildImages(imageSteps({ registry: ECR, architecture: "arm64", checkoutDir: SOURCE }), fake);
        const created = fake.calls.filter((c) => c.line.startsWith("aws ecr create-repository")).map((c) => c.args[c.args.indexOf("--repository-name") + 1]);
        assert.deepEqual(created, ["bookstore/api", "bookstore/web", "cloudnative-pg/pgbouncer"]);
        assert.ok(fake.calls.filter((c) => c.command === "dotnet").every((c) => c.args.includes("arm64") && c.env?.DOTNET_CONTAINER_REGISTRY_UNAME === "AWS"));
        const login = fake.calls.find((c) => c.line.startsWith("docker login"))!;
        assert.equal(login.input, "ecr-password", "the password goes to docker on stdin");
        assert.deepEqual(fake.calls.find((c) => c.line.startsWith("docker buildx"))!.args,
            ["buildx", "imagetools", "create", "--tag", `${ECR.loginServer}/cloudnative-pg/pgbouncer:1.25.2`, "ghcr.io/cloudnative-pg/pgbouncer:1.25.2"]);
    });

    it("stops at the first failing step, naming it, and refuses an image without a sha256 digest", async () => {
        const failing = registry().on(/^dotnet publish/, { stderr: "error NETSDK1234: the base image could not be pulled", exitCode: 1 });
        await assert.rejects(buildImages(imageSteps({ registry: ACR, architecture: "x64", checkoutDir: SOURCE }), failing),
            (err: Error) => err instanceof ImageBuildError && /build bookstore\/api:79aabad .*NETSDK1234/.test(err.message));
        assert.ok(!failing.calls.some((c) => c.args.includes("-p:ContainerRepository=bookstore/web")), "nothing ran after the failure");
        const noDigest = registry({ "bookstore/api:79aabad": "None", "bookstore/web:79aabad": DIGEST(2) }).on(/^dotnet/, {});
        await assert.rejects(buildImages(imageSteps({ registry: ACR, architecture: "x64", checkoutDir: SOURCE }), noDigest), /no digest for bookstore\/api/);
    });

    it("prints the same steps as a POSIX shell script that keeps credentials in variables", () => {
        const script = imageScript(imageSteps({ registry: ECR, architecture: "arm64", checkoutDir: SOURCE })).join("\n");
        const parsed = spawnSync("sh", ["-n"], { input: script, encoding: "utf8" });
        assert.equal(parsed.status, 0, parsed.stderr);
        assert.match(script, /^REGISTRY_PASSWORD=\$\(aws ecr get-login-password --region us-east-2\)$/m);
        assert.match(script, /DOTNET_CONTAINER_REGISTRY_PWORD="\$REGISTRY_PASSWORD" dotnet publish/);
        assert.match(script, /^\[ -n "\$\{API_DIGEST:-\}" \] \|\| DOTNET_CONTAINER_REGISTRY_UNAME=AWS /m);
    });

    it("the CLI prints the script offline (no tool needed) and refuses a registry it cannot place", async () => {
        const out: string[] = [];
        const err: string[] = [];
        const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
        assert.equal(await runCli(["e2e", "images", "--registry", ACR.loginServer, "--print", "--checkout-dir", SOURCE], io), EXIT.ok);
        assert.ok(out.includes(`git -C ${SOURCE} checkout --quiet --detach ${APP_SOURCE.commit}`));
        assert.ok(out.some((line) => line.includes("--arch x64")), "ACR images are built for the Azure templates' x64 nodes");
        assert.equal(await runCli(["e2e", "images", "--registry", "ghcr.io", "--print"], io), EXIT.usage);
        assert.match(err.join("\n"), /--registry: expected <name>\.azurecr\.io or <account>\.dkr\.ecr\.<region>\.amazonaws\.com/);
    });

    it("runs through the CLI and writes the pinned images for `e2e run --images`", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-images-"));
        const file = path.join(dir, "images.json");
        const processes = registry().on(/^aws ecr describe-repositories/, {}).on(/^docker /, {});
        const out: string[] = [];
        const code = await runCli(["e2e", "images", "--registry", ECR.loginServer, "--out", file, "--checkout-dir", SOURCE], { out: (l) => out.push(l), err: () => undefined, processes });
        assert.equal(code, EXIT.ok);
        assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), { registry: ECR.loginServer, images: { api: `bookstore/api@${DIGEST(1)}`, web: `bookstore/web@${DIGEST(2)}` } });
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
