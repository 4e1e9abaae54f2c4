import { budgetSection } from "./budget";
import { cloudflarePlanSection } from "./cloudflarePlan";
import { policySection } from "./policy";
import { manifestsSection } from "./manifests";
import { orderingSection } from "./ordering";
import { specRulesSection } from "./specRules";
import type { PlanSection } from "./types";
import { reviewSection } from "../review/section";

/** Sections run in this order after the program has run. */
export const PLAN_SECTIONS: PlanSection[] = [specRulesSection, cloudflarePlanSection, orderingSection, budgetSection, manifestsSection, policySection, reviewSection];
