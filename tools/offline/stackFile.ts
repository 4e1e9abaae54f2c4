import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ParsedStackConfig, stackConfigFromEntries } from "../../stacks/config";
import { closest } from "../../lib/spelling";
import { PROJECT_DIR } from "../paths";

/** Stands in for a `secure:` value: the ciphertext can't be decrypted without the Pulumi CLI. */
export const SECRET_PLACEHOLDER = "offline-plan-placeholder-secret";

export interface StackFileConfig {
    project: string;
    /** Raw config as the engine hands it to the program: full key → string (JSON for structured values). */
    config: Record<string, string>;
    /** Full keys whose values are secret (a `secure:` value anywhere inside them). */
    secretKeys: string[];
}

export class StackFileError extends Error {}

function readYaml(file: string): unknown {
    try {
        return parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (err as Error).message;
        throw new StackFileError(`Cannot read ${file}: ${reason}`);
    }
}

/** Replaces every `{ secure: ... }` with a placeholder and says whether there was one. */
function stripSecure(value: unknown): { value: unknown; secret: boolean } {
    if (Array.isArray(value)) {
        const items = value.map(stripSecure);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length === 1 && entries[0][0] === "secure") return { value: SECRET_PLACEHOLDER, secret: true };
        let secret = false;
        const out: [string, unknown][] = [];
        for (const [k, v] of entries) {
            const stripped = stripSecure(v);
            out.push([k, stripped.value]);
            secret ||= stripped.secret;
        }
        // fromEntries keeps a key named __proto__ (an assignment would drop it).
        return { value: Object.fromEntries(out), secret };
    }
    return { value, secret: false };
}

/** The top-level keys of a Pulumi stack file (Pulumi.<stack>.yaml). */
export const STACK_FILE_KEYS = ["config", "environment", "secretsprovider", "encryptedkey", "encryptionsalt"];

function qualify(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/**
 * Reads `Pulumi.yaml` and a stack file the way the engine does: project-level config
 * defaults first, stack values over them; structured values become JSON text.
 */
export function readStackFile(projectDir: string, stackFile: string): StackFileConfig {
    const project = readYaml(path.join(projectDir, "Pulumi.yaml")) as { name?: string; config?: Record<string, unknown> };
    if (!project?.name) throw new StackFileError(`${path.join(projectDir, "Pulumi.yaml")} has no project name`);
    const config: Record<string, string> = {};
    const secretKeys = new Set<string>();

    for (const [key, decl] of Object.entries(project.config ?? {})) {
        const value = decl !== null && typeof decl === "object" && !Array.isArray(decl) && "default" in decl
            ? (decl as { default: unknown }).default
            : (decl !== null && typeof decl === "object" ? undefined : decl);
        if (value !== undefined) config[qualify(project.name, key)] = encode(value);
    }

    const stack = readYaml(stackFile) as { config?: Record<string, unknown> } | null;
    const unknownKeys = Object.keys(stack ?? {}).filter((key) => !STACK_FILE_KEYS.includes(key));
    if (unknownKeys.length > 0) {
        throw new StackFileError(`${stackFile}: unknown top-level key${unknownKeys.length === 1 ? "" : "s"} `
            + unknownKeys.map((key) => `"${key}"${closest(key, STACK_FILE_KEYS) ? ` (did you mean "${closest(key, STACK_FILE_KEYS)}:"?)` : ""}`).join(", ")
            + `; a stack file holds only ${STACK_FILE_KEYS.join(", ")}`);
    }
    for (const [key, rawValue] of Object.entries(stack?.config ?? {})) {
        const { value, secret } = stripSecure(rawValue);
        const fullKey = qualify(project.name, key);
        config[fullKey] = encode(value);
        if (secret) secretKeys.add(fullKey);
    }
    return { project: project.name, config, secretKeys: [...secretKeys].sort() };
}

/** Names of the stacks that have a stack file (Pulumi.<name>.yaml) in the project. */
export function stacksIn(projectDir: string): string[] {
    return fs.readdirSync(projectDir)
        .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
}

function encode(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** The validated stack config of a stack file, read the way the program reads its config. */
export function stackConfigOf(options: { stack: string; stackFile?: string }): ParsedStackConfig {
    const projectDir = PROJECT_DIR;
    const file = readStackFile(projectDir, options.stackFile ?? path.join(projectDir, `Pulumi.${options.stack}.yaml`));
    return stackConfigFromEntries(file.config, (key) => file.secretKeys.includes(key)).config;
}
