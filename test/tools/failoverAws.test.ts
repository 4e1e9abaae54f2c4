// `bookstore-infra failover` on an eks stack: promote an RDS read replica with backups on, record
// it in the stack file. `aws` is a stand-in answering DescribeDBInstances as the CLI's --query
// projection of the DBInstance shape would (rds-2014-10-31: DBInstanceStatus,
// ReadReplicaSourceDBInstanceIdentifier, BackupRetentionPeriod).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import type { CommandOutcome } from "../../tools/automation";
import { PROJECT_DIR, ProductionGuardError } from "../../tools/automation";
import type { AwsRunner } from "../../tools/automation/az";
import { FailoverFailedError, FailoverInputError } from "../../tools/automation/failover";
import { awsFailoverPlan, decideAwsFailover, describeArgs, eksStackOf, failoverAwsStack, promoteArgs, rdsReplicas, recordPromotedReplica, waitForStandalone } from "../../tools/automation/failoverAws";
import { rdsRoles } from "../../components/aws/databaseRoles";
import { runCli } from "../../tools/cli";
import { stackConfigOf } from "../../tools/offline/stackFile";

const PRIMARY = "bookstore-prod-db";
const REPLICA_2 = "bookstore-prod-db-replica-2";
const REPLICATING = { status: "available", source: PRIMARY, backupRetentionPeriod: 0 };
const PROMOTED = { status: "available", source: null, backupRetentionPeriod: 14 };

/** A stand-in for `aws`: records calls; describe-db-instances answers the states in turn (the last one repeats). */
class FakeAws implements AwsRunner {
    readonly calls: string[][] = [];
    constructor(private readonly states: object[] = [REPLICATING, { status: "modifying", source: null, backupRetentionPeriod: 14 }, PROMOTED],
        private readonly promoteFails = false) {}
    async run(args: string[]): Promise<CommandOutcome> {
        this.calls.push(args);
        if (args[1] === "promote-read-replica") {
            return this.promoteFails ? { stdout: "", stderr: "An error occurred (InvalidDBInstanceState) when calling the PromoteReadReplica operation", exitCode: 254 }
                : { stdout: JSON.stringify({ DBInstance: { DBInstanceIdentifier: args[5], DBInstanceStatus: "modifying" } }), stderr: "", exitCode: 0 };
        }
        if (args[1] === "describe-db-instances") {
            const answer = this.states.length > 1 ? this.states.shift()! : this.states[0];
            return { stdout: JSON.stringify(answer), stderr: "", exitCode: 0 };
        }
        return { stdout: "", stderr: `unexpected aws ${args.join(" ")}`, exitCode: 2 };
    }
    promotions(): string[][] {
        return this.calls.filter((c) => c[1] === "promote-read-replica");
    }
}

/** A project directory with the eks stack files, to be rewritten by the failover. */
function projectCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "failover-aws-"));
    for (const file of ["Pulumi.yaml", "Pulumi.prod-eks.yaml", "Pulumi.dev-eks.yaml"]) fs.copyFileSync(path.join(PROJECT_DIR, file), path.join(dir, file));
    return dir;
}

const noWait = { intervalMs: 0, sleep: async () => undefined };
const prodEks = () => eksStackOf("prod-eks", PROJECT_DIR)!;

