import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import type { AzRunner } from "../../tools/automation/az";
import type { CommandOutcome } from "../../tools/automation";
import { PROJECT_DIR, ProductionGuardError } from "../../tools/automation";
import { decideFailover, FailoverFailedError, FailoverInputError, failoverStack, moveEndpointPair, nextSteps, promoteArgs, waitForPrimary } from "../../tools/automation/failover";
import { runCli } from "../../tools/cli";
import { stackConfigOf } from "../../tools/offline/stackFile";
import { FakePulumiCli } from "./automationFakeCli";

const SERVERS = ["bookstore-prod-pg-1a2b3c4d", "bookstore-prod-pg-replica-1-1a2b3c4d", "bookstore-prod-pg-replica-2-1a2b3c4d"];
const OUTPUTS = {
    databaseServerNames: SERVERS,
    databaseResourceGroupName: "bookstore-prod-rg",
    databaseWriteHost: `${SERVERS[0]}.postgres.database.azure.com`,
    databaseReadHosts: SERVERS.slice(1).map((s) => `${s}.postgres.database.azure.com`),
    databasePort: 5432,
    databaseName: "bookstore",
    databaseAdminLogin: "bookstoreadmin",
    databaseAdminPassword: "not-a-real-password",
};

/** A stand-in for `az`: records calls; `show` answers the roles in turn (the last one repeats), or each server's tier and storage. */
class FakeAz implements AzRunner {
    readonly calls: string[][] = [];
    constructor(private readonly roles: { role: string; state: string }[] = [{ role: "Primary", state: "Ready" }], private readonly promoteFails = false,
        private readonly sizes: Record<string, { tier: string; storageSizeGB: number }> = {}) {}
    async run(args: string[]): Promise<CommandOutcome> {
        this.calls.push(args);
        if (args[3] === "promote") return this.promoteFails ? { stdout: "", stderr: "ERROR: (ReplicaNotInVirtualEndpoint) bad target", exitCode: 1 } : { stdout: "", stderr: "", exitCode: 0 };
        if (args[2] === "show" && args.join(" ").includes("storageSizeGB")) {
            const server = args[args.indexOf("--name") + 1];
            return { stdout: JSON.stringify(this.sizes[server] ?? { tier: "GeneralPurpose", storageSizeGB: 128 }), stderr: "", exitCode: 0 };
        }
        if (args[2] === "show") {
            const answer = this.roles.length > 1 ? this.roles.shift()! : this.roles[0];
            return { stdout: JSON.stringify(answer), stderr: "", exitCode: 0 };
        }
        return { stdout: "", stderr: `unexpected az ${args.join(" ")}`, exitCode: 2 };
    }
}

/** A project directory with prod's stack file, to be rewritten by the failover. */
function projectCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "failover-"));
    for (const file of ["Pulumi.yaml", "Pulumi.prod.yaml"]) fs.copyFileSync(path.join(PROJECT_DIR, file), path.join(dir, file));
    return dir;
}

const noWait = { intervalMs: 0, sleep: async () => undefined };

