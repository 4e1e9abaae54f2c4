/** The review commands' registration in `bookstore-infra`; their code loads only when one runs. */
import type { Command } from "commander";
import type { ReviewIo } from "./commands";

const collect = (value: string, previous: string[] = []) => [...previous, value];

// require, not import(): the bin's CommonJS loader resolves extensionless .ts paths only through require.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const load = () => require("./commands") as typeof import("./commands");

export function registerReviewCommands(program: Command, io: ReviewIo, setExit: (code: number) => void): void {
    program
        .command("diff")
        .description("what a change does: the stack planned at --base (a git ref) and in the working tree, compared; replacements predicted, cost delta")
        .requiredOption("-s, --stack <name>", "stack to compare")
        .requiredOption("--base <ref>", "git ref to compare against (e.g. origin/main)")
        .option("--allow-replace", "approve replacing or deleting protected or stateful resources (otherwise exit 5)")
        .option("--price-table <file>", "price table (default tools/review/prices.azure.json + prices.aws.json)")
        .option("--diagram <file.md>", "also write the working tree's Mermaid diagram")
        .option("--json", "print one JSON document on stdout")
        .action(async (flags) => setExit(await load().diffCommand(io, flags)));
    program
        .command("cost")
        .description("monthly cost of the stacks side by side (offline plans priced from the dated price tables)")
        .option("-s, --stack <name>", "stack (repeatable; default every stack)", collect)
        .option("--price-table <file>", "price table (default tools/review/prices.azure.json + prices.aws.json)")
        .option("--json", "print one JSON document on stdout")
        .action(async (flags) => setExit(await load().costCommand(io, flags)));
    program
        .command("prices")
        .description("the price table of the cost section")
        .command("refresh")
        .description("rebuild tools/review/prices.azure.json (Azure Retail Prices API) and prices.aws.json (AWS Price List Bulk API) for the meters the stacks use")
        .option("-s, --stack <name>", "only these stacks' meters (repeatable; default every stack)", collect)
        .option("--plan <file>", "read the meters from this plan JSON instead of planning (repeatable)", collect)
        .option("--api <url>", "Retail Prices API endpoint", "https://prices.azure.com/api/retail/prices")
        .option("--aws-api <url>", "AWS Price List Bulk API base URL", "https://pricing.us-east-1.amazonaws.com")
        .option("--out <file>", "where to write the Azure table (default tools/review/prices.azure.json)")
        .option("--aws-out <file>", "where to write the AWS table (default tools/review/prices.aws.json)")
        .action(async (flags) => setExit(await load().pricesRefreshCommand(io, flags)));
}
