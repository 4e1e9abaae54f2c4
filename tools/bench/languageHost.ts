/**
 * Runs the Pulumi program the way `pulumi preview` does, minus the cloud: the Pulumi CLI's Node
 * language host (pulumi-language-nodejs, 3.248 line) starts `node <nodeargs>
 * @pulumi/pulumi/cmd/run <flags> <entry point>` in the program directory, with the stack's config in
 * PULUMI_CONFIG and the runtime options of Pulumi.yaml as environment variables. Here the resource
 * monitor and the engine it dials are a gRPC stand-in on loopback that answers like the engine in a
 * preview; it records the first resource the program registers (the stack's root resource aside),
 * and the process's CPU time and peak memory at that moment, read from /proc.
 * Transcribed from pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go at pkg/v3.248.0
 * (`parseOptions`, `execRuntime`, `constructArguments`, `constructConfig`) and
 * pkg/engine/project.go (`getPwdMain`).
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import { parse } from "yaml";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as engineGrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import type * as resourceGrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import type * as resourcePb from "@pulumi/pulumi/proto/resource_pb";
import { readStackFile } from "../offline/stackFile";

/** The Node runtime options of Pulumi.yaml that change how the program starts. */
export interface RuntimeOptions {
    /** `typescript` (default true): the SDK registers ts-node, which type-checks unless told not to. */
    typescript: boolean;
    /** `tsconfig`: the tsconfig file ts-node reads (PULUMI_NODEJS_TSCONFIG_PATH). */
    tsconfig?: string;
    /** `nodeargs`: arguments to node itself, before the run entry (shell-split). */
    nodeargs: string[];
}

interface ProjectFile {
    name: string;
    main?: string;
    runtime: string | { name: string; options?: Record<string, unknown> };
}

/** Splits `nodeargs` as the language host does (shlex): whitespace, single and double quotes. */
export function splitArgs(text: string): string[] {
    const args: string[] = [];
    let current: string | undefined;
    let quote: string | undefined;
    for (const ch of text) {
        if (quote) {
            if (ch === quote) quote = undefined;
            else current += ch;
        } else if (ch === "'" || ch === "\"") {
            quote = ch;
            current ??= "";
        } else if (/\s/.test(ch)) {
            if (current !== undefined) args.push(current);
            current = undefined;
        } else {
            current = (current ?? "") + ch;
        }
    }
    if (quote) throw new Error(`nodeargs: unclosed ${quote}`);
    if (current !== undefined) args.push(current);
    return args;
}

