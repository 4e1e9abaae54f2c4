/** The Azure CLI as the internal CLI runs it: one injection point shared by every command that needs `az`. */
import { localProcesses, ProcessRunner } from "./processes";
import type { CommandOutcome } from "./runner";

/** Runs `az <args>`; the CLI's injection point (tests hand in a recording stand-in). */
export interface AzRunner {
    run(args: string[]): Promise<CommandOutcome>;
}

/** `az` through a process runner. */
export function azOf(processes: ProcessRunner): AzRunner {
    return { run: (args) => processes.run("az", args) };
}

/** The installed az CLI. A missing binary answers like a failed command, with an install hint. */
export const installedAz: AzRunner = azOf(localProcesses);
