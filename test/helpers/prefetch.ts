/**
 * Loaded by `npm test` only (mocha --require): starts the plans most test files share (the
 * shipped stacks, then the policy fixtures) in the background as the run begins, so they run
 * in parallel with each other and with the tests that need no plan.
 */
import * as path from "path";
import { prefetchPlans } from "./plan";
import { PROJECT_DIR } from "./planJobs";

const FIXTURES = path.join(PROJECT_DIR, "test/fixtures");

prefetchPlans([
    { stack: "prod" },
    { stack: "prod-aks" },
    { stack: "dev" },
    { stack: "prod-cloudflare" },
    { stack: "prod-eks" },
    { stack: "dev-eks" },
    ...["prod-min-replicas-1", "prod-ha-off", "prod-no-replicas", "prod-latest-image"]
        .map((fixture) => ({ stack: "prod", stackFile: path.join(FIXTURES, `Pulumi.${fixture}.yaml`) })),
    { stack: "prod-aks", stackFile: path.join(FIXTURES, "Pulumi.prod-aks-single-replicas.yaml") },
]);

export const mochaHooks = {};
