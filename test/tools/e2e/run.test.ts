/**
 * The e2e run's orchestration, end to end, with only the cloud replaced: the Pulumi CLI by the
 * fake of automationFakeCli.ts (the Automation API and our wrapper run for real), az/aws/kubectl/
 * dotnet/git by FakeProcesses. What the run checks is real: the app's /health and api on a real
 * HTTP server, doctor through a real PgBouncer to a real PostgreSQL primary and streaming replica,
 * the smoke load test on the local engine.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import type { ChildProcess } from "child_process";
import { parse } from "yaml";
import { PROJECT_DIR } from "../../../tools/automation";
import { E2eReport, E2eRunOptions, runE2e, RUN_STEPS, zoneIds } from "../../../tools/e2e/run";
import { EKS_DISALLOWED_AZ_IDS } from "../../../lib/awsCatalog";
import { e2eNamePrefix, E2ePlatform } from "../../../tools/e2e/names";
import { readSpec } from "../../../tools/loadtest/profile";
import { startPgbouncer, runAs } from "../../../tools/postgresLab";
import { resolveDatabase } from "../../../stacks/schema/database";
import { stackConfigOf } from "../../../tools/offline/stackFile";
import { runCli } from "../../../tools/cli";
import { EXIT } from "../../../tools/cliSupport";
import { FakeAnswer, FakePulumiCli, stepEvent, summaryEvent } from "../automationFakeCli";
import { missingClusterBinaries, PRIMARY_HOST, REPLICA_HOST, ReplicatedCluster } from "../doctorCluster";
import { FakeProcesses } from "./fakeProcesses";

const SUFFIX = "t3st01";
const PREFIX = e2eNamePrefix(SUFFIX);
const DIGEST = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const PG = "azure-native:dbforpostgresql:Server";
const KV = "azure-native:keyvault:Vault";
const CA = "azure-native:app:ContainerApp";
const noWait = { intervalMs: 0, sleep: async () => undefined };

/** A short smoke profile (the shipped spec's requests and thresholds, seconds instead of minutes, a p95 bound timing cannot miss). */
function smokeProfile(dir: string): string {
    const file = path.join(dir, "smoke.json");
    const spec = readSpec();
    fs.writeFileSync(file, JSON.stringify({ ...spec, thresholds: { ...spec.thresholds, p95Ms: 8000 }, profiles: { short: [{ durationSeconds: 2, target: 2 }, { durationSeconds: 1, target: 0 }] } }));
    return file;
}

/** The app: /health (503 for the first `unhealthy` asks), the api's book routes. */
class App {
    healthAsks = 0;
    apiRequests = 0;
    private server!: http.Server;
    port = 0;
    constructor(private readonly unhealthy = 2) {}
    async start(): Promise<this> {
        this.server = http.createServer((req, res) => {
            if (req.url === "/health") {
                this.healthAsks += 1;
                res.writeHead(this.healthAsks > this.unhealthy ? 200 : 503).end(this.healthAsks > this.unhealthy ? "Healthy" : "Unhealthy");
                return;
            }
            this.apiRequests += 1;
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ items: [{ id: "0190f0a0-0000-7000-8000-000000000001", title: "Architecture" }] }));
        });
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        this.port = (this.server.address() as { port: number }).port;
        return this;
    }
    stop(): Promise<void> {
        this.server.closeAllConnections();
        return new Promise((resolve) => this.server.close(() => resolve()));
    }
}

