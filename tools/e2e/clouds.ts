/**
 * What differs between the clouds in an e2e run: where the images go, how the first deployment
 * runs, where the public entry answers, what a planned database failover is, and what must be
 * lifted before a deliberate destroy. Each step drives tools/automation (the Automation API, the
 * bootstrap and failover commands) and the cloud's own CLI through the process runner.
 */
import type { AzRunner } from "../automation/az";
import { bootstrapConfig, bootstrapPlan, bootstrapStack, registryFromState } from "../automation/bootstrap";
import { failoverStack, WaitOptions } from "../automation/failover";
import { deployStack, openStack, OperationOptions, OperationResult, PolicyOptions } from "../automation";
import type { ProcessRunner } from "../automation/processes";
import { resolveDatabase } from "../../stacks/schema/database";
import type { ImageRegistry } from "./images";
import type { E2ePlatform } from "./names";
import type { HealthTarget } from "./health";

export interface CloudContext {
    stack: string;
    projectDir: string;
    /** `<namePrefix>-<environment>` of the stack's resources. */
    baseName: string;
    /** For every Automation API call of the run: runner, progress, events, cancellation; confirm names the stack (the run owns it). */
    operation: OperationOptions & PolicyOptions & { confirm: string };
    processes: ProcessRunner;
    az: AzRunner;
    failoverWait?: WaitOptions;
}

export class CloudCommandError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "CloudCommandError";
    }
}

type StateResource = { urn: string; type: string; outputs?: Record<string, unknown> };

async function stateResources(context: CloudContext): Promise<StateResource[]> {
    const state = await (await openStack(context.operation)).exportStack();
    return state.deployment?.resources ?? [];
}

async function cli(processes: ProcessRunner, command: string, args: string[], signal?: AbortSignal): Promise<string> {
    const outcome = await processes.run(command, args, { signal });
    if (outcome.exitCode !== 0) throw new CloudCommandError(`${command} ${args.slice(0, 3).join(" ")} failed: ${outcome.stderr.trim().split("\n").slice(-3).join(" ")}`);
    return outcome.stdout.trim();
}

export interface CloudDriver {
    /** The CPU of the template's nodes, which the images are built for. */
    architecture: "x64" | "arm64";
    /** Where the images go; on Azure this deploys the stack's registry first (bootstrap's first step). */
    registry(context: CloudContext, region: string): Promise<ImageRegistry>;
    /** The first deployment: Azure's bootstrap (registry, imports, primary before replicas); `up` on AWS. */
    firstUp(context: CloudContext): Promise<OperationResult>;
    /** Where `/health` is asked through the public entry. */
    healthTarget(context: CloudContext, outputs: Record<string, unknown>): Promise<HealthTarget>;
    /** A planned failover of the database's writer; returns what was done, in a line. */
    failover(context: CloudContext, outputs: Record<string, unknown>): Promise<string>;
    /** Lifts the cloud's own deletion protection of the stack's resources; returns what was lifted. */
    release(context: CloudContext): Promise<string[]>;
    /** containerapps: the environment the reach's relays run in. */
    environmentId?(context: CloudContext): Promise<string | undefined>;
}

const azure: CloudDriver = {
    architecture: "x64",

    async registry(context) {
        const { project, config } = bootstrapConfig(context.stack, context.projectDir);
        const plan = bootstrapPlan(project, context.stack, config);
        context.operation.onProgress?.(`registry: up --target the resource group, registry, workload identity and AcrPull grants (${plan.targets.length} targets)`);
        await deployStack({ ...context.operation, target: plan.targets });
        const registry = await registryFromState(context.operation, plan.registryUrn);
        return { cloud: "azure", ...registry };
    },

    async firstUp(context) {
        return (await bootstrapStack({ ...context.operation, az: context.az })).stack;
    },

    async healthTarget(_context, outputs) {
        return { url: String(outputs.publicWebUrl) };
    },

    async failover(context, outputs) {
        // The switchover goes to the reader virtual endpoint's target (failover.replica), as `bookstore-infra failover` does.
        const { config } = bootstrapConfig(context.stack, context.projectDir);
        const to = `replica-${resolveDatabase(config).failover.replica}`;
        const decision = await failoverStack({
            stack: context.stack, projectDir: context.projectDir, to, option: "planned", outputs, az: context.az,
            confirm: context.operation.confirm, wait: context.failoverWait, onProgress: context.operation.onProgress,
            // The endpoint pair moves under the new primary in the state, as `bookstore-infra failover` does.
            state: await openStack(context.operation),
        });
        return `planned switchover to ${to} (${decision.server}); database.failover.promoted: ${decision.promoted} recorded in the stack file`;
    },

    async release() {
        // Flexible Server, Redis, registry and storage have no deletion lock of their own; Key Vault is soft-deleted (its name is the run's).
        return [];
    },

    async environmentId(context) {
        return (await stateResources(context)).find((r) => r.type === "azure-native:app:ManagedEnvironment")?.outputs?.id as string | undefined;
    },
};

