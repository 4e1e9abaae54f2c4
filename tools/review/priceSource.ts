/**
 * Reading a public price source (the Azure Retail Prices API, the AWS Price List Bulk API) with a
 * bounded wait: every failure names the URL and why — DNS, refused, reset, timeout, TLS, HTTP status —
 * instead of Node's bare "fetch failed".
 */

/** How long a source may take to answer (headers), and to send the next piece of a body. */
export const ANSWER_TIMEOUT_MS = 15_000;

export class PriceSourceError extends Error {
    override name = "PriceSourceError";
    constructor(readonly url: string, readonly reason: string) {
        super(`${url}: ${reason}`);
    }
}

/** Why a fetch of `url` failed, in words a person can act on. */
export function whyFetchFailed(url: string, err: unknown, timeoutMs: number): string {
    const error = err as { name?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
    if (error?.name === "TimeoutError" || error?.name === "AbortError") return `no answer within ${timeoutMs / 1000} s (timeout)`;
    const code = error?.cause?.code ?? "";
    const host = new URL(url).hostname;
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `DNS lookup of ${host} failed (${code}): no network, or a wrong host name`;
    if (code === "ECONNREFUSED") return `connection refused by ${host} (ECONNREFUSED): nothing listens there`;
    if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") return `the connection was reset (${code})`;
    if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT") return `connecting to ${host} timed out (${code})`;
    if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return `${host} is unreachable (${code})`;
    if (/CERT|SSL|TLS/.test(code)) return `TLS failed: ${error?.cause?.message ?? code} (${code})`;
    const detail = error?.cause?.message ?? error?.message ?? String(err);
    return code ? `${detail} (${code})` : detail;
}

/** GET `url`: the response once its headers arrived with a 2xx status, else a PriceSourceError. */
export async function fetchSource(url: string, timeoutMs = ANSWER_TIMEOUT_MS): Promise<Response> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException("timeout", "TimeoutError")), timeoutMs);
    let response: Response;
    try {
        response = await fetch(url, { signal: controller.signal });
    } catch (err) {
        throw new PriceSourceError(url, whyFetchFailed(url, err, timeoutMs));
    } finally {
        clearTimeout(timer);
    }
    if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw new PriceSourceError(url, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`);
    }
    return response;
}

/** The body of `response` as text pieces; a body that stops arriving for `timeoutMs` is a PriceSourceError. */
export async function* bodyText(url: string, response: Response, timeoutMs = ANSWER_TIMEOUT_MS): AsyncIterable<string> {
    if (!response.body) throw new PriceSourceError(url, "the answer has no body");
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    try {
        for (;;) {
            let timer: NodeJS.Timeout | undefined;
            const stalled = new Promise<never>((_, reject) => {
                timer = setTimeout(() => reject(new PriceSourceError(url, `the answer stopped arriving for ${timeoutMs / 1000} s (timeout)`)), timeoutMs);
            });
            let piece: Awaited<ReturnType<typeof reader.read>>;
            try {
                piece = await Promise.race([reader.read(), stalled]);
            } catch (err) {
                if (err instanceof PriceSourceError) throw err;
                throw new PriceSourceError(url, whyFetchFailed(url, err, timeoutMs));
            } finally {
                clearTimeout(timer);
            }
            if (piece.done) break;
            yield decoder.decode(piece.value, { stream: true });
        }
        const rest = decoder.decode();
        if (rest) yield rest;
    } finally {
        await reader.cancel().catch(() => undefined);
    }
}

/** GET `url` as JSON, within the timeouts; a body that is not JSON is a PriceSourceError naming the URL. */
export async function fetchJson<T>(url: string, timeoutMs = ANSWER_TIMEOUT_MS): Promise<T> {
    const response = await fetchSource(url, timeoutMs);
    let text = "";
    for await (const piece of bodyText(url, response, timeoutMs)) text += piece;
    try {
        return JSON.parse(text) as T;
    } catch {
        throw new PriceSourceError(url, `the answer is not JSON (starts ${JSON.stringify(text.slice(0, 60))})`);
    }
}
