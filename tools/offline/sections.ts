import { budgetSection } from "./budget";
import { policySection } from "./policy";
import type { ProgramRun } from "./capture";
import type { PlanDocument, PlanOptions } from "../plan";
import { manifestsSection } from "./manifests";
import { reviewSection } from "../review/section";

/**
 * A section of the offline plan beyond the resource tree (connection budget, Kubernetes
 * manifests, policy results, ...). It may add a top-level key to the JSON document, print
 * lines, and fail the plan by returning a non-zero exit code.
 */
export interface PlanSectionContext {
    document: PlanDocument;
    run: ProgramRun;
    options: PlanOptions;
    out: (line: string) => void;
}

export type PlanSection = (ctx: PlanSectionContext) => Promise<number> | number;

/** Sections run in this order after the program has run. */
export const PLAN_SECTIONS: PlanSection[] = [budgetSection, manifestsSection, policySection, reviewSection];
