import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { validateWorkflow } from "@action-validator/core";
import { parse } from "yaml";
import { buildProgram } from "../../tools/cliProgram";
import { Cli } from "../../tools/cliCommands";

const ROOT = path.resolve(__dirname, "../..");
const read = (name: string) => fs.readFileSync(path.join(ROOT, ".github/workflows", name), "utf8");

describe("workflows: valid for GitHub Actions (schema, job references), checked offline", () => {
    for (const name of ["pull-request.yml", "e2e.yml"]) {
        it(`${name} has no validation error`, () => {
            assert.deepStrictEqual(validateWorkflow(read(name)).errors, []);
        });
    }

    it("the validator does catch a broken workflow (a job needing one that does not exist)", () => {
        const errors = validateWorkflow(read("e2e.yml").replace("needs: guard\n", "needs: gaurd\n")).errors;
        assert.deepStrictEqual(errors.map((e) => e.title), ["Unresolved job"]);
    });
});

describe("pull-request workflow", () => {
    it("is valid YAML (GitHub refuses the whole workflow otherwise) with the offline, review and preview jobs", () => {
        const workflow = parse(read("pull-request.yml"));
        assert.deepStrictEqual(Object.keys(workflow.jobs).sort(), ["offline", "preview", "review", "stacks"]);
        const runs = Object.values(workflow.jobs).flatMap((job: any) => (job.steps ?? []).map((step: any) => step.run).filter(Boolean));
        assert.ok(runs.some((run: string) => /npm test/.test(run)), "the PR check runs the README's test command");
    });
});

