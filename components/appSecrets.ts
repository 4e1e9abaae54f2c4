/**
 * The app's generated secrets (the contract's `secret` entries: the JWT signing key, the seeded
 * admins' password): how each is generated so the value meets what the app requires of it. Pure;
 * the clouds' components (components/azure/appSecrets.ts, components/aws/appSecrets.ts) generate
 * them with @pulumi/random and keep them in Key Vault or Secrets Manager.
 */
import type * as random from "@pulumi/random";
import { entriesOf, type SecretEntry } from "./appContract";

/** Non-alphanumeric characters that need no quoting in an environment variable, a shell or a URL. */
const SAFE_SPECIALS = "-_.";
/** Length when the app sets no upper bound: twice the usual 32-byte floor. */
const DEFAULT_LENGTH = 64;

/**
 * RandomPassword arguments whose every result meets the entry's requirements: at least one
 * character of each of the four classes (so at least four distinct characters, and every class
 * Identity may require), and a length inside the app's bounds.
 */
export function secretGenerator(entry: SecretEntry): random.RandomPasswordArgs {
    const length = Math.min(entry.requires.maxLength ?? DEFAULT_LENGTH, Math.max(DEFAULT_LENGTH, entry.requires.minLength));
    return {
        length,
        lower: true, upper: true, numeric: true, special: true,
        overrideSpecial: SAFE_SPECIALS,
        minLower: 1, minUpper: 1, minNumeric: 1, minSpecial: 1,
    };
}

/** Why a value would not satisfy the entry, or undefined: the same rules the app applies. */
export function secretProblem(entry: SecretEntry, value: string): string | undefined {
    const { minLength, maxLength, classes = [], minDistinct } = entry.requires;
    const bytes = Buffer.byteLength(value, "utf8");
    if (bytes < minLength) return `${entry.env} has ${bytes} bytes, the app needs at least ${minLength}`;
    if (maxLength !== undefined && value.length > maxLength) return `${entry.env} has ${value.length} characters, the app allows at most ${maxLength}`;
    const tests: Record<(typeof classes)[number], RegExp> = { lower: /[a-z]/, upper: /[A-Z]/, digit: /[0-9]/, nonAlphanumeric: /[^\p{L}\p{N}]/u };
    const missing = classes.filter((c) => !tests[c].test(value));
    if (missing.length > 0) return `${entry.env} lacks ${missing.join(", ")} characters`;
    if (minDistinct !== undefined && new Set(value).size < minDistinct) return `${entry.env} has fewer than ${minDistinct} distinct characters`;
    return undefined;
}

/** The contract's secret entries, in contract order. */
export const appSecretEntries = (): SecretEntry[] => entriesOf("secret");