function readProject(projectDir: string): ProjectFile {
    return parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

/** Pulumi.yaml's Node runtime options, read and defaulted as the language host's parseOptions does. */
export function runtimeOptions(projectDir: string): RuntimeOptions {
    const runtime = readProject(projectDir).runtime;
    const options = typeof runtime === "object" ? runtime.options ?? {} : {};
    const typed = <T>(key: string, type: string, fallback: T): T => {
        if (options[key] === undefined) return fallback;
        if (typeof options[key] !== type) throw new Error(`Pulumi.yaml: runtime option ${key} must be a ${type}`);
        return options[key] as T;
    };
    return {
        typescript: typed("typescript", "boolean", true),
        tsconfig: typed<string | undefined>("tsconfig", "string", undefined),
        nodeargs: splitArgs(typed("nodeargs", "string", "")),
    };
}

/** The program directory (the process's working directory) and entry point, from Pulumi.yaml's `main`. */
export function programLocation(projectDir: string): { pwd: string; entryPoint: string } {
    const main = readProject(projectDir).main;
    if (!main) return { pwd: projectDir, entryPoint: "." };
    const full = path.resolve(projectDir, main);
    return fs.statSync(full).isDirectory() ? { pwd: full, entryPoint: "." } : { pwd: path.dirname(full), entryPoint: path.basename(full) };
}

/** What the language host hands the node process: its arguments and the variables it adds. */
export function languageHostCommand(projectDir: string, stack: string, addresses: { monitor: string; engine: string }, config: { config: Record<string, string>; secretKeys: string[] }) {
    const project = readProject(projectDir);
    const options = runtimeOptions(projectDir);
    const { pwd, entryPoint } = programLocation(projectDir);
    // locateModule: `require.resolve("@pulumi/pulumi/cmd/run")` from the program directory.
    const runPath = require.resolve("@pulumi/pulumi/cmd/run", { paths: [pwd] });
    // The engine hands over `<namespace>:<name>` keys; the host passes them on as `<namespace>:config:<name>`.
    const hostConfig = Object.fromEntries(Object.entries(config.config).map(([key, value]) => {
        const at = key.indexOf(":");
        return [`${key.slice(0, at)}:config:${key.slice(at + 1)}`, value];
    }));
    const env: Record<string, string> = {
        PULUMI_CONFIG: JSON.stringify(hostConfig),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(config.secretKeys),
        ...(options.typescript ? { PULUMI_NODEJS_TYPESCRIPT: "true" } : {}),
        ...(options.tsconfig ? { PULUMI_NODEJS_TSCONFIG_PATH: options.tsconfig } : {}),
    };
    const args = [
        ...options.nodeargs, runPath,
        "--monitor", addresses.monitor, "--engine", addresses.engine, "--project", project.name,
        "--root-directory", projectDir, "--stack", stack, "--pwd", pwd, "--dry-run", "--parallel", "16",
        entryPoint,
    ];
    return { args, env, cwd: pwd };
}

export interface FirstRegistration {
    /** Type token and name of the first resource of the program. */
    type: string;
    name: string;
    /** CPU time (user + system) of the node process at that moment, seconds. */
    cpuSeconds: number;
    /** Its peak resident memory so far (VmHWM), MB. */
    peakMb: number;
    /** Wall clock from spawn, ms (inflated on a busy machine; CPU time is the figure to trust). */
    wallMs: number;
}

/** The run's failure: the process ended before registering a resource of the program. */
export class ProgramRunError extends Error {
    constructor(message: string, readonly exitCode: number | null, readonly engineLog: string[]) {
        super(message);
    }
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
    if (clockTicks === undefined) {
        try {
            clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
        } catch {
            clockTicks = 100;
        }
    }
    return clockTicks;
}

/** CPU seconds and peak resident MB of a live process (Linux /proc). */
export function processUsage(pid: number): { cpuSeconds: number; peakMb: number } {
    // Fields after the command name: state is field 3, utime 14 and stime 15 (proc(5)).
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return { cpuSeconds, peakMb: hwm ? Number(hwm[1]) / 1024 : NaN };
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
/** What the engine of the 3.248 line answers to the SDK's SupportsFeature probes. */
const SUPPORTED_FEATURES = new Set([
    "secrets", "resourceReferences", "outputValues", "deletedWith", "replaceWith", "aliasSpecs",
    "transforms", "invokeTransforms", "parameterization", "resourceHooks", "errorHooks",
]);

/**
 * Starts the program as the language host would and resolves at its first registration (then
 * stops it), or rejects with what the process and the engine log said when it ends first.
 */
export async function firstRegistration(options: { projectDir: string; stack: string; stackFile?: string; timeoutMs?: number }): Promise<FirstRegistration> {
    const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/proto/resource_grpc_pb.js"));
    const grpc = sdkRequire("@grpc/grpc-js") as typeof grpcTypes;
    const resourceService = sdkRequire("./resource_grpc_pb.js") as typeof resourceGrpc;
    const resource = sdkRequire("./resource_pb.js") as typeof resourcePb;
    const engineService = sdkRequire("./engine_grpc_pb.js") as typeof engineGrpc;
    const engine = sdkRequire("./engine_pb.js") as typeof enginePb;
    const { Empty } = sdkRequire("google-protobuf/google/protobuf/empty_pb.js") as { Empty: new () => unknown };
    const provider = sdkRequire("./provider_pb.js") as typeof import("@pulumi/pulumi/proto/provider_pb");

    const config = readStackFile(options.projectDir, options.stackFile ?? path.join(options.projectDir, `Pulumi.${options.stack}.yaml`));
    const server = new grpc.Server();
    const engineLog: string[] = [];
    let rootUrn = "";
    let child: ChildProcess | undefined;
    let settle: ((result: FirstRegistration | Error) => void) | undefined;
    const started = Date.now();
    type Callback<T> = (error: Error | null, response?: T) => void;
    const unimplemented = (_call: unknown, callback: Callback<never>) => callback(Object.assign(new Error("not supported by the stand-in"), { code: grpc.status.UNIMPLEMENTED }));

    server.addService(resourceService.ResourceMonitorService, {
        supportsFeature: (call: { request: resourcePb.SupportsFeatureRequest }, callback: Callback<resourcePb.SupportsFeatureResponse>) => {
            callback(null, new resource.SupportsFeatureResponse().setHassupport(SUPPORTED_FEATURES.has(call.request.getId())));
        },
        registerResource: (call: { request: resourcePb.RegisterResourceRequest }, callback: Callback<resourcePb.RegisterResourceResponse>) => {
            const request = call.request;
            const type = request.getType();
            const urn = `urn:pulumi:${options.stack}::${config.project}::${type}::${request.getName()}`;
            if (type !== ROOT_STACK_TYPE && child?.pid !== undefined && settle) {
                settle({ type, name: request.getName(), ...processUsage(child.pid), wallMs: Date.now() - started });
            }
            const response = new resource.RegisterResourceResponse().setUrn(urn).setObject(request.getObject());
            callback(null, request.getCustom() ? response.setId(`${request.getName()}-id`) : response);
        },
        registerResourceOutputs: (_call: unknown, callback: Callback<unknown>) => callback(null, new Empty()),
        // A preview of a first deployment: data sources answer with nothing known.
        invoke: (_call: unknown, callback: Callback<unknown>) => callback(null, new provider.InvokeResponse()),
        registerPackage: (call: { request: resourcePb.RegisterPackageRequest }, callback: Callback<resourcePb.RegisterPackageResponse>) => {
            callback(null, new resource.RegisterPackageResponse().setRef(call.request.getName()));
        },
        signalAndWaitForShutdown: (_call: unknown, callback: Callback<unknown>) => callback(null, new Empty()),
        getDeploymentInfo: unimplemented, call: unimplemented, readResource: unimplemented,
        registerStackTransform: unimplemented, registerStackInvokeTransform: unimplemented,
        registerResourceHook: unimplemented, registerErrorHook: unimplemented,
    });
    server.addService(engineService.EngineService, {
        log: (call: { request: enginePb.LogRequest }, callback: Callback<unknown>) => {
            // What the CLI shows without -v: info, warnings and errors.
            if (call.request.getSeverity() >= engine.LogSeverity.INFO) engineLog.push(call.request.getMessage());
            callback(null, new Empty());
        },
        getRootResource: (_call: unknown, callback: Callback<enginePb.GetRootResourceResponse>) => callback(null, new engine.GetRootResourceResponse().setUrn(rootUrn)),
        setRootResource: (call: { request: enginePb.SetRootResourceRequest }, callback: Callback<enginePb.SetRootResourceResponse>) => {
            rootUrn = call.request.getUrn();
            callback(null, new engine.SetRootResourceResponse());
        },
        requirePulumiVersion: (_call: unknown, callback: Callback<enginePb.RequirePulumiVersionResponse>) => callback(null, new engine.RequirePulumiVersionResponse()),
        startDebugging: unimplemented,
    });
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))));
    const address = `127.0.0.1:${port}`;
    const command = languageHostCommand(options.projectDir, options.stack, { monitor: address, engine: address }, config);
    try {
        return await new Promise<FirstRegistration>((resolve, reject) => {
            let output = "";
            const timer = setTimeout(() => settle?.(new ProgramRunError(`no resource registered within ${(options.timeoutMs ?? 300_000) / 1000} s`, null, engineLog)), options.timeoutMs ?? 300_000);
            settle = (result) => {
                settle = undefined;
                clearTimeout(timer);
                if (child && child.exitCode === null) child.kill("SIGKILL");
                if (result instanceof Error) reject(result);
                else resolve(result);
            };
            child = spawn(process.execPath, command.args, { cwd: command.cwd, env: { ...process.env, ...command.env }, stdio: ["ignore", "pipe", "pipe"] });
            child.stdout!.on("data", (d: Buffer) => (output += d));
            child.stderr!.on("data", (d: Buffer) => (output += d));
            child.on("error", (err) => settle?.(err));
            child.on("exit", (code) => settle?.(new ProgramRunError(`the program exited (code ${code}) before registering a resource:\n${[...engineLog, output].join("\n").trim()}`, code, engineLog)));
        });
    } finally {
        server.forceShutdown();
    }
}
