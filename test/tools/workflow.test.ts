import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

const ROOT = path.resolve(__dirname, "../..");

describe("pull-request workflow", () => {
    it("is valid YAML (GitHub refuses the whole workflow otherwise) with the offline, review and preview jobs", () => {
        const workflow = parse(fs.readFileSync(path.join(ROOT, ".github/workflows/pull-request.yml"), "utf8"));
        assert.deepStrictEqual(Object.keys(workflow.jobs).sort(), ["offline", "preview", "review", "stacks"]);
        const runs = Object.values(workflow.jobs).flatMap((job: any) => (job.steps ?? []).map((step: any) => step.run).filter(Boolean));
        assert.ok(runs.some((run: string) => /npm test/.test(run)), "the PR check runs the README's test command");
    });
});
