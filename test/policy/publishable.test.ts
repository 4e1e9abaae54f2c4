import { strict as assert } from "assert";
import { spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import { builtinModules } from "module";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzeRequest, AnalyzerResourceOptions } from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { PACK_NAME, PACK_VERSION, policies } from "../../policy/catalogue";

/**
 * `pulumi policy publish policy` uploads policy/ and nothing else; wherever the pack is enforced,
 * Pulumi installs the pack's own package.json and starts @pulumi/pulumi's run-policy-pack on it,
 * which compiles the TypeScript with ts-node and type-checks it (typeCheck: true) against the
 * pack's tsconfig.json. These tests hold the pack to that: no import out of policy/, its own
 * dependencies, and a copy of policy/ alone, installed by `npm ci`, loaded by that runtime entry.
 */
const ROOT = path.resolve(__dirname, "../..");
const POLICY_DIR = path.join(ROOT, "policy");

/** The pack's .ts files, relative to policy/ (its node_modules left out). */
function packFiles(): string[] {
    return (fs.readdirSync(POLICY_DIR, { recursive: true }) as string[])
        .filter((file) => file.endsWith(".ts") && !file.split(path.sep).includes("node_modules"));
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));

/** The package an import specifier names: "@pulumi/azure-native/app" → "@pulumi/azure-native". */
const packageOf = (specifier: string) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

// Nothing of the project may leak in: no NODE_PATH, no preloaded loader, no ts-node overrides.
// TS_NODE_CACHE=false makes ts-node type-check every file afresh instead of reusing /tmp.
function isolatedEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
        if (key !== "NODE_PATH" && key !== "NODE_OPTIONS" && !key.startsWith("TS_NODE_")) env[key] = value;
    }
    return { ...env, TS_NODE_CACHE: "false" };
}

/** The longest the background install or the pack's start may take before the test gives up. */
const BACKGROUND_STEP_MS = 540_000;

