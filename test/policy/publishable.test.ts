import { strict as assert } from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
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
        let dir: string | undefined;
        let child: ChildProcess | undefined;
        let client: AnalyzerClient | undefined;

        // Nothing of the project may leak in: no NODE_PATH, no preloaded loader, no ts-node overrides.
        // TS_NODE_CACHE=false makes ts-node type-check every file afresh instead of reusing /tmp.
        const isolatedEnv = () => {
            const env: NodeJS.ProcessEnv = {};
            for (const [key, value] of Object.entries(process.env)) {
                if (key !== "NODE_PATH" && key !== "NODE_OPTIONS" && !key.startsWith("TS_NODE_")) env[key] = value;
            }
            return { ...env, TS_NODE_CACHE: "false" };
        };

        before(function () {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-"));
            fs.cpSync(POLICY_DIR, dir, { recursive: true, filter: (source) => path.basename(source) !== "node_modules" });
            // Locally the npm cache filled by the root `npm ci` serves every tarball (--offline fails
            // with ENOTCACHED otherwise, and the test skips); CI may fetch what is missing.
            const ci = Boolean(process.env.CI);
            const install = spawnSync("npm", ["ci", ci ? "--prefer-offline" : "--offline", "--no-audit", "--no-fund"],
                { cwd: dir, env: isolatedEnv(), encoding: "utf8" });
            if (install.status !== 0 && !ci && /ENOTCACHED/.test(install.stderr)) {
                console.log("      skipped: the npm cache lacks the policy pack's packages (run `npm ci` at the root; under CI=true this fails)");
                this.skip();
            }
            assert.equal(install.status, 0, `npm ci in the copied pack failed:\n${install.stderr}`);
        });

        after(() => {
            client?.close();
            child?.kill();
            if (dir) fs.rmSync(dir, { recursive: true, force: true });
        });

        it("type-checks, loads and serves every policy of the catalogue", async () => {
            // What the CLI runs for a Node.js pack: run-policy-pack <engine address> <pack directory>.
            const runtime = path.join(dir!, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
            child = spawn(process.execPath, [runtime, "127.0.0.1:0", "."], { cwd: dir, env: isolatedEnv(), stdio: ["ignore", "pipe", "pipe"] });
            let output = "";
            child.stderr!.on("data", (chunk) => { output += chunk; });
            const port = await new Promise<string>((resolve, reject) => {
                child!.stdout!.once("data", (chunk) => resolve(String(chunk).trim()));
                child!.once("exit", (code) => reject(new Error(`the pack did not load (exit ${code}):\n${output}`)));
            });
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
