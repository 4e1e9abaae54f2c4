import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import type { CapturedResource } from "./capture";
import { crdValidator } from "./crdSchemas";
import { displayValue, MASKED_SECRET, UNKNOWN_VALUE } from "./render";
import type { PlanSection } from "./types";

/**
 * `--manifests DIR`: every Kubernetes resource the plan captured, written as YAML (one file per
 * resource) and validated against the Kubernetes OpenAPI schemas bundled by `kubernetes-models`, and
 * custom resources against the CRD schemas pinned in tools/offline/schemas (Gateway API).
 * The captured inputs already are manifests (the SDK puts apiVersion and kind in them); what a
 * real deployment adds is emulated: the provider's autoname and the `default` namespace. Secret
 * values are written as "[secret]", never in clear.
 */

/** Kinds that are not namespaced (everything else gets the `default` namespace when none is set). */
const CLUSTER_SCOPED = new Set([
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
    "StorageClass", "PriorityClass", "IngressClass", "RuntimeClass", "CSIDriver", "APIService",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "NginxIngressController",
]);

export interface ManifestEntry {
    urn: string;
    apiVersion: string;
    kind: string;
    namespace: string | null;
    name: string;
    /** Path of the YAML file, relative to the manifests directory. */
    file: string;
    /** `valid`, `invalid`, or `no-schema` (a custom resource whose schema kubernetes-models does not bundle). */
    validation: "valid" | "invalid" | "no-schema";
    /** Schema errors as `<field>: <message>`. */
    errors: string[];
    /** Fields whose values are unknown until deployment (not validated). */
    unknownFields: string[];
}

export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; [key: string]: unknown };
    [key: string]: unknown;
}

/** Turns a captured Kubernetes resource into the manifest the provider would apply. */
export function toManifest(resource: Pick<CapturedResource, "wireInputs" | "wireState">): Manifest {
    const body = displayValue(resource.wireInputs) as Record<string, unknown>;
    delete body.status;
    const metadata = { ...((body.metadata ?? {}) as Record<string, unknown>) };
    const stateName = ((resource.wireState.metadata ?? {}) as Record<string, unknown>).name;
    if (typeof metadata.name !== "string") metadata.name = stateName;
    const kind = String(body.kind);
    if (!CLUSTER_SCOPED.has(kind) && typeof metadata.namespace !== "string") metadata.namespace = "default";
    const { apiVersion, kind: _kind, metadata: _metadata, ...rest } = body;
    return { apiVersion: String(apiVersion), kind, metadata: metadata as Manifest["metadata"], ...rest };
}

/** JSON-pointer instance path → `spec.template.spec.containers[0].image`. */
export function fieldPath(instancePath: string): string {
    return instancePath.split("/").slice(1)
        .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
        .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
}

function valueAt(obj: unknown, instancePath: string): unknown {
    return instancePath.split("/").slice(1).reduce<unknown>((cur, part) =>
        (cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined), obj);
}

function unknownFields(value: unknown, at = ""): string[] {
    if (value === UNKNOWN_VALUE) return [at];
    if (Array.isArray(value)) return value.flatMap((v, i) => unknownFields(v, `${at}[${i}]`));
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => unknownFields(v, at ? `${at}.${k}` : k));
    }
    return [];
}

interface AjvError { instancePath: string; message?: string; params?: Record<string, unknown> }
type ModelClass = new (data: unknown) => { validate(): void };

/** The kubernetes-models class of an apiVersion/kind, or undefined when it bundles no schema for it. */
function modelClass(apiVersion: string, kind: string): ModelClass | undefined {
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return (require(`kubernetes-models/${apiVersion}`) as Record<string, ModelClass>)[kind];
    } catch {
        return undefined;
    }
}

/**
 * Validates a manifest against the official schema. Returns undefined when no schema is bundled,
 * otherwise the errors as `<field>: <message>` (empty when valid). Errors on values that are
 * unknown until deployment are left out: they say nothing about the program.
 */
export function validateManifest(manifest: Manifest): string[] | undefined {
    const Model = modelClass(manifest.apiVersion, manifest.kind);
    const crd = Model ? undefined : crdValidator(manifest.apiVersion, manifest.kind);
    if (!Model && !crd) return undefined;
    try {
        if (Model) new Model(manifest).validate();
        else if (!crd!(manifest)) throw Object.assign(new Error("invalid"), { errors: crd!.errors });
        return [];
    } catch (err) {
        const errors = (err as { errors?: AjvError[] }).errors;
        if (!Array.isArray(errors)) return [String((err as Error).message ?? err)];
        return errors
            // A secret is written masked, so its shape can't be checked either.
            .filter((e) => ![UNKNOWN_VALUE, MASKED_SECRET].includes(valueAt(manifest, e.instancePath) as string))
            .map((e) => {
                const missing = e.params?.missingProperty;
                const field = fieldPath(e.instancePath) || "(root)";
                return missing ? `${field}.${String(missing)}: is required` : `${field}: ${e.message ?? "is invalid"}`;
            });
    }
}

