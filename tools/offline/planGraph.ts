/**
 * The plan as the engine orders it, for the ordering checks (grantOrder.ts, admissionOrder.ts,
 * domainOrder.ts): what each resource waits for before it is created (criticalPath.ts `waitsFor`, and
 * a component's children when something waits for the component), transitively; each resource's
 * inputs and the state the offline cloud answered, both in display form (secrets masked).
 */
import type { CapturedResource } from "./capture";
import { inputSeconds, isComponent, waitsFor } from "./criticalPath";
import { displayValue, type PlanResource, toPlanResources } from "./render";

export type Loose = Record<string, any>;

export interface GraphResource extends PlanResource {
    inputs: Loose;
    /** The offline cloud's answer (outputs), in display form. */
    state: Loose;
}

export const SLEEP = "time:index/sleep:Sleep";
const MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster";
const EKS_CLUSTER = "aws:eks/cluster:Cluster";

/** The value at a dotted path of an object (array indexes as numbers), or undefined. */
export const at = (value: unknown, path: string): any =>
    path.split(".").reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Loose)[key] : undefined), value);

/** Every string inside a value, at any depth. */
export function stringsIn(value: unknown, out: Set<string> = new Set()): Set<string> {
    if (typeof value === "string") out.add(value);
    else if (Array.isArray(value)) for (const item of value) stringsIn(item, out);
    else if (value !== null && typeof value === "object") for (const item of Object.values(value)) stringsIn(item, out);
    return out;
}

export class PlanGraph {
    readonly resources: GraphResource[];
    readonly byUrn: Map<string, GraphResource>;
    private readonly children = new Map<string, string[]>();
    private readonly closures = new Map<string, Set<string>>();

    constructor(captured: CapturedResource[]) {
        const states = new Map(captured.map((r) => [r.urn, displayValue(r.wireState) as Loose]));
        this.resources = toPlanResources(captured).map((r) => ({ ...r, inputs: (r.inputs ?? {}) as Loose, state: states.get(r.urn) ?? {} }));
        this.byUrn = new Map(this.resources.map((r) => [r.urn, r]));
        for (const r of this.resources) if (r.parent) this.children.set(r.parent, [...(this.children.get(r.parent) ?? []), r.urn]);
    }

    ofType(...types: string[]): GraphResource[] {
        return this.resources.filter((r) => types.includes(r.type));
    }

    /** Everything the engine creates before it creates `urn` (dependencies, provider, custom parent; a component waits for its children). */
    upstream(urn: string): Set<string> {
        const known = this.closures.get(urn);
        if (known) return known;
        const result = new Set<string>();
        const stack = [...this.directWaits(urn)];
        while (stack.length > 0) {
            const next = stack.pop()!;
            if (result.has(next)) continue;
            result.add(next);
            const cached = this.closures.get(next);
            if (cached) for (const u of cached) result.add(u);
            else stack.push(...this.directWaits(next));
        }
        this.closures.set(urn, result);
        return result;
    }

    /** Whether `before` is created before `after` starts. */
    precedes(before: string, after: string): boolean {
        return this.upstream(after).has(before);
    }

    private directWaits(urn: string): string[] {
        const node = this.byUrn.get(urn);
        if (!node) return [];
        return [...waitsFor(node, this.byUrn), ...(isComponent(node) ? this.children.get(urn) ?? [] : [])];
    }

    /** A time_sleep's duration in seconds (its createDuration). */
    sleepSeconds(sleep: GraphResource): number {
        return inputSeconds(sleep.inputs.createDuration) ?? 0;
    }

    /**
     * The cluster a Kubernetes object is created in: the AKS ManagedCluster or EKS Cluster its
     * explicit provider is built from (the provider's kubeconfig comes from the cluster's outputs).
     */
    clusterOf(resource: GraphResource): GraphResource | undefined {
        if (!resource.type.startsWith("kubernetes:") || !resource.provider) return undefined;
        const provider = this.byUrn.get(resource.provider);
        return provider ? this.clusterOfProvider(provider) : undefined;
    }

    clusterOfProvider(provider: GraphResource): GraphResource | undefined {
        const clusters = [...this.upstream(provider.urn)].map((u) => this.byUrn.get(u)!).filter((r) => r.type === MANAGED_CLUSTER || r.type === EKS_CLUSTER);
        // The one the provider depends on directly (its kubeconfig reads that cluster's outputs).
        return clusters.find((c) => provider.dependencies.includes(c.urn)) ?? clusters[0];
    }

    /** Kubernetes resources created in `cluster`. */
    inCluster(cluster: GraphResource): GraphResource[] {
        return this.resources.filter((r) => r.type.startsWith("kubernetes:") && this.clusterOf(r)?.urn === cluster.urn);
    }
}

/** Kubernetes object types of the plan: `kubernetes:<group>/<version>:<Kind>` → group ("" for core), kind. */
export function kubernetesKind(type: string): { group: string; version: string; kind: string } | undefined {
    const match = /^kubernetes:(?:(.+)\/)?([^/:]+):([A-Za-z]+)$/.exec(type);
    if (!match) return undefined;
    const group = match[1] === "core" || match[1] === undefined ? "" : match[1];
    return { group, version: match[2], kind: match[3] };
}

/** The namespace of a Kubernetes object (metadata.namespace; a Helm release's `namespace`). */
export const namespaceOf = (r: GraphResource): string | undefined => r.inputs.metadata?.namespace ?? r.inputs.namespace;
