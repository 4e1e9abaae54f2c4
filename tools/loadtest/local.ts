/**
 * Runs a load profile from this machine the way k6's ramping-vus executor does. Each virtual user
 * is a loop over the profile's requests with the think time after each, on its own keep-alive
 * connection (one per user, kept for the whole run); a controller starts users and retires them to
 * follow the stages. A retired user sends nothing new, but its request in flight is awaited and
 * counted, and so are those in flight when the run ends, each bounded by the request timeout:
 * every request sent is measured, answered or failed. Response times run from the moment the
 * connection is ready to the last byte: TCP connect and TLS handshake are measured apart, as k6's
 * `http_req_duration` leaves out `http_req_connecting` and `http_req_tls_handshaking`.
 */
import * as http from "http";
import * as https from "https";
import type { Socket } from "net";
import { LoadProfile, SetupRequest, totalSeconds, usersAt } from "./profile";
import { failureCauses, percentile, RunSummary } from "./verdict";

export interface LocalRunOptions {
    /** Base URL of the api (the stack's apiUrl, or --url). */
    url: string;
    /** A progress line every few seconds: elapsed time, users, req/s, p95, errors. */
    onProgress?: (line: string) => void;
    /** Seconds before an unanswered request counts as failed ("timed out"). Default 10. */
    timeoutSeconds?: number;
    /** PEM certificates to trust for an https target (an internal entry signed by a private CA). */
    ca?: string;
}

/** The target cannot serve the run: unreachable, or its setup request failed. Nothing was loaded. */
export class LoadTestTargetError extends Error {}

/** One request's outcome. */
export interface Outcome {
    /** Connection ready → last byte, in ms; unset when nothing was answered. */
    latencyMs?: number;
    /** TCP connect (+ TLS handshake) in ms, when this request opened the connection. */
    connectMs?: number;
    status?: number;
    /** Why the request failed (k6's http_req_failed: a status outside 200-399, or no answer). */
    failure?: string;
    body?: string;
}

const CAUSES: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "host not found (DNS)",
    EAI_AGAIN: "host not found (DNS)",
    ECONNRESET: "connection reset",
    EPIPE: "connection reset",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
};

/** A network error as a cause a person reads: "connection refused", "TLS (CERT_HAS_EXPIRED)", ... */
export function failureCause(err: NodeJS.ErrnoException): string {
    const code = err.code ?? "";
    if (CAUSES[code]) return CAUSES[code];
    if (code.startsWith("ERR_TLS") || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return `TLS (${code})`;
    if (err.message === "socket hang up") return "connection reset";
    return code || err.message;
}

/** Sockets whose connection (and TLS handshake) completed: a request on one starts its clock at once. */
const readySockets = new WeakSet<Socket>();

/** One GET, timed as k6 times it; never rejects (a failure is an outcome). */
export function send(url: URL, agent: http.Agent, timeoutMs: number, keepBody = false): Promise<Outcome> {
    return new Promise((resolve) => {
        const created = performance.now();
        let readyAt: number | undefined;
        let connectMs: number | undefined;
        let settled = false;
        const finish = (outcome: Outcome) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve(outcome);
        };
        const secure = url.protocol === "https:";
        const request = (secure ? https : http).request(url, { agent, method: "GET", headers: { accept: "application/json" } });
        const timer = setTimeout(() => {
            finish({ failure: "timed out", connectMs });
            request.destroy();
        }, timeoutMs);
        request.on("socket", (socket: Socket) => {
            if (readySockets.has(socket)) {
                readyAt = performance.now();
                return;
            }
            socket.once(secure ? "secureConnect" : "connect", () => {
                readySockets.add(socket);
                readyAt = performance.now();
                connectMs = readyAt - created;
            });
        });
        request.on("response", (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => { if (keepBody) chunks.push(chunk); });
            response.on("aborted", () => finish({ failure: "connection reset", connectMs }));
            response.on("end", () => {
                const status = response.statusCode ?? 0;
                finish({
                    latencyMs: performance.now() - (readyAt ?? created),
                    connectMs,
                    status,
                    failure: status >= 200 && status < 400 ? undefined : `HTTP ${status}`,
                    body: keepBody ? Buffer.concat(chunks).toString("utf8") : undefined,
                });
            });
        });
        request.on("error", (err) => finish({ failure: failureCause(err), connectMs }));
        request.end();
    });
}

