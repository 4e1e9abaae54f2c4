/**
 * `failover` on an eks stack: promote an RDS read replica (the cross-region one, for a regional
 * outage) to a standalone instance that writes, with automated backups on from the promotion, wait
 * until RDS reports it standalone and available, then record it in the stack file
 * (`aws.database.promotedReplica`) so the next `up` repoints PgBouncer, the admin secret and the
 * outputs at it and changes nothing else (components/aws/databaseRoles.ts reads the roles from RDS).
 *
 * RDS (API PromoteReadReplica, rds-2014-10-31): the promotion is one-way and immediate (writes the
 * replica had not replayed are lost); BackupRetentionPeriod "Setting this parameter to a positive
 * number enables backups", default 1; a replica in the `backing-up` status cannot be promoted.
 */
import * as fs from "fs";
import { isMap, isScalar, parseDocument } from "yaml";
import { resolveAwsReplicas } from "../../stacks/schema/aws";
import { RDS_BACKUP_WINDOW as BACKUP_WINDOW } from "../../lib/awsCatalog";
import { isEksConfig, stackConfigFromEntries, type EksStackConfig } from "../../stacks/config";
import { readStackFile } from "../offline/stackFile";
import type { AwsRunner } from "./az";
import { commandLine, FailoverFailedError, FailoverInputError, guardFailover, type WaitOptions } from "./failover";
import type { Confirmation } from "./guard";
import { shortStackName } from "./guard";
import { stackFileOf } from "./scale";

/** An RDS instance of the stack: its identifier and region. */
export interface RdsTarget {
    /** 1-based replica index. */
    replica: number;
    identifier: string;
    region: string;
    crossRegion: boolean;
}

/** The stack's replicas as the config declares them (identifiers as components/aws/database.ts names them). */
export function rdsReplicas(config: EksStackConfig): RdsTarget[] {
    const base = `${config.namePrefix}-${config.environment}`;
    return resolveAwsReplicas(config.environment, config.aws).map((r, i) => ({
        replica: i + 1, identifier: `${base}-db-replica-${i + 1}`, region: r.region, crossRegion: r.crossRegion,
    }));
}

/** Which replica `--to` names (`replica-N` or its identifier); only replicas can be promoted. */
export function decideAwsFailover(config: EksStackConfig, to: string): RdsTarget {
    const replicas = rdsReplicas(config);
    if (replicas.length === 0) throw new FailoverInputError("the stack has no read replica to promote (aws.database.replicas)");
    const promoted = config.aws.database.promotedReplica;
    if (to === "primary" || to === `${config.namePrefix}-${config.environment}-db`) {
        throw new FailoverInputError(`--to: the primary is not a replica${promoted === undefined ? " and writes already" : ""}; an RDS promotion is one-way, `
            + "so there is no failback: rebuild replicas of the writer instead (docs/runbooks.md)");
    }
    const target = replicas.find((r) => to === `replica-${r.replica}` || to === r.identifier);
    if (!target) throw new FailoverInputError(`--to: expected one of ${replicas.map((r) => `replica-${r.replica} (${r.identifier}, ${r.region})`).join(", ")}, got "${to}"`);
    if (promoted === target.replica) throw new FailoverInputError(`--to: replica-${target.replica} (${target.identifier}) was promoted already and writes`);
    return target;
}

/** `aws` arguments that read an instance's replication state (DescribeDBInstances). */
export function describeArgs(target: RdsTarget): string[] {
    return ["rds", "describe-db-instances", "--region", target.region, "--db-instance-identifier", target.identifier,
        "--query", "DBInstances[0].{status: DBInstanceStatus, source: ReadReplicaSourceDBInstanceIdentifier, backupRetentionPeriod: BackupRetentionPeriod}",
        "--output", "json"];
}

/** `aws` arguments of the promotion, backups on at once (the configured retention, the writer's window). */
export function promoteArgs(target: RdsTarget, backupRetentionDays: number): string[] {
    if (!(backupRetentionDays > 0)) throw new FailoverInputError(`backup retention must be positive to turn backups on at promotion, got ${backupRetentionDays}`);
    return ["rds", "promote-read-replica", "--region", target.region, "--db-instance-identifier", target.identifier,
        "--backup-retention-period", String(backupRetentionDays), "--preferred-backup-window", BACKUP_WINDOW, "--output", "json"];
}

interface Described { status?: string; source?: string | null; backupRetentionPeriod?: number }

async function describe(aws: AwsRunner, target: RdsTarget): Promise<Described> {
    const outcome = await aws.run(describeArgs(target));
    if (outcome.exitCode !== 0) throw new FailoverFailedError(`could not read ${target.identifier} in ${target.region}: ${outcome.stderr.trim()}`);
    return JSON.parse(outcome.stdout || "{}") as Described;
}

/** Waits until RDS reports the instance standalone, available and backed up; throws with the last answer otherwise. */
export async function waitForStandalone(aws: AwsRunner, target: RdsTarget, options: WaitOptions = {}): Promise<void> {
    const attempts = options.attempts ?? 120;
    const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    let last = "";
    for (let attempt = 0; attempt < attempts; attempt++) {
        const outcome = await aws.run(describeArgs(target));
        last = outcome.exitCode === 0 ? outcome.stdout.trim() : outcome.stderr.trim();
        if (outcome.exitCode === 0) {
            const d = JSON.parse(outcome.stdout || "{}") as Described;
            if (d.status === "available" && !d.source && (d.backupRetentionPeriod ?? 0) > 0) return;
        }
        await sleep(options.intervalMs ?? 15_000);
    }
    throw new FailoverFailedError(`${target.identifier} is not a standalone, available instance with backups after ${attempts} checks (last answer: ${last || "none"})`);
}

