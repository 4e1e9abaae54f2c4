import * as pulumi from "@pulumi/pulumi";
import { offlineMocks, unansweredInvokes } from "./mocks";

/** Wire-format markers the SDK uses for secrets, unknowns and resource references. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface ResourceOptionsRecord {
    protect: boolean;
    ignoreChanges: string[];
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
}

/** One registration as the engine would receive it. */
export interface CapturedResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parent?: string;
    dependencies: string[];
    /** Provider reference: the explicit provider's URN, or `default:<package>`. */
    provider?: string;
    options: ResourceOptionsRecord;
    /** Inputs in the engine's wire format (secret and unknown sentinels intact). */
    wireInputs: Record<string, unknown>;
    /** What the provider answered (outputs), in wire format. */
    wireState: Record<string, unknown>;
}

export interface ProgramRun {
    resources: CapturedResource[];
    /** Stack outputs in wire format. */
    outputs: Record<string, unknown>;
    unansweredInvokes: string[];
}

/**
 * The engine's URN type for a child: the parent's full qualified type plus the child's type,
 * with the root Stack left out (pulumi/pulumi sdk/go/common/resource/urn.go, NewURN).
 */
function engineUrn(parentUrn: string | undefined, type: string, name: string): string {
    let qualified = type;
    if (parentUrn) {
        const parentQualified = parentUrn.split("::")[2];
        if (parentQualified !== "pulumi:pulumi:Stack") qualified = `${parentQualified}$${type}`;
    }
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
}

function providerOf(type: string, custom: boolean, providerRef: string): string | undefined {
    if (!custom) return undefined;
    if (providerRef) return providerRef.split("::").slice(0, -1).join("::");
    if (type.startsWith("pulumi:providers:")) return undefined;
    return `default:${type.split(":")[0]}`;
}

/**
 * Runs a Pulumi program under the SDK's mock monitor in preview mode and records every
 * registration. Must be called once per process: the SDK keeps its state on `global`.
 */
export async function runProgram(opts: {
    project: string;
    stack: string;
    config: Record<string, string>;
    secretKeys: string[];
    program: () => unknown;
}): Promise<ProgramRun> {
    // Mocks first, config second: both must be in place before the program module loads.
    await pulumi.runtime.setMocks(offlineMocks, opts.project, opts.stack, true);
    pulumi.runtime.setAllConfig(opts.config, opts.secretKeys);

    const resources: CapturedResource[] = [];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const monitor: any = pulumi.runtime.getMonitor();
    monitor.newUrn = (parent: string, type: string, name: string) => engineUrn(parent || undefined, type, name);
    const register = monitor.registerResource.bind(monitor);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    monitor.registerResource = (req: any, callback: any) => register(req, (err: unknown, resp: any) => {
        if (!err) {
            resources.push({
                urn: resp.getUrn(),
                type: req.getType(),
                name: req.getName(),
                custom: req.getCustom(),
                parent: req.getParent() || undefined,
                dependencies: [...new Set<string>(req.getDependenciesList())].sort(),
                provider: providerOf(req.getType(), req.getCustom(), req.getProvider()),
                options: {
                    protect: Boolean(req.getProtect()),
                    ignoreChanges: [...req.getIgnorechangesList()].sort(),
                    retainOnDelete: Boolean(req.getRetainondelete()),
                    deleteBeforeReplace: Boolean(req.getDeletebeforereplace()),
                },
                wireInputs: req.getObject()?.toJavaScript() ?? {},
                wireState: resp.getObject()?.toJavaScript() ?? {},
            });
        }
        callback(err, resp);
    });

    let stackUrn: string | undefined;
    await pulumi.runtime.runInPulumiStack(async () => opts.program());
    // Wait for every outstanding registration and output resolution.
    await pulumi.runtime.disconnect();
    stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
    const registered = stackUrn ? monitor.resources.get(stackUrn) : undefined;
    const outputs = registered?.state && typeof registered.state.toJavaScript === "function"
        ? (registered.state.toJavaScript() as Record<string, unknown>)
        : {};
    return { resources, outputs, unansweredInvokes: [...unansweredInvokes].sort() };
}
