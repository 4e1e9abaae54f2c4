/**
 * Production guard: destroying a prod stack, or an update that replaces (deletes and recreates)
 * protected resources in it, needs the operator to confirm by typing the stack name again.
 */
import * as fs from "fs";
import * as path from "path";
import { readStackFile } from "../offline/stackFile";
import type { StepRecord } from "./progress";

const PRODUCTION_NAMES = new Set(["prod", "production"]);

/** The stack's short name: `acme/bookstore/prod` → `prod`. */
export function shortStackName(stack: string): string {
    return stack.split("/").pop() ?? stack;
}

/**
 * A stack is production when its name is `prod`/`production` or its stack file sets
 * `<project>:environment: prod` (so `prod-eu` with `environment: prod` is guarded too).
 */
export function isProductionStack(stack: string, projectDir: string): boolean {
    const name = shortStackName(stack);
    if (PRODUCTION_NAMES.has(name)) return true;
    const stackFile = path.join(projectDir, `Pulumi.${name}.yaml`);
    if (!fs.existsSync(stackFile)) return false;
    try {
        const { project, config } = readStackFile(projectDir, stackFile);
        return config[`${project}:environment`] === "prod";
    } catch {
        // An unreadable stack file must not lower the guard: treat it as production.
        return true;
    }
}

/** The operator's confirmation: the library needs the stack name typed again; the CLI also wants `--yes`. */
export interface Confirmation {
    /** Must equal the stack name (short or full) for a guarded operation to go ahead. */
    confirm?: string;
}

export class ProductionGuardError extends Error {
    constructor(
        message: string,
        /** Protected resources the update would replace (empty for destroy). */
        readonly replacements: StepRecord[] = [],
    ) {
        super(message);
        this.name = "ProductionGuardError";
    }
}

export function isConfirmed(stack: string, confirmation: Confirmation): boolean {
    return confirmation.confirm !== undefined && (confirmation.confirm === stack || confirmation.confirm === shortStackName(stack));
}

export function refuseDestroy(stack: string): ProductionGuardError {
    return new ProductionGuardError(
        `Refusing to destroy production stack "${stack}": it holds the databases, storage and Key Vault of the live site.\n` +
            `If you really mean it, run again with --yes --confirm ${shortStackName(stack)}.`,
    );
}

export function refuseProtectedReplacements(stack: string, replacements: StepRecord[]): ProductionGuardError {
    const list = replacements.map((step) => `  ${step.op} ${step.type}  ${step.name}`).join("\n");
    return new ProductionGuardError(
        `Refusing to update production stack "${stack}": the preview replaces ${replacements.length} protected resource(s), ` +
            `deleting their data:\n${list}\nIf you really mean it, run again with --yes --confirm ${shortStackName(stack)}.`,
        replacements,
    );
}
