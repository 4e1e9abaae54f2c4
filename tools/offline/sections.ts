import { budgetSection } from "./budget";
import { policySection } from "./policy";
import { manifestsSection } from "./manifests";
import { specRulesSection } from "./specRules";
import { awsSpecRulesSection } from "./awsSpecRules";
import { upstreamSection } from "./upstream";
import { reachabilitySection } from "./reachability";
import { artifactsSection } from "./artifacts";
import type { PlanSection } from "./types";
import { reviewSection } from "../review/section";

/** Sections run in this order after the program has run. */
export const PLAN_SECTIONS: PlanSection[] = [specRulesSection, awsSpecRulesSection, upstreamSection, reachabilitySection, artifactsSection, budgetSection, manifestsSection, policySection, reviewSection];
