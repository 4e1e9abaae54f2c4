/**
 * Plan section `ordering`: the first `pulumi up` creates things in an order the clouds accept. Three
 * graph checks on the plan (tools/offline/planGraph.ts): grants propagated before their consumers act
 * (grantOrder.ts), CRDs and admission webhooks ready before the objects they serve or intercept
 * (admissionOrder.ts), and a custom domain's DNS records before its binding (domainOrder.ts). A
 * violation fails the plan (exit 1, what a real `up` would stop on), naming the resource and the rule.
 */
import { admissionOrder } from "./admissionOrder";
import { domainOrder } from "./domainOrder";
import { grantOrder } from "./grantOrder";
import { PlanGraph } from "./planGraph";
import type { PlanSection } from "./types";

const short = (urn: string) => urn.split("::").slice(-2).map((part, i) => (i === 0 ? part.split("$").pop() : part)).join(" ");

export const orderingSection: PlanSection = ({ document, run, out }) => {
    const graph = new PlanGraph(run.resources);
    const grants = grantOrder(graph);
    const admission = admissionOrder(graph);
    const domains = domainOrder(graph);
    const grantViolations = grants.violations.map((v) => ({
        urn: v.consumer, grant: v.grant, reason: v.reason, seconds: v.kind.seconds, source: v.kind.source,
        problem: `can act before ${short(v.grant)} (${v.kind.label}) has propagated: it ${v.reason}, and no wait of >= ${v.kind.seconds} s follows that grant (${v.kind.source})`,
    }));
    document.ordering = {
        grants: { violations: grantViolations, notes: grants.notes.map((n) => ({ urn: n.consumer, grant: n.grant, reason: n.reason })) },
        admission: admission,
        domains: domains,
    };
    if (grants.notes.length > 0) {
        out("");
        out(`Grants used only at run time and not waited for (the access starts up to their propagation time after the consumer):`);
        for (const n of grants.notes) out(`    ${short(n.consumer)}: ${short(n.grant)} (${n.kind.label}; it ${n.reason})`);
    }
    const failures = [...grantViolations, ...admission, ...domains];
    if (failures.length === 0) return 0;
    // Printed even with --quiet: the plan fails because of these.
    console.error(`The first \`pulumi up\` would run ${failures.length} step${failures.length === 1 ? "" : "s"} out of order (tools/offline/ordering.ts):`);
    for (const f of failures) console.error(`  - ${f.urn}: ${f.problem}`);
    return 1;
};
