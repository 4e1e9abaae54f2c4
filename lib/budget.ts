/**
 * The connection budget. The arithmetic lives in the policy pack (policy/shared/budget.ts) so the
 * pack loads on its own when published; the program's config checks, the offline plan and the
 * components import it through this module.
 */
export * from "../policy/shared/budget";
