import * as assert from "assert";
import { renderPgbouncerIni, renderUserlist } from "../../../components/kubernetes/pgbouncer";
import { parseStackConfig } from "../../../stacks/config";
import { resolveDatabase } from "../../../stacks/schema/database";
import { inputs, oneOfType, planOf, nonEmpty } from "../../helpers/plan";

const seedSettings = resolveDatabase(parseStackConfig({
    environment: "prod",
    platform: "aks",
    tags: { owner: "team@example.com", costCenter: "cc-1" },
    app: { services: { api: { image: "bookstore/api:1.2.3" } }, aks: { kubernetesVersion: "1.36" } },
})).pgbouncer;

const azureDatabases = [
    { name: "bookstore", host: "pg.postgres.database.azure.com", port: 5432, dbname: "bookstore" },
    { name: "bookstore-replica-1", host: "pg-r1.postgres.database.azure.com", port: 5432, dbname: "bookstore" },
];

/** pgbouncer.ini as key → value per section. */
function parseIni(text: string): Record<string, Record<string, string>> {
    const sections: Record<string, Record<string, string>> = {};
    let current = "";
    for (const line of text.split("\n")) {
        const header = /^\[(\w+)\]$/.exec(line);
        if (header) { current = header[1]; sections[current] = {}; continue; }
        const entry = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
        if (entry) sections[current][entry[1]] = entry[2];
    }
    return sections;
}

describe("pgbouncer.ini rendering", () => {
    it("adds an entry's own max_db_connections when given (names sharing a server after an RDS promotion), nothing otherwise", () => {
        const ini = renderPgbouncerIni({ databases: [azureDatabases[0], { ...azureDatabases[1], host: azureDatabases[0].host, maxDbConnections: 17 }], settings: seedSettings });
        assert.match(ini, /^bookstore = host=pg\.postgres\.database\.azure\.com port=5432 dbname=bookstore$/m);
        assert.match(ini, /^bookstore-replica-1 = host=pg\.postgres\.database\.azure\.com port=5432 dbname=bookstore max_db_connections=17$/m);
    });

    it("renders the seed's pool settings, SCRAM auth and required server TLS", () => {
        const ini = parseIni(renderPgbouncerIni({ databases: azureDatabases, settings: seedSettings }));
        assert.deepStrictEqual(ini.databases, {
            "bookstore": "host=pg.postgres.database.azure.com port=5432 dbname=bookstore",
            "bookstore-replica-1": "host=pg-r1.postgres.database.azure.com port=5432 dbname=bookstore",
        });
        const p = ini.pgbouncer;
        assert.deepStrictEqual(
            [p.listen_addr, p.listen_port, p.auth_type, p.auth_file, p.pool_mode, p.max_client_conn, p.default_pool_size,
                p.reserve_pool_size, p.reserve_pool_timeout, p.max_db_connections, p.server_idle_timeout, p.server_lifetime, p.server_tls_sslmode],
            ["0.0.0.0", "6432", "scram-sha-256", "/etc/pgbouncer/userlist.txt", "transaction", "1000", "25",
                "5", "3", "100", "600", "3600", "require"]);
    });

    it("verifies the server certificate against the system CA bundle with verify-full", () => {
        const ini = parseIni(renderPgbouncerIni({ databases: azureDatabases, settings: { ...seedSettings, serverTlsSslmode: "verify-full" } }));
        assert.strictEqual(ini.pgbouncer.server_tls_ca_file, "/etc/ssl/certs/ca-certificates.crt");
    });

    it("verifies against a mounted CA bundle when one is given (RDS's roots are not in the system bundle)", () => {
        const settings = { ...seedSettings, serverTlsSslmode: "verify-full" as const };
        const ini = parseIni(renderPgbouncerIni({ databases: azureDatabases, settings, serverTlsCaFile: "/etc/pgbouncer/server-ca.pem" }));
        assert.strictEqual(ini.pgbouncer.server_tls_ca_file, "/etc/pgbouncer/server-ca.pem");
        // With `require` nothing is verified, so no CA line at all.
        assert.strictEqual(parseIni(renderPgbouncerIni({ databases: azureDatabases, settings: seedSettings, serverTlsCaFile: "/x.pem" })).pgbouncer.server_tls_ca_file, undefined);
    });

    it("allows TLS to be relaxed only when every server is on loopback", () => {
        assert.throws(() => renderPgbouncerIni({ databases: azureDatabases, settings: { ...seedSettings, serverTlsSslmode: "disable" } }),
            /server_tls_sslmode disable is only allowed for loopback servers, not pg\.postgres\.database\.azure\.com, pg-r1/);
        const local = renderPgbouncerIni({
            databases: [{ name: "bookstore", host: "127.0.0.1", port: 5432, dbname: "bookstore" }],
            settings: { ...seedSettings, serverTlsSslmode: "disable" },
        });
        assert.strictEqual(parseIni(local).pgbouncer.server_tls_sslmode, "disable");
    });

    it("rejects values that would change the ini's meaning and duplicate database names", () => {
        assert.throws(() => renderPgbouncerIni({ databases: [{ ...azureDatabases[0], host: "evil host" }], settings: seedSettings }), /would need quoting/);
        assert.throws(() => renderPgbouncerIni({ databases: [azureDatabases[0], azureDatabases[0]], settings: seedSettings }), /duplicate/);
    });

    it("quotes the user list as PgBouncer expects", () => {
        assert.strictEqual(renderUserlist([{ user: "app", password: "a\"b" }]), "\"app\" \"a\"\"b\"\n");
    });
});

