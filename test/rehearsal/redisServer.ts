/**
 * A throwaway Redis (Debian's redis-server) on loopback with TLS only and a password: what the
 * stacks' cache connection strings demand (ssl=True and a password on Azure Managed Redis and on
 * ElastiCache for Valkey). The certificate is generated per run with openssl, for 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort } from "../../tools/postgresLab";

export const REDIS_SERVER = process.env.REDIS_SERVER ?? "/usr/bin/redis-server";

/** A self-signed CA and a server certificate for 127.0.0.1 and localhost, in `dir`. */
export function throwawayCertificates(dir: string): { caFile: string; certFile: string; keyFile: string } {
    const file = (name: string) => path.join(dir, name);
    const openssl = (args: string[]) => {
        const r = spawnSync("openssl", args, { encoding: "utf8", cwd: dir, timeout: 60_000 });
        if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
    };
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=rehearsal-ca", "-keyout", file("ca.key"), "-out", file("ca.crt")]);
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", file("server.key"), "-out", file("server.csr")]);
    fs.writeFileSync(file("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    openssl(["x509", "-req", "-in", file("server.csr"), "-CA", file("ca.crt"), "-CAkey", file("ca.key"), "-CAcreateserial", "-days", "1", "-extfile", file("san.ext"), "-out", file("server.crt")]);
    return { caFile: file("ca.crt"), certFile: file("server.crt"), keyFile: file("server.key") };
}

export class RedisServer {
    private constructor(private readonly child: ChildProcess, readonly port: number, readonly password: string, readonly dir: string) {}

    static available(): boolean {
        return spawnSync(REDIS_SERVER, ["--version"], { encoding: "utf8" }).status === 0;
    }

    /** redis-server with TLS on a free port (no plain port), `requirepass`, no persistence. */
    static async start(tls: { certFile: string; keyFile: string; caFile: string }): Promise<RedisServer> {
        const port = await freePort();
        const password = `rehearsal-${Math.random().toString(36).slice(2)}`;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redislab-"));
        const child = spawn(REDIS_SERVER, [
            "--port", "0", "--tls-port", String(port), "--bind", "127.0.0.1",
            "--tls-cert-file", tls.certFile, "--tls-key-file", tls.keyFile, "--tls-ca-cert-file", tls.caFile,
            "--tls-auth-clients", "no", "--requirepass", password,
            "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no",
        ], { stdio: ["ignore", "pipe", "pipe"] });
        let log = "";
        child.stdout!.on("data", (d) => { log += d; });
        child.stderr!.on("data", (d) => { log += d; });
        const deadline = Date.now() + 30_000;
        while (!log.includes("Ready to accept connections")) {
            if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}):\n${log}`);
            if (Date.now() > deadline) {
                child.kill("SIGKILL");
                throw new Error(`redis-server was not ready within 30 s:\n${log}`);
            }
            await new Promise((r) => setTimeout(r, 100));
        }
        return new RedisServer(child, port, password, dir);
    }

    async stop(): Promise<void> {
        if (this.child.exitCode === null) {
            const exited = new Promise((r) => this.child.once("exit", r));
            this.child.kill("SIGTERM");
            await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
            if (this.child.exitCode === null) this.child.kill("SIGKILL");
        }
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
