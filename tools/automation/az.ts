/** The Azure CLI as the internal CLI runs it: one injection point shared by every command that needs `az`. */
import { installedTool, type ToolRunner } from "./commandLine";

/** Runs `az <args>`; the CLI's injection point (tests hand in a recording stand-in). */
export type AzRunner = ToolRunner;

/** The installed az CLI. A missing binary answers like a failed command, with an install hint. */
export const installedAz: AzRunner = installedTool("az", "install the Azure CLI (https://learn.microsoft.com/cli/azure/install-azure-cli) and run az login");
