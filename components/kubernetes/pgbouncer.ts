// PgBouncer on Kubernetes: pgbouncer.ini and userlist rendering, and the PgbouncerDeployment component.
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { PGBOUNCER_MAX_UNAVAILABLE } from "../../policy/shared/budget";
import { resolveImage } from "../images";

/** The pooler's settings (`bookstore:database.pgbouncer`; the stack config fills the seed's defaults). */
export interface PgbouncerSettings {
    poolMode: "transaction" | "session" | "statement";
    maxClientConn: number;
    defaultPoolSize: number;
    /** Extra server connections per pool under load. */
    reservePoolSize: number;
    /** Seconds a client waits before the reserve pool is used. */
    reservePoolTimeout: number;
    /** Cap on server connections per database and PgBouncer process; 0 = no cap. */
    maxDbConnections: number;
    serverIdleTimeout: number;
    /** Seconds before a server connection is closed and reopened. */
    serverLifetime: number;
    /** PgBouncer pods (the PDB lets one go: the clients must fit through the others). */
    replicas: number;
    /** Pinned image; a relative name is a repository of the stack's registry. */
    image: string;
    /** TLS from PgBouncer to PostgreSQL. */
    serverTlsSslmode: "require" | "verify-ca" | "verify-full";
}

/** PgBouncer's port, on the built-in pooler and the Deployment alike. */
export const POOLER_PORT = 6432;
/** Where the Deployment mounts pgbouncer.ini and userlist.txt. */
export const PGBOUNCER_CONFIG_DIR = "/etc/pgbouncer";

/** One `[databases]` entry: the name clients connect to, and the server behind it. */
export interface PgbouncerDatabase {
    /** Name clients use, e.g. "bookstore", "bookstore-replica-1". */
    name: string;
    host: string;
    port: number;
    /** Database on the server. */
    dbname: string;
    /** This entry's own `max_db_connections` (its pools together), e.g. names sharing a server after an RDS promotion. */
    maxDbConnections?: number;
}

export type ServerTlsMode = "disable" | "prefer" | PgbouncerSettings["serverTlsSslmode"];

export interface PgbouncerIniInput {
    databases: PgbouncerDatabase[];
    settings: Omit<PgbouncerSettings, "replicas" | "image" | "serverTlsSslmode"> & {
        /** TLS to the servers. Modes without TLS are accepted only when every host is loopback. */
        serverTlsSslmode: ServerTlsMode;
    };
    /** Default `0.0.0.0` (all interfaces of the pod). */
    listenAddr?: string;
    /** Default 6432. */
    listenPort?: number;
    /** Default `/etc/pgbouncer/userlist.txt`. */
    authFile?: string;
    /** CA bundle for `verify-ca`/`verify-full`; default the system bundle (Azure's roots are in it, RDS's are not). */
    serverTlsCaFile?: string;
}

/** Loopback hosts: all of 127.0.0.0/8 (RFC 1122), ::1 and localhost (a local harness's servers, never a cloud's). */
const isLoopback = (host: string) => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "::1" || host === "localhost";
const SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

