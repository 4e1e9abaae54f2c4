/** The e2e commands' registration in `bookstore-infra`; their code loads only when one runs. */
import { Command, Option } from "commander";
import { collect, positiveNumber, type CliIo } from "../cliSupport";
import { E2E_PLATFORMS } from "./names";

// require, not import(): the bin's CommonJS loader resolves extensionless .ts paths only through require.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const load = () => require("./commands") as typeof import("./commands");

export function registerE2eCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
    const e2e = program
        .command("e2e")
        .description("end-to-end runs in a real subscription or account: run, janitor, images, durations (docs/e2e.md)");
    const platform = () => new Option("--platform <platform>", "containerapps | aks | eks").choices([...E2E_PLATFORMS]);

    e2e.command("run")
        .description("deploy an ephemeral stack from e2e/templates/<platform>.yaml, check it (health, doctor, smoke, idempotency, failover), destroy it; writes a JSON report")
        .addOption(platform().makeOptionMandatory())
        .requiredOption("--region <region>", "Azure location (containerapps, aks) or AWS region (eks)")
        .option("--ttl-hours <hours>", "hours until the janitor may destroy the stack if this run cannot", positiveNumber, 8)
        .option("--report <file>", "where to write the JSON report (default out/e2e/report-<platform>.json)")
        .option("--images <file>", "eks: images pushed before (`e2e images --out`): skips the build")
        .option("--checkout-dir <dir>", "where BookStore's source is checked out (default out/e2e/bookstore-src)")
        .option("--aws-domain <domain>", "eks: the team's domain; the run's hosts are <suffix>.<domain> and static-<suffix>.<domain>")
        .option("--aws-certificate-arn <arn>", "eks: ACM certificate for *.<domain> in --region (the ALB's)")
        .option("--aws-cloudfront-certificate-arn <arn>", "eks: ACM certificate for *.<domain> in us-east-1 (default: --aws-certificate-arn)")
        .option("--aws-replica-region <region>", "eks: region of the cross-region read replica (default: the template's)")
        .option("--aws-admin-role-arn <arn>", "eks: the deployer's IAM role (default: the caller's role)")
        .option("--secrets-provider <url>", "pulumi stack init --secrets-provider (DIY backends: a cloud KMS key)")
        .option("--health-timeout <seconds>", "bound on the wait for /health through the public entry", positiveNumber, 1500)
        .option("--smoke-profile <name|file.json>", "load test profile of the smoke step", "smoke")
        .option("--relay-image <image>", "containerapps: image of the relay apps into the environment")
        .option("--run-id <id>", "identifies the run in its tags (CI: the workflow run)")
        .option("--json", "print the report on stdout (progress goes to stderr)")
        .action(async (flags) => setExit(await load().e2eRunCommand(io, flags)));

    e2e.command("janitor")
        .description("find e2e stacks past their expiry and destroy them (a dry run unless --yes)")
        .option("--dry-run", "only list what would be destroyed (the default without --yes)")
        .option("-y, --yes", "destroy the expired e2e stacks")
        .option("-s, --stack <name>", "only this e2e stack, even before its expiry (needs --yes --confirm <name>)")
        .option("--confirm <name>", "type the stack name again (with --stack)")
        .option("--now <time>", "judge expiry at this ISO time instead of now")
        .option("--json", "print one JSON document on stdout")
        .action(async (flags) => setExit(await load().e2eJanitorCommand(io, flags)));

    e2e.command("images")
        .description("build BookStore's images at the pinned commit with `dotnet publish -t:PublishContainer`, push them, print their digests")
        .requiredOption("--registry <login server>", "<name>.azurecr.io or <account>.dkr.ecr.<region>.amazonaws.com")
        .addOption(new Option("--arch <arch>", "x64 (the Azure templates' nodes) or arm64 (the EKS templates' Graviton nodes)").choices(["x64", "arm64"]))
        .option("--checkout-dir <dir>", "where BookStore's source is checked out (default out/e2e/bookstore-src)")
        .option("--tag <tag>", "image tag (default: the commit's first 7 characters)")
        .option("--print", "print the commands as a shell script instead of running them")
        .option("--out <file>", "write the pinned images as JSON (for `e2e run --images`)")
        .action(async (flags) => setExit(await load().e2eImagesCommand(io, flags)));

    e2e.command("durations")
        .description("merge an e2e report's measured create durations into the critical path's table (tools/offline/deployDurations.json)")
        .requiredOption("--report <file>", "an e2e run's JSON report", collect)
        .option("--table <file>", "the duration table (default tools/offline/deployDurations.json)")
        .option("--write", "write the table (otherwise only show what would change)")
        .action(async (flags) => setExit(await load().e2eDurationsCommand(io, flags)));
}
