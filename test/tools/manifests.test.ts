import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import type { CapturedResource } from "../../tools/offline/capture";
import { fieldPath, manifestsSection, validateManifest, writeManifests, type ManifestEntry } from "../../tools/offline/manifests";
import { plannedManifests } from "../helpers/plan";

const tempDirs: string[] = [];
const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "manifests-"));
    tempDirs.push(dir);
    return dir;
};
after(() => { for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true }); });

/** A captured registration as the mock monitor records it (the plan's own input format). */
function captured(kind: string, apiVersion: string, name: string, body: Record<string, unknown>): CapturedResource {
    return {
        urn: `urn:pulumi:test::bookstore::kubernetes:${apiVersion}:${kind}::${name}`,
        type: `kubernetes:${apiVersion}:${kind}`,
        name,
        custom: true,
        dependencies: [],
        options: { protect: false, ignoreChanges: [], retainOnDelete: false, deleteBeforeReplace: false },
        wireInputs: { apiVersion, kind, ...body },
        wireState: {},
    };
}

describe("--manifests (plan of prod-aks)", () => {
    const { run, dir } = plannedManifests("prod-aks");

    it("writes one YAML file per Kubernetes resource and every bundled schema accepts them", () => {
        const { document, exitCode, stderr } = run();
        assert.ok(document, stderr);
        assert.ok(!/manifest.*failed schema validation/.test(stderr), stderr);
        assert.notStrictEqual(exitCode, 1, stderr);
        const manifests = (document.manifests as { directory: string; resources: ManifestEntry[] }).resources;
        const kubernetes = document.resources.filter((r) => r.type.startsWith("kubernetes:"));
        const releases = kubernetes.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
        assert.ok(releases.some((r) => r.name === "alb-controller"), "prod-aks installs the ALB Controller with Helm");
        // A Helm release is no manifest (its chart renders at deploy time): it is neither written nor validated.
        assert.strictEqual(manifests.length, kubernetes.length - releases.length);
        assert.deepStrictEqual(manifests.filter((m) => !m.apiVersion || !m.kind || m.kind === "undefined"), []);
        for (const kind of ["Namespace", "ServiceAccount", "Secret", "Deployment", "Service", "HorizontalPodAutoscaler", "ScaledObject", "PodDisruptionBudget", "Gateway", "HTTPRoute"]) {
            assert.ok(manifests.some((m) => m.kind === kind && m.validation === "valid"), `${kind}: ${JSON.stringify(manifests)}`);
        }
        assert.deepStrictEqual(manifests.filter((m) => m.validation === "invalid"), []);
        const hpa = parse(fs.readFileSync(path.join(dir, "bookstore/horizontalpodautoscaler-web-hpa.yaml"), "utf8"));
        assert.deepStrictEqual([hpa.apiVersion, hpa.kind, hpa.metadata.namespace, hpa.spec.minReplicas, hpa.spec.maxReplicas], ["autoscaling/v2", "HorizontalPodAutoscaler", "bookstore", 2, 8]);
        assert.ok(fs.existsSync(path.join(dir, "_cluster/namespace-bookstore.yaml")));
    });

    it("never writes a secret value", () => {
        run();
        const text = fs.readFileSync(path.join(dir, "bookstore/secret-app-settings.yaml"), "utf8");
        assert.match(text, /stringData: "\[(secret|unknown)\]"/);
        assert.ok(!/Password=|password=/i.test(text), text);
    });
});

describe("manifest validation", () => {
    const deployment = (spec: Record<string, unknown>) => captured("Deployment", "apps/v1", "api", { metadata: { name: "api", namespace: "bookstore" }, spec });
    const container = { name: "api", image: "acr.example.io/api:1.0.0" };

    it("names the field of a schema error", () => {
        const errors = validateManifest({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api" },
            spec: { replicas: "two", selector: { matchLabels: { a: "b" } }, template: { spec: { containers: [{ ...container, ports: [{ containerPort: "http" }] }] } } } });
        assert.deepStrictEqual(errors, ["spec.replicas: must be integer", "spec.template.spec.containers[0].ports[0].containerPort: must be integer"]);
        assert.strictEqual(fieldPath("/spec/template/spec/containers/0/image"), "spec.template.spec.containers[0].image");
    });

    it("fails the plan section naming the resource and the field", async () => {
        const dir = tempDir();
        const errors: string[] = [];
        const original = console.error;
        console.error = (line: string) => errors.push(line);
        let code: number;
        const document: any = { project: "bookstore", stack: "test", resources: [], outputs: {} };
        try {
            code = await manifestsSection({
                document,
                run: { resources: [deployment({ template: { spec: { containers: [container] } } })], outputs: {}, unansweredInvokes: [] },
                options: { stack: "test", manifests: dir },
                out: () => undefined,
            });
        } finally {
            console.error = original;
        }
        assert.strictEqual(code, 1);
        assert.match(errors.join("\n"), /Deployment bookstore\/api \(urn:pulumi:test::bookstore::kubernetes:apps\/v1:Deployment::api\): spec\.selector: is required/);
        assert.strictEqual(document.manifests.resources[0].validation, "invalid");
    });

    it("does not blame values that are unknown until deployment, and skips custom resources it has no schema for", () => {
        const entries = writeManifests([
            deployment({ replicas: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", selector: { matchLabels: { a: "b" } }, template: { spec: { containers: [container] } } }),
            captured("NginxIngressController", "approuting.kubernetes.azure.com/v1alpha1", "nginx", { metadata: { name: "nginx" }, spec: {} }),
        ], tempDir());
        assert.deepStrictEqual(entries.map((e) => [e.kind, e.validation, e.unknownFields, e.namespace]),
            [["NginxIngressController", "no-schema", [], null], ["Deployment", "valid", ["spec.replicas"], "bookstore"]]);
    });

    it("validates Gateway API resources against the pinned Gateway API schema", () => {
        const gateway = (listener: Record<string, unknown>) => ({
            apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "web-gateway", namespace: "bookstore" },
            spec: { gatewayClassName: "approuting-istio", listeners: [{ name: "http", port: 80, ...listener }] },
        });
        assert.deepStrictEqual(validateManifest(gateway({ protocol: "HTTP" })), []);
        assert.ok(validateManifest(gateway({}))!.includes("spec.listeners[0].protocol: is required"), JSON.stringify(validateManifest(gateway({}))));
        const route = {
            apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "web", namespace: "bookstore" },
            spec: { parentRefs: [{ name: "web-gateway" }], rules: [{ matches: [{ path: { type: "Prefix", value: "/" } }] }] },
        };
        assert.match(validateManifest(route)!.join("\n"), /spec\.rules\[0\]\.matches\[0\]\.path\.type: must be equal to one of the allowed values/);
    });

    it("puts a namespaced resource without a namespace in `default`, and refuses a directory it did not write", () => {
        const dir = tempDir();
        const [entry] = writeManifests([captured("ConfigMap", "v1", "cm", { metadata: { name: "cm" }, data: { a: "b" } })], dir);
        assert.deepStrictEqual([entry.namespace, entry.file, entry.validation], ["default", "default/configmap-cm.yaml", "valid"]);
        const foreign = tempDir();
        fs.writeFileSync(path.join(foreign, "notes.txt"), "mine");
        assert.throws(() => writeManifests([], foreign), /not empty and was not written by the offline plan/);
        assert.ok(fs.existsSync(path.join(foreign, "notes.txt")));
    });
});
