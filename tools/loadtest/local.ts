/**
 * Runs a load profile from this machine with autocannon. autocannon holds a fixed number of
 * connections, so the staged user count is played as consecutive slices, each with the user count
 * at the slice's middle; one connection is one virtual user, cycling through the profile's requests.
 * Think time is modelled with autocannon's per-connection rate (requests per second per connection
 * = 1 / think time): like the seed's `sleep(1)` after each request while responses are fast.
 */
import autocannon from "autocannon";
import { LoadProfile, totalSeconds, usersAt } from "./profile";
import { percentile, RunSummary } from "./verdict";

export interface LocalRunOptions {
    /** Base URL of the app (the stack's publicWebUrl). */
    url: string;
    /** Progress line per slice: elapsed time, users, req/s, p95, errors. */
    onProgress?: (line: string) => void;
    /** Seconds before an unanswered request counts as failed. Default 10. */
    timeoutSeconds?: number;
}

/** Slice length: about 100 slices per run, between 1 and 10 seconds. */
export function sliceSeconds(profile: Pick<LoadProfile, "stages">): number {
    return Math.min(10, Math.max(1, Math.round(totalSeconds(profile.stages) / 100)));
}

/** The slices of a run: [start second, length, users]. */
export function slices(profile: Pick<LoadProfile, "stages">): { start: number; seconds: number; users: number }[] {
    const total = totalSeconds(profile.stages);
    const step = sliceSeconds(profile);
    const result = [];
    for (let start = 0; start < total; start += step) {
        const seconds = Math.min(step, total - start);
        result.push({ start, seconds, users: Math.round(usersAt(profile.stages, start + seconds / 2)) });
    }
    return result;
}

/** Per-connection request rate for a think time (autocannon takes whole requests per second). */
export function connectionRate(thinkTimeSeconds: number): number {
    return Math.max(1, Math.round(1 / thinkTimeSeconds));
}

interface SliceResult {
    /** Response time of every answered request (any status). */
    latencies: number[];
    /** Answered with a status outside 200-399. */
    badStatus: number;
    /** Never answered: connection errors and timeouts. */
    errors: number;
}

function runSlice(url: string, profile: LoadProfile, users: number, seconds: number, timeoutSeconds: number): Promise<SliceResult> {
    const latencies: number[] = [];
    let badStatus = 0;
    return new Promise((resolve, reject) => {
        const instance = autocannon(
            {
                url,
                connections: users,
                connectionRate: connectionRate(profile.thinkTimeSeconds),
                duration: seconds,
                timeout: timeoutSeconds,
                requests: profile.requests.map((request) => ({ method: "GET", path: request.path })),
            },
            (err, result) => {
                if (err) reject(err);
                else resolve({ latencies, badStatus, errors: result.errors });
            },
        );
        instance.on("response", (_client, statusCode, _bytes, responseTime) => {
            latencies.push(responseTime);
            if (statusCode < 200 || statusCode >= 400) badStatus++;
        });
    });
}

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** Plays the profile against `url`; resolves with the whole run's numbers. */
export async function runLocal(profile: LoadProfile, options: LocalRunOptions): Promise<RunSummary> {
    const base = options.url.replace(/\/+$/, "");
    const all: number[] = [];
    let failed = 0;
    let unanswered = 0;
    const started = Date.now();
    for (const slice of slices(profile)) {
        if (slice.users === 0) {
            await sleep(slice.seconds);
            continue;
        }
        const result = await runSlice(base, profile, slice.users, slice.seconds, options.timeoutSeconds ?? 10);
        all.push(...result.latencies);
        // k6's http_req_failed: any status outside 200-399, plus connection errors and timeouts.
        failed += result.badStatus + result.errors;
        unanswered += result.errors;
        const count = result.latencies.length + result.errors;
        const errors = (100 * failed) / (all.length + unanswered || 1);
        const p95 = percentile(result.latencies, 95);
        options.onProgress?.(
            `[${String(slice.start + slice.seconds).padStart(4)} s] users ${String(slice.users).padStart(3)} · ${(count / slice.seconds).toFixed(1)} req/s`
            + ` · p95 ${p95 === undefined ? "n/a" : `${Math.round(p95)} ms`} · errors ${errors.toFixed(2)}%`,
        );
    }
    const seconds = (Date.now() - started) / 1000;
    return {
        requests: all.length + unanswered,
        failed,
        p50Ms: percentile(all, 50),
        p95Ms: percentile(all, 95),
        p99Ms: percentile(all, 99),
        requestsPerSecond: seconds > 0 ? (all.length + unanswered) / seconds : 0,
    };
}
