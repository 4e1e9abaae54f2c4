/**
 * `bookstore-infra`: the platform team's command line over the Pulumi Automation API.
 *   plan                          offline plan (no Pulumi CLI, no cloud account)
 *   preview | up | destroy | refresh | outputs   the real engine, through tools/automation
 *   scale                         database scale-up: replicas first, then the primary
 *   bootstrap                     first deployment: platform and registry, images, then the rest
 *   doctor                        database health checks against live servers
 *   loadtest                      the seed's load test against a stack, with a verdict (tools/loadtest)
 *   failover                      switch the database's writer role over to its partner, then doctor
 *   diff | cost | prices refresh  pull-request review: plan diff, monthly cost, price table (tools/review)
 *   e2e run | janitor | images | durations   end-to-end runs in a real cloud (tools/e2e)
 * Exit codes (EXIT below) are stable so CI can branch on them.
 */
import { CommanderError } from "commander";
import { DoctorInputError } from "./doctor/targets";
import { EXIT, CliIo, CliExit, consoleIo, automation } from "./cliSupport";
import { Cli } from "./cliCommands";
import { buildProgram } from "./cliProgram";

/**
 * Whether `args` ask for a JSON document on stdout: `--json` on any command but `plan`, where
 * `--json <file>` writes a file and only a bare `--json` means stdout.
 */
export function wantsJsonOnStdout(args: string[]): boolean {
    const at = args.indexOf("--json");
    if (at < 0) return false;
    const command = args.find((arg) => !arg.startsWith("-"));
    if (command !== "plan") return true;
    const next = args[at + 1];
    return next === undefined || next.startsWith("-");
}

/** The document `--json` prints on stdout when a command fails before producing its own. */
function errorDocument(args: string[], exitCode: number, error: string): string {
    const command = args.find((arg) => !arg.startsWith("-")) ?? null;
    return JSON.stringify({ command, ok: false, exitCode, error }, null, 2);
}

/** Runs the CLI on `args` (without node and script); returns the exit code, never throws. */
export async function runCli(args: string[], io: CliIo = consoleIo): Promise<number> {
    let exitCode: number = EXIT.ok;
    // What commander and the handlers print as errors, for the JSON error document.
    const errors: string[] = [];
    const recording: CliIo = { ...io, err: (line) => { errors.push(line); io.err(line); } };
    const program = buildProgram(new Cli(recording), recording, (code) => (exitCode = code));
    const fail = (code: number, message?: string, detail?: string): number => {
        if (message) recording.err(message);
        if (wantsJsonOnStdout(args)) io.out(errorDocument(args, code, detail ?? message ?? errors.join("\n")));
        return code;
    };
    try {
        await program.parseAsync(args, { from: "user" });
        return exitCode;
    } catch (err) {
        if (err instanceof CommanderError) {
            // --help and --version exit 0; everything else commander rejects is a usage error.
            if (err.exitCode === 0) return EXIT.ok;
            return fail(EXIT.usage, undefined, err.message.replace(/^error: /, ""));
        }
        if (err instanceof CliExit) return fail(err.code, err.message || undefined, err.detail);
        if (err instanceof automation().PulumiCliMissingError) return fail(EXIT.cliMissing, err.message);
        if (err instanceof automation().ProductionGuardError) return fail(EXIT.refused, err.message);
        if (err instanceof DoctorInputError) return fail(EXIT.usage, `doctor: ${err.message}`);
        if (err instanceof Error && err.name === "ReviewInputError") return fail(EXIT.usage, err.message);
        return fail(EXIT.failed, `bookstore-infra: ${automation().describeCommandError(err)}`);
    }
}

if (require.main === module) {
    runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
