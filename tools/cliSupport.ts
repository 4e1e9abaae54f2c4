/**
 * What the internal CLI's pieces share: exit codes, the I/O seam tests replace, flag types,
 * small option parsers, and the lazily loaded modules (so `--help` and usage errors load neither
 * the Automation API nor the SDK).
 */
import * as fs from "fs";
import { InvalidArgumentError } from "commander";
import type { ConfigMap, OutputMap } from "@pulumi/pulumi/automation";
import type { CommandRunner } from "./automation";
import type { AwsRunner, AzRunner } from "./automation/az";
import type { ProcessRunner } from "./automation/processes";
import { DoctorInputError } from "./doctor/targets";


// Loaded when a command needs them, so `--help` and usage errors don't pay for the Automation API
// (and the npm tooling it pulls in) or the PostgreSQL client. require, not import(): see plan().
export const automation = () => require("./automation") as typeof import("./automation");
export const bootstrap = () => require("./automation/bootstrap") as typeof import("./automation/bootstrap");
export const doctor = () => require("./doctor") as typeof import("./doctor");
export const failover = () => require("./automation/failover") as typeof import("./automation/failover");
export const failoverAws = () => require("./automation/failoverAws") as typeof import("./automation/failoverAws");
export const azCli = () => require("./automation/az") as typeof import("./automation/az");
// The stack file's and stack config's error types: their modules load the Pulumi SDK (which `--help`
// must not pay for), and whatever threw one of them has loaded it already.
export const isConfigError = (err: unknown): err is Error =>
    err instanceof (require("../stacks/config") as typeof import("../stacks/config")).ConfigError ||
    err instanceof (require("./offline/stackFile") as typeof import("./offline/stackFile")).StackFileError;
export const databaseServers = () => require("../components/azure/databaseServers") as typeof import("../components/azure/databaseServers");

/** 0-3 mean what they mean for the offline plan (tools/plan.ts), which `plan` passes through. */
export const EXIT = {
    ok: 0,
    /** The engine or CLI reported an error (or the plan's program failed). */
    failed: 1,
    /** Bad arguments, unknown command, invalid config or stack file. */
    usage: 2,
    /** A mandatory policy of the policy pack was violated. */
    policyViolation: 3,
    /** The Pulumi CLI isn't installed. */
    cliMissing: 4,
    /** Refused by the production guard (or destroy without --yes). */
    refused: 5,
    /** doctor: a check broke its threshold or a server was unreachable. */
    unhealthy: 6,
    /** loadtest: the run missed a threshold (p95 latency or failed requests). */
    loadTestFailed: 7,
    /** e2e run: a step or check failed, or the cleanup did (the report says which). */
    e2eFailed: 8,
    /** e2e run: interrupted (Ctrl-C); the cleanup ran unless interrupted too. */
    interrupted: 130,
} as const;

export interface CliIo {
    out(line: string): void;
    err(line: string): void;
    /** Stands in for the Pulumi CLI (tests); default: the installed one. */
    runner?: CommandRunner;
    /** Stands in for the Azure CLI (tests); default: the installed `az`. */
    az?: AzRunner;
    /** Stands in for the AWS CLI (tests); default: the installed `aws`. */
    aws?: AwsRunner;
    /** Stands in for az, aws, kubectl, dotnet, git and docker in the e2e commands (tests); default: the installed ones. */
    processes?: ProcessRunner;
    /** The machine's public address, as the e2e run asks it (tests); default: checkip.amazonaws.com. */
    publicAddress?: () => Promise<string>;
    projectDir?: string;
}

export const consoleIo: CliIo = { out: (line) => console.log(line), err: (line) => console.error(line) };

export class CliExit extends Error {
    /** `detail`: what the JSON error document says when the message was printed already. */
    constructor(readonly code: number, message?: string, readonly detail?: string) {
        super(message);
    }
}

export function collect(value: string, previous: string[] = []): string[] {
    return [...previous, value];
}

export function positiveNumber(value: string): number {
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
    return number;
}

export function parseConfigPairs(pairs: string[]): ConfigMap {
    const config: ConfigMap = {};
    for (const pair of pairs) {
        const separator = pair.indexOf("=");
        if (separator <= 0) throw new CliExit(EXIT.usage, `--config: expected key=value, got "${pair}"`);
        config[pair.slice(0, separator)] = { value: pair.slice(separator + 1), secret: false };
    }
    return config;
}

export interface StackFlags {
    stack: string;
    json?: boolean;
}
export interface ChangeFlags extends StackFlags {
    config?: string[];
    configPath?: boolean;
}
export interface PolicyFlags extends ChangeFlags {
    policyPack: string[] | false;
    policyPackConfig?: string[];
}
export interface GuardFlags {
    yes?: boolean;
    confirm?: string;
}

export function maskOutputs(outputs: OutputMap | undefined, showSecrets: boolean): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs ?? {}).map(([key, { value, secret }]) => [key, secret && !showSecrets ? "[secret]" : value]));
}

export function readJsonFile(file: string): Record<string, unknown> {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new DoctorInputError(`--outputs-file: cannot read ${file}: ${(err as Error).message}`);
    }
}
