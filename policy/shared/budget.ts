/**
 * The connection budget: do the app's connection pools fit through the pooler, and do the
 * pooler's server connections fit into PostgreSQL's max_connections? Pure arithmetic, shared by
 * the config checks, the offline plan's `budget` section and the policy pack.
 */

export interface BudgetService {
    name: string;
    /** Replica ceiling of the service (its connection pools all open at peak). */
    maxReplicas: number;
    /** Connections one replica's pool may open, per connection string. */
    dbPoolSize: number;
}

export interface BudgetPooler {
    /**
     * `builtin`: Flexible Server's PgBouncer, one per server, each serving only its own server.
     * `deployment`: PgBouncer pods that serve every endpoint (primary and replicas) together.
     */
    kind: "builtin" | "deployment";
    /** PgBouncer processes: 1 for builtin (per server), the Deployment's replicas otherwise. */
    replicas: number;
    /**
     * Pods the PgBouncer PodDisruptionBudget lets go at once (node drains, upgrades): the clients
     * must fit through the pods that remain. 0 for builtin (Azure's own PgBouncer has no PDB).
     */
    maxUnavailable: number;
    maxClientConn: number;
    defaultPoolSize: number;
    /** Extra server connections a pool may open under load; builtin PgBouncer has none. */
    reservePoolSize: number;
    /** Cap on server connections per database and PgBouncer process; 0 means no cap. */
    maxDbConnections: number;
}

export interface BudgetInput {
    services: BudgetService[];
    pooler: BudgetPooler;
    /** Read replicas; each gets its own connection string, so each app replica has one pool per endpoint. */
    readReplicas: number;
    /** max_connections of each server (replicas are kept >= the primary). */
    maxConnections: number;
    /** Connections the platform keeps for itself (Azure: 15) and superuser slots. */
    reservedConnections: number;
    /**
     * Session-level connections the app may hold at once (`<database>-session`: the api's replica
     * ceiling × its session pool), to the primary only. Through the PgBouncer Deployment they are
     * clients of a session-mode pool that can hold them all in each process; with the built-in
     * pooler they go to the server directly. Default 0.
     */
    sessionConnections?: number;
}

/** `maxUnavailable` of the PgBouncer Deployment's PodDisruptionBudget (components/kubernetes/pgbouncer.ts). */
export const PGBOUNCER_MAX_UNAVAILABLE = 1;

/**
 * PgBouncer processes that accept clients while the PDB allows a disruption: `replicas − maxUnavailable`.
 * When the PDB lets every pod go there is no pooler during a disruption at all; that is an
 * availability fault (policy k8s-deployment-replicas), so the budget then judges normal operation.
 */
export function poolersDuringDisruption(pooler: Pick<BudgetPooler, "replicas" | "maxUnavailable">): number {
    const remaining = pooler.replicas - pooler.maxUnavailable;
    return remaining >= 1 ? remaining : pooler.replicas;
}

export interface ConnectionBudget {
    ok: boolean;
    /** Client connections one pooler must accept at peak. */
    clientConnections: number;
    /** What the pooler accepts with the PDB's disruption taken out (`replicas − maxUnavailable` processes). */
    clientLimit: number;
    /** Server connections one PgBouncer process opens to one server at most. */
    serverConnectionsPerPooler: number;
    /** Session-level server connections one PgBouncer process may hold to the primary (0 beside the built-in pooler). */
    sessionConnectionsPerPooler: number;
    /** Server connections one PostgreSQL server receives from the pooler at most. */
    serverConnections: number;
    /** max_connections minus the reserved connections. */
    serverLimit: number;
    /** The arithmetic, one line per step, for the plan and error messages. */
    lines: string[];
    /** What does not fit, empty when ok. */
    problems: string[];
}

/** The comparison the budget lines print: true as written, whichever way the numbers fall. */
function holds(used: number, limit: number): string {
    return used <= limit ? "<=" : ">";
}

/**
 * Computes the connection budget.
 *
 * Client side: every app replica keeps one pool per endpoint it uses. A builtin pooler only sees
 * the pools for its own server; the PgBouncer Deployment sees the pools for every endpoint and
 * spreads them over its replicas (the Service balances connections across pods).
 *
 * Server side: a PgBouncer process opens at most `default_pool_size + reserve_pool_size`
 * connections per database (one user), capped by `max_db_connections`; each server is one
 * database entry, so each server receives that many per PgBouncer process.
 */
