/**
 * `npm run bench [-- --quick] [--rounds N]`: how long the offline plan and the CLI take, as
 * ratios to what the Pulumi SDK itself costs. Every command runs once per round, rounds in a row,
 * so each ratio is a median of back-to-back (paired) runs; see docs/benchmarks.md.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../paths";
import { FirstRegistration, firstRegistration } from "./languageHost";
import { bend, fitLine, median, pairedRatio } from "./stats";
import { writeServiceStacks } from "./stacks";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const build = require("../bin/build.js") as { ensureBuilt(name: string): string };

const SERVICE_COUNTS = [2, 10, 30, 100];
const STACKS = ["prod", "dev", "prod-aks", "prod-cloudflare"];
/** One stack per platform: Container Apps, AKS, EKS. */
const PULUMI_RUN_STACKS = ["prod", "prod-aks", "prod-eks"];
const TARGETS = { replay: 1.3, floor: 2.5, cliSeconds: 0.5, bend: 1.5, pulumiRunCpuSeconds: 3, pulumiRunMb: 400 };

interface Measure {
    label: string;
    argv: string[];
    /** Exit codes that count as a normal run. */
    expect: number[];
    /** Set: the plan writes its phase timings here. */
    timings?: string;
    ms: number[];
    /** CPU time of the process (all threads), ms. */
    cpu: number[];
    /** The plan's phases (wall clock and CPU ms), one per run. */
    phases: { wall: Record<string, number>; cpu: Record<string, number> }[];
}

const PROBE = path.join(PROJECT_DIR, "tools/bench/probe.js");

function spawnProbed(argv: string[], env: Record<string, string>) {
    return spawnSync(process.execPath, ["--require", PROBE, ...argv], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        env: { ...process.env, ...env },
        maxBuffer: 64 * 1024 * 1024,
    });
}

function runOnce(m: Measure, cpuFile: string): void {
    const start = process.hrtime.bigint();
    const child = spawnProbed(m.argv, { BOOKSTORE_PLAN_TIMINGS: m.timings ?? "", BOOKSTORE_BENCH_CPU: cpuFile });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (!m.expect.includes(child.status ?? -1)) {
        throw new Error(`${m.label}: exit ${child.status} (expected ${m.expect.join(" or ")})\n${child.stderr}${child.stdout}`.slice(0, 4000));
    }
    m.ms.push(ms);
    m.cpu.push(Number(fs.readFileSync(cpuFile, "utf8")) / 1000);
    if (m.timings && fs.existsSync(m.timings)) m.phases.push(JSON.parse(fs.readFileSync(m.timings, "utf8")));
}

