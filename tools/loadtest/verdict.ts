/** What a load test run measured, and whether it met the thresholds: shared by the local and Azure engines. */
import type { LoadProfile } from "./profile";

export interface RunSummary {
    requests: number;
    failed: number;
    /** Failed requests by cause ("HTTP 503", "timed out", "connection refused", ...), when the engine reports them. */
    failures?: Record<string, number>;
    /** Response times in ms (sending to last byte, connection set-up excluded, as k6's http_req_duration), when the engine reports them. */
    p50Ms?: number;
    p95Ms?: number;
    p99Ms?: number;
    /** Connection set-up (TCP connect, TLS handshake) of the requests that opened a connection, p95 in ms. */
    connectP95Ms?: number;
    /** Connections opened over the run (the local engine keeps one per virtual user). */
    connections?: number;
    requestsPerSecond: number;
}

export interface Verdict {
    passed: boolean;
    /** One line per threshold, then the summary lines. */
    lines: string[];
}

/** Nearest-rank percentile of unsorted samples (k6 and Locust both report nearest-rank style percentiles). */
export function percentile(samples: readonly number[], p: number): number | undefined {
    if (samples.length === 0) return undefined;
    const sorted = [...samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function failedPercent(summary: Pick<RunSummary, "requests" | "failed">): number {
    return summary.requests === 0 ? 0 : (100 * summary.failed) / summary.requests;
}

const ms = (value: number | undefined) => (value === undefined ? "n/a" : `${Math.round(value)} ms`);

/** "HTTP 503 4, timed out 2": the causes, most frequent first. */
export function failureCauses(failures: Record<string, number>): string {
    return Object.entries(failures).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([cause, n]) => `${cause} ${n}`).join(", ");
}

/**
 * The seed's thresholds as k6 reads them: pass only when p95 < threshold and failed requests <
 * threshold percent. A run that completed no request, or whose p95 is unknown, fails.
 */
export function judge(summary: RunSummary, thresholds: LoadProfile["thresholds"]): Verdict {
    const errors = failedPercent(summary);
    const latencyOk = summary.p95Ms !== undefined && summary.p95Ms < thresholds.p95Ms;
    const errorsOk = summary.requests > 0 && errors < thresholds.failedPercent;
    const mark = (ok: boolean) => (ok ? "PASS" : "FAIL");
    const causes = summary.failures && summary.failed > 0 ? ` (${failureCauses(summary.failures)})` : "";
    const lines = [
        `  ${mark(latencyOk)}  p95 response time ${ms(summary.p95Ms)} (threshold < ${thresholds.p95Ms} ms)`,
        `  ${mark(errorsOk)}  failed requests ${errors.toFixed(2)}% of ${summary.requests}${causes} (threshold < ${thresholds.failedPercent}%)`,
        `  p50 ${ms(summary.p50Ms)} · p99 ${ms(summary.p99Ms)} · ${summary.requestsPerSecond.toFixed(1)} req/s`,
    ];
    if (summary.connections !== undefined) {
        lines.push(`  ${summary.connections} connection(s) opened, set-up p95 ${ms(summary.connectP95Ms)} (not part of the response times)`);
    }
    return { passed: latencyOk && errorsOk, lines };
}