function iniValue(value: string | number): string {
    const text = String(value);
    if (/[\s;#"'=]/.test(text) || text === "") throw new Error(`pgbouncer.ini value ${JSON.stringify(text)} would need quoting`);
    return text;
}

/**
 * Renders pgbouncer.ini: a `[databases]` entry per endpoint (primary and each replica) and the
 * pooler settings from config. SCRAM authentication against the user list, and TLS to the
 * servers unless every server is on loopback (the local test harness).
 */
export function renderPgbouncerIni(input: PgbouncerIniInput): string {
    const { settings } = input;
    const tls = settings.serverTlsSslmode;
    if (tls === "disable" || tls === "prefer") {
        const remote = input.databases.filter((d) => !isLoopback(d.host)).map((d) => d.host);
        if (remote.length > 0) throw new Error(`server_tls_sslmode ${tls} is only allowed for loopback servers, not ${remote.join(", ")}`);
    }
    const names = new Set<string>();
    const databaseLines = input.databases.map((d) => {
        if (!/^[a-zA-Z0-9_-]+$/.test(d.name) || names.has(d.name)) throw new Error(`invalid or duplicate pgbouncer database name ${d.name}`);
        names.add(d.name);
        const cap = d.maxDbConnections === undefined ? "" : ` max_db_connections=${Math.trunc(d.maxDbConnections)}`;
        return `${d.name} = host=${iniValue(d.host)} port=${d.port} dbname=${iniValue(d.dbname)}${cap}`;
    });
    const pgbouncer: [string, string | number][] = [
        ["listen_addr", input.listenAddr ?? "0.0.0.0"],
        ["listen_port", input.listenPort ?? POOLER_PORT],
        // No Unix socket: clients come over TCP, and a read-only root filesystem has no /tmp to spare.
        ["unix_socket_dir", ""],
        ["auth_type", "scram-sha-256"],
        ["auth_file", input.authFile ?? `${PGBOUNCER_CONFIG_DIR}/userlist.txt`],
        ["pool_mode", settings.poolMode],
        ["max_client_conn", settings.maxClientConn],
        ["default_pool_size", settings.defaultPoolSize],
        ["reserve_pool_size", settings.reservePoolSize],
        ["reserve_pool_timeout", settings.reservePoolTimeout],
        ["max_db_connections", settings.maxDbConnections],
        ["server_idle_timeout", settings.serverIdleTimeout],
        ["server_lifetime", settings.serverLifetime],
        ["server_tls_sslmode", tls],
        ...(tls === "verify-ca" || tls === "verify-full" ? [["server_tls_ca_file", input.serverTlsCaFile ?? SYSTEM_CA_BUNDLE] as [string, string]] : []),
        // Thousands of app connections would flood the log; the periodic stats line stays.
        ["log_connections", 0],
        ["log_disconnections", 0],
    ];
    return [
        "[databases]",
        ...databaseLines,
        "",
        "[pgbouncer]",
        ...pgbouncer.map(([key, value]) => (value === "" ? `${key} =` : `${key} = ${iniValue(value)}`)),
        "",
    ].join("\n");
}

/** userlist.txt: `"user" "password"`, double quotes inside doubled as PgBouncer expects. */
export function renderUserlist(users: { user: string; password: string }[]): string {
    const quote = (s: string) => `"${s.replace(/"/g, "\"\"")}"`;
    return users.map((u) => `${quote(u.user)} ${quote(u.password)}`).join("\n") + "\n";
}

export interface PgbouncerDeploymentArgs {
    /** Kubernetes provider of the cluster. */
    provider: k8s.Provider;
    /** Namespace of the app (clients reach `pgbouncer.<namespace>.svc.cluster.local:6432`). */
    namespace: pulumi.Input<string>;
    /** Endpoints: the primary first, then each replica; hosts are the servers' FQDNs. */
    databases: { name: string; host: pulumi.Input<string>; port: number; dbname: string; maxDbConnections?: pulumi.Input<number | undefined> }[];
    /** The login PgBouncer authenticates clients as and uses on the servers. */
    user: pulumi.Input<string>;
    /** Its password (a secret); kept in a Kubernetes Secret, never in the ConfigMap. */
    password: pulumi.Input<string>;
    /** Pool settings, image and replicas (`bookstore:database.pgbouncer`). */
    settings: PgbouncerSettings;
    /** Login server of the stack's registry: a relative `settings.image` is a repository of it. */
    registryLoginServer: pulumi.Input<string>;
    /** CA bundle the pooler verifies the servers with (see PgbouncerIniInput.serverCaFile). Default: the system bundle. */
    serverCaFile?: string;
    /** The pods start after these, e.g. the kubelet's AcrPull having taken effect (an image from the stack's registry). */
    startAfter?: pulumi.Resource[];
    /** PEM CA bundle the servers' certificates chain to (e.g. RDS's), mounted for `verify-*`; unset: the system bundle. */
    serverCaBundle?: string;
}

/** Where the Deployment mounts `serverCaBundle` (beside pgbouncer.ini, from its own ConfigMap). */
export const SERVER_CA_FILE = `${PGBOUNCER_CONFIG_DIR}/server-ca.pem`;

/** Seed resources of a PgBouncer pod. */
const RESOURCES = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };

/**
 * PgBouncer as a Kubernetes Deployment: pgbouncer.ini rendered from config in a ConfigMap, the
 * user list in a Secret, pods spread over zones with TCP probes, a PDB that keeps one pod up, and
 * a ClusterIP Service on 6432.
 */
export class PgbouncerDeployment extends pulumi.ComponentResource {
    /** In-cluster host of the Service. */
    readonly host: pulumi.Output<string>;
    readonly port = POOLER_PORT;

    constructor(name: string, args: PgbouncerDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:database:PgbouncerDeployment", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const labels = { "app.kubernetes.io/name": "pgbouncer", "app.kubernetes.io/part-of": "bookstore" };
        const metadata = (resourceName: string) => ({ name: resourceName, namespace: args.namespace, labels });
        const { settings } = args;

        const ini = pulumi.all([pulumi.all(args.databases.map((d) => d.host)), pulumi.all(args.databases.map((d) => d.maxDbConnections))]).apply(([hosts, caps]) => renderPgbouncerIni({
            databases: args.databases.map((d, i) => ({ name: d.name, host: hosts[i], port: d.port, dbname: d.dbname, ...(caps[i] === undefined ? {} : { maxDbConnections: caps[i] }) })),
            settings,
            serverTlsCaFile: args.serverCaBundle ? SERVER_CA_FILE : undefined,
        }));
        const ca = serverCaSource(name, args, metadata, child);
        const config = new k8s.core.v1.ConfigMap(`${name}-config`, {
            metadata: metadata("pgbouncer-config"),
            data: { "pgbouncer.ini": ini },
        }, child);
        const userlist = new k8s.core.v1.Secret(`${name}-userlist`, {
            metadata: metadata("pgbouncer-userlist"),
            type: "Opaque",
            stringData: {
                "userlist.txt": pulumi.secret(pulumi.all([args.user, args.password]).apply(([user, password]) => renderUserlist([{ user, password }]))),
            },
        }, child);

        const container: k8s.types.input.core.v1.Container = {
            name: "pgbouncer",
            image: resolveImage(settings.image, args.registryLoginServer),
            command: ["pgbouncer", `${PGBOUNCER_CONFIG_DIR}/pgbouncer.ini`],
            ports: [{ name: "pgbouncer", containerPort: POOLER_PORT, protocol: "TCP" }],
            resources: RESOURCES,
            readinessProbe: { tcpSocket: { port: POOLER_PORT }, initialDelaySeconds: 2, periodSeconds: 5 },
            livenessProbe: { tcpSocket: { port: POOLER_PORT }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 },
            securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ["ALL"] },
            },
            volumeMounts: [{ name: "config", mountPath: PGBOUNCER_CONFIG_DIR, readOnly: true }],
        };
        const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, {
            metadata: metadata("pgbouncer"),
            spec: {
                replicas: settings.replicas,
                selector: { matchLabels: labels },
                template: {
                    metadata: {
                        labels,
                        // A new ini rolls the pods; PgBouncer reads its config at start.
                        annotations: { "bookstore/config-sha256": ini.apply((text) => createHash("sha256").update(text + (args.serverCaBundle ?? "")).digest("hex")) },
                    },
                    spec: {
                        automountServiceAccountToken: false,
                        securityContext: { runAsNonRoot: true, runAsUser: 998, runAsGroup: 996, seccompProfile: { type: "RuntimeDefault" } },
                        topologySpreadConstraints: [
                            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels } },
                            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels } },
                        ],
                        containers: [container],
                        volumes: [{
                            name: "config",
                            projected: {
                                sources: [
                                    { configMap: { name: config.metadata.name, items: [{ key: "pgbouncer.ini", path: "pgbouncer.ini" }] } },
                                    { secret: { name: userlist.metadata.name, items: [{ key: "userlist.txt", path: "userlist.txt" }] } },
                                    ...ca,
                                ],
                            },
                        }],
                    },
                },
            },
        }, { ...child, dependsOn: args.startAfter ?? [] });
        new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
            metadata: metadata("pgbouncer"),
            spec: {
                // One pod at a time may go during node drains and upgrades; the rest keep serving.
                maxUnavailable: PGBOUNCER_MAX_UNAVAILABLE,
                selector: { matchLabels: labels },
                unhealthyPodEvictionPolicy: "AlwaysAllow",
            },
        }, { ...child, dependsOn: [deployment] });
        const service = new k8s.core.v1.Service(`${name}-service`, {
            metadata: metadata("pgbouncer"),
            spec: {
                type: "ClusterIP",
                selector: labels,
                ports: [{ name: "pgbouncer", port: POOLER_PORT, targetPort: "pgbouncer", protocol: "TCP" }],
            },
        }, child);

        this.host = pulumi.interpolate`${service.metadata.name}.${args.namespace}.svc.cluster.local`;
        this.registerOutputs({ host: this.host, port: this.port });
    }
}

/** The server CA bundle's ConfigMap (when one is given) as a projected-volume source beside pgbouncer.ini. */
function serverCaSource(name: string, args: PgbouncerDeploymentArgs, metadata: (n: string) => k8s.types.input.meta.v1.ObjectMeta, opts: pulumi.CustomResourceOptions) {
    if (!args.serverCaBundle) return [];
    const map = new k8s.core.v1.ConfigMap(`${name}-server-ca`, { metadata: metadata("pgbouncer-server-ca"), data: { "server-ca.pem": args.serverCaBundle } }, opts);
    return [{ configMap: { name: map.metadata.name, items: [{ key: "server-ca.pem", path: "server-ca.pem" }] } }];
}

/** The in-cluster host of the PgBouncer Service in a namespace, known before the Service exists. */
export function pgbouncerServiceHost(namespace: string): string {
    return `pgbouncer.${namespace}.svc.cluster.local`;
}
