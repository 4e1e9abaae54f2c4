/**
 * The benchmark's replay: registers the very resources of a plan's JSON (types, names, inputs,
 * parents, dependencies, options) under the offline plan's mocks, with no project code. What it
 * costs is the SDK's own cost for that resource set, the yardstick the plan is measured against.
 * Usage (from its bundle, see tools/bin/build.js): main(["node", "replay", "<plan.json>"]).
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../offline/capture";
import { MASKED_SECRET } from "../offline/render";
import type { PlanDocument } from "../offline/types";

type PlanResource = PlanDocument["resources"][number];

/** Parents and dependencies first: the order the SDK needs the resource objects in. */
export function registrationOrder(resources: PlanResource[]): PlanResource[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const done = new Set<string>();
    const order: PlanResource[] = [];
    const visit = (r: PlanResource): void => {
        if (done.has(r.urn)) return;
        done.add(r.urn);
        for (const urn of [r.parent, ...r.dependencies]) {
            const before = urn ? byUrn.get(urn) : undefined;
            if (before) visit(before);
        }
        order.push(r);
    };
    resources.forEach(visit);
    return order;
}

/** Inputs as the program would pass them: masked secrets become secret Outputs again. */
function replayInputs(value: unknown): unknown {
    if (value === MASKED_SECRET) return pulumi.secret(MASKED_SECRET);
    if (Array.isArray(value)) return value.map(replayInputs);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replayInputs(v)]));
    }
    return value;
}

// The SDK's base classes, made concrete: nothing of their own but what the plan recorded.
class ReplayedProvider extends pulumi.ProviderResource {}
class ReplayedResource extends pulumi.CustomResource {}
class ReplayedComponent extends pulumi.ComponentResource {
    constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        this.registerOutputs({});
    }
}

/**
 * A dynamic resource's SDK class is pulumi.dynamic.Resource, which serializes its provider's
 * closure (an inspector session and the TypeScript parser) on every registration: a cost of the
 * SDK for that resource, paid here with a provider of no project code.
 */
const replayedProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: Record<string, unknown>) {
        return { id: "replayed", outs: inputs };
    },
};
class ReplayedDynamic extends pulumi.dynamic.Resource {
    constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        super(replayedProvider, name, props, opts);
    }
}
const DYNAMIC_TYPE = "pulumi-nodejs:dynamic:Resource";

/** Packages the stacks use from Pulumiverse rather than @pulumi (time: the role-propagation wait; grafana: the dashboards). */
const PULUMIVERSE = new Set(["time", "grafana"]);

type ResourceClass = new (name: string, args: pulumi.Inputs, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/**
 * The provider SDK's own class for a type token (azure-native:network:VirtualNetwork,
 * kubernetes:apps/v1:Deployment, random:index/randomPassword:RandomPassword), so the replay pays
 * what the SDK pays for it (module load, input and output handling); undefined when not found.
 */
export function sdkClass(type: string): ResourceClass | undefined {
    const [pkg, module, name] = type.split(":");
    try {
        if (pkg === "azure-native") return require(`@pulumi/azure-native/${module}`)[name];
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        let scope: any = require(PULUMIVERSE.has(pkg) ? `@pulumiverse/${pkg}` : `@pulumi/${pkg}`);
        if (!module.startsWith("index")) for (const part of module.split("/")) scope = scope?.[part];
        return scope?.[name];
    } catch {
        return undefined;
    }
}

function register(resources: PlanResource[]): void {
    const created = new Map<string, pulumi.Resource>();
    for (const r of registrationOrder(resources)) {
        if (r.type === "pulumi:pulumi:Stack") continue;
        const parent = r.parent ? created.get(r.parent) : undefined;
        const opts: pulumi.CustomResourceOptions = {
            parent,
            dependsOn: r.dependencies.map((urn) => created.get(urn)).filter((d): d is pulumi.Resource => d !== undefined),
            protect: r.options.protect,
            ignoreChanges: r.options.ignoreChanges,
            retainOnDelete: r.options.retainOnDelete,
            deleteBeforeReplace: r.options.deleteBeforeReplace,
        };
        const explicitProvider = r.provider && !r.provider.startsWith("default:") ? created.get(r.provider) : undefined;
        if (explicitProvider) opts.provider = explicitProvider as pulumi.ProviderResource;
        const inputs = replayInputs(r.inputs) as pulumi.Inputs;
        let resource: pulumi.Resource;
        if (r.type.startsWith("pulumi:providers:")) {
            resource = new ReplayedProvider(r.type.slice("pulumi:providers:".length), r.name, inputs, opts);
        } else if (r.type === DYNAMIC_TYPE) {
            resource = new ReplayedDynamic(r.name, inputs, opts);
        } else if (r.provider === null) {
            resource = new ReplayedComponent(r.type, r.name, opts);
        } else {
            const Class = sdkClass(r.type);
            resource = Class ? new Class(r.name, inputs, opts) : new ReplayedResource(r.type, r.name, inputs, opts);
        }
        created.set(r.urn, resource);
    }
}

export async function main(argv: string[]): Promise<number> {
    const document = JSON.parse(fs.readFileSync(argv[2], "utf8")) as PlanDocument;
    const run = await runProgram({
        project: document.project,
        stack: document.stack,
        config: {},
        secretKeys: [],
        program: () => register(document.resources),
    });
    const planned = new Set(document.resources.map((r) => r.urn));
    const strays = run.resources.filter((r) => !planned.has(r.urn));
    if (run.resources.length !== document.resources.length || strays.length > 0) {
        console.error(`replay registered ${run.resources.length} resources, the plan has ${document.resources.length}; not in the plan: ${strays.map((r) => r.urn).join(", ")}`);
        return 1;
    }
    return 0;
}
