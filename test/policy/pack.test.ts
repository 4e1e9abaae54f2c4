import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { PROJECT_DIR } from "../helpers/planJobs";
import { policies } from "../../policy/catalogue";

/**
 * The pack as `pulumi preview --policy-pack policy` starts it: policy/index.ts run in policy/,
 * serving the analyzer on the port it prints. The engine's first call is GetAnalyzerInfo.
 */
describe("policy pack entry point", () => {
    let child: ChildProcess | undefined;

    after(() => {
        child?.kill();
    });

    it("serves the analyzer and describes every policy, mandatory but the version warning, with its config schema", async () => {
        child = spawn(process.execPath, ["--import", "tsx", "index.ts"], { cwd: path.join(PROJECT_DIR, "policy"), stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr!.on("data", (chunk) => { stderr += chunk; });
        const port = await new Promise<string>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no port printed: ${stderr}`)), 60000);
            child!.stdout!.once("data", (chunk) => { clearTimeout(timer); resolve(String(chunk).trim()); });
            child!.once("exit", (code) => reject(new Error(`pack exited with ${code}: ${stderr}`)));
        });
        assert.match(port, /^\d+$/);

        const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        try {
            const info: any = await new Promise((resolve, reject) =>
                client.getAnalyzerInfo(new Empty(), (err: unknown, response: unknown) => (err ? reject(err) : resolve(response))));
            assert.equal(info.getName(), "bookstore-policy");
            assert.equal(info.getVersion(), "0.1.0");
            const served = info.getPoliciesList().map((p: any) => [p.getName(), p.getEnforcementlevel()]);
            // 0 is ADVISORY and 1 MANDATORY in the analyzer proto; only the near-end-of-support warning is advisory.
            assert.deepEqual(served, policies.map((p) => [p.name, p.name === "aks-kubernetes-version-ending" ? 0 : 1]));
            const schema = info.getPoliciesList().find((p: any) => p.getName() === "containerapp-min-replicas").getConfigschema();
            assert.deepEqual(Object.keys(schema.getProperties().toJavaScript()).sort(), ["environments", "minReplicas", "zoneRedundantMinReplicas"]);
        } finally {
            client.close();
        }
    });
});
