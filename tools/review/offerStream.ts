/**
 * Reads the members of chosen objects of a large JSON document as it streams in, without holding
 * the document: an AWS Price List offer file (AmazonEC2 in us-east-1 is several GB, more than one
 * JavaScript string can hold) is `{ ..., "products": { sku: {...} }, "terms": { "OnDemand": { sku: {...} } } }`.
 * Only the objects under the requested paths are parsed, one member at a time.
 */

interface Frame {
    array: boolean;
    /** The key of the member being read (objects only). */
    key: string | null;
}

export type MemberHandler = (path: string, key: string, value: unknown) => void;

/**
 * Calls `onMember(path, key, value)` for each object-valued member of the objects at `paths`
 * (e.g. "products", "terms.OnDemand"), in document order.
 */
export async function streamMembers(chunks: AsyncIterable<string>, paths: string[], onMember: MemberHandler): Promise<void> {
    const wanted = new Set(paths);
    const stack: Frame[] = [];
    let inString = false;
    let escaped = false;
    let expectingKey = false;
    let stringIsKey = false;
    let text = "";
    // The member being captured: its path, key, the depth it started at and the text so far.
    let capture: { path: string; key: string; depth: number; text: string } | null = null;
    for await (const chunk of chunks) {
        let start = 0;
        for (let i = 0; i < chunk.length; i++) {
            const c = chunk[i];
            if (inString) {
                const collecting = !capture && stringIsKey;
                if (escaped) {
                    escaped = false;
                    if (collecting) text += c;
                } else if (c === "\\") {
                    escaped = true;
                    if (collecting) text += c;
                } else if (c === '"') {
                    inString = false;
                    if (!capture && stringIsKey) {
                        stack[stack.length - 1].key = JSON.parse(`"${text}"`) as string;
                    }
                } else if (collecting) text += c;
                continue;
            }
            const top = stack[stack.length - 1];
            if (c === '"') {
                inString = true;
                stringIsKey = Boolean(top && !top.array && expectingKey);
                text = "";
            } else if (c === "{" || c === "[") {
                if (!capture && c === "{" && stack.length > 1 && !top.array && top.key !== null) {
                    // A member of the object at `containerPath` (the keys leading to it from the root).
                    const containerPath = stack.slice(0, -1).map((f) => f.key).join(".");
                    if (wanted.has(containerPath)) {
                        capture = { path: containerPath, key: top.key, depth: stack.length, text: "" };
                        start = i;
                    }
                }
                stack.push({ array: c === "[", key: null });
                expectingKey = c === "{";
            } else if (c === "}" || c === "]") {
                stack.pop();
                if (capture && stack.length === capture.depth) {
                    capture.text += chunk.slice(start, i + 1);
                    onMember(capture.path, capture.key, JSON.parse(capture.text));
                    capture = null;
                }
            } else if (c === ":") {
                expectingKey = false;
            } else if (c === ",") {
                expectingKey = Boolean(top && !top.array);
            }
        }
        if (capture) capture.text += chunk.slice(start);
    }
    if (stack.length > 0 || capture) throw new Error("the offer file ended before its JSON did");
}
