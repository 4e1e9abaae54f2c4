import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { connectionBudget } from "../../policy/shared/budget";
import { parseStackConfig } from "../../stacks/config";
import { readStackFile } from "../../tools/offline/stackFile";
import { problemsOf, valid } from "../helpers/config";

describe("config messages a new user reads", () => {
    it("words a wrong shape in the project's form, never zod's stock phrase", () => {
        const raw = valid();
        raw.monitoring = "lots";
        raw.network = { subnets: [] };
        const problems = problemsOf(raw);
        assert.deepStrictEqual(problems, [
            'bookstore:network.subnets: expected a map of keys and values, got []',
            'bookstore:monitoring: expected a map of keys and values, got "lots"',
        ]);
        for (const problem of problems) assert.doesNotMatch(problem, /Invalid input|received/);
    });

    it("says a quoted number is a string", () => {
        const raw = valid();
        raw.app.services.api.minReplicas = "2";
        assert.deepStrictEqual(problemsOf(raw), [
            'bookstore:app.services.api.minReplicas: expected an integer between 1 and 1000, got "2" (a quoted number is a string: remove the quotes)',
        ]);
        raw.app.services.api.minReplicas = "two";
        assert.doesNotMatch(problemsOf(raw)[0], /quoted number/);
    });

    it("an over-budget line prints the comparison that holds, not a false <=", () => {
        const budget = connectionBudget({
            services: [{ name: "api", maxReplicas: 60, dbPoolSize: 20 }, { name: "web", maxReplicas: 60, dbPoolSize: 20 }],
            pooler: { kind: "builtin", replicas: 1, maxClientConn: 1000, defaultPoolSize: 25, reservePoolSize: 0, maxDbConnections: 0, maxUnavailable: 0 },
            readReplicas: 0,
            maxConnections: 20,
            reservedConnections: 15,
        });
        assert.strictEqual(budget.ok, false);
        assert.match(budget.lines[1], /: 2400 > max_client_conn 1000$/);
        assert.match(budget.lines[3], /= 25 > max_connections 20 - 15 reserved = 5$/);
        assert.doesNotMatch(budget.lines.join("\n"), /2400 <=/);
    });

    it("names a misspelled top-level key of a stack file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stackfile-"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: bookstore\nruntime: nodejs\n");
        const file = path.join(dir, "Pulumi.typo.yaml");
        fs.writeFileSync(file, "configs:\n  bookstore:environment: dev\n");
        assert.throws(() => readStackFile(dir, file), /unknown top-level key "configs" \(did you mean "config:"\?\); a stack file holds only config, /);
        fs.writeFileSync(file, "config:\n  bookstore:environment: dev\nencryptionsalt: v1:abc\n");
        assert.deepStrictEqual(readStackFile(dir, file).config, { "bookstore:environment": "dev" });
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("keeps a schema's own phrase where it has one", () => {
        const raw = valid();
        raw.app.services.api.port = 70000;
        assert.match(problemsOf(raw)[0], /expected an integer between 1 and 65535, got 70000$/);
        assert.throws(() => parseStackConfig({ ...valid(), platform: "vm" }), /bookstore:platform: expected one of "containerapps" \| "aks" \| "eks", got "vm"/);
    });
});
