/**
 * The sparse specs mirror (tools/specs/mirror.json): which spec files were read, at which commit,
 * how long each file is, and which JSON pointers an excerpt kept. The recipe to rebuild
 * /work/specs-mirror, and the source of each file's commit when the mirror is not a git checkout.
 */
import * as fs from "fs";
import * as path from "path";

/** The sparse mirror's reads: spec file -> the commit it was read at, its length, and the JSON pointers kept when it is an excerpt. */
export const MIRROR_FILE = path.join(__dirname, "mirror.json");
export interface MirrorEntry { commit: string; totalChars: number; excerpt?: string[] }

export function readMirror(file = MIRROR_FILE): Record<string, MirrorEntry> {
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, MirrorEntry>) : {};
}

/** The commit a spec file was read at: the checkout's own, else the mirror manifest's entry for it. */
export function fileCommit(file: string, checkoutCommit: string | undefined, mirror: Record<string, MirrorEntry>): string {
    const commit = checkoutCommit ?? mirror[file]?.commit;
    if (!commit) throw new Error(`${file}: no commit (not a git checkout, no --commit, not in tools/specs/mirror.json)`);
    return commit;
}

/** A whole file of the mirror must be the file as read: as many characters as the index reported. */
export function checkWholeFiles(checkout: string, mirror: Record<string, MirrorEntry>): void {
    for (const [file, entry] of Object.entries(mirror)) {
        const abs = path.resolve(checkout, file);
        if (entry.excerpt || !fs.existsSync(abs)) continue;
        const chars = [...fs.readFileSync(abs, "utf8")].length;
        if (chars !== entry.totalChars) throw new Error(`${file}: ${chars} characters, but the file at ${entry.commit} has ${entry.totalChars}: the copy is not the file`);
    }
}
