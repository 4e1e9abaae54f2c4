/**
 * The command-line tools the internal CLI drives besides Pulumi (az, aws, kubectl, dotnet, git,
 * docker), behind one injection point: tools run them through a `ProcessRunner`, tests hand in a
 * stand-in that answers like the tools would. One-shot commands resolve with their outcome; long
 * ones (`kubectl port-forward`) run in the background until stopped.
 */
import { spawn } from "child_process";
import type { CommandOutcome } from "./runner";

export interface ProcessOptions {
    /** Written to the process's stdin, which is then closed (e.g. a password for `--password-stdin`). */
    input?: string;
    /** Extra environment variables, on top of this process's. */
    env?: Record<string, string>;
    cwd?: string;
    /** Aborting kills the process (SIGTERM); the outcome is then a failure. */
    signal?: AbortSignal;
}

/** A process left running: its output as lines, and a way to end it. */
export interface BackgroundProcess {
    /** Resolves with the first output line matching `pattern`; rejects when the process ends first or `timeoutMs` passes. */
    waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
    /** Ends the process (SIGTERM) and resolves once it has exited; safe to call twice. */
    stop(): Promise<void>;
}

export interface ProcessRunner {
    run(command: string, args: string[], options?: ProcessOptions): Promise<CommandOutcome>;
    start(command: string, args: string[], options?: ProcessOptions): BackgroundProcess;
}

/** What to install when a tool is missing. */
export const INSTALL_HINTS: Record<string, string> = {
    az: "install the Azure CLI (https://learn.microsoft.com/cli/azure/install-azure-cli) and run az login",
    aws: "install the AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html) and sign in",
    kubectl: "install kubectl (https://kubernetes.io/docs/tasks/tools/); on AKS also kubelogin (az aks install-cli)",
    dotnet: "install the .NET 10 SDK (https://dotnet.microsoft.com/download): BookStore targets net10.0",
    git: "install git",
    docker: "install Docker (its CLI and buildx plugin)",
};

function missing(command: string, err: Error): CommandOutcome {
    return { stdout: "", stderr: `cannot run ${command} (${err.message}); ${INSTALL_HINTS[command] ?? `install ${command}`}`, exitCode: 127 };
}

/** The tools as installed on this machine (PATH). A missing binary answers like a failed command, with an install hint. */
export const localProcesses: ProcessRunner = {
    run(command, args, options = {}) {
        return new Promise((resolve) => {
            const child = spawn(command, args, {
                stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
                env: { ...process.env, ...options.env },
                cwd: options.cwd,
                signal: options.signal,
            });
            let stdout = "";
            let stderr = "";
            child.stdout?.on("data", (chunk) => (stdout += chunk));
            child.stderr?.on("data", (chunk) => (stderr += chunk));
            if (options.input !== undefined) child.stdin?.end(options.input);
            child.on("error", (err: NodeJS.ErrnoException) => {
                if (err.code === "ENOENT") resolve(missing(command, err));
                else resolve({ stdout, stderr: `${stderr}${err.message}`, exitCode: 1 });
            });
            child.on("close", (code) => resolve({ stdout, stderr, exitCode: code ?? 1 }));
        });
    },

    start(command, args, options = {}) {
        const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env }, cwd: options.cwd });
        const lines: string[] = [];
        const listeners = new Set<() => void>();
        let ended: string | undefined;
        const take = (chunk: Buffer) => {
            lines.push(...chunk.toString().split("\n").filter((line) => line.length > 0));
            listeners.forEach((listener) => listener());
        };
        child.stdout.on("data", take);
        child.stderr.on("data", take);
        const exited = new Promise<void>((resolve) => {
            child.on("error", (err) => {
                ended = missing(command, err).stderr;
                listeners.forEach((listener) => listener());
                resolve();
            });
            child.on("close", (code) => {
                ended ??= `${command} exited (${code ?? "signal"}): ${lines.slice(-3).join(" | ")}`;
                listeners.forEach((listener) => listener());
                resolve();
            });
        });
        return {
            waitFor(pattern, timeoutMs) {
                return new Promise((resolve, reject) => {
                    const check = () => {
                        const match = lines.map((line) => pattern.exec(line)).find((m) => m !== null);
                        if (match) done(() => resolve(match));
                        else if (ended) done(() => reject(new Error(ended)));
                    };
                    const timer = setTimeout(() => done(() => reject(new Error(`${command} printed nothing matching ${pattern} within ${timeoutMs / 1000} s`))), timeoutMs);
                    const done = (settle: () => void) => {
                        clearTimeout(timer);
                        listeners.delete(check);
                        settle();
                    };
                    listeners.add(check);
                    check();
                });
            },
            async stop() {
                if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
                await exited;
            },
        };
    },
};
