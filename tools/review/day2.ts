/**
 * Day-2 rehearsal: what the next `pulumi up` does after the cloud changed something we declared
 * (a failover, an HA zone swap, autogrow, a managed upgrade). It replays the engine's and the
 * providers' own rules on offline plans:
 * - `refresh` (azure-native Read, provider/pkg/provider/provider.go; for AWS the bridged provider's
 *   Read, e.g. rdsInstanceRead): the GET (Describe) bodies before and
 *   after the event are projected to the SDK's input shape (read-only properties dropped) and their
 *   difference is applied to the state's inputs, so a property the cloud changed lands in the inputs
 *   even if the program never set it (terraform-bridged providers store what Read returns likewise);
 * - `ignoreChanges` (the engine): for each ignored path the state's value replaces the program's
 *   before the provider diffs;
 * - the diff and the replacement rules of `diff` (create-only tables, ARM path parameters).
 */
import { diffPlans, DiffablePlan, DiffableResource, PlanDiff } from "./diff";
import type { ReplacementRules } from "./replacement";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === "object" && !Array.isArray(value);
const clone = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)));

/** `a.b.c` of an object; undefined when absent. */
export function getPath(root: unknown, path: string): unknown {
    return path.split(".").reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), root);
}

/** Sets (or, with undefined, deletes) `a.b.c` in place, creating objects on the way. */
export function setPath(root: Json, path: string, value: unknown): void {
    const keys = path.split(".");
    let node = root;
    for (const key of keys.slice(0, -1)) {
        if (!isObject(node[key])) {
            if (value === undefined) return;
            node[key] = {};
        }
        node = node[key] as Json;
    }
    const last = keys[keys.length - 1];
    if (value === undefined) delete node[last];
    else node[last] = value;
}

/** The engine's ignoreChanges: the program's inputs with the state's value at every ignored path. */
export function applyIgnoreChanges(state: unknown, program: unknown, paths: string[]): unknown {
    if (!isObject(program)) return program;
    const out = clone(program);
    for (const path of paths) setPath(out, path, clone(getPath(state, path)));
    return out;
}

/** An ARM GET body in the SDK's input shape: `properties` flattened, read-only paths dropped. */
export function sdkShape(body: Json, readOnly: string[]): Json {
    const { properties, id: _id, name: _name, type: _type, systemData: _systemData, ...rest } = body;
    const shape: Json = { ...rest, ...(isObject(properties) ? properties : {}) };
    for (const path of readOnly) setPath(shape, path, undefined);
    return shape;
}

/** Leaf paths where two trees differ (lists compared whole). */
function differingPaths(a: unknown, b: unknown, at = ""): string[] {
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    if (isObject(a) && isObject(b)) {
        return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((k) => differingPaths(a[k], b[k], at ? `${at}.${k}` : k));
    }
    return [at];
}

/**
 * The state's inputs after `refresh` (azure-native Read): the difference between the GET bodies
 * before and after the event, projected to input shape, applied to the inputs.
 */
export function refreshedInputs(inputs: Json, before: Json, after: Json, readOnly: string[] = [], project?: (body: Json) => Json): { inputs: Json; changed: string[] } {
    const shape = project ?? ((body: Json) => sdkShape(body, readOnly));
    const old = shape(before);
    const now = shape(after);
    const changed = differingPaths(old, now);
    const out = clone(inputs);
    for (const path of changed) setPath(out, path, clone(getPath(now, path)));
    return { inputs: out, changed };
}

/** What the cloud returned for one resource before and after the event (a fixture). */
export interface LiveChange {
    before: Json;
    after: Json;
    /** Read-only paths of the type (the spec's readOnly), dropped from the projection. */
    readOnly?: string[];
    /** The resource type, when other resources share the name (an RDS instance and its KMS key). */
    type?: string;
    /** The provider's Read of the body into input shape, instead of the ARM one (e.g. rdsInstanceRead). */
    project?: (body: Json) => Json;
}