describe("failover on AWS: which replica, and what aws is asked", () => {
    it("reads the eks stack's replicas as components/aws/database.ts names them; Azure stacks are not eks", () => {
        assert.deepEqual(rdsReplicas(prodEks().config), [
            { replica: 1, identifier: "bookstore-prod-db-replica-1", region: "us-east-1", crossRegion: false },
            { replica: 2, identifier: REPLICA_2, region: "us-west-2", crossRegion: true },
        ]);
        assert.equal(eksStackOf("prod", PROJECT_DIR), undefined);
    });

    it("promotes a replica named by index or identifier; no failback to the primary, no second promotion, no replica on dev-eks", () => {
        const { config } = prodEks();
        assert.equal(decideAwsFailover(config, "replica-2").identifier, REPLICA_2);
        assert.equal(decideAwsFailover(config, REPLICA_2).region, "us-west-2");
        assert.throws(() => decideAwsFailover(config, "primary"), (err: Error) => err instanceof FailoverInputError && /no failback: rebuild replicas/.test(err.message));
        assert.throws(() => decideAwsFailover(config, PRIMARY), /one-way/);
        assert.throws(() => decideAwsFailover(config, "replica-3"), /expected one of replica-1 \(bookstore-prod-db-replica-1, us-east-1\), replica-2/);
        const promoted = { ...config, aws: { ...config.aws, database: { ...config.aws.database, promotedReplica: 2 } } };
        assert.throws(() => decideAwsFailover(promoted, "replica-2"), /was promoted already/);
        assert.throws(() => decideAwsFailover(eksStackOf("dev-eks", PROJECT_DIR)!.config, "replica-1"), /no read replica/);
    });

    it("promotes with backups on (the configured retention > 0, the writer's window) in the replica's region", () => {
        const target = decideAwsFailover(prodEks().config, "replica-2");
        assert.deepEqual(promoteArgs(target, 14), ["rds", "promote-read-replica", "--region", "us-west-2", "--db-instance-identifier", REPLICA_2,
            "--backup-retention-period", "14", "--preferred-backup-window", "03:00-04:00", "--output", "json"]);
        assert.throws(() => promoteArgs(target, 0), /backup retention must be positive/);
        assert.deepEqual(describeArgs(target).slice(0, 6), ["rds", "describe-db-instances", "--region", "us-west-2", "--db-instance-identifier", REPLICA_2]);
    });

    it("waits until RDS reports it available, standalone and backed up, and gives up naming the last answer", async () => {
        const target = decideAwsFailover(prodEks().config, "replica-2");
        const aws = new FakeAws([{ status: "modifying", source: null, backupRetentionPeriod: 0 }, { status: "backing-up", source: null, backupRetentionPeriod: 14 }, PROMOTED]);
        await waitForStandalone(aws, target, noWait);
        assert.equal(aws.calls.length, 3);
        await assert.rejects(waitForStandalone(new FakeAws([REPLICATING]), target, { ...noWait, attempts: 2 }),
            (err: Error) => err instanceof FailoverFailedError && new RegExp(`not a standalone.*${PRIMARY}`).test(err.message));
    });

    it("the dry run lists the aws calls and the stack file it would write, in order", () => {
        const { steps, target } = awsFailoverPlan({ stack: "prod-eks", projectDir: PROJECT_DIR, config: prodEks().config, to: "replica-2" });
        assert.equal(target.identifier, REPLICA_2);
        assert.equal(steps.length, 4);
        assert.match(steps[0], /aws rds describe-db-instances --region us-west-2 --db-instance-identifier bookstore-prod-db-replica-2/);
        assert.match(steps[1], /aws rds promote-read-replica --region us-west-2 .* --backup-retention-period 14 --preferred-backup-window '03:00-04:00'/);
        assert.match(steps[3], /record aws\.database\.promotedReplica: 2 in .*Pulumi\.prod-eks\.yaml/);
    });
});

describe("failover on AWS: the roles the next up reads", () => {
    it("RDS's answer decides; the stack file's record only when no replica could be read", () => {
        const replicating = { replicateSourceDb: PRIMARY };
        const standalone = { replicateSourceDb: "" };
        assert.deepEqual(rdsRoles(undefined, [replicating, replicating]), { writer: 0, source: "rds" });
        assert.deepEqual(rdsRoles(undefined, [replicating, standalone]), { writer: 2, source: "rds" }, "promoted, not recorded yet (the failover stopped after the promotion)");
        assert.deepEqual(rdsRoles(2, [replicating, standalone]), { writer: 2, source: "rds" });
        assert.deepEqual(rdsRoles(2, [undefined, undefined]), { writer: 2, source: "stack file" }, "offline, or the regions unreachable");
        assert.deepEqual(rdsRoles(undefined, [undefined, undefined]), { writer: 0, source: "stack file" }, "a first deploy");
        assert.deepEqual(rdsRoles(2, [replicating, replicating]), { writer: 0, source: "rds" }, "a record RDS contradicts loses (database.ts warns)");
    });
});