/**
 * Records the promotion in the stack file (`<project>:aws.database.promotedReplica`) by editing its
 * text: one line added (or the value replaced), every other byte as written (the stack files mix flow
 * styles a re-serialization would rewrite).
 */
export function recordPromotedReplica(stackFile: string, project: string, replica: number): void {
    const text = fs.readFileSync(stackFile, "utf8");
    const doc = parseDocument(text);
    const database = doc.getIn(["config", `${project}:aws`, "database"], true);
    if (!isMap(database) || database.items.length === 0 || !database.range) throw new FailoverFailedError(`${stackFile} has no ${project}:aws database section to record the promotion in`);
    const existing = database.items.find((item) => isScalar(item.key) && item.key.value === "promotedReplica");
    if (existing && isScalar(existing.value) && existing.value.range) {
        const [start, end] = existing.value.range;
        fs.writeFileSync(stackFile, `${text.slice(0, start)}${replica}${text.slice(end)}`);
        return;
    }
    const first = database.items[0].key;
    if (!isScalar(first) || !first.range) throw new FailoverFailedError(`${stackFile}: unexpected layout of ${project}:aws database`);
    const lineStart = text.lastIndexOf("\n", first.range[0] - 1) + 1;
    const indent = text.slice(lineStart, first.range[0]);
    if (!/^ *$/.test(indent)) throw new FailoverFailedError(`${stackFile}: ${project}:aws database is not a block mapping; add promotedReplica: ${replica} by hand`);
    fs.writeFileSync(stackFile, `${text.slice(0, lineStart)}${indent}promotedReplica: ${replica}\n${text.slice(lineStart)}`);
}

export interface AwsFailoverOptions extends Confirmation {
    stack: string;
    projectDir: string;
    project: string;
    config: EksStackConfig;
    to: string;
    aws: AwsRunner;
    wait?: WaitOptions;
    onProgress?: (line: string) => void;
}

/** What a failover does, step by step: the commands it runs and the file it writes (the dry run prints these). */
export function awsFailoverPlan(options: Pick<AwsFailoverOptions, "stack" | "projectDir" | "config" | "to">): { target: RdsTarget; steps: string[] } {
    const target = decideAwsFailover(options.config, options.to);
    const command = (args: string[]) => commandLine("aws", args);
    return {
        target,
        steps: [
            `check it is a replica and not backing up: ${command(describeArgs(target))}`,
            `promote it, backups on: ${command(promoteArgs(target, options.config.aws.database.backupRetentionDays))}`,
            `wait until it is available, standalone and backed up: ${command(describeArgs(target))} (every 15 s)`,
            `record aws.database.promotedReplica: ${target.replica} in ${stackFileOf(options.projectDir, options.stack)}`,
        ],
    };
}

/** Decides, guards, promotes (unless RDS already reports it standalone), waits and records; returns the target. */
export async function failoverAwsStack(options: AwsFailoverOptions): Promise<RdsTarget> {
    const target = decideAwsFailover(options.config, options.to);
    guardFailover(options.stack, options.projectDir, options);
    const progress = options.onProgress ?? (() => undefined);
    progress(`reading ${target.identifier} (${target.region})`);
    const before = await describe(options.aws, target);
    if (before.source) {
        if (before.status === "backing-up") throw new FailoverFailedError(`${target.identifier} is backing up; RDS cannot promote it now: retry when its status is available`);
        progress(`promoting ${target.identifier} to a standalone instance, ${options.config.aws.database.backupRetentionDays} days of backups`);
        const outcome = await options.aws.run(promoteArgs(target, options.config.aws.database.backupRetentionDays));
        if (outcome.exitCode !== 0) throw new FailoverFailedError(`aws rds promote-read-replica failed; nothing is recorded in the stack file:\n${outcome.stderr.trim()}`);
    } else {
        progress(`${target.identifier} is standalone already (an earlier promotion): recording it`);
    }
    progress(`waiting for ${target.identifier} to be available, standalone and backed up`);
    await waitForStandalone(options.aws, target, options.wait);
    const stackFile = stackFileOf(options.projectDir, options.stack);
    recordPromotedReplica(stackFile, options.project, target.replica);
    progress(`recorded aws.database.promotedReplica: ${target.replica} in ${stackFile}`);
    return target;
}

/** The stack file's project and validated config, when the stack is on the eks platform (undefined otherwise). */
export function eksStackOf(stack: string, projectDir: string): { project: string; config: EksStackConfig } | undefined {
    const file = readStackFile(projectDir, stackFileOf(projectDir, stack));
    const config = stackConfigFromEntries(file.config, (key) => file.secretKeys.includes(key)).config;
    return isEksConfig(config) ? { project: file.project, config } : undefined;
}

/** What the operator does next. */
export function awsNextSteps(stack: string, target: RdsTarget): string[] {
    const name = shortStackName(stack);
    return [
        `Commit the stack file: aws.database.promotedReplica is now ${target.replica}.`,
        `Run \`bookstore-infra preview --stack ${name}\` (the program reads the roles from RDS): PgBouncer's endpoints, the admin secret and the `
            + `databaseWriteHost output move to ${target.identifier}; it gets backups and a final snapshot; nothing stateful is `
            + "replaced: the admin secret gets a new version and PgBouncer a new ConfigMap (as on every PgBouncer configuration change).",
        `Then \`bookstore-infra up --stack ${name}\`: PgBouncer restarts on the new configuration (the app's connection strings are unchanged).`,
        `The old primary and the replicas it still feeds are no longer used. RDS has no failback: to return, rebuild replicas of ${target.identifier} `
            + "(docs/runbooks.md). The replica floor policy stands down until then.",
    ];
}