/**
 * What the AWS provider's Read stores from a DescribeDBInstances DBInstance, in input names
 * (terraform-provider-aws internal/service/rds/instance.go resourceInstanceRead, the version
 * tools/review/awsForceNew.json names: d.Set of replicate_source_db, backup_retention_period,
 * backup_window, instance_class, multi_az, auto_minor_version_upgrade). engine_version keeps the
 * configured value while the running version starts with it (a "16" prefix under
 * autoMinorVersionUpgrade; @pulumi/aws 7.48.0 rds/instance.d.ts engineVersion), and is not an input
 * at all when none is configured (Optional and Computed: the provider shows no diff).
 */
export function rdsInstanceRead(configuredEngineVersion?: string): (body: Json) => Json {
    return (body) => {
        const running = String(body.EngineVersion);
        const engineVersion = configuredEngineVersion === undefined ? undefined
            : running === configuredEngineVersion || running.startsWith(`${configuredEngineVersion}.`) ? configuredEngineVersion : running;
        return {
            replicateSourceDb: body.ReadReplicaSourceDBInstanceIdentifier ?? "",
            backupRetentionPeriod: body.BackupRetentionPeriod,
            backupWindow: body.PreferredBackupWindow,
            instanceClass: body.DBInstanceClass,
            multiAz: body.MultiAZ,
            autoMinorVersionUpgrade: body.AutoMinorVersionUpgrade,
            ...(engineVersion === undefined ? {} : { engineVersion }),
        };
    };
}

/** The state after the event and a refresh: the deployed plan's inputs with each changed resource's refreshed inputs. */
export function refreshState(deployed: DiffablePlan, changes: Record<string, LiveChange>): { plan: DiffablePlan; owned: Record<string, string[]> } {
    const owned: Record<string, string[]> = {};
    const resources = deployed.resources.map((r) => {
        const change = changes[r.name];
        if (!change || (change.type !== undefined && change.type !== r.type)) return r;
        const refreshed = refreshedInputs(r.inputs as Json, change.before, change.after, change.readOnly, change.project);
        owned[r.urn] = refreshed.changed;
        return { ...r, inputs: refreshed.inputs };
    });
    return { plan: { ...deployed, resources }, owned };
}

/** A plan resource with the options the day-2 diff reads. */
export type Day2Resource = DiffableResource & { options: DiffableResource["options"] & { ignoreChanges?: string[] } };

export interface Day2Result extends PlanDiff {
    /** Properties the cloud changed (refresh) to which the next update sends another value: `name: path`. */
    fights: string[];
    /** Properties the cloud changed that the program does not send: dropped from the inputs, left to the cloud. */
    released: string[];
}

/**
 * The next update's diff against the refreshed state, with the engine's ignoreChanges, and the
 * properties it would push back onto the cloud (`owned`: urn -> the paths refresh changed).
 */
export function nextUpdate(state: DiffablePlan, next: { stack: string; resources: Day2Resource[] }, owned: Record<string, string[]> = {}, rules?: ReplacementRules): Day2Result {
    const byUrn = new Map(state.resources.map((r) => [r.urn, r]));
    const resources = next.resources.map((r) => {
        const old = byUrn.get(r.urn);
        const ignore = r.options.ignoreChanges ?? [];
        return old && ignore.length > 0 ? { ...r, inputs: applyIgnoreChanges(old.inputs, r.inputs, ignore) } : r;
    });
    const diff = diffPlans(state, { ...next, resources }, rules);
    const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
    const touched = diff.changes.flatMap((change) => change.changes
        .filter((p) => (owned[change.urn] ?? []).some((path) => related(p.path, path) || related(path, p.path)))
        .map((p) => ({ line: `${change.name}: ${p.path}`, sends: p.new !== undefined || p.secret !== undefined })));
    return { ...diff, fights: touched.filter((t) => t.sends).map((t) => t.line), released: touched.filter((t) => !t.sends).map((t) => t.line) };
}
