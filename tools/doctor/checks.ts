/**
 * The scaling guide's operational SQL (replication lag, pg_stat_replication, connections,
 * long-running queries, dead tuples), run with `pg` against one server each, and judged
 * against thresholds. Each check returns rows for the doctor's table; none throws.
 */
import type { Client } from "pg";

export interface Thresholds {
    /** Replication lag of a replica, seconds (default 60). */
    maxLagSeconds: number;
    /** Client connections as a percentage of `max_connections` (default 80). */
    maxConnectionsPercent: number;
    /** Age of the oldest active query, seconds (default 300). */
    maxQuerySeconds: number;
    /** Dead tuples as a percentage of all tuples in a table with more than 1000 dead (default 20). */
    maxDeadTuplePercent: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
    maxLagSeconds: 60,
    maxConnectionsPercent: 80,
    maxQuerySeconds: 300,
    maxDeadTuplePercent: 20,
};

/** `fail` breaks a threshold or could not be checked (exit non-zero); `warn` is worth a look. */
export type Status = "ok" | "warn" | "fail";

export interface CheckRow {
    server: string;
    role: "primary" | "replica";
    check: string;
    value: string;
    threshold: string;
    status: Status;
    /** The measured number behind `value`, for machine output. */
    metric?: number;
}

/** The seed's replica lag query, verbatim: 0 when everything received is replayed. */
export const REPLICATION_LAG_SQL = `SELECT
  CASE
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))
  END AS replication_lag_seconds`;

/** The seed's "High Replication Lag" query on the primary, plus who the standby is. */
export const REPLICATION_STATUS_SQL = `SELECT
  client_addr,
  application_name,
  state,
  sent_lsn,
  write_lsn,
  flush_lsn,
  replay_lsn,
  sync_state,
  pg_wal_lsn_diff(sent_lsn, replay_lsn) AS replication_lag_bytes
FROM pg_stat_replication`;

/**
 * The seed counts every row of pg_stat_activity; only client backends take a `max_connections`
 * slot (WAL senders, autovacuum and background workers have their own limits), so count those.
 */
export const CONNECTIONS_SQL = `SELECT
  count(*) FILTER (WHERE backend_type = 'client backend') AS connections,
  current_setting('max_connections')::int AS max_connections
FROM pg_stat_activity`;

/** The seed's long-running query list, in seconds, without this session and without WAL senders (always "active"). */
export const LONG_RUNNING_SQL = `SELECT pid, EXTRACT(EPOCH FROM (now() - query_start)) AS duration_seconds, query
FROM pg_stat_activity
WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
ORDER BY duration_seconds DESC
LIMIT 10`;

/** The seed's bloat query; pg_stat_user_tables names the table `relname` (the seed's `tablename` is pg_tables'). */
export const DEAD_TUPLES_SQL = `SELECT
  schemaname,
  relname AS tablename,
  pg_size_pretty(pg_total_relation_size(relid)) AS size,
  n_live_tup,
  n_dead_tup,
  round(n_dead_tup * 100.0 / NULLIF(n_live_tup + n_dead_tup, 0), 2) AS dead_ratio
FROM pg_stat_user_tables
WHERE n_dead_tup > 1000
ORDER BY n_dead_tup DESC`;

export interface ServerRef {
    label: string;
    role: "primary" | "replica";
}

function row(server: ServerRef, check: string, value: string, threshold: string, status: Status, metric?: number): CheckRow {
    return { server: server.label, role: server.role, check, value, threshold, status, metric };
}

export function errorText(err: unknown): string {
    const error = err as NodeJS.ErrnoException & { errors?: Error[] };
    // Node's AggregateError (IPv4 + IPv6 attempts) has an empty message; its parts say what happened.
    const parts = error?.errors?.map((e) => e.message).filter(Boolean);
    return (parts && parts.length > 0 ? parts.join("; ") : error?.message || error?.code || String(err)).split("\n")[0];
}

/** Runs one check; a failing query becomes a `fail` row naming the error instead of aborting the report. */
async function guarded(server: ServerRef, check: string, threshold: string, body: () => Promise<CheckRow[]>): Promise<CheckRow[]> {
    try {
        return await body();
    } catch (err) {
        return [row(server, check, `query failed: ${errorText(err)}`, threshold, "fail")];
    }
}

const seconds = (value: number) => `${value.toFixed(1)} s`;

export function replicationLag(client: Client, server: ServerRef, thresholds: Thresholds): Promise<CheckRow[]> {
    const threshold = `<= ${thresholds.maxLagSeconds} s`;
    return guarded(server, "replication lag", threshold, async () => {
        const recovery = await client.query<{ in_recovery: boolean }>("SELECT pg_is_in_recovery() AS in_recovery");
        if (!recovery.rows[0].in_recovery) {
            return [row(server, "replication lag", "not a standby (pg_is_in_recovery() is false)", threshold, "fail")];
        }
        const result = await client.query<{ replication_lag_seconds: string | null }>(REPLICATION_LAG_SQL);
        const raw = result.rows[0].replication_lag_seconds;
        if (raw === null) {
            return [row(server, "replication lag", "unknown: WAL received but no transaction replayed yet", threshold, "warn")];
        }
        const lag = Number(raw);
        return [row(server, "replication lag", seconds(lag), threshold, lag > thresholds.maxLagSeconds ? "fail" : "ok", lag)];
    });
}

