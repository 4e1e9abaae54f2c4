/**
 * Engine events → progress lines, and what an operation did (steps, failures, policy violations,
 * diagnostics, the change summary). Pure: the CLI prints the lines, tools read the record.
 */
import type { EngineEvent, OpMap, OpType, PolicyEvent, StepEventMetadata } from "@pulumi/pulumi/automation";

export interface StepRecord {
    op: OpType;
    urn: string;
    type: string;
    name: string;
    /** The resource is (or was, before this step) `protect`ed. */
    protect: boolean;
}

export interface PolicyViolation {
    policyPack: string;
    policy: string;
    enforcementLevel: PolicyEvent["enforcementLevel"];
    message: string;
    urn?: string;
}

export interface Diagnostic {
    severity: string;
    message: string;
    urn?: string;
}

/** Everything an operation's event stream told us. */
export interface OperationLog {
    steps: StepRecord[];
    failedSteps: StepRecord[];
    policyViolations: PolicyViolation[];
    diagnostics: Diagnostic[];
    changeSummary?: OpMap;
    durationSeconds?: number;
    cancelled: boolean;
}

/** Per op: the symbol Pulumi prints, the verb for a preview, while running, and when done. */
const OP_WORDS: Record<OpType, [symbol: string, planned: string, running: string, done: string]> = {
    same: ["", "unchanged", "checking", "unchanged"],
    create: ["+", "create", "creating", "created"],
    update: ["~", "update", "updating", "updated"],
    delete: ["-", "delete", "deleting", "deleted"],
    replace: ["+-", "replace", "replacing", "replaced"],
    "create-replacement": ["++", "create replacement", "creating replacement", "created replacement"],
    "delete-replaced": ["--", "delete original", "deleting original", "deleted original"],
    read: [">", "read", "reading", "read"],
    "read-replacement": [">>", "read for replacement", "reading for replacement", "read for replacement"],
    refresh: ["~", "refresh", "refreshing", "refreshed"],
    discard: ["-", "discard", "discarding", "discarded"],
    "discard-replaced": ["-", "discard original", "discarding original", "discarded original"],
    "remove-pending-replace": ["-", "remove pending replace", "removing pending replace", "removed pending replace"],
    import: ["=", "import", "importing", "imported"],
    "import-replacement": ["=>", "import replacement", "importing replacement", "imported replacement"],
};

/** Order of the change summary; anything else the engine reports follows. */
const SUMMARY_ORDER: OpType[] = ["create", "update", "replace", "delete", "import", "read", "refresh", "discard", "same"];

const REPLACEMENT_OPS: ReadonlySet<OpType> = new Set<OpType>(["replace", "create-replacement", "delete-replaced"]);

export function resourceName(urn: string): string {
    const separator = urn.lastIndexOf("::");
    return separator >= 0 ? urn.slice(separator + 2) : urn;
}

