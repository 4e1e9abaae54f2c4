/**
 * Keyed digests of the secret inputs of a run, so two plans made with the same one-off key can
 * tell a changed secret from an unchanged one without either plan holding the value. The key is
 * random per comparison (`bookstore-infra diff` makes one for its two plans) and never written:
 * without it a digest cannot be checked against a guess.
 */
import { createHmac } from "crypto";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "../offline/capture";
import type { CapturedResource } from "../offline/capture";

/** The environment variable holding the comparison's key (hex); no key, no digests. */
export const DIGEST_KEY_ENV = "BOOKSTORE_REVIEW_DIGEST_KEY";

const containsUnknown = (value: unknown): boolean =>
    value === UNKNOWN || (Array.isArray(value) ? value.some(containsUnknown) : value !== null && typeof value === "object" && Object.values(value).some(containsUnknown));

/** Secret paths (as the diff names them: a.b[0].c) → digest, for one resource's wire inputs. */
export function secretDigestsOf(inputs: unknown, key: string, path = "", out: Record<string, string> = {}): Record<string, string> {
    if (Array.isArray(inputs)) {
        inputs.forEach((item, i) => secretDigestsOf(item, key, `${path}[${i}]`, out));
    } else if (inputs !== null && typeof inputs === "object") {
        const obj = inputs as Record<string, unknown>;
        if (obj[SIG_KEY] === SECRET_SIG) {
            // A secret whose value is computed during the deployment has nothing to compare yet.
            if (!containsUnknown(obj.value)) out[path] = createHmac("sha256", Buffer.from(key, "hex")).update(JSON.stringify(obj.value)).digest("hex").slice(0, 32);
        } else {
            for (const name of Object.keys(obj)) if (!name.startsWith("__")) secretDigestsOf(obj[name], key, path ? `${path}.${name}` : name, out);
        }
    }
    return out;
}

/** Digests by URN of every resource with a secret input; undefined without a key. */
export function secretDigests(resources: CapturedResource[], key = process.env[DIGEST_KEY_ENV]): Record<string, Record<string, string>> | undefined {
    if (!key) return undefined;
    const all: Record<string, Record<string, string>> = {};
    for (const resource of resources) {
        const digests = secretDigestsOf(resource.wireInputs, key);
        if (Object.keys(digests).length > 0) all[resource.urn] = digests;
    }
    return all;
}
