import * as path from "path";
import { connectionBudget } from "../../stacks/budget";
import { decodeConfigValue, CONFIG_NAMESPACE, parseStackConfig } from "../../stacks/config";
import { budgetInputOf, resolveDatabase } from "../../stacks/schema/database";
import type { PlanOptions } from "../plan";
import type { PlanSection } from "./sections";
import { readStackFile } from "./stackFile";

const PROJECT_DIR = path.resolve(__dirname, "../..");

/** The validated stack config of the planned stack, read the way the program read it. */
export function stackConfigOf(options: Pick<PlanOptions, "stack" | "stackFile">) {
    const file = readStackFile(PROJECT_DIR, options.stackFile ?? path.join(PROJECT_DIR, `Pulumi.${options.stack}.yaml`));
    const raw: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    const prefix = `${CONFIG_NAMESPACE}:`;
    for (const [key, value] of Object.entries(file.config)) {
        if (!key.startsWith(prefix)) continue;
        raw[key.slice(prefix.length)] = decodeConfigValue(value);
        if (file.secretKeys.includes(key)) secretKeys.add(key.slice(prefix.length));
    }
    return parseStackConfig(raw, secretKeys);
}

/**
 * Plan section `budget`: prints the connection-budget arithmetic of the stack and adds it to the
 * JSON document. A stack outside its budget fails config validation before this runs; the exit
 * code here is a second line of defence.
 */
export const budgetSection: PlanSection = ({ document, options, out }) => {
    const config = stackConfigOf(options);
    const input = budgetInputOf(config);
    const budget = connectionBudget(input);
    document.budget = {
        ok: budget.ok,
        pooler: input.pooler.kind,
        clientConnections: budget.clientConnections,
        clientLimit: budget.clientLimit,
        serverConnections: budget.serverConnections,
        serverLimit: budget.serverLimit,
        lines: budget.lines,
        problems: budget.problems,
        input,
        alertThresholds: {
            activeConnections: Math.floor(input.maxConnections * resolveDatabase(config).alerts.connectionsPercent / 100),
        },
    };
    out("");
    out(`Connection budget (pooler: ${input.pooler.kind === "builtin" ? "Flexible Server's built-in PgBouncer" : "PgBouncer Deployment"}):`);
    for (const line of budget.lines) out(`    ${line}`);
    out(budget.ok ? "    within budget" : `    OVER BUDGET: ${budget.problems.join("; ")}`);
    return budget.ok ? 0 : 2;
};