/** The first label of an RDS endpoint is the instance identifier (`<id>.<hash>.<region>.rds.amazonaws.com`). */
export function rdsIdentifier(endpoint: string): string {
    const match = /^([a-z][a-z0-9-]*)\.[a-z0-9]+\.([a-z0-9-]+)\.rds\.amazonaws\.com$/.exec(endpoint);
    if (!match) throw new CloudCommandError(`not an RDS endpoint: ${endpoint}`);
    return match[1];
}

/** Region of an ARN (`arn:aws:rds:<region>:...`). */
const arnRegion = (arn: unknown) => (typeof arn === "string" ? arn.split(":")[3] : undefined);

/** Commands that lift RDS and EKS deletion protection, from the stack's state: what each lifts, and its `aws` arguments. */
export function awsReleaseCommands(resources: StateResource[]): { what: string; args: string[] }[] {
    const commands: { what: string; args: string[] }[] = [];
    for (const r of resources) {
        const region = arnRegion(r.outputs?.arn);
        if (!region || r.outputs?.deletionProtection !== true) continue;
        if (r.type === "aws:rds/instance:Instance") {
            const id = String(r.outputs.identifier);
            commands.push({ what: `RDS instance ${id} (${region})`, args: ["rds", "modify-db-instance", "--region", region, "--db-instance-identifier", id, "--no-deletion-protection", "--apply-immediately", "--output", "none"] });
        } else if (r.type === "aws:eks/cluster:Cluster") {
            const name = String(r.outputs.name);
            // EKS User Guide, "Protect EKS clusters from accidental deletion"; the update must finish before the cluster can be deleted.
            commands.push({ what: `EKS cluster ${name} (${region})`, args: ["eks", "update-cluster-config", "--region", region, "--name", name, "--no-deletion-protection", "--output", "none"] });
            commands.push({ what: `EKS cluster ${name} active again`, args: ["eks", "wait", "cluster-active", "--region", region, "--name", name] });
        }
    }
    return commands;
}

const aws: CloudDriver = {
    architecture: "arm64",

    async registry(context, region) {
        const account = await cli(context.processes, "aws", ["sts", "get-caller-identity", "--query", "Account", "--output", "text"]);
        // Relative images on eks resolve against the account's registry in aws.region (stacks/aws/compute.ts).
        return { cloud: "aws", region, loginServer: `${account}.dkr.ecr.${region}.amazonaws.com` };
    },

    firstUp(context) {
        return deployStack(context.operation);
    },

    async healthTarget(context, outputs) {
        // The web host is the team's name; until their DNS points it at the ALB, ask the ALB by its own DNS name, sending the host in SNI and Host.
        const { albName } = require("../../components/aws/albAlarms") as typeof import("../../components/aws/albAlarms");
        const name = albName(context.baseName);
        const dns = await cli(context.processes, "aws", ["elbv2", "describe-load-balancers", "--region", String(outputs.region), "--names", name, "--query", "LoadBalancers[0].DNSName", "--output", "text"]);
        return { url: String(outputs.publicWebUrl), connectTo: dns };
    },

    async failover(context, outputs) {
        const id = rdsIdentifier(String(outputs.databaseWriteHost));
        const region = String(outputs.region);
        // Multi-AZ: a reboot with failover moves the writer to the standby in another AZ; the endpoint stays (RDS User Guide, "Rebooting a DB instance").
        await cli(context.processes, "aws", ["rds", "reboot-db-instance", "--region", region, "--db-instance-identifier", id, "--force-failover", "--output", "none"], context.operation.signal);
        context.operation.onProgress?.(`failover: waiting for ${id} to be available again`);
        await cli(context.processes, "aws", ["rds", "wait", "db-instance-available", "--region", region, "--db-instance-identifiers", id], context.operation.signal);
        return `reboot with failover of ${id} (Multi-AZ standby promoted)`;
    },

    async release(context) {
        const commands = awsReleaseCommands(await stateResources(context));
        for (const { args } of commands) await cli(context.processes, "aws", args);
        return commands.filter(({ args }) => args.includes("--no-deletion-protection")).map(({ what }) => what);
    },
};

export function driverFor(platform: E2ePlatform): CloudDriver {
    return platform === "eks" ? aws : azure;
}