/** Resolves once `file` exists, with its text (the background steps record their results in files); rejects after `timeoutMs`. */
async function fileText(file: string, timeoutMs = BACKGROUND_STEP_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!fs.existsSync(file)) {
        if (Date.now() > deadline) throw new Error(`${path.basename(file)} did not appear within ${timeoutMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return fs.readFileSync(file, "utf8");
}

/** What an installed node_modules of the pack depends on: its package.json, its lock file, Node's version. */
function packInstallKey(): string {
    const hash = createHash("sha256");
    for (const name of ["package.json", "package-lock.json"]) hash.update(fs.readFileSync(path.join(POLICY_DIR, name)));
    return hash.update(process.version).digest("hex").slice(0, 16);
}

/**
 * Copies policy/ alone to a temporary directory, installs it with `npm ci`, then starts what the CLI
 * runs for a Node.js pack: run-policy-pack <engine address> <pack directory>, which compiles and
 * type-checks the pack and prints the port it serves on. Both steps run in a shell of their own
 * that records each result in a file, so they hold no handle of this process's event loop (a run
 * that filters these tests out still ends); the shell's process group is killed when the run ends.
 */
function startPack() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-"));
    fs.cpSync(POLICY_DIR, dir, { recursive: true, filter: (source) => path.basename(source) !== "node_modules" });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-run-"));
    const file = (name: string) => path.join(out, name);
    // Locally the npm cache filled by the root `npm ci` serves every tarball (--offline fails
    // with ENOTCACHED otherwise, and the test skips); CI may fetch what is missing.
    const ci = Boolean(process.env.CI);
    const runtime = path.join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
    // Outside CI, a lock file `npm ci` installed once is not installed again (~25 s of CPU, most of
    // the test): its node_modules is kept under the hash of package.json, the lock and Node's version,
    // and linked into each copy. Under CI=true (.ci/run) every run installs afresh.
    const keptInstall = ci ? undefined : path.join(os.tmpdir(), "bookstore-policy-pack-installs", packInstallKey());
    const installSteps = keptInstall && fs.existsSync(path.join(keptInstall, "node_modules", ".package-lock.json"))
        ? [`ln -s '${keptInstall}/node_modules' node_modules`, "status=0"]
        : [
            `npm ci ${ci ? "--prefer-offline" : "--offline"} --no-audit --no-fund >'${file("npm.out")}' 2>'${file("npm.err")}'`,
            "status=$?",
            ...(keptInstall ? [
                // Kept for the next run: moved into place whole (mv -T fails if another run got there first).
                `if [ $status -eq 0 ] && mkdir -p '${path.dirname(keptInstall)}' && mkdir "${keptInstall}.$$" && mv node_modules "${keptInstall}.$$/" && mv -T "${keptInstall}.$$" '${keptInstall}'; then ln -s '${keptInstall}/node_modules' node_modules; fi`,
                `if [ -d "${keptInstall}.$$" ]; then mv "${keptInstall}.$$/node_modules" . 2>/dev/null; rm -rf "${keptInstall}.$$"; fi`,
            ] : []),
        ];
    const script = [
        ...installSteps,
        `touch '${file("npm.err")}'; echo $status >'${file("npm.status.tmp")}'; mv '${file("npm.status.tmp")}' '${file("npm.status")}'`,
        "[ $status -eq 0 ] || exit 0",
        `"$0" '${runtime}' 127.0.0.1:0 . >'${file("pack.out")}' 2>'${file("pack.err")}'`,
        `echo $? >'${file("pack.status")}'`,
    ].join("\n");
    const shell = spawn("/bin/sh", ["-c", script, process.execPath], { cwd: dir, env: isolatedEnv(), stdio: "ignore", detached: true });
    shell.unref();
    let stopped = false;
    const stop = () => {
        if (stopped) return;
        stopped = true;
        try {
            process.kill(-shell.pid!, "SIGTERM");
        } catch {
            // already ended
        }
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(out, { recursive: true, force: true });
    };
    process.once("exit", stop);
    const installed = fileText(file("npm.status")).then((status) => ({ status: Number(status), stderr: fs.readFileSync(file("npm.err"), "utf8") }));
    /** The port the pack serves on, once it printed one (or its output when it ended first). */
    const served = (async () => {
        const output = () => (fs.existsSync(file("pack.err")) ? fs.readFileSync(file("pack.err"), "utf8") : "");
        // The pack starts only after a successful install: a failed one ends this wait at once.
        const install = await installed;
        if (install.status !== 0) throw new Error(`the pack was not started: npm ci failed (exit ${install.status})`);
        const deadline = Date.now() + BACKGROUND_STEP_MS;
        for (;;) {
            const port = fs.existsSync(file("pack.out")) ? fs.readFileSync(file("pack.out"), "utf8") : "";
            if (port.endsWith("\n")) return { port: port.trim(), output: output() };
            if (fs.existsSync(file("pack.status"))) throw new Error(`the pack did not load (exit ${fs.readFileSync(file("pack.status"), "utf8").trim()}):\n${output()}`);
            if (Date.now() > deadline) throw new Error(`the pack printed no port within ${BACKGROUND_STEP_MS / 1000} s:\n${output()}`);
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    })();
    served.catch(() => undefined); // reported by the test that awaits it
    return { ci, installed, served, stop };
}

describe("policy pack: publishable on its own", () => {
    it("imports no file outside policy/ and no package it does not declare", () => {
        const declared = new Set(Object.keys(readJson(path.join(POLICY_DIR, "package.json")).dependencies));
        const problems: string[] = [];
        for (const file of packFiles()) {
            const source = fs.readFileSync(path.join(POLICY_DIR, file), "utf8");
            for (const { fileName: specifier } of ts.preProcessFile(source, true, true).importedFiles) {
                if (specifier.startsWith(".")) {
                    const target = path.resolve(path.dirname(path.join(POLICY_DIR, file)), specifier);
                    if (path.relative(POLICY_DIR, target).startsWith("..")) problems.push(`${file} imports ${specifier}`);
                } else if (!builtinModules.includes(specifier.replace(/^node:/, "")) && !declared.has(packageOf(specifier))) {
                    problems.push(`${file} imports ${specifier}, not a dependency in policy/package.json`);
                }
            }
        }
        assert.deepEqual(problems, []);
    });

    it("pins the versions the program uses, and its lock file matches its package.json", () => {
        const pack = readJson(path.join(POLICY_DIR, "package.json")).dependencies as Record<string, string>;
        const programLock = readJson(path.join(ROOT, "package-lock.json")).packages;
        for (const [name, version] of Object.entries(pack)) {
            assert.equal(version, programLock[`node_modules/${name}`]?.version, `policy/package.json ${name}`);
        }
        const packLock = readJson(path.join(POLICY_DIR, "package-lock.json"));
        assert.deepEqual(packLock.packages[""].dependencies, pack);
        for (const name of Object.keys(pack)) assert.equal(packLock.packages[`node_modules/${name}`]?.version, pack[name], `policy/package-lock.json ${name}`);
    });

    describe("a copy of policy/ alone, installed with npm ci and run by Pulumi's policy-pack runtime", function () {
        this.timeout(600_000);
        // Installed and started in the background from when this suite is defined (about 30 s of
        // CPU, half of it waiting on the disk), so the rest of the run goes on meanwhile.
        const pack = startPack();
        let client: AnalyzerClient | undefined;

        before(async function () {
            const install = await pack.installed;
            if (install.status !== 0 && !pack.ci && /ENOTCACHED/.test(install.stderr)) {
                console.log("      skipped: the npm cache lacks the policy pack's packages (run `npm ci --prefix policy` once; under CI=true this fails)");
                this.skip();
            }
            assert.equal(install.status, 0, `npm ci in the copied pack failed:\n${install.stderr}`);
        });

        after(() => {
            client?.close();
            pack.stop();
        });

        it("type-checks, loads and serves every policy of the catalogue", async () => {
            const { port, output } = await pack.served;
            assert.match(port, /^\d+$/, output);

            client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
            const info: any = await new Promise((resolve, reject) =>
                client!.getAnalyzerInfo(new Empty(), (err: unknown, response: unknown) => (err ? reject(err) : resolve(response))));
            assert.equal(info.getName(), PACK_NAME);
            assert.equal(info.getVersion(), PACK_VERSION);
            assert.deepEqual(info.getPoliciesList().map((p: any) => p.getName()), policies.map((p) => p.name));
        });

        it("runs the rules it shares with the program: an unpinned image is a violation, a pinned one is not", async function () {
            if (!client) this.skip();
            const imagePinned = async (image: string) => {
                const request = new AnalyzeRequest();
                request.setType("kubernetes:apps/v1:Deployment");
                request.setName("api");
                request.setUrn("urn:pulumi:prod::bookstore::kubernetes:apps/v1:Deployment::api");
                request.setOptions(new AnalyzerResourceOptions());
                request.setProperties(Struct.fromJavaScript({ spec: { template: { spec: { containers: [{ name: "api", image }] } } } }));
                const response: any = await new Promise((resolve, reject) =>
                    client!.analyze(request, (err: unknown, result: unknown) => (err ? reject(err) : resolve(result))));
                return response.getDiagnosticsList().filter((d: any) => d.getPolicyname() === "image-pinned")
                    // @pulumi/policy puts the policy's description on the line before the violation.
                    .map((d: any) => d.getMessage().split("\n").at(-1));
            };
            assert.deepEqual(await imagePinned("bookstore/api:latest"),
                ['container "api" image "bookstore/api:latest" uses the mutable tag "latest"; pin a tag or a digest.']);
            assert.deepEqual(await imagePinned("bookstore/api:1.4.2"), []);
        });
    });
});
