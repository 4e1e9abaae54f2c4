import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { plannedRun } from "../../helpers/plan";
import { diagramOfPlan, README, readmeDiagram } from "../../../tools/review/readmeDiagram";

describe("review: Mermaid diagram of the plan", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "diagram-")), "prod.md");
    const diagram = plannedRun("prod", { args: ["--diagram", file] });

    it("--diagram writes tiers, services with min–max replicas, pooler, primary and replicas with regions", () => {
        const run = diagram();
        assert.equal(run.exitCode, 0, run.stderr);
        const text = fs.readFileSync(file, "utf8");
        for (const tier of ["app", "cache", "database", "frontdoor", "platform", "realtime", "static-assets"]) assert.match(text, new RegExp(`subgraph tier_${tier.replace("-", "_")}\\["${tier}"\\]`));
        assert.match(text, /bookstore-api<br\/>3–10 replicas/);
        assert.match(text, /bookstore-web<br\/>3–8 replicas/);
        assert.match(text, /primary PostgreSQL 16<br\/>Standard_D4ds_v5 · eastus2 · HA ZoneRedundant/);
        assert.match(text, /read replica<br\/>Standard_D4ds_v5 · westus2/);
        assert.match(text, /ContainerApp_api --> Server_bookstore_prod_pg_pooler/);
        assert.match(text, /ContainerApp_api --> Server_bookstore_prod_pg_replica_2_pooler/);
        assert.match(text, /Server_bookstore_prod_pg_replica_1 --> Server_bookstore_prod_pg$/m);
        assert.match(text, /Profile_frontdoor_profile --> ContainerApp_web/);
        assert.match(text, /Server_bookstore_prod_pg -.->\|logs\| Workspace_logs/);
    });

    it("the README's architecture diagram is the prod plan's (regenerate: npx tsx tools/review/readmeDiagram.ts)", () => {
        assert.equal(readmeDiagram(fs.readFileSync(README, "utf8")), diagramOfPlan(diagram().document as never));
    });
});
