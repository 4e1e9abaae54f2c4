/**
 * Waits until the app answers its health endpoint through the public entry. BookStore maps
 * `/health` (every check, the database's included) in every environment
 * (src/BookStore.ServiceDefaults/Extensions.cs at 79aabad: MapDefaultEndpoints), so a 200 there
 * means the web runs and reaches its dependencies. Bounded; a line of progress per attempt.
 */
import * as http from "http";
import * as https from "https";

export interface HealthTarget {
    /** The public URL (`publicWebUrl`); `/health` is appended. */
    url: string;
    /**
     * Host to connect to instead of the URL's own, keeping the URL's name in TLS (SNI) and in the
     * Host header: an ALB reached by its DNS name before the team's DNS points the web host at it.
     */
    connectTo?: string;
}

export interface WaitOptions {
    timeoutMs: number;
    intervalMs: number;
    /** Bound on one request. */
    requestTimeoutMs?: number;
    onProgress?: (line: string) => void;
    signal?: AbortSignal;
}

export class HealthTimeoutError extends Error {
    constructor(readonly url: string, readonly attempts: number, readonly last: string) {
        super(`${url} did not answer 200 within the bound (${attempts} attempts; last: ${last})`);
        this.name = "HealthTimeoutError";
    }
}

export function healthUrl(base: string): URL {
    const url = new URL(base);
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/health`;
    return url;
}

/** One GET: the status code, or the error's message. */
export function probe(target: HealthTarget, timeoutMs: number): Promise<{ status?: number; error?: string }> {
    const url = healthUrl(target.url);
    const client = url.protocol === "https:" ? https : http;
    return new Promise((resolve) => {
        const request = client.request({
            protocol: url.protocol,
            host: target.connectTo ?? url.hostname,
            port: url.port || undefined,
            path: `${url.pathname}${url.search}`,
            method: "GET",
            headers: { Host: url.host, "User-Agent": "bookstore-infra e2e" },
            servername: url.hostname,
            timeout: timeoutMs,
        }, (response) => {
            response.resume();
            response.on("end", () => resolve({ status: response.statusCode }));
            response.on("error", (err) => resolve({ error: err.message }));
        });
        request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
        request.on("error", (err) => resolve({ error: err.message }));
        request.end();
    });
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
});

/** Resolves after the first 200; throws HealthTimeoutError when the bound passes (or the run is cancelled). */
export async function waitForHealth(target: HealthTarget, options: WaitOptions): Promise<{ attempts: number; elapsedMs: number }> {
    const url = healthUrl(target.url).toString();
    const started = Date.now();
    let attempts = 0;
    let last = "no attempt";
    while (!options.signal?.aborted) {
        attempts += 1;
        const answer = await probe(target, options.requestTimeoutMs ?? 10_000);
        const elapsed = Date.now() - started;
        if (answer.status === 200) {
            options.onProgress?.(`health: ${url} answered 200 after ${Math.round(elapsed / 1000)} s (attempt ${attempts})`);
            return { attempts, elapsedMs: elapsed };
        }
        last = answer.status !== undefined ? `HTTP ${answer.status}` : answer.error ?? "no answer";
        options.onProgress?.(`health: ${url}: ${last} (attempt ${attempts}, ${Math.round(elapsed / 1000)} s of ${Math.round(options.timeoutMs / 1000)} s)`);
        if (elapsed + options.intervalMs > options.timeoutMs) break;
        await sleep(options.intervalMs, options.signal);
    }
    throw new HealthTimeoutError(url, attempts, options.signal?.aborted ? `${last}; cancelled` : last);
}
