/** The cloud CLIs as the internal CLI runs them (`az`, `aws`): one injection point per CLI (tests hand in recording stand-ins). */
import { spawn } from "child_process";
import type { CommandOutcome } from "./runner";

/** Runs a cloud CLI with arguments. */
export interface ToolRunner {
    run(args: string[]): Promise<CommandOutcome>;
}
/** Runs `az <args>`. */
export type AzRunner = ToolRunner;
/** Runs `aws <args>`. */
export type AwsRunner = ToolRunner;

/** An installed CLI. A missing binary answers like a failed command, with an install hint. */
function installed(binary: string, hint: string): ToolRunner {
    return {
        run(args) {
            return new Promise((resolve) => {
                const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
                let stdout = "";
                let stderr = "";
                child.stdout.on("data", (chunk) => (stdout += chunk));
                child.stderr.on("data", (chunk) => (stderr += chunk));
                child.on("error", (err) => resolve({ stdout, stderr: `cannot run ${binary} (${err.message}); ${hint}`, exitCode: 127 }));
                child.on("close", (code) => resolve({ stdout, stderr, exitCode: code ?? 1 }));
            });
        },
    };
}

export const installedAz = installed("az", "install the Azure CLI (https://learn.microsoft.com/cli/azure/install-azure-cli) and run az login");
export const installedAws = installed("aws", "install the AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html) and sign in (aws sso login, or credentials in the environment)");