/** The ids the setup request collects: `<list>[*].<field>` of its JSON body. */
export function collectIds(body: string, collect: SetupRequest["collect"]): string[] {
    let document: unknown;
    try {
        document = JSON.parse(body);
    } catch {
        throw new LoadTestTargetError(`expected a JSON body with "${collect.list}", got ${JSON.stringify(body.slice(0, 80))}`);
    }
    const list = (document as Record<string, unknown> | null)?.[collect.list];
    if (!Array.isArray(list)) throw new LoadTestTargetError(`expected a JSON body with an array "${collect.list}"`);
    return list.map((item) => (item as Record<string, unknown> | null)?.[collect.field]).filter((id): id is string => typeof id === "string" && id.length > 0);
}

/** A request path with its `{variable}` filled in (URL-encoded). */
export function fillPath(template: string, variables: Record<string, string>): string {
    return template.replace(/\{([^}]*)\}/g, (_, name: string) => encodeURIComponent(variables[name]));
}

/** Seconds between progress lines: about 100 lines per run, between 1 and 10 s apart. */
export function progressSeconds(profile: Pick<LoadProfile, "stages">): number {
    return Math.min(10, Math.max(1, Math.round(totalSeconds(profile.stages) / 100)));
}

/**
 * Seconds without a single answer, while requests fail for want of one (refused, reset, DNS,
 * timed out), after which the run stops: the target is gone, and the rest of the profile would
 * only count the same failure.
 */
export const UNANSWERED_STOP_SECONDS = 5;

/** Whole-run and since-last-line tallies. */
class Tally {
    requests = 0;
    failed = 0;
    connections = 0;
    /** When the first request failed without an answer since the last answer (performance.now() ms). */
    unansweredSince?: number;
    /** Failures without an answer since then, by cause. */
    unanswered: Record<string, number> = {};
    readonly latencies: number[] = [];
    readonly connects: number[] = [];
    readonly failures: Record<string, number> = {};
    window = { requests: 0, latencies: [] as number[], failures: {} as Record<string, number> };

    record(outcome: Outcome): void {
        this.requests++;
        this.window.requests++;
        if (outcome.connectMs !== undefined) {
            this.connections++;
            this.connects.push(outcome.connectMs);
        }
        if (outcome.latencyMs !== undefined) {
            this.latencies.push(outcome.latencyMs);
            this.window.latencies.push(outcome.latencyMs);
        }
        if (outcome.status !== undefined) {
            this.unansweredSince = undefined;
            this.unanswered = {};
        } else if (outcome.failure) {
            this.unansweredSince ??= performance.now();
            this.unanswered[outcome.failure] = (this.unanswered[outcome.failure] ?? 0) + 1;
        }
        if (outcome.failure) {
            this.failed++;
            this.failures[outcome.failure] = (this.failures[outcome.failure] ?? 0) + 1;
            this.window.failures[outcome.failure] = (this.window.failures[outcome.failure] ?? 0) + 1;
        }
    }

    /** The progress line for the window that ends now; starts the next window. */
    line(elapsedSeconds: number, users: number, windowSeconds: number): string {
        const p95 = percentile(this.window.latencies, 95);
        const errors = this.requests === 0 ? 0 : (100 * this.failed) / this.requests;
        const causes = Object.keys(this.window.failures).length > 0 ? ` (${failureCauses(this.window.failures)})` : "";
        const line = `[${String(Math.round(elapsedSeconds)).padStart(4)} s] users ${String(users).padStart(3)} · ${(this.window.requests / windowSeconds).toFixed(1)} req/s`
            + ` · p95 ${p95 === undefined ? "n/a" : `${Math.round(p95)} ms`} · errors ${errors.toFixed(2)}%${causes}`;
        this.window = { requests: 0, latencies: [], failures: {} };
        return line;
    }
}

interface VirtualUser {
    retired: boolean;
    /** Ends the user's think time early once it is retired. */
    wake: () => void;
    done: Promise<void>;
}

