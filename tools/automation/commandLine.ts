/** External command-line tools the internal CLI runs (az, aws, docker): one injection point each, tests hand in stand-ins. */
import { spawn } from "child_process";
import type { CommandOutcome } from "./runner";

/** Runs `<tool> <args>`, optionally writing `input` to its stdin (e.g. a password for `--password-stdin`). */
export interface ToolRunner {
    run(args: string[], input?: string): Promise<CommandOutcome>;
}

/** The installed tool. A missing binary answers like a failed command (exit 127), with how to install it. */
export function installedTool(binary: string, installHint: string): ToolRunner {
    return {
        run(args, input) {
            return new Promise((resolve) => {
                const child = spawn(binary, args, { stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
                let stdout = "";
                let stderr = "";
                child.stdout!.on("data", (chunk) => (stdout += chunk));
                child.stderr!.on("data", (chunk) => (stderr += chunk));
                child.on("error", (err) => resolve({ stdout, stderr: `cannot run ${binary} (${err.message}); ${installHint}`, exitCode: 127 }));
                child.on("close", (code) => resolve({ stdout, stderr, exitCode: code ?? 1 }));
                if (input !== undefined) child.stdin!.end(input);
            });
        },
    };
}
