import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../paths";
import type { PlanResource } from "./render";

/**
 * The modelled first `pulumi up`: each resource starts once everything the engine makes it wait
 * for has been created, and takes the time the duration table (deployDurations.json) gives its
 * type. The longest chain is the critical path; the app tier is ready when its last workload is.
 */

/** What the schedule needs of a plan resource: all of it but its options; inputs only where a duration reads them. */
export type GraphNode = Omit<PlanResource, "options" | "inputs"> & { inputs?: unknown };

interface Basis {
    seconds: number;
    source?: string;
    assumption?: string;
    /** No source gives a figure: counted as 0 s, so the modelled path is a lower bound (the summary says how many). */
    unknown?: string;
}

export interface DurationEntry extends Basis {
    /** The duration is this numeric input of the resource when it has one (a wait that sleeps its `seconds`). */
    secondsFromInput?: string;
    /** Variants by an input's value (`equals`) or presence (`present`), e.g. a Flexible Server created as a replica; the first match wins. */
    when?: (Basis & { input: string; equals?: unknown; present?: boolean })[];
}

export interface DurationTable {
    default: DurationEntry;
    /** Resource types whose creation means the app serves (its workloads). */
    appTierTypes: string[];
    /** Entries for every type starting with the key, used when `types` has none. */
    prefixes?: Record<string, DurationEntry>;
    types: Record<string, DurationEntry>;
}

export interface ScheduledStep {
    urn: string;
    type: string;
    name: string;
    startSeconds: number;
    seconds: number;
    finishSeconds: number;
    /** "source" when the duration is observed somewhere cited, "assumption" when estimated, "unknown" when no figure exists (0 s). */
    basis: Basis_;
}

export interface FirstDeployModel {
    totalSeconds: number;
    /** Resources whose create time no source gives (counted as 0 s): the total is then a lower bound. */
    unknownDurations: number;
    /** When the last app-tier workload is created; null when the stack has none. */
    appReadySeconds: number | null;
    /** The longest chain of cloud operations, first to last (components left out). */
    path: ScheduledStep[];
}

type Basis_ = "source" | "assumption" | "unknown";

export const DURATIONS_FILE = path.join(PROJECT_DIR, "tools/offline/deployDurations.json");

export function readDurationTable(file = DURATIONS_FILE): DurationTable {
    return JSON.parse(fs.readFileSync(file, "utf8")) as DurationTable;
}

/** Components (and the stack) have no provider; they cost nothing and only group their children. */
export function isComponent(node: GraphNode): boolean {
    return node.provider === null && !node.type.startsWith("pulumi:providers:");
}

export function durationOf(node: GraphNode, table: DurationTable): { seconds: number; basis: Basis_ } {
    if (isComponent(node)) return { seconds: 0, basis: "assumption" };
    const prefix = Object.keys(table.prefixes ?? {}).filter((p) => node.type.startsWith(p)).sort((a, b) => b.length - a.length)[0];
    const entry = table.types[node.type] ?? (prefix === undefined ? table.default : table.prefixes![prefix]);
    const inputs = (node.inputs ?? {}) as Record<string, unknown>;
    const matches = (variant: NonNullable<DurationEntry["when"]>[number]) => variant.present !== undefined
        ? (inputs[variant.input] !== undefined && inputs[variant.input] !== null && inputs[variant.input] !== "") === variant.present
        : inputs[variant.input] === variant.equals;
    const chosen: Basis = entry.when?.find(matches) ?? entry;
    if (chosen.unknown) return { seconds: 0, basis: "unknown" };
    const fromInput = entry.secondsFromInput === undefined ? undefined : inputSeconds(inputs[entry.secondsFromInput]);
    return { seconds: fromInput ?? chosen.seconds, basis: chosen.source ? "source" : "assumption" };
}

/** Seconds of an input: a number, or a whole-unit duration string as time_sleep takes it ("600s", "10m", "1h"). */
export function inputSeconds(value: unknown): number | undefined {
    if (typeof value === "number") return value;
    const match = typeof value === "string" ? /^(\d+)(s|m|h)$/.exec(value) : null;
    return match ? Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as "s" | "m" | "h"] : undefined;
}

/**
 * What the engine makes a resource wait for before creating it: its dependencies, its provider
 * when that is an explicit provider resource, and its parent when the parent is a custom resource
 * (the SDK sends a child only once the parent's URN resolves, which for a custom resource is
 * after its create). A component parent's URN resolves at once, so children don't wait for it.
 */
