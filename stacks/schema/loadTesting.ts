import { z } from "zod";
import { bool } from "./common";

const LoadTestingSchema = z.strictObject({
    enabled: bool().optional()
        .describe("Deploy an Azure Load Testing resource for `bookstore-infra loadtest --engine "
            + "azure` (its id is the `loadTestingId` output). Default: true in prod, false "
            + "elsewhere."),
});

/** Top-level key of the load-testing tier, spread into the root schema. */
export const loadTestingFields = {
    loadTesting: LoadTestingSchema.default({}),
};

/** Whether the stack gets an Azure Load Testing resource: config, else prod only. */
export function loadTestingEnabled(config: { environment: string; loadTesting: { enabled?: boolean } }): boolean {
    return config.loadTesting.enabled ?? config.environment === "prod";
}
