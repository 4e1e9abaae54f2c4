import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planned, plannedRun } from "../../helpers/plan";
import { mermaidDiagram } from "../../../tools/review/diagram";
import { diagramOfPlan, README, readmeDiagram } from "../../../tools/review/readmeDiagram";

/** The diagram's edges as "from -->|label| to" lines, and its node lines by id. */
const edgesOf = (text: string) => text.split("\n").filter((l) => /^ {4}\S+ (-->|-\.)/.test(l)).map((l) => l.trim());
const nodeLine = (text: string, id: string) => text.split("\n").find((l) => l.trim().startsWith(`${id}[`))?.trim();

describe("review: Mermaid diagram of the plan", function () {
    this.timeout(120_000);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "diagram-")), "prod.md");
    const diagram = plannedRun("prod", { args: ["--diagram", file] });
    const aks = planned("prod-aks");
    const eks = planned("prod-eks");

    it("--diagram draws prod's data path: users → Front Door → web entry → web → api → PgBouncer → primary and replicas, cache, SignalR", () => {
        const run = diagram();
        assert.equal(run.exitCode, 0, run.stderr);
        const text = fs.readFileSync(file, "utf8");
        for (const tier of ["app", "cache", "database", "frontdoor", "platform", "realtime", "static-assets"]) assert.match(text, new RegExp(`subgraph tier_${tier.replace("-", "_")}\\["${tier}"\\]`));
        const edges = edgesOf(text);
        for (const edge of [
            "users -->|HTTPS| Profile_frontdoor_profile",
            "Profile_frontdoor_profile -->|pages, API| ContainerApp_web_entry",
            "Profile_frontdoor_profile -->|static files| StorageAccount_bookstoreprodst",
            "ContainerApp_web_entry --> ContainerApp_web",
            "ContainerApp_web -->|HTTP| ContainerApp_api",
            "ContainerApp_api -->|SQL| Server_bookstore_prod_pg_pooler",
            "ContainerApp_api -->|SQL| Server_bookstore_prod_pg_replica_2_pooler",
            "Server_bookstore_prod_pg_pooler --> Server_bookstore_prod_pg",
            "Server_bookstore_prod_pg_replica_1_pooler --> Server_bookstore_prod_pg_replica_1",
            "ContainerApp_api -->|cache| RedisEnterprise_cache_cluster",
            "ContainerApp_web -->|SignalR| SignalR_realtime_signalr",
        ]) assert.ok(edges.includes(edge), `${edge}\n${edges.join("\n")}`);
        // Replication runs from the primary to each replica: never replica to replica (that dependency was only creation order).
        assert.ok(edges.includes("Server_bookstore_prod_pg -. async replication .-> Server_bookstore_prod_pg_replica_1"));
        assert.ok(edges.includes("Server_bookstore_prod_pg -. async replication .-> Server_bookstore_prod_pg_replica_2"));
        assert.ok(!edges.some((e) => /replica_\d+ .*replica_\d+$/.test(e) && !/pooler/.test(e)), edges.join("\n"));
        // The request path does not also run backwards (api's reference to web is not drawn).
        assert.ok(!edges.includes("ContainerApp_api -->|HTTP| ContainerApp_web"));
        // Labels keep SKU names whole.
        assert.equal(nodeLine(text, "Profile_frontdoor_profile"), 'Profile_frontdoor_profile["Front Door<br/>Standard_AzureFrontDoor"]');
        assert.match(text, /bookstore-api<br\/>3–10 replicas · 0\.5 vCPU/);
        assert.match(text, /primary PostgreSQL 16<br\/>Standard_D4ds_v5 · eastus2 · HA ZoneRedundant/);
        assert.match(text, /read replica<br\/>Standard_D4ds_v5 · westus2/);
    });

    it("draws AKS's path through Application Gateway for Containers and the PgBouncer Deployment to every server it pools", () => {
        const edges = edgesOf(mermaidDiagram(aks().resources as never));
        for (const edge of [
            "Profile_frontdoor_profile -->|pages, API| TrafficControllerInterface_agc",
            "TrafficControllerInterface_agc --> Deployment_web",
            "Deployment_web -->|HTTP| Deployment_api",
            "Deployment_api -->|SQL| Deployment_pgbouncer_deployment",
            // The writer virtual endpoint is the primary, the reader its member replica-2, replica-1 by name.
            "Deployment_pgbouncer_deployment --> Server_bookstore_prod_pg",
            "Deployment_pgbouncer_deployment --> Server_bookstore_prod_pg_replica_1",
            "Deployment_pgbouncer_deployment --> Server_bookstore_prod_pg_replica_2",
        ]) assert.ok(edges.includes(edge), `${edge}\n${edges.join("\n")}`);
    });

    it("draws EKS's AWS resources, not only the Kubernetes workloads: RDS, ElastiCache, CloudFront, the ALB, the cluster and node groups", () => {
        const text = mermaidDiagram(eks().resources as never);
        assert.match(text, /Instance_database_primary\[\("primary PostgreSQL 16<br\/>db\.r6g\.large · us-east-1 · Multi-AZ"\)\]/);
        assert.match(text, /Instance_database_replica_2\[\("read replica<br\/>db\.r6g\.large · us-west-2 · Multi-AZ"\)\]/);
        assert.match(text, /ReplicationGroup_cache_cache\[\("Valkey 8\.2<br\/>cache\.r7g\.large · 3 shards × 2"\)\]/);
        assert.match(text, /Ingress_web\["web entry<br\/>ALB \(internet-facing\)"\]/);
        assert.match(text, /Cluster_eks_cluster\["EKS 1\.35<br\/>us-east-1"\]/);
        assert.match(text, /NodeGroup_app\["node group app<br\/>m7g\.xlarge × 2–10"\]/);
        const edges = edgesOf(text);
        for (const edge of [
            "users -->|HTTPS| Ingress_web",
            "Distribution_static_assets_assets -->|static files| Bucket_static_assets_assets",
            "Ingress_web --> Deployment_web",
            "Deployment_api -->|SQL| Deployment_pgbouncer_deployment",
            "Deployment_pgbouncer_deployment --> Instance_database_replica_2",
            "Instance_database_primary -. async replication .-> Instance_database_replica_2",
            "Deployment_api -->|cache| ReplicationGroup_cache_cache",
        ]) assert.ok(edges.includes(edge), `${edge}\n${edges.join("\n")}`);
        // CloudFront serves the static files only: its origins hold no web entry.
        assert.ok(!edges.some((e) => e.startsWith("Distribution_static_assets_assets -->|pages")));
    });

    it("marks what a diff changes: updated, replaced and created nodes, a server's changed parameter, the rest by tier, deletions listed", () => {
        const resources = diagram().document!.resources as never as { urn: string; type: string; name: string }[];
        const find = (name: string) => resources.find((r) => r.name === name)!;
        const change = (name: string, op: string) => ({ urn: find(name).urn, op, name, type: find(name).type });
        const text = mermaidDiagram(resources as never, "bookstore/prod", { changes: [
            change("api", "update"),
            change("bookstore-prod-pg", "replace"),
            change("bookstore-prod-pg-replica-1-pgbouncer-default-pool-size", "update"),
            change("workbook", "update"),
            change("realtime-signalr", "create"),
            { urn: "urn:pulumi:prod::bookstore::azure-native:operationalinsights:Workspace::old-logs", op: "delete", name: "old-logs", type: "azure-native:operationalinsights:Workspace" },
        ] });
        assert.equal(nodeLine(text, "ContainerApp_api"), 'ContainerApp_api["~ bookstore-api<br/>3–10 replicas · 0.5 vCPU"]');
        assert.match(text, /^ {4}class ContainerApp_api updated$/m);
        assert.match(text, /^ {8}Server_bookstore_prod_pg\[\("\+- primary PostgreSQL 16/m);
        assert.match(text, /^ {4}class Server_bookstore_prod_pg replaced$/m);
        assert.match(text, /^ {4}class Server_bookstore_prod_pg_replica_1 updated$/m);
        assert.match(text, /^ {4}class SignalR_realtime_signalr created$/m);
        assert.match(text, /changed_dashboard\["also changed:<br\/>~ workbook"\]/);
        assert.match(text, /deleted\["- deleted:<br\/>old-logs"\]/);
        assert.match(text, /^ {4}classDef replaced stroke:#dc2626/m);
        // Without changes nothing is marked.
        assert.doesNotMatch(mermaidDiagram(resources as never), /classDef|class /);
    });

    it("the README's architecture diagram is the prod plan's (regenerate: npx tsx tools/review/readmeDiagram.ts)", () => {
        assert.equal(readmeDiagram(fs.readFileSync(README, "utf8")), diagramOfPlan(diagram().document as never));
    });
});
