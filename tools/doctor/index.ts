/**
 * `doctor`: the scaling guide's database health checks against live servers. Replicas: replication
 * lag (the seed's query). Primary: pg_stat_replication, dead-tuple ratio per table. Every server:
 * connections vs max_connections, long-running queries. A server that can't be reached is a
 * failed row, not a crash.
 */
import { Client } from "pg";
import {
    CheckRow,
    connectionUsage,
    deadTuples,
    DEFAULT_THRESHOLDS,
    longRunningQueries,
    replicationLag,
    replicationStatus,
    Thresholds,
    unreachable,
} from "./checks";
import { DoctorInputError, DoctorTargets, ServerTarget } from "./targets";

export * from "./checks";
export * from "./targets";

export interface DoctorOptions {
    thresholds?: Partial<Thresholds>;
    /** Seconds to wait for a connection, and for each query (default 10). */
    timeoutSeconds?: number;
}

export interface DoctorReport {
    rows: CheckRow[];
    /** No row failed. */
    healthy: boolean;
    thresholds: Thresholds;
}

async function examine(target: ServerTarget, body: (client: Client) => Promise<CheckRow[]>, timeoutSeconds: number): Promise<CheckRow[]> {
    const client = new Client({
        ...target.connection,
        connectionTimeoutMillis: timeoutSeconds * 1000,
        query_timeout: timeoutSeconds * 1000,
        ...(target.pooled ? {} : { statement_timeout: timeoutSeconds * 1000 }),
        application_name: "bookstore-infra doctor",
    });
    // A server that dies mid-check emits 'error' on the client; the pending query reports it.
    client.on("error", () => undefined);
    try {
        await client.connect();
    } catch (err) {
        await client.end().catch(() => undefined);
        return [unreachable(target, err)];
    }
    try {
        return await body(client);
    } finally {
        await client.end().catch(() => undefined);
    }
}

export async function runDoctor(targets: DoctorTargets, options: DoctorOptions = {}): Promise<DoctorReport> {
    if (!targets.primary && targets.replicas.length === 0) {
        throw new DoctorInputError("nothing to examine: pass --stack <name>, --outputs-file <file>, or --primary <url> [--replica <url> ...]");
    }
    const thresholds: Thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
    const timeout = options.timeoutSeconds ?? 10;
    const rows: CheckRow[] = [];
    if (targets.primary) {
        rows.push(
            ...(await examine(targets.primary, async (client) => [
                ...(await replicationStatus(client, targets.primary!, targets.replicas.length)),
                ...(await connectionUsage(client, targets.primary!, thresholds)),
                ...(await longRunningQueries(client, targets.primary!, thresholds)),
                ...(await deadTuples(client, targets.primary!, thresholds)),
            ], timeout)),
        );
    }
    for (const replica of targets.replicas) {
        rows.push(
            ...(await examine(replica, async (client) => [
                ...(await replicationLag(client, replica, thresholds)),
                ...(await connectionUsage(client, replica, thresholds)),
                ...(await longRunningQueries(client, replica, thresholds)),
            ], timeout)),
        );
    }
    return { rows, healthy: rows.every((row) => row.status !== "fail"), thresholds };
}

const HEADERS = ["server", "role", "check", "value", "threshold", "status"] as const;

/** Fixed-width table, one line per row. */
export function renderReport(rows: CheckRow[]): string[] {
    const cells = rows.map((row) => [row.server, row.role, row.check, row.value, row.threshold, row.status.toUpperCase()]);
    const widths = HEADERS.map((header, column) => Math.max(header.length, ...cells.map((line) => line[column].length)));
    const format = (line: readonly string[]) => line.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd();
    return [format(HEADERS), format(widths.map((width) => "-".repeat(width))), ...cells.map(format)];
}
