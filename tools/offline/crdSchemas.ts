import * as fs from "fs";
import * as path from "path";
import Ajv, { type ValidateFunction } from "ajv";
import { PROJECT_DIR } from "../paths";

/**
 * OpenAPI schemas of custom resources the program creates that kubernetes-models does not bundle,
 * pinned in the repo with their source: the Gateway API standard-channel CRDs (Gateway, HTTPRoute)
 * of tools/offline/schemas/gateway-api-v1.3.0.json, extracted from kubernetes-sigs/gateway-api at
 * the tag and commit recorded in the file. The fields the program sets are all in the standard channel
 * since Gateway API v1.1, so the check holds for the bundle AKS installs with its Gateway API support.
 * KEDA's ScaledObject and TriggerAuthentication (keda.sh/v1alpha1) come from kedacore/keda
 * config/crd/bases at the tag and commit in tools/offline/schemas/keda-v2.20.2.json; the fields the
 * program sets exist since KEDA 2.10 (azure-workload and aws pod identity, AMP SigV4 since 2.13).
 */
const SCHEMA_FILES = ["gateway-api-v1.3.0.json", "keda-v2.20.2.json"];

interface PinnedSchemas { source: string; version: string; commit: string; schemas: Record<string, object> }

let validators: Map<string, ValidateFunction> | undefined;

function load(): Map<string, ValidateFunction> {
    // CRD schemas carry Kubernetes extensions (x-kubernetes-*, CEL rules) and formats such as int32:
    // those are the API server's to enforce; the structure, types, enums and patterns are checked here.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const map = new Map<string, ValidateFunction>();
    for (const file of SCHEMA_FILES) {
        const pinned = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "tools/offline/schemas", file), "utf8")) as PinnedSchemas;
        for (const [key, schema] of Object.entries(pinned.schemas)) map.set(key, ajv.compile(schema));
    }
    return map;
}

/** The pinned validator of `apiVersion`/`kind`, or undefined when none is pinned. */
export function crdValidator(apiVersion: string, kind: string): ValidateFunction | undefined {
    validators ??= load();
    return validators.get(`${apiVersion}/${kind}`);
}
