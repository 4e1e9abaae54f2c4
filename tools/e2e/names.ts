/**
 * Names of end-to-end stacks. The name carries the platform and the expiry, so the janitor finds
 * expired stacks with `pulumi stack ls` alone, on any backend (stack tags are not on every
 * backend, and the stack file lives only on the machine that made the stack):
 *   e2e-<platform>-<6 random [a-z0-9]>-exp<yyyymmdd>t<hhmm>z     e.g. e2e-aks-k3f9q2-exp20261208t1530z
 */
import { randomInt } from "crypto";

export const E2E_PLATFORMS = ["containerapps", "aks", "eks"] as const;
export type E2ePlatform = (typeof E2E_PLATFORMS)[number];

const NAME = /^e2e-(containerapps|aks|eks)-([a-z0-9]{6})-exp(\d{4})(\d{2})(\d{2})t(\d{2})(\d{2})z$/;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export interface E2eStackName {
    platform: E2ePlatform;
    suffix: string;
    expiresAt: Date;
}

/** Six random lowercase letters and digits: the run's identity in stack and resource names. */
export function randomSuffix(): string {
    return Array.from({ length: 6 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
}

const two = (n: number) => String(n).padStart(2, "0");

/** The stack name of a run; the expiry is rounded up to the minute. */
export function e2eStackName(platform: E2ePlatform, suffix: string, expiresAt: Date): string {
    if (!/^[a-z0-9]{6}$/.test(suffix)) throw new Error(`an e2e suffix is 6 lowercase letters or digits, got "${suffix}"`);
    const at = new Date(Math.ceil(expiresAt.getTime() / 60_000) * 60_000);
    const stamp = `${at.getUTCFullYear()}${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}t${two(at.getUTCHours())}${two(at.getUTCMinutes())}z`;
    return `e2e-${platform}-${suffix}-exp${stamp}`;
}

/** Platform, suffix and expiry of an e2e stack name (short or `org/project/name`); undefined for any other stack. */
export function parseE2eStackName(stack: string): E2eStackName | undefined {
    const match = NAME.exec(stack.split("/").pop() ?? stack);
    if (!match) return undefined;
    const [, platform, suffix, year, month, day, hour, minute] = match;
    const expiresAt = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute)));
    // Date.UTC rolls month 13 or hour 25 over: such a name was not made here.
    if (e2eStackName(platform as E2ePlatform, suffix, expiresAt) !== match[0]) return undefined;
    return { platform: platform as E2ePlatform, suffix, expiresAt };
}

/** `namePrefix` of a run's resources: `e2e` and the suffix (9 characters; the schema allows 2-12). */
export const e2eNamePrefix = (suffix: string) => `e2e${suffix}`;