const TICK_MS = 100;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Plays the profile against the api at `url`; resolves with the whole run's numbers. */
export async function runLocal(profile: LoadProfile, options: LocalRunOptions): Promise<RunSummary> {
    const base = new URL(options.url.endsWith("/") ? options.url : `${options.url}/`);
    const secure = base.protocol === "https:";
    const timeoutMs = (options.timeoutSeconds ?? 10) * 1000;
    const newAgent = () => (secure ? new https.Agent({ keepAlive: true, maxSockets: 1, ca: options.ca }) : new http.Agent({ keepAlive: true, maxSockets: 1 }));
    const at = (path: string) => new URL(path.replace(/^\//, ""), base);
    const tally = new Tally();

    // Setup, once: the target must answer before any user starts (a refused connection ends here, in seconds).
    const first: Pick<SetupRequest, "name" | "path"> = profile.setup ?? profile.requests[0];
    const setupAgent = newAgent();
    const setup = await send(at(first.path), setupAgent, timeoutMs, true);
    setupAgent.destroy();
    tally.record(setup);
    const unreachable = setup.latencyMs === undefined;
    if (unreachable || (profile.setup && setup.failure)) {
        const hint = setup.status === 404 ? ": is the URL the api's base URL?" : "";
        throw new LoadTestTargetError(`${first.name} (GET ${at(first.path).href}): ${setup.failure}${hint}`);
    }
    const ids = profile.setup ? collectIds(setup.body ?? "", profile.setup.collect) : [];
    if (profile.setup && ids.length === 0) {
        throw new LoadTestTargetError(`${profile.setup.name} (GET ${at(profile.setup.path).href}) listed no ${profile.setup.collect.list}: the requests need real ids (seed the app's data first)`);
    }

    const users: VirtualUser[] = [];
    const startUser = (index: number): VirtualUser => {
        const agent = newAgent();
        const user = { retired: false, wake: () => undefined } as VirtualUser;
        user.done = (async () => {
            for (let turn = 0; !user.retired; turn++) {
                const request = profile.requests[turn % profile.requests.length];
                const variables = profile.setup ? { [profile.setup.collect.as]: ids[(index + turn) % ids.length] } : {};
                tally.record(await send(at(fillPath(request.path, variables)), agent, timeoutMs));
                if (user.retired) break;
                await new Promise<void>((resolve) => {
                    const timer = setTimeout(resolve, profile.thinkTimeSeconds * 1000);
                    user.wake = () => { clearTimeout(timer); resolve(); };
                });
            }
            agent.destroy();
        })();
        return user;
    };
    const retire = (user: VirtualUser) => { user.retired = true; user.wake(); };

    const total = totalSeconds(profile.stages);
    const every = progressSeconds(profile);
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    let nextLine = every;
    for (let t = elapsed(); t < total; t = elapsed()) {
        const active = users.filter((u) => !u.retired);
        const target = Math.round(usersAt(profile.stages, t));
        for (let i = active.length; i < target; i++) users.push(startUser(users.length));
        for (const user of active.slice(target)) retire(user);
        if (t >= nextLine) {
            options.onProgress?.(tally.line(t, Math.min(target, active.length), every));
            nextLine += every;
        }
        if (tally.unansweredSince !== undefined && performance.now() - tally.unansweredSince >= UNANSWERED_STOP_SECONDS * 1000) {
            users.forEach(retire);
            await Promise.all(users.map((u) => u.done));
            throw new LoadTestTargetError(`no answer from ${base.href} for ${UNANSWERED_STOP_SECONDS} s, ${Math.round(t)} s into the run `
                + `(${failureCauses(tally.unanswered)}): the run was stopped (${tally.requests} requests sent, ${tally.requests - tally.failed} answered successfully)`);
        }
        await pause(TICK_MS);
    }
    // The end of the run: no new requests; those in flight finish or time out, and count.
    users.forEach(retire);
    await Promise.all(users.map((u) => u.done));
    const seconds = elapsed();
    options.onProgress?.(tally.line(seconds, 0, Math.max(seconds - (nextLine - every), 0.001)));
    return {
        requests: tally.requests,
        failed: tally.failed,
        failures: tally.failures,
        p50Ms: percentile(tally.latencies, 50),
        p95Ms: percentile(tally.latencies, 95),
        p99Ms: percentile(tally.latencies, 99),
        connectP95Ms: percentile(tally.connects, 95),
        connections: tally.connections,
        requestsPerSecond: seconds > 0 ? tally.requests / seconds : 0,
    };
}