const urn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::bookstore::${type}::${name}`;

/** What `pulumi stack export` answers for a deployed e2e stack of the platform. */
function deployedState(platform: E2ePlatform, stack: string): object {
    const resources: object[] = [];
    if (platform === "eks") {
        resources.push(
            { urn: urn(stack, "bookstore:aws:RdsDatabase$aws:rds/instance:Instance", "database-primary"), type: "aws:rds/instance:Instance", protect: true,
                outputs: { identifier: `${PREFIX}-prod-pg`, arn: `arn:aws:rds:us-east-2:111122223333:db:${PREFIX}-prod-pg`, deletionProtection: true } },
            { urn: urn(stack, "bookstore:aws:RdsDatabase$aws:rds/instance:Instance", "database-replica-2"), type: "aws:rds/instance:Instance", protect: true,
                outputs: { identifier: `${PREFIX}-prod-pg-replica-2`, arn: `arn:aws:rds:us-west-2:111122223333:db:${PREFIX}-prod-pg-replica-2`, deletionProtection: true } },
            { urn: urn(stack, "bookstore:aws:EksCluster$aws:eks/cluster:Cluster", "cluster"), type: "aws:eks/cluster:Cluster",
                outputs: { name: `${PREFIX}-prod-eks`, arn: `arn:aws:eks:us-east-2:111122223333:cluster/${PREFIX}-prod-eks`, deletionProtection: true } },
        );
    } else {
        const platformChild = (type: string, name: string) => urn(stack, `bookstore:platform:PlatformBase$${type}`, name);
        resources.push(
            { urn: platformChild("azure-native:containerregistry:Registry", `${PREFIX}prodacr`), type: "azure-native:containerregistry:Registry", protect: true,
                outputs: { name: `${PREFIX}prodacr1a2b3c`, loginServer: `${PREFIX}prodacr1a2b3c.azurecr.io` } },
            // Both servers exist: bootstrap's primary-first step has nothing to do.
            { urn: urn(stack, `bookstore:database:DatabaseTier$${PG}`, `${PREFIX}-prod-pg`), type: PG, protect: true, outputs: { name: `${PREFIX}-prod-pg-1a2b` } },
            { urn: urn(stack, `bookstore:database:DatabaseTier$${PG}`, `${PREFIX}-prod-pg-replica-1`), type: PG, protect: true, outputs: { name: `${PREFIX}-prod-pg-replica-1-1a2b` } },
            { urn: urn(stack, `bookstore:database:DatabaseTier$azure-native:dbforpostgresql:VirtualEndpoint`, `${PREFIX}-prod-pg-endpoints`), type: "azure-native:dbforpostgresql:VirtualEndpoint",
                id: `/subscriptions/0/resourceGroups/${PREFIX}-prod-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/${PREFIX}-prod-pg-1a2b/virtualendpoints/${PREFIX}-prod-pg`,
                inputs: { serverName: `${PREFIX}-prod-pg-1a2b` }, outputs: { serverName: `${PREFIX}-prod-pg-1a2b` } },
            { urn: urn(stack, "bookstore:app:ContainerAppsTier$azure-native:app:ManagedEnvironment", "environment"), type: "azure-native:app:ManagedEnvironment",
                outputs: { id: `/subscriptions/0/resourceGroups/${PREFIX}-prod-rg/providers/Microsoft.App/managedEnvironments/${PREFIX}-prod-env` } },
        );
    }
    return { version: 3, deployment: { resources } };
}

/** The first deployment's events: a server taking 3 s, a vault 1 s (the fake CLI stamps event n at second n). */
const FIRST_UP: FakeAnswer = {
    events: [stepEvent("resourcePreEvent", "create", PG, "pg"), stepEvent("resourcePreEvent", "create", KV, "kv"), stepEvent("resOutputsEvent", "create", KV, "kv"),
        stepEvent("resOutputsEvent", "create", PG, "pg"), summaryEvent({ create: 2 })],
};
const NOTHING = (same = 120): FakeAnswer => ({ events: [stepEvent("resourcePreEvent", "same", KV, "kv"), summaryEvent({ same })] });
const CHANGED: FakeAnswer = { events: [stepEvent("resourcePreEvent", "update", CA, "web"), summaryEvent({ update: 1, same: 119 })] };
const REPLACING: FakeAnswer = { events: [stepEvent("resourcePreEvent", "replace", PG, "pg-replica-1", true), summaryEvent({ replace: 1, same: 119 })] };

interface Scenario {
    cli: FakePulumiCli;
    processes: FakeProcesses;
    projectDir: string;
    options: E2eRunOptions;
    /** The stack file as each Pulumi command saw it. */
    stackFileAt: Map<string, string>;
    /** What `stack import` was handed (the unprotected state). */
    imported: { resources: { urn: string; protect?: boolean }[] }[];
    progress: string[];
}

interface ScenarioOptions {
    ups?: FakeAnswer[];
    /** The previews' answers in turn (the last repeats). */
    previews?: FakeAnswer[];
    destroy?: FakeAnswer;
    app: App;
    pgbouncerPort?: number;
    outputs?: Record<string, unknown>;
}

/** Every scenario's project directory, removed after the suite. */
const projectDirs: string[] = [];

function scenario(platform: E2ePlatform, opts: ScenarioOptions): Scenario {
    const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-run-"));
    projectDirs.push(projectDir);
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(projectDir, "Pulumi.yaml"));
    const stackFileAt = new Map<string, string>();
    const imported: Scenario["imported"] = [];
    const stackFile = () => fs.readdirSync(projectDir).find((f) => f.startsWith("Pulumi.e2e-"));
    const seen = (command: string) => {
        const file = stackFile();
        if (file) stackFileAt.set(command, fs.readFileSync(path.join(projectDir, file), "utf8"));
    };
    const previews = [...(opts.previews ?? [NOTHING()])];
    const ups = [...(opts.ups ?? (platform === "eks" ? [FIRST_UP, NOTHING()] : [NOTHING(5), NOTHING(6), FIRST_UP, NOTHING()]))];
    const stackName = () => stackFile()!.slice("Pulumi.".length, -".yaml".length);
    const cli = new FakePulumiCli()
        .on("stack export", () => ({ stdout: JSON.stringify(deployedState(platform, stackName())) }))
        .on("stack import", (args) => {
            imported.push(JSON.parse(fs.readFileSync(args[args.indexOf("--file") + 1], "utf8")).deployment);
            return {};
        })
        .on("up", () => {
            seen(`up ${ups.length}`);
            return ups.length > 1 ? ups.shift()! : ups[0];
        })
        .on("preview", () => {
            seen(`preview ${previews.length}`);
            return previews.length > 1 ? previews.shift()! : previews[0];
        })
        .on("destroy", opts.destroy ?? { events: [summaryEvent({ delete: 120 })] })
        .on("stack output", (args) => ({ stdout: JSON.stringify(outputsOf(platform, opts, args.includes("--show-secrets"))) }));
    /** Repositories dotnet publish has pushed. */
    const built = new Set<string>();
    const builtRepository = (args: string[]) => ["bookstore/api", "bookstore/web"].find((r) => args.some((a) => a.includes(r)));
    const processes = new FakeProcesses({ pgbouncer: opts.pgbouncerPort ?? 1, api: opts.app.port })
        .on(/^git /, {})
        .on(/^az account show/, {})
        .on(/^az acr login .*--expose-token/, { stdout: "acr-token\n" })
        .on(/^az acr repository show .*--query digest/, (call) => {
            if (!built.has(builtRepository(call.args)!)) return { exitCode: 3, stderr: "ERROR: manifest unknown" };
            return { stdout: call.args.includes("bookstore/api:79aabad") ? DIGEST(1) : DIGEST(2) };
        })
        .on(/^az acr repository show .*--output none/, {})
        .on(/^dotnet publish/, (call) => {
            built.add(builtRepository(call.args)!);
            return {};
        })
        .on(/^az aks get-credentials/, {})
        .on(/^kubelogin convert-kubeconfig/, {})
        .on(/^az postgres flexible-server replica promote/, () => {
            seen("promote");
            return {};
        })
        .on(/^az postgres flexible-server show/, { stdout: JSON.stringify({ role: "Primary", state: "Ready" }) })
        .on(/^az postgres flexible-server show .*storageSizeGB/, { stdout: JSON.stringify({ tier: "GeneralPurpose", storageSizeGB: 32 }) })
        .on(/^aws sts get-caller-identity .*Account/, { stdout: "111122223333\n" })
        .on(/^aws sts get-caller-identity .*Arn/, { stdout: "arn:aws:sts::111122223333:assumed-role/gh-e2e-deploy/GitHubActions\n" })
        .on(/^aws ec2 describe-availability-zones .*us-east-2/, { stdout: "use2-az3\tuse2-az1\tuse2-az2\n" })
        .on(/^aws ec2 describe-availability-zones .*us-west-2/, { stdout: "usw2-az1\tusw2-az2\tusw2-az3\tusw2-az4\n" })
        .on(/^aws ecr /, {})
        .on(/^aws ecr describe-images/, (call) => {
            if (!built.has(builtRepository(call.args) ?? "")) return { exitCode: 254, stderr: "ImageNotFoundException" };
            return { stdout: call.args.includes("bookstore/api") ? DIGEST(1) : DIGEST(2) };
        })
        .on(/^docker /, {})
        .on(/^aws elbv2 describe-load-balancers/, { stdout: "127.0.0.1\n" })
        .on(/^aws eks update-kubeconfig/, {})
        .on(/^aws (rds|eks) /, {});
    const progress: string[] = [];
    const options: E2eRunOptions = {
        platform, region: platform === "eks" ? "us-east-2" : "swedencentral", ttlHours: 8, projectDir, runner: cli, processes, suffix: SUFFIX, now: () => new Date(),
        runId: "test-run", checkoutDir: path.join(projectDir, "src"), smokeProfile: smokeProfile(projectDir),
        healthTimeoutSeconds: 30, healthIntervalSeconds: 0.05, failoverWait: noWait, reachTimeoutMs: 10_000,
        publicAddress: async () => "203.0.113.7",
        aws: platform === "eks" ? { domain: "e2e.example.org", albCertificateArn: "arn:aws:acm:us-east-2:111122223333:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            cloudFrontCertificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/aaaaaaaa-bbbb-cccc-dddd-ffffffffffff" } : undefined,
        onProgress: (line) => { progress.push(line); if (process.env.E2E_TEST_VERBOSE) console.error(line); },
    };
    return { cli, processes, projectDir, options, stackFileAt, imported, progress };
}

function outputsOf(platform: E2ePlatform, opts: ScenarioOptions, secrets: boolean): Record<string, unknown> {
    const common = {
        publicWebUrl: `http://${platform === "eks" ? "web.e2e.example.org" : "127.0.0.1"}:${opts.app.port}`,
        resourceGroupName: `${PREFIX}-prod-rg`, kubernetesNamespace: "bookstore", aksClusterName: `${PREFIX}-prod-aks`,
        eksClusterName: `${PREFIX}-prod-eks`, region: "us-east-2",
        databaseServerNames: [`${PREFIX}-prod-pg-1a2b`, `${PREFIX}-prod-pg-replica-1-1a2b`], databaseResourceGroupName: `${PREFIX}-prod-rg`,
        databaseWriteHost: platform === "eks" ? `${PREFIX}-prod-pg.c9akciq32.us-east-2.rds.amazonaws.com` : `${PREFIX}-prod-pg-1a2b.postgres.database.azure.com`,
        databaseReadHosts: [`${PREFIX}-prod-pg-replica-1-1a2b.postgres.database.azure.com`],
        databasePort: 5432, databaseName: "bookstore", databaseAdminLogin: "postgres",
        databaseAdminPassword: secrets ? (opts.outputs?.databaseAdminPassword ?? "not-used") : "[secret]",
        apiHost: `${PREFIX}-prod-api.internal.example.swedencentral.azurecontainerapps.io`,
    };
    return { ...common, ...opts.outputs, ...(secrets ? {} : { databaseAdminPassword: "[secret]" }) };
}

