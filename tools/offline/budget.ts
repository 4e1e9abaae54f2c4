import { connectionBudget } from "../../policy/shared/budget";
import { isEksConfig } from "../../stacks/config";
import { awsBudgetInput } from "../../stacks/schema/aws";
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
    // AWS stacks budget against their RDS settings (bookstore:aws.database).
    const input = isEksConfig(config) ? awsBudgetInput(config) : budgetInputOf(config);
    const alerts = isEksConfig(config) ? config.aws.database.alerts : resolveDatabase(config).alerts;
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
            activeConnections: Math.floor(input.maxConnections * alerts.connectionsPercent / 100),
        },
    };
    out("");
    out(`Connection budget (pooler: ${input.pooler.kind === "builtin" ? "Flexible Server's built-in PgBouncer" : "PgBouncer Deployment"}):`);
    for (const line of budget.lines) out(`    ${line}`);
    out(budget.ok ? "    within budget" : `    OVER BUDGET: ${budget.problems.join("; ")}`);
    return budget.ok ? 0 : 2;
};
