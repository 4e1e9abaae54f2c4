import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import { runCli } from "../../../tools/cli";
import { PROJECT_DIR } from "../../helpers/planJobs";
import { copyProject } from "../../helpers/projectCopy";

const PRICES = path.join(PROJECT_DIR, "test/fixtures/review/prices.pinned.json");

/** A git repository holding this project's files: commit 1 as they are, commit 2 with `edit` applied to Pulumi.prod.yaml. */
function repoWithTwoCommits(edit: (doc: ReturnType<typeof parseDocument>) => void): string {
    const dir = copyProject();
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd: dir, stdio: "pipe" });
    fs.writeFileSync(path.join(dir, ".gitignore"), "node_modules\n.build\n");
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "base");
    const stackFile = path.join(dir, "Pulumi.prod.yaml");
    const doc = parseDocument(fs.readFileSync(stackFile, "utf8"));
    edit(doc);
    fs.writeFileSync(stackFile, doc.toString());
    git("commit", "-qam", "change");
    return dir;
}

async function cli(args: string[], projectDir: string) {
    const out: string[] = [];
    const err: string[] = [];
    const exitCode = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), projectDir });
    return { exitCode, out: out.join("\n"), err: err.join("\n") };
}

describe("review: bookstore-infra diff --base on a git repository", function () {
    this.timeout(300_000);
    // Raise the api's maxReplicas (an update) and change the admin login (create-only: replaces the primary).
    const repo = repoWithTwoCommits((doc) => {
        doc.setIn(["config", "bookstore:app", "services", "api", "maxReplicas"], 12);
        doc.setIn(["config", "bookstore:database", "adminLogin"], "bookstoreowner");
    });
    after(() => fs.rmSync(repo, { recursive: true, force: true }));
    // Both diffs (two plan processes each) start when the suite is defined and run side by side
    // with the rest of the test run; each test reads its own.
    const refusedRun = cli(["diff", "--stack", "prod", "--base", "HEAD~1", "--json", "--price-table", PRICES], repo);
    const approvedRun = cli(["diff", "--stack", "prod", "--base", "HEAD~1", "--allow-replace", "--price-table", PRICES], repo);
    // A failure is reported by the test that awaits it, not as an unhandled rejection before then.
    for (const run of [refusedRun, approvedRun]) run.catch(() => undefined);

    it("reports the update, predicts the replacement, refuses it (exit 5) and prices the delta", async () => {
        const run = await refusedRun;
        assert.equal(run.exitCode, 5, run.err);
        const result = JSON.parse(run.out);
        const api = result.changes.find((c: { name: string }) => c.name === "api");
        assert.equal(api.op, "update");
        assert.deepEqual(api.changes, [{ path: "template.scale.maxReplicas", old: 10, new: 12 }]);
        const primary = result.changes[0];
        assert.equal(primary.op, "replace");
        assert.equal(primary.name, "bookstore-prod-pg");
        assert.equal(primary.protect, true);
        assert.deepEqual(primary.replaceReasons, [{ path: "administratorLogin", rule: "create-only in the Azure REST spec" }]);
        assert.deepEqual(primary.changes.find((c: { path: string }) => c.path === "administratorLogin"), { path: "administratorLogin", old: "bookstoreadmin", new: "bookstoreowner" });
        assert.equal(result.refused, true);
        assert.deepEqual(result.guardedReplacements.map((c: { name: string }) => c.name), ["bookstore-prod-pg"]);
        // Two more api replicas at max: 2 × (0.5 vCPU × 2,628,000 s × $0.00002 + 1 GiB × 2,628,000 s × $0.000002) = $63.072
        assert.deepEqual(result.cost.delta, { min: 0, max: 63.07 });
        // Nothing left behind: no temporary worktree registered in the repository.
        assert.equal(execFileSync("git", ["worktree", "list"], { cwd: repo, encoding: "utf8" }).trim().split("\n").length, 1);
    });

    it("--allow-replace approves it: exit 0, the text shows the replacement first and the cost delta", async () => {
        const run = await approvedRun;
        assert.equal(run.exitCode, 0, run.err);
        // Progress on stderr while both sides plan (each takes seconds): their phases, then each side done.
        assert.match(run.err, /^diff: the base: checking policy \([\d.]+ s\)$/m);
        assert.match(run.err, /^diff: the working tree: checking policy \([\d.]+ s\)$/m);
        assert.match(run.err, /^diff: planned the base HEAD~1 \([\d.]+ s\)$/m);
        const lines = run.out.split("\n");
        const first = lines.findIndex((l) => /^ (\+-|~|\+|-) /.test(l));
        assert.equal(lines[first], " +- azure-native:dbforpostgresql:Server  bookstore-prod-pg  [protect] [stateful]");
        assert.match(run.out, /^ ~ {2}azure-native:app:ContainerApp {2}api$/m);
        assert.match(run.out, /~  template\.scale\.maxReplicas: 10 → 12/);
        assert.match(run.out, /\(\+\$0\.00 \(min\) \/ \+\$63\.07 \(max\) against the base\)/);
        assert.match(run.out, /WARNING: approved with --allow-replace/);
    });

    it("a ref that is no commit is a usage error (exit 2) and plans nothing", async () => {
        const run = await cli(["diff", "--stack", "prod", "--base", "no-such-ref"], repo);
        assert.equal(run.exitCode, 2);
        assert.match(run.err, /--base: "no-such-ref" is not a commit/);
    });
});