describe("failover: which server, and what az is asked", () => {
    it("switches over only to the reader endpoint's target: the westus2 replica, then back to the primary", () => {
        assert.deepEqual(decideFailover({ replica: 2, promoted: false }, SERVERS, "replica-2"), { target: 2, server: SERVERS[2], promoted: true });
        assert.deepEqual(decideFailover({ replica: 2, promoted: false }, SERVERS, SERVERS[2]), { target: 2, server: SERVERS[2], promoted: true });
        assert.deepEqual(decideFailover({ replica: 2, promoted: true }, SERVERS, "primary"), { target: 0, server: SERVERS[0], promoted: false });
        assert.throws(() => decideFailover({ replica: 2, promoted: false }, SERVERS, "replica-1"),
            (err: Error) => err instanceof FailoverInputError && /only to the reader virtual endpoint's target, replica-2/.test(err.message));
        assert.throws(() => decideFailover({ replica: 2, promoted: false }, SERVERS, "primary"), /already holds the writer role/);
        assert.throws(() => decideFailover({ replica: 2, promoted: false }, SERVERS, "replica-9"), /expected one of primary \(.*\), replica-1 .*, replica-2/);
        assert.throws(() => decideFailover({ replica: undefined, promoted: false }, [SERVERS[0]], "replica-1"), /no read replica/);
    });

    it("builds the az switchover with the promote option, confirmation and no output", () => {
        assert.deepEqual(promoteArgs("rg", "srv", "planned"), ["postgres", "flexible-server", "replica", "promote", "--resource-group", "rg", "--name", "srv",
            "--promote-mode", "switchover", "--promote-option", "planned", "--yes", "--output", "none"]);
        assert.equal(promoteArgs("rg", "srv", "forced")[11], "forced");
    });

    it("waits until the promoted server is a ready primary, and gives up naming the last answer", async () => {
        const az = new FakeAz([{ role: "AsyncReplica", state: "Updating" }, { role: "Primary", state: "Updating" }, { role: "Primary", state: "Ready" }]);
        await waitForPrimary(az, "rg", "srv", noWait);
        assert.equal(az.calls.length, 3);
        await assert.rejects(waitForPrimary(new FakeAz([{ role: "GeoAsyncReplica", state: "Ready" }]), "rg", "srv", { ...noWait, attempts: 2 }),
            (err: Error) => err instanceof FailoverFailedError && /GeoAsyncReplica/.test(err.message));
    });
});

describe("failover: the stack file records the new roles", () => {
    it("promotes, waits, then writes database.failover.promoted (comments kept, config still valid)", async () => {
        const dir = projectCopy();
        const az = new FakeAz();
        const decision = await failoverStack({ stack: "prod", projectDir: dir, to: "replica-2", option: "forced", outputs: OUTPUTS, az, confirm: "prod", wait: noWait });
        assert.equal(decision.server, SERVERS[2]);
        assert.deepEqual(az.calls[0], promoteArgs("bookstore-prod-rg", SERVERS[2], "forced"));
        assert.equal(az.calls[1][2], "show");
        const text = fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8");
        // Only the two lines of the new key are added; comments and everything else stay as written.
        const original = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8").split("\n");
        assert.deepEqual(text.split("\n").filter((line) => !/^ {4}failover:$|^ {6}promoted: true$/.test(line)), original);
        assert.deepEqual(parse(text).config["bookstore:database"].failover, { promoted: true });
        assert.deepEqual(stackConfigOf({ stack: "prod", stackFile: path.join(dir, "Pulumi.prod.yaml") }).database.failover, { promoted: true });
        // The next failover is the failback.
        await assert.rejects(failoverStack({ stack: "prod", projectDir: dir, to: "replica-2", option: "planned", outputs: OUTPUTS, az, confirm: "prod", wait: noWait }), /already holds the writer role/);
    });

    it("a planned switchover first checks the pair's tiers and storage sizes (Azure requires them identical), and names the difference", async () => {
        const dir = projectCopy();
        const before = fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8");
        const az = new FakeAz(undefined, false, { [SERVERS[2]]: { tier: "GeneralPurpose", storageSizeGB: 256 } });
        await assert.rejects(failoverStack({ stack: "prod", projectDir: dir, to: "replica-2", option: "planned", outputs: OUTPUTS, az, confirm: "prod", wait: noWait }),
            (err: Error) => err instanceof FailoverInputError && /identical tiers and storage sizes.*storage 128 GiB on bookstore-prod-pg-1a2b3c4d, 256 GiB on bookstore-prod-pg-replica-2-1a2b3c4d/.test(err.message));
        assert.ok(!az.calls.some((c) => c[3] === "promote"), "nothing promoted");
        assert.equal(fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8"), before);
    });

    it("moves the endpoint pair under the new primary in the state (id and serverName), and back on failback", () => {
        const pair = () => ({
            urn: "urn:pulumi:prod::bookstore::bookstore:database:DatabaseTier$azure-native:dbforpostgresql:VirtualEndpoint::bookstore-prod-pg-endpoints",
            type: "azure-native:dbforpostgresql:VirtualEndpoint",
            id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/${SERVERS[0]}/virtualendpoints/bookstore-prod-db-1a2b3c4d`,
            inputs: { serverName: SERVERS[0], members: [SERVERS[2]] },
            outputs: { serverName: SERVERS[0], members: [SERVERS[2]] },
        });
        const resources = [pair()];
        assert.deepEqual(moveEndpointPair(resources, SERVERS[0], SERVERS[2]), [pair().urn]);
        assert.match(resources[0].id, new RegExp(`/flexibleServers/${SERVERS[2]}/virtualendpoints/`));
        assert.deepEqual([resources[0].inputs.serverName, resources[0].outputs.serverName], [SERVERS[2], SERVERS[2]]);
        assert.deepEqual(moveEndpointPair(resources, SERVERS[0], SERVERS[2]), [], "already moved: nothing to do");
        moveEndpointPair(resources, SERVERS[2], SERVERS[0]);
        assert.deepEqual(resources[0], pair());
    });

    it("says what the promoted server lost: geo-redundant backup (set only at creation)", () => {
        const steps = nextSteps("prod", "planned", { target: 2, server: SERVERS[2], promoted: true }).join("\n");
        assert.match(steps, new RegExp(`${SERVERS[2]} has no geo-redundant backup`));
        assert.match(steps, /nothing is replaced/);
    });

    it("refuses production without the stack name typed again, and leaves the file alone when az fails", async () => {
        const dir = projectCopy();
        const before = fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8");
        const az = new FakeAz();
        await assert.rejects(failoverStack({ stack: "prod", projectDir: dir, to: "replica-2", option: "planned", outputs: OUTPUTS, az, wait: noWait }),
            (err: Error) => err instanceof ProductionGuardError && /--yes --confirm prod/.test(err.message));
        assert.equal(az.calls.length, 0);
        await assert.rejects(failoverStack({ stack: "prod", projectDir: dir, to: "replica-2", option: "planned", outputs: OUTPUTS, az: new FakeAz(undefined, true), confirm: "prod", wait: noWait }),
            (err: Error) => err instanceof FailoverFailedError && /ReplicaNotInVirtualEndpoint/.test(err.message));
        assert.equal(fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8"), before);
    });
});

describe("failover: the CLI", function () {
    this.timeout(30_000);
    const io = (dir: string, az?: AzRunner, runner?: FakePulumiCli) => {
        const out: string[] = [];
        const err: string[] = [];
        return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), projectDir: dir, az, runner } };
    };

    it("refuses prod without --yes --confirm (exit 5) and rejects --planned with --forced (exit 2), before any cloud call", async () => {
        const dir = projectCopy();
        const az = new FakeAz();
        const refused = io(dir, az);
        assert.equal(await runCli(["failover", "--stack", "prod", "--to", "replica-2"], refused.io), 5);
        assert.match(refused.err.join("\n"), /Refusing to fail over production stack "prod"/);
        const both = io(dir, az);
        assert.equal(await runCli(["failover", "--stack", "prod", "--to", "replica-2", "--planned", "--forced", "--yes", "--confirm", "prod"], both.io), 2);
        assert.equal(az.calls.length, 0);
    });

    it("names the allowed target for a wrong --to (exit 2)", async () => {
        const dir = projectCopy();
        const runner = new FakePulumiCli().on("stack output", { stdout: JSON.stringify(OUTPUTS) });
        const wrong = io(dir, new FakeAz(), runner);
        assert.equal(await runCli(["failover", "--stack", "prod", "--to", "replica-1", "--yes", "--confirm", "prod"], wrong.io), 2);
        assert.match(wrong.err.join("\n"), /failover: --to: Azure switches over only to the reader virtual endpoint's target, replica-2/);
    });

    it("--dry-run prints the az calls, the file and the state it would change, and runs nothing", async () => {
        const dir = projectCopy();
        const before = fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8");
        const az = new FakeAz();
        const run = io(dir, az, new FakePulumiCli().on("stack output", { stdout: JSON.stringify(OUTPUTS) }));
        assert.equal(await runCli(["failover", "--stack", "prod", "--to", "replica-2", "--dry-run", "--json"], run.io), 0);
        const doc = JSON.parse(run.out.join("\n"));
        assert.deepEqual([doc.dryRun, doc.target], [true, SERVERS[2]]);
        assert.match(doc.steps[0], /^compare tiers and storage sizes: az postgres flexible-server show/);
        assert.match(doc.steps[1], /^switch over: az postgres flexible-server replica promote .* --promote-mode switchover --promote-option planned/);
        assert.match(doc.steps[3], /record database\.failover\.promoted: true in .*Pulumi\.prod\.yaml/);
        assert.match(doc.steps[4], /move the virtual endpoint pair/);
        assert.equal(az.calls.length, 0);
        assert.equal(fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8"), before);
    });

    it("promotes, moves the endpoint pair in the state, then runs doctor on the new topology and prints what to do next", async () => {
        const dir = projectCopy();
        const pairUrn = "urn:pulumi:prod::bookstore::bookstore:database:DatabaseTier$azure-native:dbforpostgresql:VirtualEndpoint::bookstore-prod-pg-endpoints";
        const state = { version: 3, deployment: { resources: [{ urn: pairUrn, type: "azure-native:dbforpostgresql:VirtualEndpoint",
            id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/${SERVERS[0]}/virtualendpoints/e`, inputs: { serverName: SERVERS[0] }, outputs: { serverName: SERVERS[0] } }] } };
        let imported: any;
        const runner = new FakePulumiCli().on("stack output", { stdout: JSON.stringify(OUTPUTS) })
            .on("stack export", { stdout: JSON.stringify(state) })
            .on("stack import", (args) => { imported = JSON.parse(fs.readFileSync(args[args.indexOf("--file") + 1], "utf8")); return {}; });
        const run = io(dir, new FakeAz(), runner);
        // No cloud here: doctor finds the servers unreachable, which is exit 6 with one row per server.
        const code = await runCli(["failover", "--stack", "prod", "--to", "replica-2", "--yes", "--confirm", "prod", "--timeout", "1", "--json"], run.io);
        const doc = JSON.parse(run.out.join("\n"));
        assert.equal(code, 6);
        assert.equal(doc.promoted, SERVERS[2]);
        assert.deepEqual(doc.checks.map((row: any) => [row.server, row.role]), [
            [`${SERVERS[2]}.postgres.database.azure.com:5432`, "primary"],
            [`${SERVERS[0]}.postgres.database.azure.com:5432`, "replica"],
            [`${SERVERS[1]}.postgres.database.azure.com:5432`, "replica"],
        ]);
        assert.match(doc.next.join("\n"), /preview --stack prod.*nothing is replaced/);
        assert.deepEqual([imported.deployment.resources[0].inputs.serverName, imported.deployment.resources[0].id.split("/")[8]], [SERVERS[2], SERVERS[2]]);
    });
});
