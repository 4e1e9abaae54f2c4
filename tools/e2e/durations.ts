/**
 * Measured durations: how long each resource step of a real update took, read from the engine's
 * events (a step starts with its `resourcePreEvent` and ends with its `resOutputsEvent` or
 * `resOpFailedEvent`; each event carries the engine's Unix timestamp in seconds), summarised per
 * resource type, and merged into the critical path's duration table (tools/offline/deployDurations.json)
 * with their source marked as a measured e2e run.
 */
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";
import type { DurationEntry, DurationTable } from "../offline/criticalPath";

export interface ResourceTiming {
    urn: string;
    type: string;
    op: OpType;
    seconds: number;
    failed: boolean;
    /** The inputs a duration-table variant reads (e.g. `createMode`), when the resource has them. */
    inputs?: Record<string, unknown>;
}

/** Steps that take no time of their own (the engine only records them). */
const INSTANT: ReadonlySet<OpType> = new Set<OpType>(["same", "read", "refresh", "discard", "discard-replaced", "remove-pending-replace"]);

/** Every input name a variant of the table reads: the only inputs a report records (never secrets or whole specs). */
export function variantInputs(table: DurationTable): string[] {
    const entries: DurationEntry[] = [table.default, ...Object.values(table.prefixes ?? {}), ...Object.values(table.types)];
    return [...new Set(entries.flatMap((entry) => (entry.when ?? []).map((variant) => variant.input)))].sort();
}

/** One timing per resource step that did cloud work, in the order the steps started. */
export function resourceTimings(events: EngineEvent[], inputNames: string[] = []): ResourceTiming[] {
    const started = new Map<string, { at: number; timing: Omit<ResourceTiming, "seconds" | "failed"> }>();
    const timings: ResourceTiming[] = [];
    const keyOf = (op: string, urn: string) => `${op} ${urn}`;
    for (const event of [...events].sort((a, b) => a.sequence - b.sequence)) {
        const pre = event.resourcePreEvent?.metadata;
        if (pre && !INSTANT.has(pre.op)) {
            const inputs = (pre.new?.inputs ?? {}) as Record<string, unknown>;
            const chosen = Object.fromEntries(inputNames.filter((name) => name in inputs).map((name) => [name, inputs[name]]));
            started.set(keyOf(pre.op, pre.urn), {
                at: event.timestamp,
                timing: { urn: pre.urn, type: pre.type, op: pre.op, ...(Object.keys(chosen).length > 0 ? { inputs: chosen } : {}) },
            });
            continue;
        }
        const end = event.resOutputsEvent?.metadata ?? event.resOpFailedEvent?.metadata;
        if (!end) continue;
        const start = started.get(keyOf(end.op, end.urn));
        if (!start) continue;
        started.delete(keyOf(end.op, end.urn));
        timings.push({ ...start.timing, seconds: Math.max(0, event.timestamp - start.at), failed: Boolean(event.resOpFailedEvent) });
    }
    return timings;
}

