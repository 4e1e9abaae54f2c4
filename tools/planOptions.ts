import type { Command } from "commander";

/** `--version` of the plan and the CLI: the package's version. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const PROGRAM_VERSION: string = require("../package.json").version;

/**
 * The offline plan's options, shared by `npm run plan` and `bookstore-infra plan` (each adds its own
 * `--json`). Kept apart from tools/plan.ts so the CLI can offer them without loading the SDK.
 */
export function addPlanOptions(command: Command): Command {
    return command
        .option("-s, --stack <name>", "stack to plan (reads Pulumi.<name>.yaml)", "prod")
        .option("--stack-file <file>", "read this stack file instead of Pulumi.<stack>.yaml")
        .option("-q, --quiet", "print nothing but errors")
        .option("--verbose", "print stack traces of program errors")
        .option("--manifests <dir>", "write each Kubernetes resource as YAML into <dir> and validate it against the Kubernetes schemas")
        .option("--policy-config <file>", "policy pack config, as for pulumi preview --policy-pack-config (default policy/config.json)")
        .option("--critical-path", "print the modelled first-deploy critical path (durations: tools/offline/deployDurations.json)")
        .option("--diagram <file.md>", "write a Mermaid diagram of the plan's tiers, services and wiring")
        .option("--diff-against <plan.json>", "print what changed since that plan (--json output of an earlier plan); exit 5 on an unapproved replacement of a protected or stateful resource")
        .option("--allow-replace", "approve replacements of protected or stateful resources in --diff-against")
        .option("--price-table <file>", "price table for the cost section (default tools/review/prices.azure.json + prices.aws.json)");
}
