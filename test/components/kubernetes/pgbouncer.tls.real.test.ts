/**
 * PgBouncer's `server_tls_sslmode = verify-full` with a mounted CA bundle (`server_tls_ca_file`, as
 * the eks stacks mount the RDS root CAs), on real PostgreSQL 15 + PgBouncer over loopback, with a CA
 * and server certificate made here by openssl. Skips locally (saying why) without the binaries; fails in CI.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { parseStackConfig } from "../../../stacks/config";
import { resolveDatabase } from "../../../stacks/schema/database";
import { LAB_DATABASE, missingBinaries, PostgresLab, runAs } from "../../../tools/postgresLab";

const settings = resolveDatabase(parseStackConfig({
    environment: "prod",
    platform: "aks",
    tags: { owner: "team@example.com", costCenter: "cc-1" },
    app: { services: { api: { image: "bookstore/api:1.2.3" } }, aks: { kubernetesVersion: "1.36" } },
})).pgbouncer;

function openssl(dir: string, args: string[]) {
    const result = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`openssl ${args.join(" ")} failed:\n${result.stderr}`);
}

/** A CA, a server certificate it signs for `127.0.0.1`/localhost, and an unrelated second CA. */
function makeCertificates(dir: string) {
    const subjectAltName = path.join(dir, "san.ext");
    fs.writeFileSync(subjectAltName, "subjectAltName = DNS:localhost, IP:127.0.0.1\n");
    for (const ca of ["ca", "other-ca"]) {
        openssl(dir, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=bookstore test ${ca}`,
            "-keyout", `${ca}.key`, "-out", `${ca}.pem`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    }
    openssl(dir, ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"]);
    openssl(dir, ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", subjectAltName, "-out", "server.crt"]);
    const owner = runAs();
    for (const file of fs.readdirSync(dir)) {
        fs.chmodSync(path.join(dir, file), file.endsWith(".key") ? 0o600 : 0o644);
        if (owner.uid !== undefined) fs.chownSync(path.join(dir, file), owner.uid, owner.gid!);
    }
    if (owner.uid !== undefined) fs.chownSync(dir, owner.uid, owner.gid!);
    return { ca: path.join(dir, "ca.pem"), otherCa: path.join(dir, "other-ca.pem"), cert: path.join(dir, "server.crt"), key: path.join(dir, "server.key") };
}

describe("PgBouncer verify-full against a mounted CA bundle (real PostgreSQL 15 + PgBouncer, TLS on loopback)", function () {
    this.timeout(480_000);
    let lab: PostgresLab;
    let dir: string;
    let certs: ReturnType<typeof makeCertificates>;

    before(async function () {
        const missing = missingBinaries();
        if (spawnSync("openssl", ["version"]).status !== 0) missing.push("openssl");
        if (missing.length > 0) {
            if (process.env.CI) throw new Error(`CI must run the real PgBouncer TLS test, but these are missing: ${missing.join(", ")}`);
            console.log(`      skipped: ${missing.join(", ")} not installed; .ci/run installs them`);
            this.skip();
        }
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgtls-"));
        fs.chmodSync(dir, 0o755);
        certs = makeCertificates(dir);
        lab = await PostgresLab.start({ maxConnections: 50, tls: { certFile: certs.cert, keyFile: certs.key } });
    });

    after(async () => {
        await lab?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const query = async (port: number, connectionTimeoutMillis = 5_000) => {
        const client = new Client({ host: "127.0.0.1", port, user: lab.user, password: lab.password, database: LAB_DATABASE, connectionTimeoutMillis });
        await client.connect();
        try {
            return (await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).rows[0].ssl as boolean;
        } finally {
            await client.end().catch(() => undefined);
        }
    };
    const poolerWith = (caFile: string) => lab.startPgbouncer({
        databases: [{ name: LAB_DATABASE, host: "127.0.0.1", port: lab.port, dbname: LAB_DATABASE }],
        settings: { ...settings, serverTlsSslmode: "verify-full" },
        serverTlsCaFile: caFile,
    });

    it("connects through PgBouncer over TLS when the server's certificate chains to the mounted CA", async () => {
        const port = await poolerWith(certs.ca);
        // The server side of PgBouncer's connection is encrypted (pg_stat_ssl of the backend serving us).
        assert.strictEqual(await query(port), true, lab.pgbouncerLog);
    });

    it("refuses the server when the mounted CA did not sign its certificate", async () => {
        const port = await poolerWith(certs.otherCa);
        // PgBouncer keeps the client waiting while it retries the server, so the client gives up (its
        // first attempt at the server fails at once: the client need not wait the default 5 s).
        await assert.rejects(query(port, 1_500));
        const refused = /certificate verify failed|unable to get local issuer/i;
        for (const deadline = Date.now() + 10_000; !refused.test(lab.pgbouncerLog) && Date.now() < deadline;) {
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.match(lab.pgbouncerLog, refused);
    });
});
