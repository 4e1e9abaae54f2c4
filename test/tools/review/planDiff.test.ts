import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runPlan } from "../../helpers/plan";
import { PROJECT_DIR } from "../../helpers/planJobs";

describe("review: npm run plan -- --diff-against OLD.json", () => {
    it("prints the diff after the plan and exits 5 when protected replicas would be deleted", () => {
        const base = runPlan("prod");
        assert.equal(base.exitCode, 0, base.stderr);
        const old = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "diff-against-")), "old.json");
        fs.writeFileSync(old, JSON.stringify(base.document));
        const run = runPlan("prod", { stackFile: path.join(PROJECT_DIR, "test/fixtures/Pulumi.prod-no-replicas.yaml"), args: ["--diff-against", old] });
        assert.equal(run.exitCode, 5, run.stderr);
        assert.match(run.stdout, /^ - {2}azure-native:dbforpostgresql:Server {2}bookstore-prod-pg-replica-1 {2}\[protect\] \[stateful\]$/m);
        assert.match(run.stdout, /REFUSED: this change would replace or delete protected or stateful resources/);
        const diff = run.document!.diff as { counts: Record<string, number> };
        assert.ok(diff.counts.delete >= 2);
        assert.ok(run.document!.cost, "the plan carries its cost section");
    });

    it("a --diff-against file that is not a plan is a usage error before anything runs", () => {
        const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "diff-against-")), "bad.json");
        fs.writeFileSync(bad, "{}");
        const run = runPlan("prod", { args: ["--diff-against", bad] });
        assert.equal(run.exitCode, 2);
        assert.match(run.stderr, /--diff-against: .*bad\.json is not a plan/);
    });
});
