import type { Policies } from "@pulumi/policy";
import { policies as catalogue } from "../../policy/catalogue";
import { CapturedResource, UNKNOWN } from "../../tools/offline/capture";
import { evaluatePolicies, PolicyViolation } from "../../tools/offline/policy";
import { PackConfig } from "../../tools/offline/policyConfig";

/** Marks a value the engine does not know during preview (the wire format's unknown sentinel). */
export const unknown = UNKNOWN;

/** What a test declares about one resource; the rest is filled in as the capture would. */
export interface TestResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    /** Output state for stack policies; defaults to the inputs (as the offline mocks answer). */
    state?: Record<string, unknown>;
    protect?: boolean;
    /** Logical names of resources this one depends on (ignored when not in the scenario). */
    dependsOn?: string[];
    parent?: string;
}

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:test::bookstore::${type}::${name}`;
}

/** Resources in the shape the offline capture records, wire format included. */
export function captured(resources: TestResource[]): CapturedResource[] {
    const urns = new Map(resources.map((r) => [r.name, urnOf(r.type, r.name)]));
    return resources.map((r) => ({
        urn: urnOf(r.type, r.name),
        type: r.type,
        name: r.name,
        custom: true,
        parent: r.parent ? urns.get(r.parent) : undefined,
        // Dependencies on resources a scenario leaves out are dropped, as the analyzer drops unknown URNs.
        dependencies: (r.dependsOn ?? []).flatMap((d) => urns.get(d) ?? []),
        provider: `default:${r.type.split(":")[0]}`,
        options: { protect: r.protect ?? false, ignoreChanges: [], retainOnDelete: false, deleteBeforeReplace: false },
        wireInputs: r.inputs,
        wireState: r.state ?? r.inputs,
    }));
}

/** Runs the analyzer's real RPC handlers on the resources with the given policies and config. */
export function analyze(resources: TestResource[], opts: { policies?: Policies; config?: PackConfig } = {}): Promise<PolicyViolation[]> {
    return evaluatePolicies(captured(resources), { policies: opts.policies ?? catalogue, config: opts.config });
}

export function policyNamed(name: string) {
    const policy = catalogue.find((p) => p.name === name);
    if (!policy) throw new Error(`no policy ${name}`);
    return policy;
}

/** The engine's advisory for a policy that read a value unknown during preview. */
export function duringPreview(policy: string, path: string): string {
    return `can't run policy '${policy}' from policy pack 'bookstore-policy@v0.1.0' during preview: string value at .${path} can't be known during preview`;
}
