/** Edit distance (insertions, deletions, substitutions) between two words. */
export function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let previous = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const current = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
            previous = current;
        }
    }
    return row[b.length];
}

/** The known word a misspelling is closest to (at most `maxEdits` edits, ignoring case), if any. */
export function closest(word: string, known: readonly string[], maxEdits = 2): string | undefined {
    let best: { word: string; edits: number } | undefined;
    for (const candidate of known) {
        const edits = editDistance(word.toLowerCase(), candidate.toLowerCase());
        if (edits <= maxEdits && (!best || edits < best.edits)) best = { word: candidate, edits };
    }
    return best?.word;
}