const stepNames = (report: E2eReport) => report.steps.map((s) => `${s.name}:${s.status}`);

describe("e2e run: the orchestration over the Automation API, the cloud replaced", function () {
    this.timeout(300_000);
    let cluster: ReplicatedCluster | undefined;
    let pooler: ChildProcess | undefined;
    let poolerPort = 0;
    let poolerDir = "";
    const apps: App[] = [];
    const app = async (unhealthy = 2) => {
        const started = await new App(unhealthy).start();
        apps.push(started);
        return started;
    };

    before(async function () {
        const missing = missingClusterBinaries();
        if (missing.length > 0) {
            if (process.env.CI) throw new Error(`CI must run the real PostgreSQL tests, but these are missing: ${missing.join(", ")}`);
            this.skip();
        }
        cluster = await ReplicatedCluster.start({ maxConnections: 50 });
        // PgBouncer as the stack's Deployment runs it: a database per server, SCRAM against the user list (TLS off: loopback servers).
        const settings = { ...resolveDatabase(stackConfigOf({ stack: "prod-aks" })).pgbouncer, serverTlsSslmode: "disable" as const };
        poolerDir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-pgbouncer-"));
        const started = await startPgbouncer(poolerDir, {
            databases: [{ name: "bookstore", host: PRIMARY_HOST, port: cluster.port, dbname: "bookstore" }, { name: "bookstore-replica-1", host: REPLICA_HOST, port: cluster.port, dbname: "bookstore" }],
            settings,
        }, [{ user: "postgres", password: cluster.password }], runAs());
        pooler = started.process;
        poolerPort = started.port;
    });

    after(async () => {
        pooler?.kill("SIGKILL");
        await cluster?.stop();
        if (poolerDir) fs.rmSync(poolerDir, { recursive: true, force: true });
        await Promise.all(apps.map((a) => a.stop()));
        for (const dir of projectDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    });

    const healthy = async (platform: E2ePlatform, extra: Partial<ScenarioOptions> = {}) => {
        const a = extra.app ?? (await app());
        return scenario(platform, { app: a, pgbouncerPort: poolerPort, outputs: { databaseAdminPassword: cluster!.password }, ...extra });
    };

    it("aks: every step in order, then the cleanup; images pinned by digest before the first up; durations from the events; the report says it all", async () => {
        const s = await healthy("aks");
        const report = await runE2e(s.options);
        assert.equal(report.ok, true, JSON.stringify(report.failure ?? report.cleanup));
        assert.deepEqual(stepNames(report), [...RUN_STEPS, "release", "destroy", "remove"].map((n) => `${n}:passed`));
        assert.match(report.stack, /^e2e-aks-t3st01-exp\d{8}t\d{4}z$/);

        // Pulumi, in order: create the stack, the registry step, bootstrap, outputs, the second up, refresh + preview, then the teardown.
        const commands = s.cli.commands().filter((c) => !["stack select", "stack history", "stack output", "stack export"].includes(c));
        assert.deepEqual(commands, ["stack init", "up", "up", "up", "up", "stack import", "refresh", "preview", "stack import", "destroy", "stack rm"]);
        // The registry's images were built and pinned by digest before bootstrap's check and the full up.
        const atFullUp = parse(s.stackFileAt.get("up 2")!).config["bookstore:app"].services;
        assert.equal(atFullUp.api.image, `bookstore/api@${DIGEST(1)}`);
        assert.equal(atFullUp.web.image, `bookstore/web@${DIGEST(2)}`);
        assert.deepEqual(report.app.images, { api: `bookstore/api@${DIGEST(1)}`, web: `bookstore/web@${DIGEST(2)}` });
        const publish = s.processes.calls.find((c) => c.command === "dotnet")!;
        assert.ok(publish.args.includes(`-p:ContainerRegistry=${PREFIX}prodacr1a2b3c.azurecr.io`) && publish.args.includes("x64"), "built into the stack's registry for x64 nodes");

        // Durations of the first deployment, from the engine's timestamps.
        assert.deepEqual(report.types.map((t) => [t.type, t.medianSeconds]), [[PG, 3], [KV, 1]]);
        // The failover went to the replica paired with the primary, and the stack file recorded it before the preview.
        const promote = s.processes.calls.find((c) => c.line.includes("replica promote"))!;
        assert.deepEqual(promote.args.slice(promote.args.indexOf("--name"), promote.args.indexOf("--name") + 6), ["--name", `${PREFIX}-prod-pg-replica-1-1a2b`, "--promote-mode", "switchover", "--promote-option", "planned"]);
        assert.equal(parse(s.stackFileAt.get("preview 1")!).config["bookstore:database"].failover.promoted, true);
        // The failover moved the endpoint pair under the new primary in the state; the teardown then lifted protect before destroying.
        assert.equal(s.imported.length, 2);
        const pair = s.imported[0].resources.find((r) => r.urn.endsWith("-endpoints")) as { inputs: { serverName: string } } | undefined;
        assert.equal(pair?.inputs.serverName, `${PREFIX}-prod-pg-replica-1-1a2b`);
        assert.ok(s.imported[1].resources.some((r) => r.urn.endsWith(`${PREFIX}-prod-pg`)) && s.imported[1].resources.every((r) => !r.protect));
        assert.deepEqual(fs.readdirSync(s.projectDir).filter((f) => f.startsWith("Pulumi.e2e-")), []);
        assert.ok(s.processes.allForwardsClosed());
        assert.ok(report.cleanup.ok && report.cleanup.destroyed && report.cleanup.removed);
        // The check steps were real: /health answered after two 503s, the api took the smoke's requests through the forward.
        assert.equal(apps[apps.length - 1].healthAsks, 3);
        assert.ok(apps[apps.length - 1].apiRequests > 0);
        assert.ok(s.progress.includes("[e2e 6/10] doctor"), "a progress line per step");
        assert.ok(s.progress.some((line) => /streaming replicas/.test(line)), "doctor's table, through PgBouncer to the real primary and replica");
    });

    it("a second up that changes something fails the run, names what changed, and still destroys the stack", async () => {
        const s = await healthy("aks", { ups: [NOTHING(5), NOTHING(6), FIRST_UP, CHANGED] });
        const report = await runE2e(s.options);
        assert.equal(report.ok, false);
        assert.equal(report.failure?.step, "idempotency");
        assert.match(report.failure!.error, /the second up changed 1 resource\(s\): update azure-native:app:ContainerApp web/);
        assert.deepEqual(report.idempotencyChanges, [{ op: "update", type: CA, urn: "urn:pulumi:dev::bookstore::azure-native:app:ContainerApp::web" }]);
        assert.deepEqual(stepNames(report).slice(-5), ["smoke:passed", "idempotency:failed", "release:passed", "destroy:passed", "remove:passed"]);
        assert.ok(!s.processes.lines().some((l) => l.includes("replica promote")), "no failover after a failed check");
    });

    it("after the failover: what follows the new writer is applied and the next preview must be empty; a replacement or a lasting change fails", async () => {
        const follows = await healthy("aks", { previews: [CHANGED, NOTHING()] });
        const report = await runE2e(follows.options);
        assert.equal(report.ok, true, JSON.stringify(report.failure));
        assert.deepEqual(report.convergenceChanges?.map((c) => c.op), ["update"]);
        assert.deepEqual(follows.cli.commands().filter((c) => ["up", "refresh", "preview"].includes(c)).slice(-4), ["refresh", "preview", "up", "preview"]);

        const replacing = await healthy("aks", { previews: [REPLACING] });
        const refused = await runE2e(replacing.options);
        assert.equal(refused.failure?.step, "converged");
        assert.match(refused.failure!.error, /after the failover, preview would replace or delete 1 resource\(s\): replace azure-native:dbforpostgresql:Server pg-replica-1/);
        assert.equal(replacing.cli.commands().filter((c) => c === "up").length, 4, "no up after a predicted replacement");

        const lasting = await healthy("aks", { previews: [CHANGED] });
        const drifting = await runE2e(lasting.options);
        assert.equal(drifting.failure?.step, "converged");
        assert.match(drifting.failure!.error, /after the failover and an up, preview would still change 1 resource/);
        assert.ok(drifting.cleanup.destroyed && drifting.cleanup.removed);
    });

    it("a health endpoint that never answers 200 ends the wait at its bound; the cleanup runs, no reach was opened", async () => {
        const s = await healthy("aks", { app: await app(Number.MAX_SAFE_INTEGER) });
        s.options.healthTimeoutSeconds = 0.5;
        const report = await runE2e(s.options);
        assert.equal(report.failure?.step, "health");
        assert.match(report.failure!.error, /did not answer 200 within the bound \(\d+ attempts; last: HTTP 503\)/);
        assert.deepEqual(stepNames(report).slice(-4), ["health:failed", "release:passed", "destroy:passed", "remove:passed"]);
        assert.ok(!s.processes.lines().some((l) => l.includes("port-forward")));
    });

    it("a failed first up still destroys what it made; a stack that was never created is not destroyed, and its file goes", async () => {
        const failing = await healthy("aks", { ups: [NOTHING(5), { stderr: "error: update failed", exitCode: 255, events: [summaryEvent({ create: 3 })] }] });
        const report = await runE2e(failing.options);
        assert.equal(report.failure?.step, "up");
        assert.ok(report.cleanup.destroyed);
        assert.equal(report.types.length, 0, "no durations from a deployment that did not finish");

        const noStack = await healthy("aks");
        noStack.cli.on("stack init", { stderr: "error: stack 'e2e-aks-...' already exists", exitCode: 255 });
        const refused = await runE2e(noStack.options);
        assert.equal(refused.failure?.step, "stack");
        assert.deepEqual(noStack.cli.commands().filter((c) => c === "destroy" || c === "stack rm"), []);
        assert.deepEqual(fs.readdirSync(noStack.projectDir).filter((f) => f.startsWith("Pulumi.e2e-")), []);
        assert.equal(refused.ok, false);
    });

    it("Ctrl-C: the current step stops, the cleanup runs; a second Ctrl-C abandons the cleanup and the stack is left for the janitor", async () => {
        const first = await healthy("aks", { app: await app(Number.MAX_SAFE_INTEGER) });
        const run = new AbortController();
        first.options.signal = run.signal;
        first.options.onProgress = (line) => {
            if (line.includes("health:") && line.includes("attempt 2")) run.abort();
        };
        const cancelled = await runE2e(first.options);
        assert.equal(cancelled.failure?.step, "health");
        assert.equal(cancelled.steps.find((s) => s.name === "health")!.status, "cancelled");
        assert.ok(cancelled.cleanup.destroyed && cancelled.cleanup.removed, "the first Ctrl-C does not stop the cleanup");

        const second = await healthy("aks", { app: await app(Number.MAX_SAFE_INTEGER) });
        const both = new AbortController();
        second.options.signal = both.signal;
        second.options.cleanupSignal = both.signal;
        second.options.onProgress = (line) => {
            second.progress.push(line);
            if (line.includes("attempt 2")) both.abort();
        };
        const abandoned = await runE2e(second.options);
        assert.deepEqual(stepNames(abandoned).slice(-3), ["health:cancelled", "release:cancelled", "destroy:cancelled"]);
        assert.equal(abandoned.cleanup.destroyed, false);
        assert.equal(abandoned.ok, false);
        assert.ok(!second.cli.commands().includes("destroy"));
        assert.ok(second.progress.some((l) => /is left in the backend \(it expires .*\); retry with `bookstore-infra e2e janitor --yes`/.test(l)));
        assert.equal(fs.readdirSync(second.projectDir).filter((f) => f.startsWith("Pulumi.e2e-")).length, 1, "the stack file stays for a later destroy");
    });

    it("a destroy that fails leaves the stack and its file, and the run fails even when every check passed", async () => {
        const s = await healthy("aks", { destroy: { stderr: "error: deleting server: Conflict", exitCode: 255, events: [summaryEvent({ delete: 3 })] } });
        const report = await runE2e(s.options);
        assert.equal(report.failure, undefined, "every check passed");
        assert.equal(report.ok, false);
        assert.equal(report.cleanup.destroyed, false);
        assert.match(report.cleanup.errors.join("\n"), /^destroy: destroy of stack "e2e-aks-t3st01-exp\d+t\d+z" failed: error: deleting server: Conflict$/m);
        assert.ok(!s.cli.commands().includes("stack rm"));
    });

    it("eks: ECR images for arm64, health asked of the ALB by name, RDS failover with the reboot, deletion protection lifted before destroy", async () => {
        const s = await healthy("eks");
        const report = await runE2e(s.options);
        assert.equal(report.ok, true, JSON.stringify(report.failure ?? report.cleanup));
        const aws = s.processes.calls.filter((c) => c.command === "aws").map((c) => c.args.slice(0, 2).join(" "));
        assert.ok(aws.includes("elbv2 describe-load-balancers"));
        const alb = s.processes.calls.find((c) => c.line.startsWith("aws elbv2"))!;
        assert.equal(alb.args[alb.args.indexOf("--names") + 1], `${PREFIX}-prod-web`);
        const reboot = s.processes.calls.find((c) => c.line.startsWith("aws rds reboot-db-instance"))!;
        assert.deepEqual(reboot.args, ["rds", "reboot-db-instance", "--region", "us-east-2", "--db-instance-identifier", `${PREFIX}-prod-pg`, "--force-failover", "--output", "none"]);
        const lifted = s.processes.calls.filter((c) => c.args.includes("--no-deletion-protection")).map((c) => c.args.slice(0, 4).join(" "));
        assert.deepEqual(lifted, ["rds modify-db-instance --region us-east-2", "rds modify-db-instance --region us-west-2", "eks update-cluster-config --region us-east-2"]);
        const liftedAt = s.processes.calls.findIndex((c) => c.args.includes("--no-deletion-protection"));
        assert.ok(liftedAt > s.processes.calls.findIndex((c) => c.line.startsWith("aws rds wait")), "after the failover");
        // The stack the run rendered: its region, the caller's role, the runner's address, hosts under the team's domain.
        const aws0 = parse(s.stackFileAt.get("up 1")!).config["bookstore:aws"];
        assert.equal(aws0.region, "us-east-2");
        assert.deepEqual(aws0.eks.adminRoleArns, ["arn:aws:iam::111122223333:role/gh-e2e-deploy"]);
        assert.deepEqual(aws0.eks.publicAccessCidrs, ["203.0.113.7/32"]);
        assert.deepEqual(aws0.network.availabilityZoneIds, ["use2-az1", "use2-az2", "use2-az3"], "the account's zones of the region, by ID");
        assert.deepEqual(aws0.network.replicaAvailabilityZoneIds, ["usw2-az1", "usw2-az2", "usw2-az3"]);
        assert.equal(aws0.edge.webHost, `${SUFFIX}.e2e.example.org`);
        const publishes = s.processes.calls.filter((c) => c.command === "dotnet");
        assert.equal(publishes.length, 2);
        assert.ok(publishes.every((c) => c.args.includes("arm64") && c.args.includes("-p:ContainerRegistry=111122223333.dkr.ecr.us-east-2.amazonaws.com")));
    });

    it("eks: places the subnets in the account's available zones by ID, never in a zone EKS refuses", async () => {
        const processes = new FakeProcesses().on(/^aws ec2 describe-availability-zones/, { stdout: "use1-az6\tuse1-az3\tuse1-az1\tuse1-az2\tuse1-az4\n" });
        assert.deepEqual(await zoneIds(processes, "us-east-1", EKS_DISALLOWED_AZ_IDS), ["use1-az1", "use1-az2", "use1-az4"]);
        const query = processes.calls[0].args;
        assert.deepEqual(query.slice(query.indexOf("--filters"), query.indexOf("--query")), ["--filters", "Name=zone-type,Values=availability-zone", "Name=state,Values=available"], "no Local or Wavelength Zones");
        const one = new FakeProcesses().on(/^aws ec2 describe-availability-zones/, { stdout: "cac1-az3\tcac1-az1\n" });
        await assert.rejects(zoneIds(one, "ca-central-1", EKS_DISALLOWED_AZ_IDS), /ca-central-1 offers the account 1 usable availability zone\(s\) \(cac1-az1\); the stack needs 2 or 3/);
    });

    it("containerapps: relay apps admit only the runner, and are deleted even when doctor fails", async () => {
        const s = await healthy("containerapps");
        // The relays answer on loopback: the TCP ones at a port nothing listens on, so doctor fails.
        s.processes.on(/^az containerapp (create|ingress access-restriction set|delete)/, {}).on(/^az containerapp show/, { stdout: "127.0.0.1\n" });
        const report = await runE2e(s.options);
        assert.equal(report.failure?.step, "doctor");
        const created = s.processes.calls.filter((c) => c.line.startsWith("az containerapp create")).map((c) => c.args[c.args.indexOf("--name") + 1]);
        assert.deepEqual(created, [`e2e-relay-${SUFFIX}-db0`, `e2e-relay-${SUFFIX}-db1`, `e2e-relay-${SUFFIX}-api`]);
        const restrictions = s.processes.calls.filter((c) => c.line.includes("access-restriction set")).map((c) => c.args[c.args.indexOf("--ip-address") + 1]);
        assert.deepEqual(restrictions, ["203.0.113.7/32", "203.0.113.7/32", "203.0.113.7/32"]);
        const deleted = s.processes.calls.filter((c) => c.line.startsWith("az containerapp delete")).map((c) => c.args[c.args.indexOf("--name") + 1]);
        assert.deepEqual(deleted.sort(), created.sort());
        const deletedAt = s.processes.calls.findIndex((c) => c.line.startsWith("az containerapp delete"));
        assert.ok(s.cli.calls.findIndex((c) => c.command === "destroy") >= 0 && deletedAt >= 0);
        const tcp = s.processes.calls.find((c) => c.line.startsWith("az containerapp create"))!;
        assert.ok(tcp.args.includes("--transport") && tcp.args.includes("15432"));
        assert.match(tcp.args.find((a) => a.startsWith("RELAY_CONF="))!, new RegExp(`proxy_pass ${PREFIX}-prod-pg-1a2b\\.postgres\\.database\\.azure\\.com:5432;`));
    });
});

describe("e2e commands: flags, exit codes, the janitor's confirmations", () => {
    const io = () => {
        const out: string[] = [];
        const err: string[] = [];
        return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), runner: new FakePulumiCli() } };
    };

    it("run: every bad flag named at once, exit 2, nothing run", async () => {
        const { err, io: cliIo } = io();
        const code = await runCli(["e2e", "run", "--platform", "eks", "--region", "eastus2", "--aws-certificate-arn", "arn:aws:acm:us-west-2:111122223333:certificate/abc"], cliIo);
        assert.equal(code, EXIT.usage);
        assert.match(err.join("\n"), /--region: expected an AWS region such as us-east-1, got "eastus2"/);
        assert.match(err.join("\n"), /--aws-domain: an eks run needs the team's domain/);
        assert.match(err.join("\n"), /--aws-certificate-arn: the ALB's certificate must be in eastus2, not us-west-2/);
        assert.deepEqual(cliIo.runner.calls, []);
        const azure = io();
        assert.equal(await runCli(["e2e", "run", "--platform", "aks", "--region", "eastus2", "--images", "x.json", "--aws-domain", "e.org"], azure.io), EXIT.usage);
        assert.match(azure.err.join("\n"), /--aws-domain: only for --platform eks[\s\S]*--images: only for --platform eks/);
    });

    it("run: a failed run exits 8 and still writes its report", async () => {
        const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-cli-"));
        fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(projectDir, "Pulumi.yaml"));
        const runner = new FakePulumiCli().on("stack init", { stderr: "error: could not create stack: 403 Forbidden", exitCode: 255 });
        const out: string[] = [];
        const code = await runCli(["e2e", "run", "--platform", "aks", "--region", "eastus2", "--report", "out/r.json"], { out: (l) => out.push(l), err: () => undefined, runner, projectDir });
        assert.equal(code, EXIT.e2eFailed);
        const report = JSON.parse(fs.readFileSync(path.join(projectDir, "out/r.json"), "utf8")) as E2eReport;
        assert.equal(report.failure?.step, "stack");
        assert.match(report.failure!.error, /403 Forbidden/);
        assert.match(out[out.length - 1], /^e2e aks: FAILED at stack: .*Report: .*out\/r\.json$/);
        fs.rmSync(projectDir, { recursive: true, force: true });
    });

    it("janitor: a dry run by default; --yes destroys only expired e2e stacks; a named stack needs its name typed again", async () => {
        const stacks = [{ name: "prod" }, { name: "e2e-aks-aaaaaa-exp20261208t0100z" }, { name: "e2e-eks-bbbbbb-exp20261209t0100z" }];
        const dry = io();
        dry.io.runner.on("stack ls", { stdout: JSON.stringify(stacks) });
        assert.equal(await runCli(["e2e", "janitor", "--now", "2026-12-08T03:00:00Z"], dry.io), EXIT.ok);
        assert.deepEqual(dry.out, [
            "would destroy  e2e-aks-aaaaaa-exp20261208t0100z  (aks, expiry 2026-12-08T01:00:00.000Z, expired)",
            "kept           e2e-eks-bbbbbb-exp20261209t0100z  (eks, expiry 2026-12-09T01:00:00.000Z, not expired)",
            "Dry run: 1 stack(s) would be destroyed. Run again with --yes to destroy them.",
        ]);
        assert.ok(!dry.io.runner.commands().includes("destroy"));

        const real = io();
        real.io.runner.on("stack ls", { stdout: JSON.stringify(stacks) }).on("stack export", { stdout: JSON.stringify({ version: 3, deployment: { resources: [{ urn: "u", type: "t", protect: true }] } }) });
        assert.equal(await runCli(["e2e", "janitor", "--yes", "--now", "2026-12-08T03:00:00Z"], real.io), EXIT.ok);
        const destroys = real.io.runner.calls.filter((c) => c.command === "destroy").map((c) => c.args[c.args.indexOf("--stack") + 1]);
        assert.deepEqual(destroys, ["e2e-aks-aaaaaa-exp20261208t0100z"]);
        assert.deepEqual(real.io.runner.commands().filter((c) => ["stack import", "destroy", "stack rm"].includes(c)), ["stack import", "destroy", "stack rm"]);

        const named = io();
        assert.equal(await runCli(["e2e", "janitor", "--yes", "--stack", "e2e-eks-bbbbbb-exp20261209t0100z"], named.io), EXIT.refused);
        assert.match(named.err.join("\n"), /without --confirm e2e-eks-bbbbbb-exp20261209t0100z/);
        assert.equal(await runCli(["e2e", "janitor", "--yes", "--stack", "prod", "--confirm", "prod"], named.io), EXIT.usage);
        assert.equal(await runCli(["e2e", "janitor", "--yes", "--dry-run"], named.io), EXIT.usage);
        assert.deepEqual(named.io.runner.calls, []);
    });
});