export function waitsFor(node: GraphNode, byUrn: Map<string, GraphNode>): string[] {
    const waits = new Set(node.dependencies);
    if (node.provider && byUrn.has(node.provider)) waits.add(node.provider);
    const parent = node.parent ? byUrn.get(node.parent) : undefined;
    if (parent && !isComponent(parent)) waits.add(parent.urn);
    waits.delete(node.urn);
    return [...waits].filter((urn) => byUrn.has(urn));
}

/** Schedules every resource as early as its waits allow and returns the longest chain. */
export function modelFirstDeploy(nodes: GraphNode[], table: DurationTable): FirstDeployModel {
    const byUrn = new Map(nodes.map((node) => [node.urn, node]));
    const children = new Map<string, GraphNode[]>();
    for (const node of nodes) {
        if (!node.parent) continue;
        children.set(node.parent, [...(children.get(node.parent) ?? []), node]);
    }
    const finish = new Map<string, number>();
    /** The node whose finish a node's own finish (custom) or start (component) was set by. */
    const cause = new Map<string, string | undefined>();
    const visiting = new Set<string>();

    const finishOf = (urn: string): number => {
        const known = finish.get(urn);
        if (known !== undefined) return known;
        if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
        visiting.add(urn);
        const node = byUrn.get(urn)!;
        // A component is done when its own waits and all its children are: depending on one waits for its children.
        const before = [...waitsFor(node, byUrn), ...(isComponent(node) ? (children.get(urn) ?? []).map((child) => child.urn) : [])];
        let latest = 0;
        let latestCause: string | undefined;
        for (const other of before) {
            const at = finishOf(other);
            if (latestCause === undefined || at > latest) {
                latest = at;
                latestCause = other;
            }
        }
        visiting.delete(urn);
        const done = latest + durationOf(node, table).seconds;
        finish.set(urn, done);
        cause.set(urn, latestCause);
        return done;
    };
    for (const node of nodes) finishOf(node.urn);

    let last: string | undefined;
    for (const node of nodes) if (last === undefined || finish.get(node.urn)! > finish.get(last)!) last = node.urn;
    const path: ScheduledStep[] = [];
    for (let urn = last; urn !== undefined; urn = cause.get(urn)) {
        const node = byUrn.get(urn)!;
        if (isComponent(node)) continue;
        const { seconds, basis } = durationOf(node, table);
        const finishSeconds = finish.get(urn)!;
        path.unshift({ urn, type: node.type, name: node.name, startSeconds: finishSeconds - seconds, seconds, finishSeconds, basis });
    }
    const workloads = nodes.filter((node) => table.appTierTypes.includes(node.type));
    return {
        totalSeconds: last === undefined ? 0 : finish.get(last)!,
        unknownDurations: nodes.filter((node) => durationOf(node, table).basis === "unknown").length,
        appReadySeconds: workloads.length === 0 ? null : Math.max(...workloads.map((node) => finish.get(node.urn)!)),
        path,
    };
}

export function minutes(seconds: number): string {
    return `${Math.round(seconds / 60)} min`;
}

/** The summary line of the plan. */
export function criticalPathSummary(model: FirstDeployModel): string {
    const app = model.appReadySeconds === null ? "no app tier" : `app ready at ~${minutes(model.appReadySeconds)}`;
    const bound = model.unknownDurations > 0 ? `, a lower bound: ${model.unknownDurations} durations unknown` : "";
    return `First deploy:  ~${minutes(model.totalSeconds)} critical path (${model.path.length} steps), ${app} (modelled${bound}; --critical-path)`;
}

/** `--critical-path`: the chain, one step a line, with each duration's basis. */
export function renderCriticalPath(model: FirstDeployModel, nameWidth = 40): string[] {
    const lines = [
        `First-deploy critical path, modelled (durations: ${path.relative(process.cwd(), DURATIONS_FILE) || DURATIONS_FILE}):`,
        "    start   takes  resource",
    ];
    for (const step of model.path) {
        const name = step.name.length > nameWidth ? `${step.name.slice(0, nameWidth - 1)}…` : step.name;
        const mark = { source: "", assumption: " *", unknown: " ?" }[step.basis];
        const takes = step.basis === "unknown" ? "?" : `${step.seconds} s`;
        lines.push(`    ${minutes(step.startSeconds).padStart(6)}  ${takes.padStart(6)}  ${step.type.replace(/^azure-native:/, "")} ${name}${mark}`);
    }
    lines.push(`    total ~${minutes(model.totalSeconds)}; app tier ready at ${model.appReadySeconds === null ? "n/a (no workloads)" : `~${minutes(model.appReadySeconds)}`}`);
    lines.push("    * duration is a stated assumption, not a measurement (see the table's entry)");
    if (model.unknownDurations > 0) lines.push(`    ? no source gives a duration: counted as 0 s (${model.unknownDurations} resources of the stack), so the total is a lower bound`);
    return lines;
}
