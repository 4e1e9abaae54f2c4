/** The internal CLI's commands, options and help text (commander), bound to a Cli. */
import { Command, Option } from "commander";
import { PROJECT_DIR } from "./paths";
import { addPlanOptions, PROGRAM_VERSION } from "./planOptions";
import type { LoadTestFlags } from "./loadtest";
import { registerReviewCommands } from "./review/cli";
import { registerE2eCommands } from "./e2e/cli";
import { CliIo, collect, positiveNumber, StackFlags, PolicyFlags, GuardFlags } from "./cliSupport";
import { Cli } from "./cliCommands";

export function buildProgram(cli: Cli, io: CliIo, setExit: (code: number) => void): Command {
    const program = new Command()
        .name("bookstore-infra")
        .description("Preview, deploy and examine the BookStore platform's stacks (Pulumi Automation API)")
        .version(PROGRAM_VERSION)
        .showHelpAfterError()
        .exitOverride()
        .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) });

    const stackOption = () => new Option("-s, --stack <name>", "stack name (e.g. dev, prod, or org/bookstore/prod)").makeOptionMandatory();
    const jsonOption = () => new Option("--json", "print one JSON document on stdout (progress goes to stderr)");
    const withChangeOptions = (command: Command) =>
        command
            .addOption(stackOption())
            .option("-c, --config <key=value>", "set stack config before running (repeatable; bare keys are bookstore:)", collect)
            .option("--config-path", "treat config keys as paths (app.services.api.minReplicas)")
            .addOption(jsonOption());
    const withPolicyOptions = (command: Command) =>
        command
            .option("--policy-pack <dir>", "policy pack directory, relative to the project (repeatable)", collect)
            .option("--no-policy-pack", "run without the policy pack")
            .option("--policy-pack-config <file>", "policy pack config file (repeatable)", collect);
    const action = <T>(handler: (flags: T) => Promise<number>) => async (flags: T) => setExit(await handler(flags));
    // commander sets a repeatable option with a default to [default, ...given]; default it here instead.
    const withDefaultPack = <T extends PolicyFlags>(flags: T): T => ({ ...flags, policyPack: flags.policyPack === undefined ? ["policy"] : flags.policyPack });

    addPlanOptions(program
        .command("plan")
        .description("offline plan: the program under the SDK's mock monitor; no Pulumi CLI, no cloud account"))
        .option("--json [file]", "write the plan as JSON to a file, or to stdout without one")
        .action(action((flags) => cli.plan(flags as Parameters<Cli["plan"]>[0])));

    withPolicyOptions(withChangeOptions(program.command("preview").description("what would change, checked by the policy pack")))
        .action(action((flags: PolicyFlags) => cli.preview(withDefaultPack(flags))));

    withPolicyOptions(withChangeOptions(program.command("up").alias("deploy").description("deploy the stack (policy pack on); prod: replacing protected resources needs --yes --confirm <stack>")))
        .option("-y, --yes", "confirm a guarded operation")
        .option("--confirm <stack>", "type the stack name again to confirm a guarded operation on production")
        .action(action((flags: PolicyFlags & GuardFlags) => cli.up(withDefaultPack(flags))));

    withPolicyOptions(withChangeOptions(program.command("scale")
        .description("database scale-up in Azure's order: the replicas first, then the primary (scale-downs: plain `up`)")))
        .option("-y, --yes", "confirm a guarded operation")
        .option("--confirm <stack>", "type the stack name again to confirm a guarded operation on production")
        .option("--dry-run", "print each server's deployed and requested size and the updates it would run; change nothing")
        .action(action((flags: PolicyFlags & GuardFlags & { dryRun?: boolean }) => cli.scale(withDefaultPack(flags))));

    withPolicyOptions(withChangeOptions(program.command("bootstrap")
        .description("first deployment: platform and registry (up --target), registry.imports via az acr import, an image check, then up")))
        .option("-y, --yes", "confirm a guarded operation")
        .option("--confirm <stack>", "type the stack name again to confirm a guarded operation on production")
        .action(action((flags: PolicyFlags & GuardFlags) => cli.bootstrap(withDefaultPack(flags))));

    program
        .command("destroy")
        .description("delete every resource of the stack; needs --yes, and on prod --confirm <stack>")
        .addOption(stackOption())
        .option("-y, --yes", "confirm the destroy")
        .option("--confirm <stack>", "type the stack name again (required on production)")
        .addOption(jsonOption())
        .action(action((flags: StackFlags & GuardFlags) => cli.destroy(flags)));

    program
        .command("refresh")
        .description("adopt the cloud's actual state into the stack")
        .addOption(stackOption())
        .addOption(jsonOption())
        .action(action((flags: StackFlags) => cli.refresh(flags)));

    program
        .command("outputs")
        .description("print the stack's outputs (secrets masked unless --show-secrets)")
        .addOption(stackOption())
        .option("--show-secrets", "print secret outputs in plain text")
        .addOption(jsonOption())
        .action(action((flags: StackFlags & { showSecrets?: boolean }) => cli.outputs(flags)));

    program
        .command("doctor")
        .description("database health: replication lag, pg_stat_replication, connections, long-running queries, dead tuples")
        .option("-s, --stack <name>", "read servers and credentials from the stack's outputs")
        .option("--outputs-file <file>", "read them from `pulumi stack output --json --show-secrets` saved to a file")
        .option("--primary <url>", "primary server, postgres://user:password@host:port/database")
        .option("--replica <url>", "read replica (repeatable)", collect)
        .option("--max-lag <seconds>", "replication lag threshold", positiveNumber, 60)
        .option("--max-connections <percent>", "connections as % of max_connections", positiveNumber, 80)
        .option("--max-query-seconds <seconds>", "age of the oldest active query", positiveNumber, 300)
        .option("--max-dead-ratio <percent>", "dead tuples as % of a table's tuples (tables with > 1000 dead)", positiveNumber, 20)
        .option("--sslmode <mode>", "disable | require | verify-full (default for stack outputs: verify-full)")
        .option("--timeout <seconds>", "connect and query timeout", positiveNumber, 10)
        .addOption(jsonOption())
        .action(action((flags) => cli.doctor(flags as Parameters<Cli["doctor"]>[0])));

    program
        .command("loadtest")
        .description("the seed's load test against the api's entry; exits 7 when p95 or failed requests miss the thresholds")
        .option("-s, --stack <name>", "target the stack's apiUrl output (and, with --engine azure, its Azure Load Testing resource)")
        .option("--url <url>", "the api's base URL, instead of the stack's apiUrl")
        .option("--profile <name|file.json>", "seed (16 min, the default; a run over a minute starts only when named) | smoke (loadtest/profile.json), or a spec file in its format")
        .addOption(new Option("--engine <engine>", "local (virtual users from where this runs) or azure (Azure Load Testing through az)").choices(["local", "azure"]).default("local"))
        .option("--timeout <seconds>", "local engine: seconds before an unanswered request fails", positiveNumber, 10)
        .option("--ca-cert <file>", "local engine: PEM CA certificates to trust for an https target")
        .option("--poll-seconds <seconds>", "azure engine: seconds between progress polls", positiveNumber, 20)
        .action(action((flags: LoadTestFlags) => cli.loadtest(flags)));

    program
        .command("failover")
        .description("move the database's writer role and record it in the stack file: Azure, a switchover to the failover partner (az), then doctor; "
            + "AWS (eks), a promotion of an RDS read replica with backups on (aws)")
        .addOption(stackOption())
        .requiredOption("--to <server>", "the server to promote: replica-N, primary (Azure failback) or its server name / RDS identifier")
        .option("--planned", "Azure: wait until the replica has caught up: no data loss (default); RDS has no planned mode")
        .option("--forced", "promote at once, losing what the replica had not replayed (the primary's region is down); required on AWS, where RDS always does")
        .option("--dry-run", "print the commands it would run and what it would record; run nothing")
        .option("-y, --yes", "confirm a guarded operation")
        .option("--confirm <stack>", "type the stack name again (required on production)")
        .option("--timeout <seconds>", "doctor's connect and query timeout", positiveNumber, 10)
        .addOption(jsonOption())
        .action(action((flags) => cli.failover(flags as Parameters<Cli["failover"]>[0])));

    registerReviewCommands(program, { out: io.out, err: io.err, projectDir: io.projectDir ?? PROJECT_DIR }, setExit);
    registerE2eCommands(program, io, setExit);

    return program;
}