describe("failover on AWS: the stack file records the promotion", () => {
    it("checks, promotes, waits, then writes aws.database.promotedReplica (comments kept, config still valid)", async () => {
        const dir = projectCopy();
        const aws = new FakeAws();
        const progress: string[] = [];
        const { project, config } = prodEks();
        const target = await failoverAwsStack({ stack: "prod-eks", projectDir: dir, project, config, to: "replica-2", aws, confirm: "prod-eks", wait: noWait, onProgress: (l) => progress.push(l) });
        assert.equal(target.identifier, REPLICA_2);
        assert.deepEqual(aws.calls.map((c) => c[1]), ["describe-db-instances", "promote-read-replica", "describe-db-instances", "describe-db-instances"]);
        assert.deepEqual(aws.promotions()[0], promoteArgs(target, 14));
        const text = fs.readFileSync(path.join(dir, "Pulumi.prod-eks.yaml"), "utf8");
        const original = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod-eks.yaml"), "utf8").split("\n");
        assert.deepEqual(text.split("\n").filter((line) => !/^ {6}promotedReplica: 2$/.test(line)), original, "only the new key's line is added");
        assert.equal(parse(text).config["bookstore:aws"].database.promotedReplica, 2);
        assert.equal(stackConfigOf({ stack: "prod-eks", stackFile: path.join(dir, "Pulumi.prod-eks.yaml") }).aws?.database.promotedReplica, 2);
        assert.match(progress.join("\n"), /promoting bookstore-prod-db-replica-2 to a standalone instance, 14 days of backups/);
        // The next failover has nothing left to promote to that replica.
        await assert.rejects(failoverAwsStack({ stack: "prod-eks", projectDir: dir, project, config: eksStackOf("prod-eks", dir)!.config, to: "replica-2", aws, confirm: "prod-eks", wait: noWait }),
            /was promoted already/);
    });

    it("edits one line: a value already recorded is replaced in place", () => {
        const dir = projectCopy();
        const file = path.join(dir, "Pulumi.prod-eks.yaml");
        recordPromotedReplica(file, "bookstore", 2);
        const once = fs.readFileSync(file, "utf8");
        recordPromotedReplica(file, "bookstore", 1);
        assert.equal(fs.readFileSync(file, "utf8"), once.replace("promotedReplica: 2", "promotedReplica: 1"));
    });

    it("records a replica RDS reports standalone already (a promotion that ran, the record lost) without promoting again", async () => {
        const dir = projectCopy();
        const aws = new FakeAws([PROMOTED]);
        const { project, config } = prodEks();
        await failoverAwsStack({ stack: "prod-eks", projectDir: dir, project, config, to: "replica-2", aws, confirm: "prod-eks", wait: noWait });
        assert.deepEqual(aws.promotions(), []);
        assert.equal(parse(fs.readFileSync(path.join(dir, "Pulumi.prod-eks.yaml"), "utf8")).config["bookstore:aws"].database.promotedReplica, 2);
    });

    it("refuses production without the stack name typed again; a replica backing up or a failed promotion leaves the file alone", async () => {
        const dir = projectCopy();
        const before = fs.readFileSync(path.join(dir, "Pulumi.prod-eks.yaml"), "utf8");
        const { project, config } = prodEks();
        const base = { stack: "prod-eks", projectDir: dir, project, config, to: "replica-2", wait: noWait };
        const aws = new FakeAws();
        await assert.rejects(failoverAwsStack({ ...base, aws }), (err: Error) => err instanceof ProductionGuardError && /--yes --confirm prod-eks/.test(err.message));
        assert.equal(aws.calls.length, 0);
        const backingUp = new FakeAws([{ ...REPLICATING, status: "backing-up" }]);
        await assert.rejects(failoverAwsStack({ ...base, aws: backingUp, confirm: "prod-eks" }), /backing up; RDS cannot promote it now/);
        assert.deepEqual(backingUp.promotions(), []);
        await assert.rejects(failoverAwsStack({ ...base, aws: new FakeAws([REPLICATING], true), confirm: "prod-eks" }),
            (err: Error) => err instanceof FailoverFailedError && /InvalidDBInstanceState.*|nothing is recorded/s.test(err.message));
        assert.equal(fs.readFileSync(path.join(dir, "Pulumi.prod-eks.yaml"), "utf8"), before);
    });
});