export interface TypeDuration {
    type: string;
    /** The variant's inputs (a Flexible Server created as a replica), or none. */
    inputs?: Record<string, unknown>;
    count: number;
    medianSeconds: number;
    minSeconds: number;
    maxSeconds: number;
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

/** Create durations per resource type (and per variant inputs), from successful creates only: what the first-deploy model needs. */
export function typeDurations(timings: ResourceTiming[]): TypeDuration[] {
    const groups = new Map<string, ResourceTiming[]>();
    for (const timing of timings) {
        if (timing.op !== "create" || timing.failed) continue;
        const key = JSON.stringify([timing.type, timing.inputs ?? {}]);
        groups.set(key, [...(groups.get(key) ?? []), timing]);
    }
    return [...groups.values()]
        .map((group) => {
            const seconds = group.map((timing) => timing.seconds);
            return {
                type: group[0].type,
                ...(group[0].inputs ? { inputs: group[0].inputs } : {}),
                count: group.length,
                medianSeconds: median(seconds),
                minSeconds: Math.min(...seconds),
                maxSeconds: Math.max(...seconds),
            };
        })
        .sort((a, b) => a.type.localeCompare(b.type) || JSON.stringify(a.inputs ?? {}).localeCompare(JSON.stringify(b.inputs ?? {})));
}

/** Where a measurement comes from, as the table states its sources. */
export interface Measurement {
    /** The run's date, YYYY-MM-DD. */
    date: string;
    region: string;
    platform: string;
}

export interface MergeChange {
    type: string;
    variant?: string;
    before?: { seconds: number; basis: string };
    after: number;
}

const sourceOf = (m: Measurement, duration: TypeDuration) =>
    `measured e2e run, ${m.date}, ${m.region} (${m.platform}; median of ${duration.count}, ${duration.minSeconds}-${duration.maxSeconds} s)`;

const basisOf = (entry: { source?: string; assumption?: string }) => entry.source ?? entry.assumption ?? "";

/**
 * The table with the measured create durations in place: an entry (or the variant whose input the
 * measurement matches) takes the median and a `source` saying it was measured, instead of its
 * assumption or an older figure. Entries whose duration is an input of the resource (a wait's
 * `createDuration`) keep it. Types the table does not list get an entry of their own.
 */
export function mergeDurations(table: DurationTable, durations: TypeDuration[], measurement: Measurement): { table: DurationTable; changes: MergeChange[] } {
    const merged: DurationTable = JSON.parse(JSON.stringify(table));
    const changes: MergeChange[] = [];
    for (const duration of durations) {
        const source = sourceOf(measurement, duration);
        const entry = merged.types[duration.type];
        if (!entry) {
            merged.types[duration.type] = { seconds: duration.medianSeconds, source };
            changes.push({ type: duration.type, after: duration.medianSeconds });
            continue;
        }
        if (entry.secondsFromInput !== undefined) continue;
        const variant = entry.when?.find((v) => duration.inputs !== undefined && duration.inputs[v.input] === v.equals);
        // A measurement with inputs no variant matches is the type's plain case only when it has no variant input set.
        const target: { seconds: number; source?: string; assumption?: string } = variant ?? entry;
        changes.push({
            type: duration.type,
            ...(variant ? { variant: `${variant.input} = ${JSON.stringify(variant.equals)}` } : {}),
            before: { seconds: target.seconds, basis: basisOf(target) },
            after: duration.medianSeconds,
        });
        target.seconds = duration.medianSeconds;
        target.source = source;
        delete target.assumption;
    }
    return { table: merged, changes };
}

// --- the table file's own layout: one line per entry, so a merge is a reviewable diff --------

const inline = (value: unknown): string => {
    if (Array.isArray(value)) return `[${value.map(inline).join(", ")}]`;
    if (value !== null && typeof value === "object") {
        return `{ ${Object.entries(value).map(([key, v]) => `${JSON.stringify(key)}: ${inline(v)}`).join(", ")} }`;
    }
    return JSON.stringify(value);
};

function entryLines(key: string, entry: DurationEntry, indent: string): string[] {
    if (!entry.when) return [`${indent}${JSON.stringify(key)}: ${inline(entry)}`];
    const { when, ...rest } = entry;
    const inner = `${indent}    `;
    return [
        `${indent}${JSON.stringify(key)}: {`,
        ...Object.entries(rest).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${inline(v)},`),
        `${inner}"when": [`,
        ...when.map((variant, i) => `${inner}    ${inline(variant)}${i < when.length - 1 ? "," : ""}`),
        `${inner}]`,
        `${indent}}`,
    ];
}

function mapLines(key: string, map: Record<string, DurationEntry>, indent: string): string[] {
    const entries = Object.entries(map).map(([k, entry]) => entryLines(k, entry, `${indent}    `));
    return [
        `${indent}${JSON.stringify(key)}: {`,
        ...entries.flatMap((lines, i) => (i < entries.length - 1 ? [...lines.slice(0, -1), `${lines[lines.length - 1]},`] : lines)),
        `${indent}}`,
    ];
}

/** The duration table as deployDurations.json writes it (a test checks the file is in this layout). */
export function formatDurationTable(table: DurationTable & { $comment?: string[] }): string {
    const blocks: string[][] = [];
    for (const [key, value] of Object.entries(table)) {
        if (key === "$comment") {
            const comment = value as string[];
            blocks.push([`    "$comment": [`, ...comment.map((line, i) => `        ${JSON.stringify(line)}${i < comment.length - 1 ? "," : ""}`), "    ]"]);
        } else if (key === "prefixes" || key === "types") {
            blocks.push(mapLines(key, value as Record<string, DurationEntry>, "    "));
        } else {
            blocks.push([`    ${JSON.stringify(key)}: ${inline(value)}`]);
        }
    }
    const body = blocks.flatMap((lines, i) => (i < blocks.length - 1 ? [...lines.slice(0, -1), `${lines[lines.length - 1]},`] : lines));
    return `{\n${body.join("\n")}\n}\n`;
}
