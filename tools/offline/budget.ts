import { connectionBudget } from "../../stacks/budget";
import { budgetInputOf, resolveDatabase } from "../../stacks/schema/database";
import type { PlanSection } from "./types";
import { stackConfigOf } from "./stackFile";

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
