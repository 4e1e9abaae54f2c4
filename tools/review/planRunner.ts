/**
 * Plans a stack in a child process (the Pulumi SDK keeps its state on `global`: one program run per
 * process), in this checkout or in a copy of the project at a git ref.
 */
import { execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export class ReviewInputError extends Error {
    override name = "ReviewInputError";
}

export interface PlannedStack {
    exitCode: number;
    /** undefined when the plan failed (see stderr) or the stack has no stack file at that ref. */
    document?: Record<string, any>;
    stderr: string;
}

/**
 * The command that plans `stack` in `projectDir`: its prebuilt-bundle runner (tools/bin/plan.js,
 * what `npm run plan` runs) where that checkout has one, else tools/plan.ts under tsx (older refs).
 */
function planArgv(projectDir: string, stack: string, json: string, args: string[] = [], quiet = true): string[] {
    const bin = path.join(projectDir, "tools/bin/plan.js");
    const entry = fs.existsSync(bin) ? [bin] : ["--import", "tsx", path.join(projectDir, "tools/plan.ts")];
    return [...entry, "--stack", stack, ...(quiet ? ["--quiet"] : []), "--json", json, ...args];
}

export interface PlanRunOptions {
    env?: NodeJS.ProcessEnv;
    args?: string[];
    /** Called with each phase the plan reports ("checking policy"), as it starts: a plan takes seconds. */
    onPhase?: (phase: string) => void;
}

/** A plan's phase line on stderr: `plan: checking policy (4.5 s)` (not --quiet). */
const PHASE = /^plan: (.+) \(\d+(?:\.\d+)? s\)$/;

const planOutput = () => fs.mkdtempSync(path.join(os.tmpdir(), "review-plan-"));

function collect(out: string, exitCode: number | null, stderr: string): PlannedStack {
    const json = path.join(out, "plan.json");
    return { exitCode: exitCode ?? 1, stderr, document: fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, "utf8")) : undefined };
}

/** Plans `stack` of `projectDir` in a child process and waits for it. */
export function planInProcess(projectDir: string, stack: string, opts: Omit<PlanRunOptions, "onPhase"> = {}): PlannedStack {
    const out = planOutput();
    try {
        const child = spawnSync(process.execPath, planArgv(projectDir, stack, path.join(out, "plan.json"), opts.args), {
            cwd: projectDir,
            encoding: "utf8",
            env: { ...process.env, ...opts.env },
            maxBuffer: 64 * 1024 * 1024,
        });
        return collect(out, child.status, child.stderr);
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}

/** planInProcess without blocking: plans that don't depend on each other run side by side. */
export function planInBackground(projectDir: string, stack: string, opts: PlanRunOptions = {}): Promise<PlannedStack> {
    const out = planOutput();
    const { onPhase } = opts;
    return new Promise<PlannedStack>((resolve, reject) => {
        // Without --quiet the plan reports its phases on stderr (its text on stdout is not read).
        const child = spawn(process.execPath, planArgv(projectDir, stack, path.join(out, "plan.json"), opts.args, !onPhase), {
            cwd: projectDir,
            env: { ...process.env, ...opts.env },
            stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        let partial = "";
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
            if (!onPhase) {
                stderr += chunk;
                return;
            }
            const lines = (partial + chunk).split("\n");
            partial = lines.pop() ?? "";
            for (const line of lines) {
                const phase = PHASE.exec(line)?.[1];
                if (phase === undefined) stderr += `${line}\n`;
                else if (phase !== "done") onPhase(phase);
            }
        });
        child.on("error", reject);
        child.on("close", (code) => resolve(collect(out, code, stderr + partial)));
    }).finally(() => fs.rmSync(out, { recursive: true, force: true }));
}

const git = (cwd: string, args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

/** The commit `ref` names in the repository holding `projectDir`, or a ReviewInputError. */
export function resolveRef(projectDir: string, ref: string): string {
    try {
        return git(projectDir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    } catch {
        throw new ReviewInputError(`--base: "${ref}" is not a commit of the repository at ${projectDir}`);
    }
}

/**
 * Plans `stack` as the project was at `ref`: the project's tree at that commit is extracted into a
 * temporary directory (git archive: no worktree to register or prune) with this checkout's
 * node_modules linked in, planned there, and removed afterwards.
 */
export async function planAtRef(projectDir: string, ref: string, stack: string, opts: Pick<PlanRunOptions, "env" | "onPhase"> = {}): Promise<PlannedStack & { commit: string }> {
    const commit = resolveRef(projectDir, ref);
    const prefix = git(projectDir, ["rev-parse", "--show-prefix"]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-base-"));
    try {
        const tar = execFileSync("git", ["archive", "--format=tar", prefix ? `${commit}:${prefix}` : commit], { cwd: projectDir, maxBuffer: 512 * 1024 * 1024 });
        execFileSync("tar", ["-x", "-C", dir], { input: tar });
        fs.symlinkSync(fs.realpathSync(path.join(projectDir, "node_modules")), path.join(dir, "node_modules"), "dir");
        if (!fs.existsSync(path.join(dir, `Pulumi.${stack}.yaml`))) {
            // A stack new in this change: everything in it is created.
            return { commit, exitCode: 0, stderr: "", document: { stack, resources: [] } };
        }
        return { commit, ...(await planInBackground(dir, stack, opts)) };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