function parseArgs(argv: string[]): { rounds: number; quick: boolean } {
    const quick = argv.includes("--quick");
    const at = argv.indexOf("--rounds");
    const rounds = at >= 0 ? Number(argv[at + 1]) : quick ? 3 : 5;
    if (!Number.isInteger(rounds) || rounds < 1) throw new Error("--rounds takes a positive integer");
    return { rounds, quick };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
let missed = 0;
const verdict = (ok: boolean) => {
    if (!ok) missed++;
    return ok ? "ok" : "MISSED";
};

async function main(): Promise<number> {
    const { rounds } = parseArgs(process.argv.slice(2));
    const planBin = path.join(PROJECT_DIR, "tools/bin/plan.js");
    const cliBin = path.join(PROJECT_DIR, "tools/bin/bookstore-infra.js");
    build.ensureBuilt("plan");
    const replayBundle = build.ensureBuilt("bench-replay");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bookstore-bench-"));
    try {
        const prodJson = path.join(dir, "prod.json");
        // One plan of prod first: its JSON is the replay's input, the files it loads the floor's.
        const modulesFile = path.join(dir, "modules.json");
        const first = spawnProbed([planBin, "--stack", "prod", "--quiet", "--json", prodJson], { BOOKSTORE_BENCH_MODULES: modulesFile });
        if (first.status !== 0) throw new Error(`the prod plan failed (exit ${first.status}):\n${first.stderr}`);
        const badStack = path.join(dir, "Pulumi.bad.yaml");
        fs.writeFileSync(badStack, fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8").replace("minReplicas: 3", "minReplicas: three"));
        const serviceStacks = writeServiceStacks(PROJECT_DIR, dir, SERVICE_COUNTS);

        const loadModules = `for (const f of require(${JSON.stringify(modulesFile)})) require(f);`;
        const runtime = `require(${JSON.stringify(path.join(PROJECT_DIR, "tools/bin/runtime.js"))}).prepareRuntime();`;
        const measure = (label: string, argv: string[], expect = [0], timings?: string): Measure => ({ label, argv, expect, timings, ms: [], cpu: [], phases: [] });
        const floor = measure("floor: load the plan's SDK modules", ["-e", loadModules]);
        const floorLazy = measure("floor, plan's runtime settings", ["-e", `${runtime} ${loadModules}`]);
        const replay = measure("replay of prod's resources", ["-e", `${runtime} require(${JSON.stringify(replayBundle)}).main(["", "", ${JSON.stringify(prodJson)}]).then((c) => process.exit(c))`]);
        const plans = STACKS.map((stack) => measure(`plan ${stack}`, [planBin, "--stack", stack, "--quiet", "--json", path.join(dir, `${stack}.out.json`)], [0], path.join(dir, `${stack}.timings.json`)));
        const cliHelp = measure("cli --help", [cliBin, "--help"]);
        const cliConfigError = measure("cli plan, invalid stack file", [cliBin, "plan", "--stack", "prod", "--stack-file", badStack, "--quiet"], [2]);
        // Exit 3 allowed: many clones of api overrun the connection budget, which the policy pack reports.
        const scaled = SERVICE_COUNTS.map((n) => measure(`plan prod, ${n} services`, [planBin, "--stack", "prod", "--stack-file", serviceStacks.get(n)!, "--quiet"], [0, 3], path.join(dir, `s${n}.timings.json`)));
        const all = [floor, floorLazy, replay, ...plans, cliHelp, cliConfigError, ...scaled];
        const pulumiRuns = new Map<string, FirstRegistration[]>(PULUMI_RUN_STACKS.map((stack) => [stack, []]));

        for (let round = 1; round <= rounds; round++) {
            process.stderr.write(`round ${round}/${rounds}: `);
            for (const m of all) {
                runOnce(m, path.join(dir, "cpu.txt"));
                process.stderr.write(".");
            }
            for (const [stack, runs] of pulumiRuns) {
                runs.push(await firstRegistration({ projectDir: PROJECT_DIR, stack }));
                process.stderr.write(".");
            }
            process.stderr.write("\n");
        }

        const prod = plans[0];
        console.log(`Offline plan benchmark: ${rounds} rounds, medians; ratios are medians of per-round ratios (${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}).`);
        console.log("");
        console.log(`${"".padEnd(36)}${"wall clock".padEnd(30)}CPU time (all threads)`);
        console.log(`${"figure".padEnd(36)}${["median", "× floor", "× replay", "median", "× floor", "× replay"].map((h) => h.padStart(10)).join("")}`);
        const columns = (m: Measure, key: "ms" | "cpu") => [
            seconds(median(m[key])),
            pairedRatio(m[key], floor[key]).toFixed(2),
            plans.includes(m) || m === replay ? pairedRatio(m[key], replay[key]).toFixed(2) : "",
        ];
        for (const m of all) console.log(`${m.label.padEnd(36)}${[...columns(m, "ms"), ...columns(m, "cpu")].map((c) => c.padStart(10)).join("")}`);
        console.log("");
        console.log("The Pulumi run (`pulumi preview`/`up`): node with Pulumi.yaml's runtime options, @pulumi/pulumi/cmd/run,");
        console.log("a loopback engine; until the program's first resource registration:");
        console.log(`${"stack".padEnd(20)}${"first resource".padEnd(38)}${["wall", "CPU", "peak RSS"].map((h) => h.padStart(10)).join("")}`);
        const pulumiRunMedians = [...pulumiRuns].map(([stack, runs]) => {
            const cpu = median(runs.map((r) => r.cpuSeconds));
            const mb = median(runs.map((r) => r.peakMb));
            console.log(`${stack.padEnd(20)}${runs[0].type.padEnd(38)}${[seconds(median(runs.map((r) => r.wallMs))), `${cpu.toFixed(2)} s`, `${mb.toFixed(0)} MB`].map((c) => c.padStart(10)).join("")}`);
            return { cpu, mb };
        });
        console.log("");
        console.log("Phases of the plan, CPU ms, medians (startup = node start to plan(); program = the program under the mocks):");
        for (const m of [...plans, ...scaled]) {
            const names = Object.keys(m.phases[0]?.cpu ?? {});
            console.log(`  ${m.label.padEnd(28)} ${names.map((p) => `${p} ${Math.round(median(m.phases.map((x) => x.cpu[p])))}`).join(", ")}`);
        }

        // CPU time: what a service costs, whatever else the machine is doing.
        const xs = SERVICE_COUNTS;
        const fit = fitLine(xs, scaled.map((m) => median(m.cpu)));
        const totalBend = bend(xs, scaled.map((m) => median(m.cpu)));
        const policyBend = bend(xs, scaled.map((m) => median(m.phases.map((p) => p.cpu.policy ?? NaN))));
        console.log("");
        console.log(`Growth (CPU): ${fit.slope.toFixed(0)} ms per service (straight-line fit, r² ${fit.r2.toFixed(3)}); cost per service 30→100 over 2→30: plan ${totalBend.toFixed(2)}, policy evaluation ${policyBend.toFixed(2)}`);

        const ratios = (key: "ms" | "cpu", to: Measure, target: number) => {
            const r = pairedRatio(prod[key], to[key]);
            return `${key === "ms" ? "wall" : "CPU"} ${r.toFixed(2)}× ${verdict(r <= target)}`;
        };
        const cliWorst = (key: "ms" | "cpu") => {
            const s = Math.max(median(cliHelp[key]), median(cliConfigError[key])) / 1000;
            return `${key === "ms" ? "wall" : "CPU"} ${s.toFixed(2)} s ${verdict(s <= TARGETS.cliSeconds)}`;
        };
        console.log("");
        console.log("Targets (docs/benchmarks.md):");
        console.log(`  plan prod ≤ ${TARGETS.replay}× the replay: ${ratios("ms", replay, TARGETS.replay)}, ${ratios("cpu", replay, TARGETS.replay)}`);
        console.log(`  plan prod ≤ ${TARGETS.floor}× the floor: ${ratios("ms", floor, TARGETS.floor)}, ${ratios("cpu", floor, TARGETS.floor)}`);
        console.log(`  growth linear (r² ≥ 0.98) and not bending upward (≤ ${TARGETS.bend}): r² ${fit.r2.toFixed(3)}, plan ${totalBend.toFixed(2)}, policy ${policyBend.toFixed(2)} ${verdict(fit.r2 >= 0.98 && totalBend <= TARGETS.bend && policyBend <= TARGETS.bend)}`);
        console.log(`  CLI --help and config error ≤ ${TARGETS.cliSeconds} s: ${cliWorst("ms")}, ${cliWorst("cpu")}`);
        const worstCpu = Math.max(...pulumiRunMedians.map((m) => m.cpu));
        const worstMb = Math.max(...pulumiRunMedians.map((m) => m.mb));
        console.log(`  Pulumi run to the first registration ≤ ${TARGETS.pulumiRunCpuSeconds} s CPU and ≤ ${TARGETS.pulumiRunMb} MB (worst stack): `
            + `CPU ${worstCpu.toFixed(2)} s ${verdict(worstCpu <= TARGETS.pulumiRunCpuSeconds)}, peak ${worstMb.toFixed(0)} MB ${verdict(worstMb <= TARGETS.pulumiRunMb)}`);
        if (missed > 0) console.log(`\n${missed} target${missed === 1 ? "" : "s"} missed: exit 1.`);
        return missed > 0 ? 1 : 0;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
        console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exitCode = 2;
    },
);
