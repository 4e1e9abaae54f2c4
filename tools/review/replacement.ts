/**
 * Predicts which changed input paths make the provider replace a resource rather than update it,
 * from the providers' own rules: azure-native create-only properties (the REST spec's
 * x-ms-mutability without "update"), the URL path parameters of the ARM id (a new name or group
 * is a new resource), the Kubernetes provider's forceNew table, a maintained AWS forceNew table,
 * and the resource's own replaceOnChanges option.
 */
import { ARM_PATHS } from "../offline/mocks";
import createOnlyTable from "./createOnly.azure.json";
import kubernetesTable from "./kubernetesImmutable.json";
import awsTable from "./awsForceNew.json";

export interface ReplacementRules {
    /** Create-only input paths by type token. */
    createOnly: Record<string, string[]>;
    /**
     * Sourced create-time rules the spec states only in prose, and the provider's own forceNewMap
     * (createOnly.azure.json `maintained`): path and the rule shown in the review.
     */
    maintained?: Record<string, { path: string; rule: string }[]>;
    /** Paths that replace every resource of a package (e.g. Kubernetes metadata.name). */
    packageWide: Record<string, string[]>;
    /** Types whose create-only rules were not read: their updates are unverified, never shown as safe. */
    unread?: string[];
}

/** The rules of the tables in this directory. */
export function defaultRules(): ReplacementRules {
    const createOnly: Record<string, string[]> = {};
    const maintained: Record<string, { path: string; rule: string }[]> = {};
    const unread: string[] = [];
    for (const [type, entry] of Object.entries(createOnlyTable.types)) {
        if (!("createOnly" in entry)) {
            unread.push(type);
            continue;
        }
        createOnly[type] = [...entry.createOnly];
        if ("maintained" in entry) maintained[type] = entry.maintained.map(({ path, rule }) => ({ path, rule }));
    }
    for (const [type, paths] of Object.entries(kubernetesTable.types)) createOnly[type] = [...paths];
    for (const [type, entry] of Object.entries(awsTable.types)) createOnly[type] = [...entry.forceNew];
    return { createOnly, maintained, packageWide: { kubernetes: [...kubernetesTable.all] }, unread };
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/**
 * The inputs that name an azure-native resource in its ARM id: every `{placeholder}` of the path
 * (the same templates the offline mocks build ids from) and the resource group.
 */
export function armPathParameters(type: string): string[] {
    if (!type.startsWith("azure-native:")) return [];
    const [, module, cls] = type.split(":");
    const template = ARM_PATHS[type] ?? `Microsoft.${module}/${lowerFirst(cls)}s/{${lowerFirst(cls)}Name}`;
    const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    // A template starting with `{` (an extension resource) or `/` (a resource group's own path) names its whole id.
    return template.startsWith("{") || template.startsWith("/") ? names : ["resourceGroupName", ...names];
}

/** Whether `path` (a.b[0].c, a(json).b) is `rule` (a.b) or lies beneath it; list indices and JSON steps are ignored. */
export function pathCovers(rule: string, path: string): boolean {
    const bare = path.replace(/\[\d+\]/g, "").replace(/\(json\)(?=\.|$)/g, "");
    return bare === rule || bare.startsWith(`${rule}.`);
}

export interface ReplaceReason {
    path: string;
    rule: string;
}

/** Why changing `paths` of a resource of `type` replaces it (empty: an update in place). */
export function replaceReasons(type: string, paths: string[], replaceOnChanges: string[] = [], rules = defaultRules()): ReplaceReason[] {
    const pkg = type.split(":")[0];
    const candidates: { path: string; rule: string }[] = [
        ...armPathParameters(type).map((p) => ({ path: p, rule: "names the resource in its ARM id" })),
        // Every tracked ARM resource's location is create-only (common-types TrackedResource: x-ms-mutability read, create).
        ...(pkg === "azure-native" ? [{ path: "location", rule: "create-only in the Azure REST spec (TrackedResource.location)" }] : []),
        ...(rules.createOnly[type] ?? []).map((p) => ({ path: p, rule: ruleName(pkg) })),
        ...(rules.maintained?.[type] ?? []),
        ...(rules.packageWide[pkg] ?? []).map((p) => ({ path: p, rule: ruleName(pkg) })),
        ...replaceOnChanges.map((p) => ({ path: p.replace(/\[\*\]/g, ""), rule: "replaceOnChanges option" })),
    ];
    const reasons: ReplaceReason[] = [];
    for (const path of paths) {
        const hit = candidates.find((c) => c.path === "*" || pathCovers(c.path, path));
        if (hit) reasons.push({ path, rule: hit.rule });
    }
    return reasons;
}

function ruleName(pkg: string): string {
    if (pkg === "azure-native") return "create-only in the Azure REST spec";
    if (pkg === "kubernetes") return "immutable (Kubernetes provider forceNew)";
    if (pkg === "aws") return "forceNew in the AWS provider";
    return "replaced on change";
}

/**
 * Stateful types: their replacement loses data or a name clients depend on, so the review refuses
 * it unless approved. Matched by type token.
 */
export const STATEFUL_TYPES: RegExp[] = [
    /^azure-native:dbforpostgresql:Server$/,
    /^azure-native:dbforpostgresql:Database$/,
    /^azure-native:storage:StorageAccount$/,
    /^azure-native:storage:BlobContainer$/,
    /^azure-native:keyvault:Vault$/,
    /^azure-native:keyvault:Secret$/,
    /^azure-native:containerregistry:Registry$/,
    /^azure-native:redisenterprise:(RedisEnterprise|Database)$/,
    /^azure-native:cache:Redis$/,
    /^azure-native:operationalinsights:Workspace$/,
    /^azure-native:containerservice:ManagedCluster$/,
    /^kubernetes:apps\/v1:StatefulSet$/,
    /^kubernetes:core\/v1:PersistentVolumeClaim$/,
    /^aws:rds\/(instance:Instance|cluster:Cluster)$/,
    /^aws:s3\/bucket(V2)?:Bucket(V2)?$/,
    /^aws:elasticache\/replicationGroup:ReplicationGroup$/,
    /^aws:ecr\/repository:Repository$/,
];

export function isStateful(type: string): boolean {
    return STATEFUL_TYPES.some((pattern) => pattern.test(type));
}
