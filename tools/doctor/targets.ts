/**
 * Which servers the doctor examines: from a stack's outputs (the database tier exports the
 * write host, read hosts, port, database, admin login and its secret password) or from URLs.
 */
import type { ClientConfig } from "pg";

export type SslMode = "disable" | "require" | "verify-full";
export const SSL_MODES: readonly SslMode[] = ["disable", "require", "verify-full"];

export interface ServerTarget {
    /** `host:port`, never the credentials. */
    label: string;
    role: "primary" | "replica";
    connection: ClientConfig;
    /**
     * Reached through PgBouncer, which refuses a startup parameter it does not track
     * ("unsupported startup parameter: statement_timeout", unless listed in its
     * ignore_startup_parameters): the client-side query timeout alone bounds each query.
     */
    pooled?: boolean;
}

export interface DoctorTargets {
    primary?: ServerTarget;
    replicas: ServerTarget[];
}

/** Bad or missing input, reported to the user as one line naming what is wrong. */
export class DoctorInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "DoctorInputError";
    }
}

/** The output names the database tier exports. */
export const DATABASE_OUTPUTS = {
    writeHost: "databaseWriteHost",
    readHosts: "databaseReadHosts",
    port: "databasePort",
    database: "databaseName",
    login: "databaseAdminLogin",
    password: "databaseAdminPassword",
} as const;

function sslOption(mode: SslMode): ClientConfig["ssl"] {
    if (mode === "disable") return false;
    // "require" encrypts without checking the certificate; "verify-full" checks it against Node's CAs (Azure's roots are among them).
    return mode === "require" ? { rejectUnauthorized: false } : true;
}

export function parseSslMode(value: string): SslMode {
    if ((SSL_MODES as readonly string[]).includes(value)) return value as SslMode;
    throw new DoctorInputError(`--sslmode: expected one of ${SSL_MODES.join(", ")}, got "${value}"`);
}

function urlTarget(url: string, role: ServerTarget["role"], option: string, sslMode?: SslMode): ServerTarget {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        throw new DoctorInputError(`${option}: expected a postgres://user:password@host:port/database URL, got "${url.replace(/:[^:@/]*@/, ":***@")}"`);
    }
    if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
        throw new DoctorInputError(`${option}: expected a postgres:// or postgresql:// URL, got protocol "${parsed.protocol}"`);
    }
    const connection: ClientConfig = { connectionString: url };
    if (sslMode) connection.ssl = sslOption(sslMode);
    return { label: `${parsed.hostname}:${parsed.port || 5432}`, role, connection };
}

/** `--primary URL --replica URL ...`; `--sslmode`, when given, overrides the URLs' `sslmode`. */
export function targetsFromUrls(primary: string | undefined, replicas: string[], sslMode?: SslMode): DoctorTargets {
    return {
        primary: primary ? urlTarget(primary, "primary", "--primary", sslMode) : undefined,
        replicas: replicas.map((url) => urlTarget(url, "replica", "--replica", sslMode)),
    };
}

function requireText(outputs: Record<string, unknown>, key: string): string {
    const value = outputs[key];
    if (typeof value !== "string" || value.length === 0) {
        throw new DoctorInputError(`stack output ${key}: expected a non-empty string, got ${value === undefined ? "nothing (is the database tier deployed?)" : JSON.stringify(value)}`);
    }
    return value;
}

/** Plain output values (secrets decrypted) → one target per server; default TLS mode `verify-full`, as Azure requires TLS. */
export function targetsFromOutputs(outputs: Record<string, unknown>, sslMode: SslMode = "verify-full"): DoctorTargets {
    const readHosts = outputs[DATABASE_OUTPUTS.readHosts] ?? [];
    if (!Array.isArray(readHosts) || readHosts.some((host) => typeof host !== "string")) {
        throw new DoctorInputError(`stack output ${DATABASE_OUTPUTS.readHosts}: expected an array of host names, got ${JSON.stringify(readHosts)}`);
    }
    const port = Number(outputs[DATABASE_OUTPUTS.port] ?? 5432);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new DoctorInputError(`stack output ${DATABASE_OUTPUTS.port}: expected a port number, got ${JSON.stringify(outputs[DATABASE_OUTPUTS.port])}`);
    }
    const credentials = {
        port,
        database: requireText(outputs, DATABASE_OUTPUTS.database),
        user: requireText(outputs, DATABASE_OUTPUTS.login),
        password: requireText(outputs, DATABASE_OUTPUTS.password),
        ssl: sslOption(sslMode),
    };
    const target = (host: string, role: ServerTarget["role"]): ServerTarget => ({ label: `${host}:${port}`, role, connection: { ...credentials, host } });
    return {
        primary: target(requireText(outputs, DATABASE_OUTPUTS.writeHost), "primary"),
        replicas: (readHosts as string[]).map((host) => target(host, "replica")),
    };
}

/**
 * Outputs as `pulumi stack output --json --show-secrets` prints them (plain values), or as the
 * Automation API returns them (`{value, secret}` per key).
 */
export function plainOutputs(outputs: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(outputs).map(([key, entry]) => {
            const wrapped = entry !== null && typeof entry === "object" && !Array.isArray(entry) && "value" in entry && "secret" in entry;
            return [key, wrapped ? (entry as { value: unknown }).value : entry];
        }),
    );
}
