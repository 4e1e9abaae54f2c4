/**
 * How the Automation API reaches the Pulumi CLI. Every stack operation of `LocalWorkspace` ends in
 * `PulumiCommand.run(args, cwd, env, ...)`; `LocalWorkspaceOptions.pulumiCommand` is the one
 * injection point, so tools and tests hand in a `CommandRunner` and we adapt it here.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as semver from "semver";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { readStackFile } from "../offline/stackFile";
import { shortStackName } from "./guard";

/** What one Pulumi CLI invocation returned. */
export interface CommandOutcome {
    stdout: string;
    stderr: string;
    exitCode: number;
}

export interface CommandInvocation {
    /** Working directory: the project directory. */
    cwd: string;
    /** Extra environment variables for the CLI process. */
    env: Record<string, string>;
    onOutput?: (chunk: string) => void;
    onError?: (chunk: string) => void;
    signal?: AbortSignal;
}

/**
 * Runs `pulumi <args>`. The real one execs the CLI; tests inject a stand-in that answers like it
 * (and streams engine events to the `--event-log` address it is given).
 */
export interface CommandRunner {
    /** CLI version the runner claims; it decides how engine events are delivered (gRPC after 3.205). */
    readonly version: string;
    run(args: string[], invocation: CommandInvocation): Promise<CommandOutcome>;
}

/** The cloud a stack deploys to, which decides the sign-in the CLI needs besides `pulumi login`. */
export type Cloud = "azure" | "aws";

/** How to sign in to each cloud, for the missing-CLI message. */
export const CLOUD_SIGN_IN: Record<Cloud, string> = {
    azure: "`az login` (the Azure CLI)",
    aws: "an AWS CLI sign-in (`aws sso login`, or credentials in the environment; `aws sts get-caller-identity` checks it)",
};

/** What to install when the CLI is missing; the cloud commands need it, `plan` does not. */
export function installHint(cloud?: Cloud): string {
    const signIn = cloud ? CLOUD_SIGN_IN[cloud] : `${CLOUD_SIGN_IN.azure} for an Azure stack, or ${CLOUD_SIGN_IN.aws} for an eks stack`;
    return [
        "Install the Pulumi CLI (https://www.pulumi.com/docs/install/):",
        "  curl -fsSL https://get.pulumi.com | sh      # Linux/macOS; or: brew install pulumi/tap/pulumi",
        `then \`pulumi login\` and ${signIn}.`,
        "Without it, `npm run plan -- --stack <stack>` (or `bookstore-infra plan --stack <stack>`) shows offline",
        "what a stack deploys: no CLI, no cloud account.",
    ].join("\n");
}

/** The cloud a stack deploys to, from its stack file's `platform` (`eks` is AWS); undefined when the file can't be read. */
export function stackCloud(stack: string, projectDir: string): Cloud | undefined {
    const stackFile = path.join(projectDir, `Pulumi.${shortStackName(stack)}.yaml`);
    if (!fs.existsSync(stackFile)) return undefined;
    try {
        const { project, config } = readStackFile(projectDir, stackFile);
        return config[`${project}:platform`] === "eks" ? "aws" : "azure";
    } catch {
        return undefined;
    }
}

export class PulumiCliMissingError extends Error {
    constructor(installDir: string, cloud?: Cloud) {
        super(`The Pulumi CLI was not found (looked for \`pulumi\` on PATH and in ${installDir}).\n${installHint(cloud)}`);
        this.name = "PulumiCliMissingError";
    }
}

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

/** Directories searched for the CLI: PATH, then the installer's default `$PULUMI_HOME/bin` or `~/.pulumi/bin`. */
export function pulumiSearchPath(env: NodeJS.ProcessEnv = process.env): string[] {
    const fromPath = (env.PATH ?? "").split(path.delimiter).filter((dir) => dir.length > 0);
    return [...new Set([...fromPath, installerBinDir(env)])];
}

function installerBinDir(env: NodeJS.ProcessEnv): string {
    return path.join(env.PULUMI_HOME ?? path.join(env.HOME ?? os.homedir(), ".pulumi"), "bin");
}

/**
 * Throws `PulumiCliMissingError` unless the CLI is installed; cheap, so commands check before
 * printing anything. `cloud`, when the stack is known, picks the sign-in the message names.
 */
export function requirePulumiCli(env: NodeJS.ProcessEnv = process.env, cloud?: Cloud): string {
    const binary = locatePulumiCli(env);
    if (!binary) throw new PulumiCliMissingError(installerBinDir(env), cloud);
    return binary;
}

/** Absolute path of the `pulumi` binary, or undefined when it isn't installed. */
export function locatePulumiCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const binary = process.platform === "win32" ? "pulumi.exe" : "pulumi";
    return pulumiSearchPath(env)
        .map((dir) => path.join(dir, binary))
        .find(isExecutable);
}

/**
 * The real CLI, found before the SDK tries to exec it so a missing CLI fails at once with an install
 * hint instead of the SDK's `CommandError ... ENOENT: pulumi version`.
 */
export async function installedPulumiCommand(env: NodeJS.ProcessEnv = process.env): Promise<PulumiCommand> {
    const binary = requirePulumiCli(env);
    // PulumiCommand.get({root}) runs `<root>/bin/pulumi`; binaries found on PATH outside a bin/ folder run by name.
    const binDir = path.dirname(binary);
    return path.basename(binDir) === "bin" ? PulumiCommand.get({ root: path.dirname(binDir) }) : PulumiCommand.get();
}

// The SDK marks these @internal (absent from its .d.ts) but every PulumiCommand.run resolves or throws through them.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const sdkCmd: { CommandResult: new (stdout: string, stderr: string, code: number, err?: Error) => unknown } = require("@pulumi/pulumi/automation/cmd");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const sdkErrors: { createCommandError(result: unknown): Error } = require("@pulumi/pulumi/automation/errors");

/**
 * Wraps a runner as the SDK's `PulumiCommand`, keeping the SDK's contract: non-zero exits become
 * `CommandError`s (`StackNotFoundError`, `ConcurrentUpdateError`, ... by the SDK's own stderr rules).
 */
export function pulumiCommandFrom(runner: CommandRunner): PulumiCommand {
    const version = semver.parse(runner.version);
    if (!version) throw new Error(`Command runner reports an unparsable Pulumi version "${runner.version}"`);
    const command = Object.create(PulumiCommand.prototype) as PulumiCommand & Record<string, unknown>;
    Object.assign(command, {
        command: "pulumi",
        version,
        async run(args: string[], cwd: string, env: Record<string, string>, onOutput?: (s: string) => void, onError?: (s: string) => void, signal?: AbortSignal) {
            const fullArgs = args.includes("--non-interactive") ? args : [...args, "--non-interactive"];
            const outcome = await runner.run(fullArgs, { cwd, env: { ...env, PULUMI_AUTOMATION_API: "true" }, onOutput, onError, signal });
            const result = new sdkCmd.CommandResult(outcome.stdout, outcome.stderr, outcome.exitCode);
            if (outcome.exitCode !== 0) throw sdkErrors.createCommandError(result);
            return result;
        },
    });
    return command;
}