interface ReplicationStatusRow {
    client_addr: string | null;
    application_name: string;
    state: string;
    sync_state: string;
    replication_lag_bytes: string | null;
}

/** One row per standby in pg_stat_replication, and whether as many stream as replicas were named. */
export function replicationStatus(client: Client, server: ServerRef, expectedReplicas: number): Promise<CheckRow[]> {
    const threshold = `${expectedReplicas} streaming`;
    return guarded(server, "streaming replicas", threshold, async () => {
        const result = await client.query<ReplicationStatusRow>(REPLICATION_STATUS_SQL);
        const streaming = result.rows.filter((standby) => standby.state === "streaming").length;
        const rows = result.rows.map((standby) => {
            const behind = standby.replication_lag_bytes === null ? "lag unknown" : `${Number(standby.replication_lag_bytes)} bytes behind`;
            const who = `${standby.client_addr ?? "local"} (${standby.application_name || "unnamed"})`;
            return row(server, `standby ${who}`, `${standby.state}, ${standby.sync_state}, ${behind}`, "streaming", standby.state === "streaming" ? "ok" : "warn", standby.replication_lag_bytes === null ? undefined : Number(standby.replication_lag_bytes));
        });
        const summary = row(server, "streaming replicas", `${streaming} of ${expectedReplicas} expected`, threshold, streaming < expectedReplicas ? "fail" : "ok", streaming);
        return [summary, ...rows];
    });
}

export function connectionUsage(client: Client, server: ServerRef, thresholds: Thresholds): Promise<CheckRow[]> {
    const threshold = `<= ${thresholds.maxConnectionsPercent} %`;
    return guarded(server, "connections", threshold, async () => {
        const result = await client.query<{ connections: string; max_connections: number }>(CONNECTIONS_SQL);
        const connections = Number(result.rows[0].connections);
        const max = Number(result.rows[0].max_connections);
        const percent = (connections * 100) / max;
        const value = `${connections} of ${max} (${percent.toFixed(0)} %)`;
        return [row(server, "connections", value, threshold, percent > thresholds.maxConnectionsPercent ? "fail" : "ok", percent)];
    });
}

export function longRunningQueries(client: Client, server: ServerRef, thresholds: Thresholds): Promise<CheckRow[]> {
    const threshold = `<= ${thresholds.maxQuerySeconds} s`;
    return guarded(server, "long-running queries", threshold, async () => {
        const result = await client.query<{ pid: number; duration_seconds: string | null; query: string }>(LONG_RUNNING_SQL);
        const queries = result.rows.map((q) => ({ pid: q.pid, seconds: Number(q.duration_seconds ?? 0), query: q.query.replace(/\s+/g, " ").trim() }));
        const over = queries.filter((q) => q.seconds > thresholds.maxQuerySeconds);
        if (over.length === 0) {
            const longest = queries[0] ? `longest ${seconds(queries[0].seconds)}` : "no active queries";
            return [row(server, "long-running queries", `none over ${thresholds.maxQuerySeconds} s (${longest})`, threshold, "ok", queries[0]?.seconds ?? 0)];
        }
        return over.map((q) => row(server, `long-running query pid ${q.pid}`, `${seconds(q.seconds)}: ${q.query.slice(0, 60)}`, threshold, "fail", q.seconds));
    });
}

interface DeadTupleRow {
    schemaname: string;
    tablename: string;
    size: string;
    n_live_tup: string;
    n_dead_tup: string;
    dead_ratio: string | null;
}

export function deadTuples(client: Client, server: ServerRef, thresholds: Thresholds): Promise<CheckRow[]> {
    const threshold = `<= ${thresholds.maxDeadTuplePercent} %`;
    return guarded(server, "dead tuples", threshold, async () => {
        const result = await client.query<DeadTupleRow>(DEAD_TUPLES_SQL);
        if (result.rows.length === 0) return [row(server, "dead tuples", "no table with more than 1000 dead tuples", threshold, "ok", 0)];
        return result.rows.map((table) => {
            const ratio = Number(table.dead_ratio ?? 0);
            const value = `${ratio.toFixed(1)} % (${table.n_dead_tup} dead, ${table.n_live_tup} live, ${table.size})`;
            return row(server, `dead tuples ${table.schemaname}.${table.tablename}`, value, threshold, ratio > thresholds.maxDeadTuplePercent ? "fail" : "ok", ratio);
        });
    });
}

/** Row for a server that could not be reached: reported, never thrown. */
export function unreachable(server: ServerRef, err: unknown): CheckRow {
    return row(server, "connection", `unreachable: ${errorText(err)}`, "reachable", "fail");
}
