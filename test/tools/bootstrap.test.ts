import { strict as assert } from "assert";
import { bootstrapConfig, bootstrapPlan, bootstrapStack, MissingImagesError } from "../../tools/automation/bootstrap";
import type { AzRunner } from "../../tools/automation/az";
import type { CommandOutcome } from "../../tools/automation";
import { PROJECT_DIR } from "../../tools/automation";
import { runCli } from "../../tools/cli";
import { FakePulumiCli } from "./automationFakeCli";

const URN = (stack: string) => (type: string, name: string) => `urn:pulumi:${stack}::bookstore::${type}::${name}`;
const REGISTRY = { name: "bookstoreprodacr1a2b3c4d", loginServer: "bookstoreprodacr1a2b3c4d.azurecr.io" };

const SERVER = "bookstore:database:DatabaseTier$azure-native:dbforpostgresql:Server";
const PRIMARY = { name: "bookstore-prod-pg-1a2b3c4d", id: "/subscriptions/0/resourceGroups/bookstore-prod-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/bookstore-prod-pg-1a2b3c4d" };

/** The state `pulumi stack export` returns after the platform and primary steps (and, with `replicas`, a later run's). */
function exportedState(stack: string, replicas = 0): string {
    const urn = URN(stack)("bookstore:platform:PlatformBase$azure-native:containerregistry:Registry", "bookstoreprodacr");
    const servers = [{ urn: URN(stack)(SERVER, "bookstore-prod-pg"), outputs: PRIMARY },
        ...Array.from({ length: replicas }, (_, i) => ({ urn: URN(stack)(SERVER, `bookstore-prod-pg-replica-${i + 1}`), outputs: {} }))];
    return JSON.stringify({ version: 3, deployment: { resources: [{ urn, type: "azure-native:containerregistry:Registry", outputs: REGISTRY }, ...servers] } });
}

/** A stand-in for `az`: records calls; `present` lists the repository:tag the registry already has. */
class FakeAz implements AzRunner {
    readonly calls: string[][] = [];
    constructor(private readonly present: string[], private readonly signedIn = true) {}
    async run(args: string[]): Promise<CommandOutcome> {
        this.calls.push(args);
        if (args[0] === "account") return this.signedIn ? { stdout: "", stderr: "", exitCode: 0 } : { stdout: "", stderr: "ERROR: Please run 'az login' to setup account.", exitCode: 1 };
        if (args[1] === "repository") return { stdout: "", stderr: "", exitCode: this.present.includes(args[args.indexOf("--image") + 1]) ? 0 : 3 };
        if (args[1] === "import") return { stdout: "", stderr: "", exitCode: 0 };
        if (args[0] === "postgres" && args[2] === "restart") return { stdout: "", stderr: "", exitCode: 0 };
        return { stdout: "", stderr: `unexpected az ${args.join(" ")}`, exitCode: 2 };
    }
}

