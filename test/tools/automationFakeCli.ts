/**
 * A stand-in for the Pulumi CLI (there is none on this machine): records every invocation and
 * answers like the CLI would, streaming engine events to the `--event-log tcp://...` gRPC address
 * the Automation API opens for CLI versions after 3.205, exactly as the real CLI does.
 */
import * as grpc from "@grpc/grpc-js";
import type { EngineEvent, OpMap, OpType } from "@pulumi/pulumi/automation";
import { EventsClient } from "@pulumi/pulumi/proto/events_grpc_pb";
import { EventRequest } from "@pulumi/pulumi/proto/events_pb";
import type { CommandInvocation, CommandOutcome, CommandRunner } from "../../tools/automation";

export interface FakeAnswer {
    stdout?: string;
    stderr?: string;
    exitCode?: number;
    events?: Partial<EngineEvent>[];
}

export interface FakeCall {
    args: string[];
    cwd: string;
    env: Record<string, string>;
    /** "preview", "stack select", "config set-all", ...: the words before the first flag. */
    command: string;
}

type Answer = FakeAnswer | ((args: string[]) => FakeAnswer);

const HISTORY_ENTRY = (changes: OpMap) =>
    JSON.stringify([
        {
            version: 2,
            kind: "update",
            startTime: "2026-01-01T00:00:00.000Z",
            endTime: "2026-01-01T00:01:00.000Z",
            message: "",
            environment: {},
            config: {},
            result: "succeeded",
            resourceChanges: changes,
        },
    ]);

export class FakePulumiCli implements CommandRunner {
    readonly version = "3.248.0";
    readonly calls: FakeCall[] = [];
    private readonly answers = new Map<string, Answer>([
        ["stack select", {}],
        ["stack init", {}],
        ["stack rm", {}],
        ["stack ls", { stdout: "[]" }],
        ["stack import", {}],
        ["config set-all", {}],
        ["stack output", { stdout: "{}" }],
        ["stack history", { stdout: HISTORY_ENTRY({}) }],
        // A stack with nothing deployed yet.
        ["stack export", { stdout: JSON.stringify({ version: 3, deployment: { resources: [] } }) }],
        // The CLI ends every operation with a summary event.
        ["preview", { events: [summaryEvent({})] }],
        ["up", { events: [summaryEvent({})] }],
        ["destroy", { events: [summaryEvent({})] }],
        ["refresh", { events: [summaryEvent({})] }],
    ]);

    /** Sets the answer for a command ("preview", "stack output", ...). */
    on(command: string, answer: Answer): this {
        this.answers.set(command, answer);
        return this;
    }

    commands(): string[] {
        return this.calls.map((call) => call.command);
    }

    callOf(command: string): FakeCall {
        const call = this.calls.find((c) => c.command === command);
        if (!call) throw new Error(`the fake CLI never ran "${command}"; it ran: ${this.commands().join(" | ")}`);
        return call;
    }

    async run(args: string[], invocation: CommandInvocation): Promise<CommandOutcome> {
        const firstFlag = args.findIndex((arg) => arg.startsWith("-"));
        // `stack init <name>` names the stack without a flag: the command is the two words.
        const command = args[0] === "stack" && args[1] === "init" ? "stack init" : args.slice(0, firstFlag < 0 ? args.length : firstFlag).join(" ");
        this.calls.push({ args, cwd: invocation.cwd, env: invocation.env, command });
        const configured = this.answers.get(command);
        if (configured === undefined) return { stdout: "", stderr: `error: the fake CLI has no answer for "${command}"`, exitCode: 255 };
        const answer = typeof configured === "function" ? configured(args) : configured;
        const eventLog = args[args.indexOf("--event-log") + 1];
        if (args.includes("--event-log") && answer.events) await streamEvents(eventLog, answer.events);
        return { stdout: answer.stdout ?? "", stderr: answer.stderr ?? "", exitCode: answer.exitCode ?? 0 };
    }
}

/** Sends the events over the Automation API's events service and waits until it has taken them all. */
async function streamEvents(address: string, events: Partial<EngineEvent>[]): Promise<void> {
    if (!address.startsWith("tcp://")) throw new Error(`fake CLI ${"3.248.0"} expects a tcp:// event log, got ${address}`);
    const client = new EventsClient(address.slice("tcp://".length), grpc.credentials.createInsecure());
    try {
        await new Promise<void>((resolve, reject) => {
            const call = client.streamEvents((err) => (err ? reject(err) : resolve()));
            events.forEach((event, sequence) => {
                const request = new EventRequest();
                request.setEvent(JSON.stringify({ sequence, timestamp: 1767225600 + sequence, ...event }));
                call.write(request);
            });
            call.end();
        });
    } finally {
        client.close();
    }
}

// --- engine events as the CLI emits them -------------------------------------------------------

export function urnOf(type: string, name: string, stack = "dev"): string {
    return `urn:pulumi:${stack}::bookstore::${type}::${name}`;
}

export function stepEvent(kind: "resourcePreEvent" | "resOutputsEvent", op: OpType, type: string, name: string, protect = false): Partial<EngineEvent> {
    const urn = urnOf(type, name);
    const state = { type, urn, id: "", parent: "", protect, inputs: {}, outputs: {}, provider: "" };
    return { [kind]: { metadata: { op, urn, type, provider: "", old: op === "create" ? undefined : state, new: op === "delete" ? undefined : state } } };
}

export function failedEvent(op: OpType, type: string, name: string): Partial<EngineEvent> {
    const urn = urnOf(type, name);
    return { resOpFailedEvent: { metadata: { op, urn, type, provider: "" }, status: 1, steps: 0 } };
}

export function summaryEvent(resourceChanges: OpMap): Partial<EngineEvent> {
    return { summaryEvent: { maybeCorrupt: false, durationSeconds: 12, resourceChanges, policyPacks: { "bookstore-policy": "0.1.0" } } };
}

export function policyEvent(policyName: string, level: "mandatory" | "warning", message: string, resourceName?: string, type = "azure-native:storage:StorageAccount"): Partial<EngineEvent> {
    return {
        policyEvent: {
            resourceUrn: resourceName ? urnOf(type, resourceName) : undefined,
            message,
            color: "never",
            policyName,
            policyPackName: "bookstore-policy",
            policyPackVersion: "0.1.0",
            policyPackVersionTag: "0.1.0",
            enforcementLevel: level,
        },
    };
}

export function diagnosticEvent(severity: "info" | "warning" | "error", message: string, resourceName?: string): Partial<EngineEvent> {
    return { diagnosticEvent: { severity, message, color: "never", urn: resourceName ? urnOf("azure-native:resources:ResourceGroup", resourceName) : undefined } };
}
