/** What a load test run measured, and whether it met the thresholds: shared by the local and Azure engines. */
import type { LoadProfile } from "./profile";

export interface RunSummary {
    requests: number;
    failed: number;
    /** Response times in ms, when the engine reports them. */
    p50Ms?: number;
    p95Ms?: number;
    p99Ms?: number;
    requestsPerSecond: number;
}

export interface Verdict {
    passed: boolean;
    /** One line per threshold, then the summary line. */
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

/**
 * The seed's thresholds as k6 reads them: pass only when p95 < threshold and failed requests <
 * threshold percent. A run that completed no request, or whose p95 is unknown, fails.
 */
export function judge(summary: RunSummary, thresholds: LoadProfile["thresholds"]): Verdict {
    const errors = failedPercent(summary);
    const latencyOk = summary.p95Ms !== undefined && summary.p95Ms < thresholds.p95Ms;
    const errorsOk = summary.requests > 0 && errors < thresholds.failedPercent;
    const mark = (ok: boolean) => (ok ? "PASS" : "FAIL");
    const lines = [
        `  ${mark(latencyOk)}  p95 response time ${ms(summary.p95Ms)} (threshold < ${thresholds.p95Ms} ms)`,
        `  ${mark(errorsOk)}  failed requests ${errors.toFixed(2)}% of ${summary.requests} (threshold < ${thresholds.failedPercent}%)`,
        `  p50 ${ms(summary.p50Ms)} · p99 ${ms(summary.p99Ms)} · ${summary.requestsPerSecond.toFixed(1)} req/s`,
    ];
    return { passed: latencyOk && errorsOk, lines };
}