describe("bootstrap (first deployment over the Automation API)", () => {
    it("targets the platform's registry, identity and AcrPull grants, imports registry.imports and needs the relative images", () => {
        const { project, config } = bootstrapConfig("prod-aks", PROJECT_DIR);
        const plan = bootstrapPlan(project, "acme/bookstore/prod-aks", config);
        const urn = URN("prod-aks");
        const platform = (type: string, name: string) => urn(`bookstore:platform:PlatformBase$${type}`, name);
        assert.deepEqual(plan.targets, [
            urn("pulumi:pulumi:Stack", "bookstore-prod-aks"),
            urn("bookstore:platform:PlatformBase", "platform"),
            platform("azure-native:resources:ResourceGroup", "rg"),
            platform("azure-native:containerregistry:Registry", "bookstoreprodacr"),
            platform("azure-native:managedidentity:UserAssignedIdentity", "workload-identity"),
            platform("azure-native:authorization:RoleAssignment", "acr-pull"),
        ]);
        assert.deepEqual(plan.imports, [{ source: "ghcr.io/cloudnative-pg/pgbouncer:1.25.2", image: "cloudnative-pg/pgbouncer:1.25.2" }]);
        assert.deepEqual(plan.requiredImages, ["bookstore/api:1.0.0", "bookstore/web:1.0.0", "cloudnative-pg/pgbouncer:1.25.2"]);
    });

    it("runs up --target, reads the registry from the state, imports what is missing, checks the images, then runs up", async () => {
        const cli = new FakePulumiCli().on("stack export", { stdout: exportedState("prod-aks") });
        const az = new FakeAz(["bookstore/api:1.0.0", "bookstore/web:1.0.0"]);
        const progress: string[] = [];
        const result = await bootstrapStack({ stack: "prod-aks", runner: cli, az, confirm: "prod-aks", onProgress: (l) => progress.push(l) });

        const ups = cli.calls.filter((c) => c.command === "up");
        assert.equal(ups.length, 3);
        const targets = ups[0].args.flatMap((arg, i) => (arg === "--target" ? [ups[0].args[i + 1]] : []));
        assert.deepEqual(targets, bootstrapPlan("bookstore", "prod-aks", bootstrapConfig("prod-aks", PROJECT_DIR).config).targets);
        assert.ok(!ups[0].args.includes("--target-dependents"));
        // Step 4: everything but the replicas (and what depends on them), so the primary runs with its parameters first.
        const excluded = ups[1].args.flatMap((arg, i) => (arg === "--exclude" ? [ups[1].args[i + 1]] : []));
        assert.deepEqual(excluded, [1, 2].map((n) => URN("prod-aks")(SERVER, `bookstore-prod-pg-replica-${n}`)));
        assert.ok(ups[1].args.includes("--exclude-dependents") && !ups[1].args.includes("--target"));
        assert.ok(!ups[2].args.includes("--target") && !ups[2].args.includes("--exclude"), "the last step deploys the whole stack");
        // The registry is read from the state the targeted `up` wrote (the scale-order guard may read it before, too).
        const between = cli.commands().slice(cli.calls.indexOf(ups[0]) + 1, cli.calls.indexOf(ups[2]));
        assert.ok(between.includes("stack export"), `a stack export between the two ups: ${between.join(", ")}`);

        assert.deepEqual(az.calls, [
            ["account", "show", "--output", "none", "--only-show-errors"],
            ["acr", "repository", "show", "--name", REGISTRY.name, "--image", "cloudnative-pg/pgbouncer:1.25.2", "--output", "none", "--only-show-errors"],
            ["acr", "import", "--name", REGISTRY.name, "--source", "ghcr.io/cloudnative-pg/pgbouncer:1.25.2", "--image", "cloudnative-pg/pgbouncer:1.25.2", "--only-show-errors"],
            // The imported image is not checked again.
            ...["bookstore/api:1.0.0", "bookstore/web:1.0.0"].map((image) =>
                ["acr", "repository", "show", "--name", REGISTRY.name, "--image", image, "--output", "none", "--only-show-errors"]),
            ["postgres", "flexible-server", "restart", "--resource-group", "bookstore-prod-rg", "--name", PRIMARY.name, "--output", "none", "--only-show-errors"],
        ]);
        assert.deepEqual(result.restartedPrimary, { name: PRIMARY.name, resourceGroup: "bookstore-prod-rg" });
        assert.deepEqual(result.imported, ["cloudnative-pg/pgbouncer:1.25.2"]);
        assert.deepEqual(result.registry, REGISTRY);
        assert.deepEqual(progress.filter((l) => l.startsWith("bootstrap ")).map((l) => l.slice(0, 13)), ["bootstrap 1/5", "bootstrap 2/5", "bootstrap 3/5", "bootstrap 4/5", "bootstrap 5/5"]);
    });

    it("on a later run, with the replicas in the state, neither excludes them nor restarts the primary", async () => {
        const cli = new FakePulumiCli().on("stack export", { stdout: exportedState("prod-aks", 2) });
        const az = new FakeAz(["bookstore/api:1.0.0", "bookstore/web:1.0.0", "cloudnative-pg/pgbouncer:1.25.2"]);
        const result = await bootstrapStack({ stack: "prod-aks", runner: cli, az, confirm: "prod-aks" });
        assert.equal(cli.calls.filter((c) => c.command === "up").length, 2);
        assert.ok(!az.calls.some((c) => c[0] === "postgres"), "a running production primary is never restarted by a re-run");
        assert.equal(result.restartedPrimary, undefined);
    });

    it("stops before the full update when an image is missing, saying what to push", async () => {
        const cli = new FakePulumiCli().on("stack export", { stdout: exportedState("prod-aks") });
        const az = new FakeAz(["cloudnative-pg/pgbouncer:1.25.2", "bookstore/api:1.0.0"]);
        await assert.rejects(bootstrapStack({ stack: "prod-aks", runner: cli, az, confirm: "prod-aks" }), (err: unknown) => {
            assert.ok(err instanceof MissingImagesError);
            assert.deepEqual(err.images, ["bookstore/web:1.0.0"]);
            assert.match(err.message, /docker push bookstoreprodacr1a2b3c4d\.azurecr\.io\/bookstore\/web:1\.0\.0/);
            return true;
        });
        assert.equal(cli.calls.filter((c) => c.command === "up").length, 1, "only the platform step ran");
        assert.ok(!az.calls.some((c) => c[1] === "import"), "an image already present is not imported again");
    });

    it("behind Cloudflare below Enterprise, runs the whole stack a second time so the bound web host's record is proxied", async () => {
        const urn = URN("prod-cloudflare");
        const state = JSON.stringify({ version: 3, deployment: { resources: [
            { urn: urn("bookstore:platform:PlatformBase$azure-native:containerregistry:Registry", "bookstorecfprodacr"), outputs: REGISTRY },
            ...["bookstorecf-prod-pg", "bookstorecf-prod-pg-replica-1", "bookstorecf-prod-pg-replica-2"].map((name) => ({ urn: urn(SERVER, name), outputs: {} })),
        ] } });
        const cli = new FakePulumiCli().on("stack export", { stdout: state });
        const progress: string[] = [];
        await bootstrapStack({ stack: "prod-cloudflare", runner: cli, az: new FakeAz(["bookstore/api:1.0.0", "bookstore/web:1.0.0"]), confirm: "prod-cloudflare", onProgress: (l) => progress.push(l) });
        const ups = cli.calls.filter((c) => c.command === "up");
        // The platform step, then the whole stack twice (the replicas exist in this state, so no primary step).
        assert.equal(ups.length, 3);
        for (const up of ups.slice(1)) assert.ok(!up.args.includes("--target") && !up.args.includes("--exclude"));
        assert.deepEqual(progress.filter((l) => l.startsWith("bootstrap ")).map((l) => l.slice(0, 13)),
            ["bootstrap 1/6", "bootstrap 2/6", "bootstrap 3/6", "bootstrap 4/6", "bootstrap 5/6", "bootstrap 6/6"]);
    });

    it("previews the targeted platform step first on production without --confirm", async () => {
        const cli = new FakePulumiCli().on("stack export", { stdout: exportedState("prod-aks") });
        await bootstrapStack({ stack: "prod-aks", runner: cli, az: new FakeAz(["bookstore/api:1.0.0", "bookstore/web:1.0.0", "cloudnative-pg/pgbouncer:1.25.2"]) });
        const firstPreview = cli.callOf("preview");
        assert.ok(firstPreview.args.includes("--target"), "the guard's preview covers the targeted step");
        assert.deepEqual(cli.commands().filter((c) => c === "preview" || c === "up"), ["preview", "up", "preview", "up", "preview", "up"]);
    });

    describe("CLI", () => {
        const io = (cli: FakePulumiCli, az: AzRunner) => {
            const out: string[] = [];
            const err: string[] = [];
            return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), runner: cli, az } };
        };

        it("exits 1 with the push instructions when images are missing, and 0 after a full run", async () => {
            const cli = new FakePulumiCli().on("stack export", { stdout: exportedState("prod-aks") });
            const missing = io(cli, new FakeAz([]));
            assert.equal(await runCli(["bootstrap", "--stack", "prod-aks", "--yes", "--confirm", "prod-aks"], missing.io), 1);
            assert.match(missing.err.join("\n"), /lacks 2 image\(s\)[\s\S]*az acr login --name bookstoreprodacr1a2b3c4d/);

            const complete = io(new FakePulumiCli().on("stack export", { stdout: exportedState("prod-aks") }),
                new FakeAz(["bookstore/api:1.0.0", "bookstore/web:1.0.0", "cloudnative-pg/pgbouncer:1.25.2"]));
            assert.equal(await runCli(["bootstrap", "--stack", "prod-aks", "--yes", "--confirm", "prod-aks"], complete.io), 0);
        });

        it("exits 1 before deploying anything when az is not signed in", async () => {
            const cli = new FakePulumiCli();
            const run = io(cli, new FakeAz([], false));
            assert.equal(await runCli(["bootstrap", "--stack", "prod-aks", "--yes", "--confirm", "prod-aks"], run.io), 1);
            assert.match(run.err.join("\n"), /bootstrap needs the Azure CLI, signed in .*Please run 'az login'/);
            assert.deepEqual(cli.calls, []);
        });

        it("exits 2 before running anything when the stack file is missing", async () => {
            const cli = new FakePulumiCli();
            const run = io(cli, new FakeAz([]));
            assert.equal(await runCli(["bootstrap", "--stack", "nosuchstack"], run.io), 2);
            assert.match(run.err.join("\n"), /Pulumi\.nosuchstack\.yaml: file not found/);
            assert.deepEqual(cli.calls, []);
        });
    });
});
