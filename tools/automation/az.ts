/** The Azure CLI as the internal CLI runs it: one injection point shared by every command that needs `az`. */
import { spawn } from "child_process";
import type { CommandOutcome } from "./runner";

/** Runs `az <args>`; the CLI's injection point (tests hand in a recording stand-in). */
export interface AzRunner {
    run(args: string[]): Promise<CommandOutcome>;
}

/** The installed az CLI. A missing binary answers like a failed command, with an install hint. */
export const installedAz: AzRunner = {
    run(args) {
        return new Promise((resolve) => {
            const child = spawn("az", args, { stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk) => (stdout += chunk));
            child.stderr.on("data", (chunk) => (stderr += chunk));
            child.on("error", (err) =>
                resolve({ stdout, stderr: `cannot run az (${err.message}); install the Azure CLI (https://learn.microsoft.com/cli/azure/install-azure-cli) and run az login`, exitCode: 127 }));
            child.on("close", (code) => resolve({ stdout, stderr, exitCode: code ?? 1 }));
        });
    },
};