describe("failover on AWS: the CLI", function () {
    this.timeout(30_000);
    const io = (dir: string, aws?: AwsRunner) => {
        const out: string[] = [];
        const err: string[] = [];
        return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), projectDir: dir, aws } };
    };

    it("refuses prod-eks without --yes --confirm (exit 5), wants --forced and rejects --planned (exit 2), before any aws call", async () => {
        const dir = projectCopy();
        const aws = new FakeAws();
        const refused = io(dir, aws);
        assert.equal(await runCli(["failover", "--stack", "prod-eks", "--to", "replica-2", "--forced"], refused.io), 5);
        assert.match(refused.err.join("\n"), /Refusing to fail over production stack "prod-eks"/);
        for (const flag of [[], ["--planned"]]) {
            const usage = io(dir, aws);
            assert.equal(await runCli(["failover", "--stack", "prod-eks", "--to", "replica-2", ...flag, "--yes", "--confirm", "prod-eks"], usage.io), 2);
            assert.match(usage.err.join("\n"), /one-way and has no planned mode.*--forced/);
        }
        const wrong = io(dir, aws);
        assert.equal(await runCli(["failover", "--stack", "prod-eks", "--to", "replica-9", "--forced", "--yes", "--confirm", "prod-eks"], wrong.io), 2);
        assert.match(wrong.err.join("\n"), /failover: --to: expected one of replica-1/);
        assert.equal(aws.calls.length, 0);
    });

    it("--dry-run prints the aws calls and runs nothing (no guard: nothing changes)", async () => {
        const dir = projectCopy();
        const aws = new FakeAws();
        const run = io(dir, aws);
        assert.equal(await runCli(["failover", "--stack", "prod-eks", "--to", "replica-2", "--dry-run", "--json"], run.io), 0);
        const doc = JSON.parse(run.out.join("\n"));
        assert.equal(doc.dryRun, true);
        assert.equal(doc.target, REPLICA_2);
        assert.match(doc.steps[1], /^promote it, backups on: aws rds promote-read-replica /);
        assert.equal(aws.calls.length, 0);
        const text = io(dir, aws);
        assert.equal(await runCli(["failover", "--stack", "prod-eks", "--to", "replica-2", "--dry-run"], text.io), 0);
        assert.match(text.out[0], /^Dry run of failover of prod-eks to bookstore-prod-db-replica-2: nothing is run/);
    });

    it("promotes, records, and says what the next preview and up do", async () => {
        const dir = projectCopy();
        const aws = new FakeAws([REPLICATING, PROMOTED]);
        const run = io(dir, aws);
        const code = await runCli(["failover", "--stack", "prod-eks", "--to", "replica-2", "--forced", "--yes", "--confirm", "prod-eks", "--json"], run.io);
        assert.equal(code, 0, run.err.join("\n"));
        const doc = JSON.parse(run.out.join("\n"));
        assert.deepEqual([doc.promoted, doc.region, doc.option], [REPLICA_2, "us-west-2", "forced"]);
        assert.match(doc.next.join("\n"), /preview --stack prod-eks.*nothing stateful is replaced: the admin secret gets a new version/);
        assert.match(doc.next.join("\n"), /no failback/);
        assert.equal(aws.promotions().length, 1);
        assert.equal(parse(fs.readFileSync(path.join(dir, "Pulumi.prod-eks.yaml"), "utf8")).config["bookstore:aws"].database.promotedReplica, 2);
    });
});
