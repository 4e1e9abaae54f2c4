/**
 * A stand-in for the cloud CLIs and build tools an e2e run drives (az, aws, kubectl, kubelogin,
 * dotnet, git, docker): records every call and answers by rule. `kubectl port-forward` is a real
 * TCP forward on loopback to a port the test names (a real PgBouncer, a real HTTP server), and it
 * prints kubectl's own "Forwarding from ..." line.
 */
import * as net from "net";
import type { CommandOutcome } from "../../../tools/automation/runner";
import type { BackgroundProcess, ProcessOptions, ProcessRunner } from "../../../tools/automation/processes";

export interface ProcessCall {
    command: string;
    args: string[];
    env?: Record<string, string>;
    input?: string;
    /** The command and its arguments, space-separated: what the rules match. */
    line: string;
}

type Answer = Partial<CommandOutcome> | ((call: ProcessCall) => Partial<CommandOutcome>);

export class FakeProcesses implements ProcessRunner {
    readonly calls: ProcessCall[] = [];
    private readonly rules: [RegExp, Answer][] = [];
    /** Open port-forwards: service → local server. */
    readonly forwards = new Map<string, net.Server>();

    constructor(private readonly forwardTo: Record<string, number> = {}) {}

    /** Answers calls whose line matches `pattern` (later rules win). */
    on(pattern: RegExp, answer: Answer): this {
        this.rules.unshift([pattern, answer]);
        return this;
    }

    lines(): string[] {
        return this.calls.map((call) => call.line);
    }

    private lineOf(command: string, args: string[]): string {
        return [command, ...args].join(" ");
    }

    async run(command: string, args: string[], options: ProcessOptions = {}): Promise<CommandOutcome> {
        const call: ProcessCall = { command, args, env: options.env, input: options.input, line: this.lineOf(command, args) };
        this.calls.push(call);
        const rule = this.rules.find(([pattern]) => pattern.test(call.line));
        if (!rule) return { stdout: "", stderr: `the fake has no answer for "${call.line}"`, exitCode: 99 };
        const answer = typeof rule[1] === "function" ? rule[1](call) : rule[1];
        return { stdout: answer.stdout ?? "", stderr: answer.stderr ?? "", exitCode: answer.exitCode ?? 0 };
    }

    start(command: string, args: string[]): BackgroundProcess {
        const call: ProcessCall = { command, args, line: this.lineOf(command, args) };
        this.calls.push(call);
        const service = args.find((arg) => arg.startsWith("service/"))?.slice("service/".length);
        const target = service === undefined ? undefined : this.forwardTo[service];
        const sockets = new Set<net.Socket>();
        const server = net.createServer((socket) => {
            const upstream = net.connect(target!, "127.0.0.1");
            sockets.add(socket).add(upstream);
            socket.pipe(upstream).pipe(socket);
            upstream.on("error", () => socket.destroy());
            socket.on("error", () => upstream.destroy());
        });
        const listening = new Promise<number>((resolve, reject) => {
            if (command !== "kubectl" || target === undefined) return reject(new Error(`error: services "${service}" not found`));
            server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port));
            this.forwards.set(service!, server);
        });
        listening.catch(() => undefined);
        return {
            async waitFor(pattern) {
                const port = await listening;
                const match = pattern.exec(`Forwarding from 127.0.0.1:${port} -> ${args[args.length - 3]?.replace(/^:/, "") ?? ""}`);
                if (!match) throw new Error(`the fake port-forward printed nothing matching ${pattern}`);
                return match;
            },
            // kubectl exits and its connections with it.
            stop: () => new Promise<void>((resolve) => {
                sockets.forEach((socket) => socket.destroy());
                if (server.listening) server.close(() => resolve());
                else resolve();
            }),
        };
    }

    /** Whether every port-forward was stopped. */
    allForwardsClosed(): boolean {
        return [...this.forwards.values()].every((server) => !server.listening);
    }
}