/** Engine messages carry Pulumi colour tags (`<{%fg 1%}>`) and ANSI codes; logs want plain text. */
export function plainText(message: string): string {
    // eslint-disable-next-line no-control-regex
    return message.replace(/<\{%[^%]*%\}>/g, "").replace(/\u001b\[[0-9;]*m/g, "").trim();
}

function stepOf(metadata: StepEventMetadata): StepRecord {
    return {
        op: metadata.op,
        urn: metadata.urn,
        type: metadata.type,
        name: resourceName(metadata.urn),
        protect: Boolean(metadata.old?.protect || metadata.new?.protect),
    };
}

function stepLine(step: StepRecord, verbIndex: 1 | 2 | 3): string {
    const words = OP_WORDS[step.op] ?? ["?", step.op, step.op, step.op];
    const flags = step.protect && REPLACEMENT_OPS.has(step.op) ? "  [protected]" : "";
    return `${words[0].padStart(2)} ${words[verbIndex].padEnd(12)} ${step.type}  ${step.name}${flags}`;
}

function policyOf(event: PolicyEvent): PolicyViolation {
    return {
        policyPack: event.policyPackName,
        policy: event.policyName,
        enforcementLevel: event.enforcementLevel,
        message: plainText(event.message),
        urn: event.resourceUrn || undefined,
    };
}

/**
 * One progress line for an engine event, or undefined for events that carry no progress
 * (prelude, summary, unchanged resources, debug output). In a preview (`dryRun`) a resource
 * shows once, with the planned op; in an update it shows when its step starts, ends or fails.
 */
export function formatEvent(event: EngineEvent, dryRun: boolean): string | undefined {
    if (event.resourcePreEvent) {
        const step = stepOf(event.resourcePreEvent.metadata);
        if (step.op === "same") return undefined;
        return stepLine(step, dryRun ? 1 : 2);
    }
    if (event.resOutputsEvent) {
        const step = stepOf(event.resOutputsEvent.metadata);
        if (dryRun || step.op === "same") return undefined;
        return stepLine(step, 3);
    }
    if (event.resOpFailedEvent) {
        const step = stepOf(event.resOpFailedEvent.metadata);
        return ` x ${`${OP_WORDS[step.op]?.[1] ?? step.op} failed`.padEnd(12)} ${step.type}  ${step.name}`;
    }
    if (event.policyEvent) {
        const violation = policyOf(event.policyEvent);
        const where = violation.urn ? ` (${resourceName(violation.urn)})` : "";
        return `policy ${violation.enforcementLevel}: ${violation.policyPack}/${violation.policy}${where}: ${violation.message.split("\n").join(" ")}`;
    }
    if (event.diagnosticEvent) {
        const { severity, message, urn, ephemeral } = event.diagnosticEvent;
        if (ephemeral || (severity as string) === "debug") return undefined;
        const text = plainText(message);
        if (text.length === 0) return undefined;
        const where = urn ? `${resourceName(urn)}: ` : "";
        const label = severity === "error" || severity === "warning" ? `${severity}: ` : "";
        return `${label}${where}${text}`;
    }
    if (event.cancelEvent) return "cancelled";
    return undefined;
}

/** Collects an operation's events into an `OperationLog` and forwards a progress line per event. */
export class EventRecorder {
    readonly log: OperationLog = { steps: [], failedSteps: [], policyViolations: [], diagnostics: [], cancelled: false };

    constructor(
        private readonly dryRun: boolean,
        private readonly onProgress?: (line: string) => void,
        private readonly onEvent?: (event: EngineEvent) => void,
    ) {}

    readonly handle = (event: EngineEvent): void => {
        this.record(event);
        this.onEvent?.(event);
        const line = formatEvent(event, this.dryRun);
        if (line !== undefined) this.onProgress?.(line);
    };

    private record(event: EngineEvent): void {
        if (event.resourcePreEvent) this.log.steps.push(stepOf(event.resourcePreEvent.metadata));
        if (event.resOpFailedEvent) this.log.failedSteps.push(stepOf(event.resOpFailedEvent.metadata));
        if (event.policyEvent) this.log.policyViolations.push(policyOf(event.policyEvent));
        if (event.diagnosticEvent && !event.diagnosticEvent.ephemeral) {
            const { severity, message, urn } = event.diagnosticEvent;
            if (severity === "error" || severity === "warning") this.log.diagnostics.push({ severity, message: plainText(message), urn });
        }
        if (event.summaryEvent) {
            this.log.changeSummary = event.summaryEvent.resourceChanges;
            this.log.durationSeconds = event.summaryEvent.durationSeconds;
        }
        if (event.cancelEvent) this.log.cancelled = true;
    }
}

/** Steps that would replace (delete and recreate) a protected resource. */
export function protectedReplacements(steps: StepRecord[]): StepRecord[] {
    const seen = new Set<string>();
    return steps.filter((step) => {
        if (!step.protect || !REPLACEMENT_OPS.has(step.op) || seen.has(step.urn)) return false;
        seen.add(step.urn);
        return true;
    });
}

export function mandatoryViolations(log: OperationLog): PolicyViolation[] {
    return log.policyViolations.filter((violation) => violation.enforcementLevel === "mandatory");
}

/** "3 to create, 1 to replace, 40 unchanged" for a preview; "3 created, ..." after an update. */
export function formatChangeSummary(summary: OpMap | undefined, dryRun: boolean): string {
    const counts = Object.entries(summary ?? {}).filter(([, count]) => (count ?? 0) > 0) as [OpType, number][];
    if (counts.length === 0) return "no changes";
    const rank = (op: OpType) => {
        const index = SUMMARY_ORDER.indexOf(op);
        return index < 0 ? SUMMARY_ORDER.length : index;
    };
    counts.sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
    return counts
        .map(([op, count]) => {
            if (op === "same") return `${count} unchanged`;
            const [, planned, , done] = OP_WORDS[op] ?? ["", op, op, op];
            return dryRun ? `${count} to ${planned}` : `${count} ${done}`;
        })
        .join(", ");
}