describe("e2e workflow", () => {
    const text = read("e2e.yml");
    const workflow = parse(text);
    const steps = (job: string): any[] => workflow.jobs[job].steps;
    const uses = (job: string, action: string) => steps(job).filter((s) => typeof s.uses === "string" && s.uses.startsWith(`${action}@`));

    it("runs by hand and nightly, over the three platforms", () => {
        assert.ok("workflow_dispatch" in workflow.on);
        assert.match(workflow.on.schedule[0].cron, /^\d+ \d+ \* \* \*$/);
        assert.equal(workflow.jobs.e2e.strategy.matrix.platform, "${{ fromJSON(needs.guard.outputs.platforms) }}");
        assert.equal(workflow.on.workflow_dispatch.inputs.platforms.default, "containerapps,aks,eks");
        assert.equal(workflow.jobs.e2e.strategy["fail-fast"], false, "one platform's failure does not cancel the others' cleanup");
    });

    it("signs in to Azure and AWS through OIDC: no stored cloud secret anywhere", () => {
        assert.doesNotMatch(text, /secrets\./, "the workflow reads no repository secret");
        for (const job of ["e2e", "janitor"]) {
            assert.deepStrictEqual(workflow.jobs[job].permissions, { contents: "read", "id-token": "write" });
            const [azure] = uses(job, "azure/login");
            assert.deepStrictEqual(Object.keys(azure.with).sort(), ["client-id", "subscription-id", "tenant-id"]);
            const [aws] = uses(job, "aws-actions/configure-aws-credentials");
            assert.equal(aws.with["role-to-assume"], "${{ vars.AWS_E2E_ROLE_ARN }}");
            assert.ok(!("aws-access-key-id" in aws.with));
            assert.equal(uses(job, "pulumi/auth-actions")[0].with["requested-token-type"], "urn:pulumi:token-type:access_token:organization");
        }
        assert.deepStrictEqual(workflow.permissions, { contents: "read" });
    });

    it("uploads the report and the plan, also when the run fails", () => {
        const [upload] = uses("e2e", "actions/upload-artifact");
        assert.equal(upload.if, "always()");
        assert.match(upload.with.path, /out\/e2e\/report-\$\{\{ matrix\.platform \}\}\.json/);
        assert.match(upload.with.path, /out\/e2e\/plan-\$\{\{ matrix\.platform \}\}\.json/);
    });

    it("calls `e2e run`, `e2e durations` and `e2e janitor` only with options those commands have", () => {
        const program = buildProgram(new Cli({ out: () => undefined, err: () => undefined }), { out: () => undefined, err: () => undefined }, () => undefined);
        const e2e = program.commands.find((c) => c.name() === "e2e")!;
        const optionsOf = (name: string) => new Set(e2e.commands.find((c) => c.name() === name)!.options.map((o) => o.long));
        const runs = Object.values(workflow.jobs).flatMap((job: any) => job.steps.map((s: any) => s.run ?? "")).join("\n");
        const calls = [...runs.matchAll(/bookstore-infra\.js e2e (\w+)((?:[^\n]|\\\n)*)/g)];
        assert.deepStrictEqual([...new Set(calls.map((c) => c[1]))].sort(), ["durations", "janitor", "run"]);
        for (const [, command, rest] of calls) {
            for (const flag of rest.match(/--[a-z-]+/g) ?? []) assert.ok(optionsOf(command).has(flag), `e2e ${command} has no option ${flag}`);
        }
        assert.match(runs, /--aws-domain \$\{AWS_DOMAIN\} --aws-certificate-arn \$\{AWS_CERTIFICATE_ARN\}/);
    });

    describe("the time and region guard (its script, run)", () => {
        const script = steps("guard").find((s) => s.id === "guard").run as string;
        // The script reads the hour from `date -u +%H`; a `date` on PATH that prints a fixed hour keeps the test independent of the clock.
        const clock = fs.mkdtempSync(path.join(os.tmpdir(), "guard-clock-"));
        fs.writeFileSync(path.join(clock, "date"), "#!/bin/sh\necho 03\n", { mode: 0o755 });
        const guard = (env: Record<string, string>) => {
            const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "guard-")), "out");
            const child = spawnSync("bash", ["-e", "-c", script], {
                encoding: "utf8",
                env: { PATH: `${clock}${path.delimiter}${process.env.PATH}`, GITHUB_OUTPUT: output, PLATFORMS: "containerapps,aks,eks", AZURE_REGION: "eastus2", AWS_REGION: "us-east-1",
                    AZURE_REGIONS: "eastus2,swedencentral", AWS_REGIONS: "us-east-1", WINDOW: "00-24", IGNORE_WINDOW: "false", ...env },
            });
            return { status: child.status, out: `${child.stdout}${child.stderr}`, outputs: fs.existsSync(output) ? fs.readFileSync(output, "utf8") : "" };
        };
        const elsewhere = "12-24";

        it("passes the chosen platforms and regions on", () => {
            const ok = guard({ PLATFORMS: "aks,eks", AZURE_REGION: "swedencentral" });
            assert.equal(ok.status, 0, ok.out);
            assert.deepStrictEqual(ok.outputs.trim().split("\n"), ['platforms=["aks","eks"]', "azure_region=swedencentral", "aws_region=us-east-1"]);
        });

        it("refuses a region outside the team's list, an unknown platform, and a start outside the window unless told to ignore it", () => {
            assert.match(guard({ AWS_REGION: "eu-west-1" }).out, /AWS region eu-west-1 is not in E2E_AWS_REGIONS \(us-east-1\)/);
            assert.match(guard({ AZURE_REGION: "westeurope" }).out, /Azure region westeurope is not in E2E_AZURE_REGIONS/);
            assert.match(guard({ PLATFORMS: "gke" }).out, /unknown platform gke/);
            const outside = guard({ WINDOW: elsewhere });
            assert.equal(outside.status, 1);
            assert.match(outside.out, new RegExp(`outside the window ${elsewhere}`));
            assert.equal(guard({ WINDOW: elsewhere, IGNORE_WINDOW: "true" }).status, 0);
            assert.equal(guard({ WINDOW: "00-06" }).status, 0, "03:xx UTC is inside the default window 00-06");
            assert.equal(guard({ WINDOW: "00-03" }).status, 1, "the window's end hour is exclusive");
        });
    });
});
