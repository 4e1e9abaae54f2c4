/**
 * A stack's life around its updates: create it, list the project's stacks, lift `protect` before a
 * deliberate teardown, remove it once destroyed. For tools that make short-lived stacks (the
 * end-to-end run, its janitor); operators do the same with `pulumi stack init/ls/rm` and
 * `pulumi state unprotect --all`.
 */
import { LocalWorkspace, StackSummary } from "@pulumi/pulumi/automation";
import { openStack, StackOptions, workspaceOptions } from "./index";

/** `pulumi stack init`: a new, empty stack (its config comes from Pulumi.<stack>.yaml in the project directory). */
export async function initStack(options: StackOptions & { secretsProvider?: string }): Promise<void> {
    const { workDir, ...workspace } = await workspaceOptions(options);
    await LocalWorkspace.createStack({ stackName: options.stack, workDir }, { ...workspace, secretsProvider: options.secretsProvider });
}

/** `pulumi stack ls --json`: the project's stacks in the current backend. */
export async function listStacks(options: Omit<StackOptions, "stack">): Promise<StackSummary[]> {
    const workspace = await LocalWorkspace.create(await workspaceOptions(options));
    return workspace.listStacks();
}

/** `pulumi stack rm --yes`: the stack's record and history; refused by the CLI while it still holds resources. */
export async function removeStack(options: StackOptions): Promise<void> {
    const stack = await openStack(options);
    await stack.workspace.removeStack(options.stack);
}

/**
 * `pulumi state unprotect --all` through the Automation API: export the state, clear every
 * resource's `protect`, import it back. Returns the URNs that were protected. Only for a stack
 * being torn down on purpose: the program sets `protect` again on its next update.
 */
export async function unprotectAll(options: StackOptions): Promise<string[]> {
    const stack = await openStack(options);
    const state = await stack.exportStack();
    const resources: { urn: string; protect?: boolean }[] = state.deployment?.resources ?? [];
    const lifted = resources.filter((resource) => resource.protect).map((resource) => resource.urn);
    if (lifted.length === 0) return [];
    for (const resource of resources) delete resource.protect;
    await stack.importStack(state);
    return lifted;
}
