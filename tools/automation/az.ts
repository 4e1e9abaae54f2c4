/** The cloud CLIs as the internal CLI runs them (`az`, `aws`): one injection point per CLI (tests hand in recording stand-ins). */
import { localProcesses, ProcessRunner } from "./processes";
import type { CommandOutcome } from "./runner";

/** Runs a cloud CLI with arguments. */
export interface ToolRunner {
    run(args: string[]): Promise<CommandOutcome>;
}
/** Runs `az <args>`. */
export type AzRunner = ToolRunner;
/** Runs `aws <args>`. */
export type AwsRunner = ToolRunner;

/** `az` through a process runner. */
export function azOf(processes: ProcessRunner): AzRunner {
    return { run: (args) => processes.run("az", args) };
}

/** `aws` through a process runner. */
export function awsOf(processes: ProcessRunner): AwsRunner {
    return { run: (args) => processes.run("aws", args) };
}

/** The installed CLIs. A missing binary answers like a failed command, with an install hint. */
export const installedAz: AzRunner = azOf(localProcesses);
export const installedAws: AwsRunner = awsOf(localProcesses);