describe("PgBouncer Deployment (plan of prod-aks)", () => {
    const doc = () => planOf("prod-aks");

    it("renders the [databases] hosts from the server names: no PgBouncer resource waits for a PostgreSQL server", () => {
        const plan = doc();
        const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
        for (const r of nonEmpty(plan.resources.filter((x) => x.type.startsWith("kubernetes:") && x.name.startsWith("pgbouncer-")))) {
            assert.deepStrictEqual(r.dependencies.filter((u) => byUrn.get(u)?.type.startsWith("azure-native:dbforpostgresql:")), [], r.name);
        }
    });

    it("runs three pinned, non-root pods (the PDB lets one go; two carry the app's 1080 clients) with the seed's resources and TCP probes on 6432", () => {
        const deployment = inputs(oneOfType(doc(), "kubernetes:apps/v1:Deployment", "pgbouncer-deployment"));
        assert.strictEqual(deployment.metadata.namespace, "bookstore");
        assert.strictEqual(deployment.spec.replicas, 3);
        const [container] = deployment.spec.template.spec.containers;
        // CloudNativePG's image, imported into the stack's registry (registry.imports) rather than pulled from ghcr.io.
        assert.match(container.image, /^bookstoreprodacr\w+\.azurecr\.io\/cloudnative-pg\/pgbouncer:\d+\.\d+\.\d+$/);
        assert.doesNotMatch(container.image, /bitnami|:latest$/);
        assert.deepStrictEqual(container.resources, { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } });
        assert.deepStrictEqual([container.readinessProbe.tcpSocket.port, container.livenessProbe.tcpSocket.port], [6432, 6432]);
        assert.strictEqual(container.securityContext.runAsNonRoot, true);
        assert.deepStrictEqual(container.volumeMounts, [{ name: "config", mountPath: "/etc/pgbouncer", readOnly: true }]);
    });

    it("renders pgbouncer.ini from config into a ConfigMap with an entry per server, and keeps the user list in a Secret", () => {
        const ini = parseIni(inputs(oneOfType(doc(), "kubernetes:core/v1:ConfigMap", "pgbouncer-config")).data["pgbouncer.ini"]);
        assert.deepStrictEqual(Object.keys(ini.databases), ["bookstore", "bookstore-replica-1", "bookstore-replica-2"]);
        const outputs = doc().outputs as Record<string, any>;
        // The writer and the failover partner through the virtual endpoints (they survive a switchover), replica 1 by its name.
        const endpoints = outputs.databaseVirtualEndpoints;
        assert.deepStrictEqual(Object.values(ini.databases), [endpoints.writer, outputs.databaseReadHosts[0], endpoints.reader]
            .map((h: string) => `host=${h} port=5432 dbname=bookstore`));
        assert.strictEqual(ini.pgbouncer.server_tls_sslmode, "require");
        const secret = inputs(oneOfType(doc(), "kubernetes:core/v1:Secret", "pgbouncer-userlist"));
        assert.ok(["[secret]", "[unknown]"].includes(secret.stringData), JSON.stringify(secret.stringData));
    });

    it("exposes a ClusterIP Service on 6432 and a PDB that keeps a pod up", () => {
        const service = inputs(oneOfType(doc(), "kubernetes:core/v1:Service", "pgbouncer-service"));
        assert.deepStrictEqual([service.metadata.name, service.spec.type, service.spec.ports[0].port], ["pgbouncer", "ClusterIP", 6432]);
        const pdb = inputs(oneOfType(doc(), "kubernetes:policy/v1:PodDisruptionBudget", "pgbouncer-pdb"));
        assert.strictEqual(pdb.spec.maxUnavailable, 1);
        assert.deepStrictEqual(pdb.spec.selector, { matchLabels: service.spec.selector });
    });

    it("hands the app a ConnectionStrings__ setting per pooled endpoint", () => {
        const api = doc().resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && inputs(r).metadata.name === "api")!;
        const env = inputs(api).spec.template.spec.containers[0].env.map((e: any) => e.name);
        for (const name of ["ConnectionStrings__bookstore", "ConnectionStrings__bookstore-replica-1", "ConnectionStrings__bookstore-replica-2"]) {
            assert.ok(env.includes(name), name);
        }
    });
});