/** `deployment-api.yaml` under the namespace's folder (`_cluster` for cluster-scoped resources). */
export function manifestFile(manifest: Manifest): string {
    const safe = (s: string) => s.toLowerCase().replace(/[^a-z0-9.-]/g, "-");
    const folder = manifest.metadata.namespace === undefined ? "_cluster" : safe(manifest.metadata.namespace);
    return path.join(folder, `${safe(manifest.kind)}-${safe(manifest.metadata.name)}.yaml`);
}

const MARKER = ".offline-plan-manifests";

/** Why `--manifests <dir>` can't be written (checked before the plan runs), or undefined. */
export function manifestsDirectoryProblem(dir: string): string | undefined {
    // `--manifests --quiet` hands commander "--quiet" as the directory: an option, not a folder to create.
    if (dir.startsWith("-")) return `--manifests ${dir}: expected a directory, got an option (give the directory right after --manifests)`;
    if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) return `--manifests ${dir}: not a directory`;
    if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0 && !fs.existsSync(path.join(dir, MARKER))) {
        return `--manifests ${dir}: the directory is not empty and was not written by the offline plan; choose an empty or new directory`;
    }
    return undefined;
}

/** Empties a directory this tool wrote before; refuses to touch any other non-empty directory. */
function prepareDirectory(dir: string): void {
    const problem = manifestsDirectoryProblem(dir);
    if (problem) throw new Error(problem);
    if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
        for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    }
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, MARKER), "Written by `npm run plan -- --manifests`; emptied on the next run.\n");
}

/** Writes and validates every Kubernetes resource of a run; pure apart from the files it writes. */
export function writeManifests(resources: CapturedResource[], dir: string): ManifestEntry[] {
    prepareDirectory(dir);
    const entries: ManifestEntry[] = [];
    // A Helm release (kubernetes:helm.sh/v3:Release) is not a manifest: the provider renders its chart at deploy time.
    const kubernetes = resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/"));
    for (const resource of kubernetes) {
        const manifest = toManifest(resource);
        const file = manifestFile(manifest);
        const errors = validateManifest(manifest);
        fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), `# ${resource.urn}\n${stringify(manifest, { lineWidth: 0 })}`);
        entries.push({
            urn: resource.urn,
            apiVersion: manifest.apiVersion,
            kind: manifest.kind,
            namespace: manifest.metadata.namespace ?? null,
            name: manifest.metadata.name,
            file,
            validation: errors === undefined ? "no-schema" : errors.length > 0 ? "invalid" : "valid",
            errors: errors ?? [],
            unknownFields: unknownFields(manifest),
        });
    }
    return entries.sort((a, b) => a.file.localeCompare(b.file));
}

/** The plan section behind `--manifests DIR`: adds `manifests` to the JSON and fails on schema errors. */
export const manifestsSection: PlanSection = ({ document, run, options, out }) => {
    const dir = options.manifests;
    if (!dir) return 0;
    let entries: ManifestEntry[];
    try {
        entries = writeManifests(run.resources, dir);
    } catch (err) {
        out("");
        console.error(`Plan failed: ${(err as Error).message}`);
        return 2;
    }
    const invalid = entries.filter((e) => e.validation === "invalid");
    document.manifests = { directory: dir, resources: entries };
    out("");
    out(`Kubernetes manifests (${entries.length}) written to ${dir}, validated against the Kubernetes OpenAPI schemas (kubernetes-models) and the pinned CRD schemas (tools/offline/schemas):`);
    if (entries.length === 0) out("    no Kubernetes resources in this stack");
    for (const e of entries) {
        const where = e.namespace ? `${e.namespace}/${e.name}` : e.name;
        const note = e.validation === "no-schema" ? "  (custom resource: no bundled or pinned schema, not validated)" : "";
        out(`    ${e.validation.padEnd(9)} ${e.kind} ${where} -> ${e.file}${note}`);
    }
    if (invalid.length > 0) {
        const lines = invalid.flatMap((e) => e.errors.map((msg) => `  - ${e.kind} ${e.namespace ? `${e.namespace}/` : ""}${e.name} (${e.urn}): ${msg}`));
        console.error(`Plan failed: ${invalid.length} Kubernetes manifest${invalid.length === 1 ? "" : "s"} failed schema validation:\n${lines.join("\n")}`);
        return 1;
    }
    return 0;
};