export function connectionBudget(input: BudgetInput): ConnectionBudget {
    const { pooler } = input;
    const perEndpoint = input.services.reduce((sum, s) => sum + s.maxReplicas * s.dbPoolSize, 0);
    const endpointsPerPooler = pooler.kind === "deployment" ? 1 + input.readReplicas : 1;
    const session = input.sessionConnections ?? 0;
    // Session clients pass through the Deployment's pods; the built-in pooler never sees them.
    const sessionClients = pooler.kind === "deployment" ? session : 0;
    const clientConnections = perEndpoint * endpointsPerPooler + sessionClients;
    const serving = poolersDuringDisruption(pooler);
    const clientLimit = pooler.maxClientConn * serving;

    const poolPerDatabase = pooler.defaultPoolSize + pooler.reservePoolSize;
    const perProcess = pooler.maxDbConnections > 0 ? Math.min(poolPerDatabase, pooler.maxDbConnections) : poolPerDatabase;
    // A session pool keeps its server connections after their clients leave (until server_idle_timeout), so
    // each PgBouncer process may hold the whole session pool: `session` per process, not `session` in all.
    const sessionServer = pooler.kind === "deployment" ? session * pooler.replicas : session;
    const serverConnections = perProcess * pooler.replicas + sessionServer;
    const serverLimit = input.maxConnections - input.reservedConnections;

    const servicesTerm = input.services.map((s) => `${s.name} ${s.maxReplicas}×${s.dbPoolSize}`).join(" + ") || "no services";
    const lines = [
        `app pools per endpoint: ${servicesTerm} = ${perEndpoint}`,
        pooler.kind === "deployment"
            ? `client connections: ${perEndpoint} × ${endpointsPerPooler} endpoints (primary + ${input.readReplicas} replicas)`
                + (sessionClients > 0 ? ` + ${sessionClients} session-level` : "") + ` = ${clientConnections}`
                + ` ${holds(clientConnections, clientLimit)} max_client_conn ${pooler.maxClientConn} × ${serving} PgBouncer replicas`
                + (serving < pooler.replicas ? ` (${pooler.replicas} − ${pooler.maxUnavailable} the PDB may take down)` : "")
                + ` = ${clientLimit}`
            : `client connections per server's built-in PgBouncer: ${clientConnections} ${holds(clientConnections, clientLimit)} max_client_conn ${clientLimit}`,
        `server connections per PgBouncer process: min(default_pool_size ${pooler.defaultPoolSize} + reserve_pool_size ${pooler.reservePoolSize}, `
            + `max_db_connections ${pooler.maxDbConnections > 0 ? pooler.maxDbConnections : "unlimited"}) = ${perProcess}`,
        `server connections per PostgreSQL server: ${perProcess} × ${pooler.replicas} PgBouncer ${pooler.replicas === 1 ? "process" : "processes"}`
            + (session === 0 ? "" : pooler.kind === "deployment"
                ? ` + session pool ${session} × ${pooler.replicas} (the primary)`
                : ` + ${session} session-level, direct (the primary)`)
            + ` = ${serverConnections}`
            + ` ${holds(serverConnections, serverLimit)} max_connections ${input.maxConnections} - ${input.reservedConnections} reserved = ${serverLimit}`,
    ];
    const problems: string[] = [];
    if (clientConnections > clientLimit) {
        problems.push(`the app may open ${clientConnections} client connections but the pooler accepts ${clientLimit}`);
    }
    if (serverConnections > serverLimit) {
        problems.push(`the pooler may open ${serverConnections} server connections but each server allows ${serverLimit}`);
    }
    return {
        ok: problems.length === 0, clientConnections, clientLimit,
        serverConnectionsPerPooler: perProcess, sessionConnectionsPerPooler: pooler.kind === "deployment" ? session : 0, serverConnections, serverLimit, lines, problems,
    };
}

/**
 * After an RDS promotion every PgBouncer entry leads to one server (components/aws/database.ts
 * endpointHosts): the writer's entry keeps its pool, and the other names share what is left of that
 * server's connections, per PgBouncer process, as a per-entry `max_db_connections` ("all pools
 * within the database will not have more than this many server connections", PgBouncer's
 * [databases] section). The session-level entry, to the writer too, keeps its pool. Below 1 there is
 * no room: the config check reports it.
 */
export function sharedServerCap(budget: ConnectionBudget, poolerReplicas: number, otherEntries: number): number {
    const room = Math.floor(budget.serverLimit / poolerReplicas) - budget.serverConnectionsPerPooler - budget.sessionConnectionsPerPooler;
    return otherEntries > 0 ? Math.floor(room / otherEntries) : room;
}
