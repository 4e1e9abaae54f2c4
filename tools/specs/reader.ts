/**
 * Reads a (possibly sparse) azure-rest-api-specs checkout: loads spec files once and resolves
 * `$ref`s across them, telling a missing file or excerpted-away object from a present one.
 */
import * as fs from "fs";
import * as path from "path";

export type Json = Record<string, any>;

/** Resolves `$ref`s across the checkout's files (local `#/...` and relative `file.json#/...`). */
export class SpecReader {
    private readonly cache = new Map<string, Json>();
    constructor(private readonly checkout: string) {}

    load(file: string): Json {
        const abs = path.resolve(this.checkout, file);
        let doc = this.cache.get(abs);
        if (!doc) {
            doc = JSON.parse(fs.readFileSync(abs, "utf8")) as Json;
            this.cache.set(abs, doc);
        }
        return doc;
    }

    /** `$ref`s whose file is not in the checkout. */
    readonly missing = new Set<string>();

    has(file: string): boolean {
        return fs.existsSync(path.resolve(this.checkout, file));
    }

    /** The file a `$ref` points into, relative to the checkout. */
    fileOf(ref: string, fromFile: string): string {
        const [filePart] = ref.split("#");
        return filePart ? path.relative(this.checkout, path.resolve(this.checkout, path.dirname(fromFile), filePart)) : fromFile;
    }

    /** The object a `$ref` points at, and the file it lives in (for its own relative refs). */
    resolve(ref: string, fromFile: string): { node: Json; file: string } {
        const found = this.tryResolve(ref, fromFile);
        if (!found) throw new Error(`unresolved $ref ${ref} from ${fromFile}`);
        return found;
    }

    /** The target of a `$ref`, or undefined when its file or (in an excerpt) its object is absent. */
    tryResolve(ref: string, fromFile: string): { node: Json; file: string } | undefined {
        const [, pointer = ""] = ref.split("#");
        const file = this.fileOf(ref, fromFile);
        if (!this.has(file)) return undefined;
        let node: any = this.load(file);
        for (const segment of pointer.split("/").filter(Boolean)) node = node?.[segment.replace(/~1/g, "/").replace(/~0/g, "~")];
        return node === undefined ? undefined : { node, file };
    }

    deref(node: Json, file: string): { node: Json; file: string } {
        let current = { node, file };
        for (let i = 0; current.node?.$ref && i < 20; i++) current = this.resolve(current.node.$ref, current.file);
        return current;
    }
}
