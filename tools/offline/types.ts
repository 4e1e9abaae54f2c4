/**
 * The offline plan's contracts, shared by tools/plan.ts and its sections (budget, manifests,
 * policy) so neither side imports the other: options, the JSON document, the section signature,
 * exit codes.
 */
import type { ProgramRun } from "./capture";
import type { PlanResource } from "./render";

export interface PlanOptions {
    stack: string;
    /** Stack file to read instead of Pulumi.<stack>.yaml (e.g. a test fixture). */
    stackFile?: string;
    json?: string;
    quiet?: boolean;
    verbose?: boolean;
    /** Write every Kubernetes resource as YAML into this directory and validate it. */
    manifests?: string;
    /** Policy pack config (`--policy-pack-config` format); default policy/config.json. */
    policyConfig?: string;
    /** Print the modelled first-deploy critical path step by step. */
    criticalPath?: boolean;
    /** Review (tools/review): price table, Mermaid diagram file, plan JSON to diff against, approval of replacements. */
    priceTable?: string;
    diagram?: string;
    diffAgainst?: string;
    allowReplace?: boolean;
}

/** The plan's JSON document. Later sections are added beside `resources`; the shape stays stable. */
export interface PlanDocument {
    project: string;
    stack: string;
    resources: PlanResource[];
    outputs: unknown;
    [section: string]: unknown;
}

/**
 * Exit codes: 0 planned, 1 program error, 2 usage error, invalid config or stack file, 3 mandatory policy violation,
 * 4 the stack misses an entry of the app's contract (tools/offline/appContract.ts), 5 (--diff-against) a protected or stateful resource would be replaced or deleted without --allow-replace.
 */
export const EXIT = { ok: 0, programError: 1, invalidConfig: 2, usage: 2, policyViolation: 3, contractViolation: 4, replacementRefused: 5 } as const;

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
