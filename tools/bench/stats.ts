/** Small statistics for the benchmark: medians of paired runs and a straight-line fit. */

export function median(values: number[]): number {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The median of per-round ratios a[i] / b[i]. Runs of a round are back to back, so a round's
 * ratio cancels most of the machine's momentary load; the median drops the outliers.
 */
export function pairedRatio(a: number[], b: number[]): number {
    return median(a.map((x, i) => x / b[i]).filter(Number.isFinite));
}

export interface LineFit {
    /** Cost of one more x (per service). */
    slope: number;
    intercept: number;
    /** Coefficient of determination: 1 is a perfect line. */
    r2: number;
}

/** Least-squares line through (x, y). */
export function fitLine(xs: number[], ys: number[]): LineFit {
    const n = xs.length;
    const mx = xs.reduce((s, x) => s + x, 0) / n;
    const my = ys.reduce((s, y) => s + y, 0) / n;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
        sxy += (xs[i] - mx) * (ys[i] - my);
        sxx += (xs[i] - mx) ** 2;
        syy += (ys[i] - my) ** 2;
    }
    const slope = sxx === 0 ? 0 : sxy / sxx;
    return { slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

/**
 * The cost per unit of the last step over that of all the steps before it: 1 is linear, well
 * above 1 bends upward. Points must be sorted by x and number at least three.
 */
export function bend(xs: number[], ys: number[]): number {
    const n = xs.length;
    const first = (ys[n - 2] - ys[0]) / (xs[n - 2] - xs[0]);
    const last = (ys[n - 1] - ys[n - 2]) / (xs[n - 1] - xs[n - 2]);
    return first <= 0 ? NaN : last / first;
}
