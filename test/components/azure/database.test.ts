import * as assert from "assert";
import { inputs, oneOfType, planOf, resourcesOfType, runPlan, stackVariant, Resource, nonEmpty } from "../../helpers/plan";
import { armIdentity } from "../../../tools/offline/mocks";

const SERVER = "azure-native:dbforpostgresql:Server";
const CONFIGURATION = "azure-native:dbforpostgresql:Configuration";

function configurationsOf(doc: ReturnType<typeof planOf>, server: string): Resource[] {
    return resourcesOfType(doc, CONFIGURATION).filter((c) => c.name.startsWith(`${server}-`) && !c.name.slice(server.length + 1).startsWith("replica-"));
}

/** Orders a server's Configurations by their dependsOn chain; fails unless they form exactly one chain. */
function chainOrder(configs: Resource[], server: Resource): Resource[] {
    const byUrn = new Map(configs.map((c) => [c.urn, c]));
    const first = configs.filter((c) => !c.dependencies.some((d) => byUrn.has(d)));
    assert.strictEqual(first.length, 1, `expected one chain start, got ${first.map((c) => c.name)}`);
    assert.ok(first[0].dependencies.includes(server.urn), "the chain starts after the server");
    const order = [first[0]];
    while (order.length < configs.length) {
        const next = configs.filter((c) => c.dependencies.includes(order[order.length - 1].urn));
        assert.strictEqual(next.length, 1, `after ${order[order.length - 1].name}: ${next.map((c) => c.name)}`);
        assert.deepStrictEqual(next[0].dependencies.filter((d) => byUrn.has(d)), [order[order.length - 1].urn], `${next[0].name} waits only for its predecessor`);
        order.push(next[0]);
    }
    return order;
}

describe("database tier (plan of prod, Container Apps)", () => {
    const prod = () => planOf("prod");
    const primary = () => oneOfType(prod(), SERVER, "bookstore-prod-pg");
    const replicas = () => resourcesOfType(prod(), SERVER).filter((s) => s.name.includes("replica")).sort((a, b) => a.name.localeCompare(b.name));

    it("creates a protected PostgreSQL 16 General Purpose primary with zone-redundant HA, geo backups and private access only", () => {
        const server = primary();
        const args = inputs(server);
        assert.strictEqual(server.options.protect, true);
        assert.strictEqual(args.version, "16");
        assert.deepStrictEqual(args.sku, { name: "Standard_D4ds_v5", tier: "GeneralPurpose" });
        assert.strictEqual(args.highAvailability.mode, "ZoneRedundant");
        assert.deepStrictEqual(args.backup, { backupRetentionDays: 14, geoRedundantBackup: "Enabled" });
        assert.deepStrictEqual(args.storage, { storageSizeGB: 128, autoGrow: "Enabled" });
        assert.strictEqual(args.network.publicNetworkAccess, "Disabled");
        assert.match(args.network.delegatedSubnetResourceId, /\/virtualNetworks\/bookstore-prod-vnet\/subnets\/snet-postgres$/);
        const zone = oneOfType(prod(), "azure-native:privatedns:PrivateZone", "database-dns-zone");
        assert.match(inputs(zone).privateZoneName, /\.postgres\.database\.azure\.com$/);
        assert.ok(server.dependencies.includes(zone.urn));
        assert.ok(server.dependencies.includes(oneOfType(prod(), "azure-native:privatedns:VirtualNetworkLink", "database-dns-link").urn),
            "the VNet link exists before the server");
        const database = oneOfType(prod(), "azure-native:dbforpostgresql:Database");
        assert.deepStrictEqual([inputs(database).databaseName, database.options.protect], ["bookstore", true]);
    });

    it("applies the seed's parameters, computed for 16 GiB and a 128 GiB disk, as one Configuration after another", () => {
        const order = chainOrder(configurationsOf(prod(), "bookstore-prod-pg"), primary());
        assert.deepStrictEqual(Object.fromEntries(order.map((c) => [inputs(c).configurationName, inputs(c).value])), {
            shared_buffers: "524288",
            effective_cache_size: "1572864",
            wal_buffers: "2048",
            checkpoint_completion_target: "0.9",
            // Azure's own value for 128 GiB (Learn), above the seed's 4 GB.
            max_wal_size: "12288",
            random_page_cost: "1.1",
            effective_io_concurrency: "200",
            max_connections: "200",
            // Enhanced metrics for the workbook's transactions-per-second and cache-hit panels.
            "metrics.collector_database_activity": "on",
            "pgbouncer.enabled": "true",
            "pgbouncer.pool_mode": "transaction",
            "pgbouncer.default_pool_size": "25",
            "pgbouncer.max_client_conn": "1000",
            "pgbouncer.server_idle_timeout": "600",
        });
        assert.ok(order.every((c) => inputs(c).source === "user-override"));
    });

    it("creates two protected replicas, eastus2 and westus2, each after the primary and every primary Configuration", () => {
        const primaryConfigs = configurationsOf(prod(), "bookstore-prod-pg");
        const database = oneOfType(prod(), "azure-native:dbforpostgresql:Database");
        assert.deepStrictEqual(replicas().map((r) => [r.name, inputs(r).location]),
            [["bookstore-prod-pg-replica-1", "eastus2"], ["bookstore-prod-pg-replica-2", "westus2"]]);
        for (const replica of replicas()) {
            const args = inputs(replica);
            assert.strictEqual(replica.options.protect, true);
            assert.strictEqual(args.createMode, "Replica");
            assert.strictEqual(args.highAvailability.mode, "Disabled");
            assert.strictEqual(args.backup, undefined, "replicas have no backups of their own");
            assert.deepStrictEqual(args.sku, inputs(primary()).sku);
            assert.strictEqual(args.storage.storageSizeGB, 128);
            for (const dependency of [primary(), database, ...primaryConfigs]) {
                assert.ok(replica.dependencies.includes(dependency.urn), `${replica.name} waits for ${dependency.name}`);
            }
        }
        assert.ok(replicas()[1].dependencies.includes(replicas()[0].urn), "replicas are created one after another");
    });

    it("points the replica source at the primary's ARM id", () => {
        const ids = new Set(replicas().map((r) => inputs(r).sourceServerResourceId));
        assert.strictEqual(ids.size, 1);
        assert.match([...ids][0], /^\/subscriptions\/[0-9a-f-]+\/resourceGroups\/bookstore-prod-rg\/providers\/Microsoft\.DBforPostgreSQL\/flexibleServers\/bookstore-prod-pg-[0-9a-f]{8}$/);
    });

    it("sets on a replica only what it does not inherit (max_connections, kept >= the primary's, and the pooler's); the failover partner carries the writer's whole tuning", () => {
        const parameters = (server: Resource) => Object.fromEntries(chainOrder(resourcesOfType(prod(), CONFIGURATION).filter((c) => c.name.startsWith(`${server.name}-`)
            && !/-replica-\d/.test(c.name.slice(server.name.length))), server).map((c) => [inputs(c).configurationName, inputs(c).value]));
        const [plain, partner] = replicas();
        assert.deepStrictEqual(parameters(plain), {
            max_connections: "200",
            "pgbouncer.enabled": "true",
            "pgbouncer.pool_mode": "transaction",
            "pgbouncer.default_pool_size": "25",
            "pgbouncer.max_client_conn": "1000",
            "pgbouncer.server_idle_timeout": "600",
        });
        // Replica 2 is prod's failover partner (same SKU as the primary): whichever of the two writes has the seed's tuning.
        assert.deepStrictEqual(parameters(partner), parameters(primary()));
        assert.strictEqual(Object.keys(parameters(partner)).length, 14);
    });

    it("first deploy: no false edges from the replicas", () => {
        const doc = prod();
        const byUrn = new Map(doc.resources.map((r) => [r.urn, r]));
        const [first, second] = replicas();
        const firstConfigs = resourcesOfType(doc, CONFIGURATION).filter((c) => c.name.startsWith(`${first.name}-`));
        assert.ok(firstConfigs.length > 0);
        // Azure runs replica creations on one primary one at a time, but nothing waits for a replica's parameters.
        assert.ok(second.dependencies.includes(first.urn));
        for (const config of firstConfigs) assert.ok(!second.dependencies.includes(config.urn), `${second.name} must not wait for ${config.name}`);
        // The app's connection strings are built from the server names: no Key Vault secret waits for a server.
        const secrets = resourcesOfType(doc, "azure-native:keyvault:Secret").filter((s) => s.name.startsWith("database-connection-"));
        assert.strictEqual(secrets.length, 3);
        for (const secret of secrets) {
            const servers = secret.dependencies.map((u) => byUrn.get(u)!).filter((r) => r.type === SERVER || r.type === CONFIGURATION);
            assert.deepStrictEqual(servers.map((r) => r.name), [], `${secret.name} waits for no server`);
        }
        // Nor does any app workload (Container Apps) wait for a replica.
        for (const app of nonEmpty(resourcesOfType(doc, "azure-native:app:ContainerApp"))) {
            for (const replica of replicas()) assert.ok(!app.dependencies.includes(replica.urn), `${app.name} must not wait for ${replica.name}`);
        }
    });

    it("names every server before it exists, and builds its host from the name", () => {
        const names = [primary(), ...replicas()].map((s) => inputs(s).serverName);
        assert.deepStrictEqual(names.map((n: string) => n.replace(/-[0-9a-f]{8}$/, "")),
            ["bookstore-prod-pg", "bookstore-prod-pg-replica-1", "bookstore-prod-pg-replica-2"]);
        assert.strictEqual(new Set(names.map((n: string) => n.slice(-8))).size, 1);
        for (const name of names) assert.match(name, /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "a Flexible Server name (3-63 lowercase letters, digits, hyphens)");
        const secret = oneOfType(prod(), "azure-native:keyvault:Secret", "database-connection-bookstore-replica-2");
        assert.ok(secret.dependencies.every((u) => !u.includes("dbforpostgresql")));
    });

    it("sends createMode Replica only to create a replica, and never the configured size of a disk that is not bigger", () => {
        for (const replica of replicas()) assert.strictEqual(inputs(replica).createMode, "Replica", "a first deploy creates the replicas");
        assert.strictEqual(inputs(primary()).createMode, undefined);
    });

    it("puts the cross-region replica in a westus2 VNet peered both ways and linked to the DNS zone", () => {
        const vnet = oneOfType(prod(), "azure-native:network:VirtualNetwork", "database-vnet-westus2");
        assert.deepStrictEqual([inputs(vnet).location, inputs(vnet).addressSpace.addressPrefixes], ["westus2", ["10.41.0.0/16"]]);
        assert.deepStrictEqual(inputs(vnet).subnets[0].delegations.map((d: any) => d.serviceName), ["Microsoft.DBforPostgreSQL/flexibleServers"]);
        assert.match(inputs(replicas()[1]).network.delegatedSubnetResourceId, /\/virtualNetworks\/bookstore-prod-vnet-westus2\/subnets\/snet-postgres$/);
        assert.match(inputs(replicas()[0]).network.delegatedSubnetResourceId, /\/virtualNetworks\/bookstore-prod-vnet\/subnets\/snet-postgres$/);
        const peerings = resourcesOfType(prod(), "azure-native:network:VirtualNetworkPeering").map((p) => inputs(p).virtualNetworkName).sort();
        assert.deepStrictEqual(peerings, ["bookstore-prod-vnet", "bookstore-prod-vnet-westus2"]);
        assert.ok(resourcesOfType(prod(), "azure-native:privatedns:VirtualNetworkLink").some((l) => l.name === "database-dns-link-westus2"));
    });

    it("creates the westus2 replica only after both peerings and its region's DNS-zone link exist", () => {
        const westus2 = replicas()[1];
        for (const name of ["database-peer-main-to-westus2", "database-peer-westus2-to-main"]) {
            assert.ok(westus2.dependencies.includes(oneOfType(prod(), "azure-native:network:VirtualNetworkPeering", name).urn), `waits for ${name}`);
        }
        assert.ok(westus2.dependencies.includes(oneOfType(prod(), "azure-native:privatedns:VirtualNetworkLink", "database-dns-link-westus2").urn));
    });

    it("alerts the action group on CPU > 80 %, connections > 80 % of max_connections and storage > 85 % on every server", () => {
        const alerts = resourcesOfType(prod(), "azure-native:monitor:MetricAlert").filter((a) => a.name.startsWith("bookstore-prod-pg"));
        const summary = alerts.map((a) => {
            const criterion = inputs(a).criteria.allOf[0];
            return `${a.name} ${criterion.metricName} ${criterion.operator} ${criterion.threshold}`;
        }).sort();
        assert.deepStrictEqual(summary, [
            "bookstore-prod-pg-connections active_connections GreaterThan 160",
            "bookstore-prod-pg-cpu cpu_percent GreaterThan 80",
            "bookstore-prod-pg-replica-1-connections active_connections GreaterThan 160",
            "bookstore-prod-pg-replica-1-cpu cpu_percent GreaterThan 80",
            "bookstore-prod-pg-replica-1-storage storage_percent GreaterThan 85",
            "bookstore-prod-pg-replica-2-connections active_connections GreaterThan 160",
            "bookstore-prod-pg-replica-2-cpu cpu_percent GreaterThan 80",
            "bookstore-prod-pg-replica-2-storage storage_percent GreaterThan 85",
            "bookstore-prod-pg-storage storage_percent GreaterThan 85",
        ]);
        // No metric alert on a replication metric alone: the seconds metric climbs on an idle primary, bytes are not the seed's 60 s.
        assert.ok(alerts.every((a) => !inputs(a).criteria.allOf[0].metricName.startsWith("physical_replication_delay")));
        const actionGroup = oneOfType(prod(), "azure-native:monitor:ActionGroup");
        for (const alert of alerts) {
            assert.match(inputs(alert).actions[0].actionGroupId, /\/actionGroups\/bookstore-prod-alerts$/, alert.name);
            assert.ok(alert.dependencies.includes(actionGroup.urn));
        }
    });

    it("alerts on the seed's 60 s of replication lag only while the primary has WAL a replica has not replayed (log alert over AzureMetrics)", () => {
        const doc = prod();
        const rule = inputs(oneOfType(doc, "azure-native:monitor:ScheduledQueryRule", "bookstore-prod-pg-replication-lag"));
        const criterion = rule.criteria.allOf[0];
        assert.deepStrictEqual([criterion.metricMeasureColumn, criterion.operator, criterion.threshold, criterion.timeAggregation, criterion.dimensions],
            ["lagUnderWritesSeconds", "GreaterThan", 60, "Maximum", [{ name: "Replica", operator: "Include", values: ["*"] }]]);
        assert.deepStrictEqual([rule.kind, rule.windowSize, rule.evaluationFrequency, rule.location], ["LogAlert", "PT5M", "PT5M", "eastus2"]);
        // Scoped to the workspace the servers export AllMetrics to (their diagnostic settings), where AzureMetrics holds both metrics.
        const logs = oneOfType(doc, "azure-native:operationalinsights:Workspace");
        const workspace = armIdentity(logs.type, logs.name, inputs(logs)).id;
        assert.deepStrictEqual(rule.scopes, [workspace]);
        const exported = resourcesOfType(doc, "azure-native:monitor:DiagnosticSetting").filter((d) => /flexibleServers/.test(inputs(d).resourceUri));
        assert.strictEqual(exported.length, 3);
        assert.ok(exported.every((d) => inputs(d).workspaceId === workspace && inputs(d).metrics.some((m: any) => m.category === "AllMetrics")));
        // The bytes metric from the primary (Max Physical Replication Lag: 0 once every replica has replayed), the seconds
        // metric from the replicas (Read Replica Lag: time since the last replayed transaction), joined per minute.
        const primary = inputs(replicas()[0]).sourceServerResourceId;
        const query: string = criterion.query;
        assert.ok(query.includes(`ResourceId =~ "${primary}" and MetricName == "physical_replication_delay_in_bytes"`), query);
        const replicaIds = replicas().map((r) => armIdentity(r.type, r.name, inputs(r)).id);
        assert.ok(query.includes(`ResourceId in~ (${replicaIds.map((id) => JSON.stringify(id)).join(", ")}) and MetricName == "physical_replication_delay_in_seconds"`), query);
        assert.match(query, /summarize behindBytes = max\(Maximum\) by TimeGenerated = bin\(TimeGenerated, 1m\)/);
        assert.match(query, /summarize lagSeconds = min\(Minimum\) by TimeGenerated = bin\(TimeGenerated, 1m\), Replica = Resource/);
        assert.match(query, /\| join kind=inner behind on TimeGenerated\n\| where behindBytes > 0\n/);
        assert.match(query, /\| where minutesBehind >= 3$/);
    });

    it("keeps the admin password and connection strings secret: in Key Vault, never in the plan", () => {
        const doc = prod();
        const text = JSON.stringify(doc);
        assert.doesNotMatch(text, /Password=/);
        const secrets = resourcesOfType(doc, "azure-native:keyvault:Secret").filter((s) => s.name.startsWith("database-"));
        assert.deepStrictEqual(secrets.map((s) => inputs(s).secretName).sort(), [
            "connectionstrings-bookstore", "connectionstrings-bookstore-replica-1", "connectionstrings-bookstore-replica-2", "postgres-admin-password",
        ]);
        for (const secret of secrets) assert.ok(["[secret]", "[unknown]"].includes(inputs(secret).properties.value), secret.name);
        assert.ok(["[secret]", "[unknown]"].includes((doc.outputs as any).databaseAdminPassword));
        assert.strictEqual(inputs(primary()).administratorLogin, "bookstoreadmin");
        assert.ok(["[secret]", "[unknown]"].includes(inputs(primary()).administratorLoginPassword));
    });

    it("hands the app each pooled endpoint as a Key Vault-backed ConnectionStrings__ setting", () => {
        const api = oneOfType(prod(), "azure-native:app:ContainerApp", "api");
        const secretUrls = inputs(api).configuration.secrets.map((s: any) => s.keyVaultUrl);
        for (const name of ["bookstore", "bookstore-replica-1", "bookstore-replica-2"]) {
            assert.ok(secretUrls.some((u: string) => u?.endsWith(`/secrets/connectionstrings-${name}`)), name);
            assert.ok(JSON.stringify(inputs(api).template.containers).includes(`"ConnectionStrings__${name}"`), name);
        }
    });

    it("exports the endpoints the CLI's doctor reads, and the pooled endpoints the app connects to", () => {
        const outputs = prod().outputs as Record<string, unknown>;
        assert.match(String(outputs.databaseWriteHost), /^bookstore-prod-pg-[0-9a-f]{8}\.postgres\.database\.azure\.com$/);
        // The built-in pooler on 6432, the real database name: the writer and the westus2 replica through
        // the virtual endpoints (they survive a switchover), the other replica by its own name.
        const suffix = String(outputs.databaseWriteHost).match(/-([0-9a-f]{8})\./)![1];
        assert.strictEqual(outputs.databaseWriteEndpoint, `bookstore-prod-db-${suffix}.writer.postgres.database.azure.com:6432/bookstore`);
        assert.deepStrictEqual(outputs.databaseReadEndpoints, [
            `${(outputs.databaseReadHosts as string[])[0]}:6432/bookstore`,
            `bookstore-prod-db-${suffix}.reader.postgres.database.azure.com:6432/bookstore`,
        ]);
        assert.deepStrictEqual((outputs.databaseReadHosts as string[]).map((h) => h.replace(/-[0-9a-f]{8}\./, ".")),
            ["bookstore-prod-pg-replica-1.postgres.database.azure.com", "bookstore-prod-pg-replica-2.postgres.database.azure.com"]);
        assert.deepStrictEqual(
            [outputs.databasePort, outputs.databasePoolerPort, outputs.databaseName, outputs.databaseAdminLogin, outputs.databaseMaxConnections],
            [5432, 6432, "bookstore", "bookstoreadmin", 200]);
    });

    it("adds the connection budget to the plan's JSON and prints the arithmetic", () => {
        const run = runPlan("prod");
        assert.deepStrictEqual(
            (({ ok, pooler, clientConnections, clientLimit, serverConnections, serverLimit }: any) => ({ ok, pooler, clientConnections, clientLimit, serverConnections, serverLimit }))(run.document!.budget),
            { ok: true, pooler: "builtin", clientConnections: 360, clientLimit: 1000, serverConnections: 25, serverLimit: 185 });
        assert.match(run.stdout, /app pools per endpoint: api 10×20 \+ web 8×20 = 360/);
    });
});

describe("database tier across stacks", () => {
    it("uses the PgBouncer Deployment on AKS: no built-in pooler parameters, connection strings to the in-cluster Service", () => {
        const doc = planOf("prod-aks");
        const outputs = doc.outputs as Record<string, unknown>;
        // One Service for every endpoint; PgBouncer's database name picks the server.
        assert.strictEqual(outputs.databaseWriteEndpoint, "pgbouncer.bookstore.svc.cluster.local:6432/bookstore");
        assert.deepStrictEqual(outputs.databaseReadEndpoints, [
            "pgbouncer.bookstore.svc.cluster.local:6432/bookstore-replica-1", "pgbouncer.bookstore.svc.cluster.local:6432/bookstore-replica-2",
        ]);
        const names = resourcesOfType(doc, CONFIGURATION).map((c) => inputs(c).configurationName);
        assert.ok(!names.some((n: string) => n.startsWith("pgbouncer.")), names.join(", "));
        assert.strictEqual(resourcesOfType(doc, "bookstore:database:PgbouncerDeployment").length, 1);
        assert.deepStrictEqual((({ ok, pooler, clientConnections, clientLimit, serverConnections, serverLimit }: any) =>
            ({ ok, pooler, clientConnections, clientLimit, serverConnections, serverLimit }))(doc.budget),
        { ok: true, pooler: "deployment", clientConnections: 1080, clientLimit: 2000, serverConnections: 90, serverLimit: 185 });
    });

    it("keeps dev small: one General Purpose server, no HA, no geo backup, no replicas", () => {
        const doc = planOf("dev");
        const servers = resourcesOfType(doc, SERVER);
        assert.deepStrictEqual(servers.map((s) => [s.name, inputs(s).sku.name, inputs(s).highAvailability.mode, inputs(s).backup.geoRedundantBackup]),
            [["bookstore-dev-pg", "Standard_D2ds_v5", "Disabled", "Disabled"]]);
        const shared = resourcesOfType(doc, CONFIGURATION).find((c) => inputs(c).configurationName === "shared_buffers")!;
        assert.strictEqual(inputs(shared).value, "262144", "25 % of 8 GiB in 8 kB pages");
    });

    it("refuses a stack over its connection budget before planning anything, naming the key and the numbers", () => {
        const file = stackVariant("prod", (config) => { config["bookstore:database"].parameters.maxConnections = 30; });
        const run = runPlan("prod", { stackFile: file });
        assert.strictEqual(run.exitCode, 2, run.stderr);
        assert.strictEqual(run.document, undefined);
        assert.match(run.stderr, /bookstore:database\.parameters\.maxConnections: expected room for the pooler's 25 server connections .*max_connections 30 - 15 reserved = 15\), got 30/);
        assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
    });

    it("refuses two PgBouncer pods in prod-aks: with one drained (the PDB allows it) 1000 clients < 1080", () => {
        const file = stackVariant("prod-aks", (config) => { config["bookstore:database"].pgbouncer.replicas = 2; });
        const run = runPlan("prod-aks", { stackFile: file });
        assert.strictEqual(run.exitCode, 2, run.stderr);
        assert.match(run.stderr, /bookstore:database\.pgbouncer\.maxClientConn: expected room for the app's 1080 client connections .*max_client_conn 1000 × 1 PgBouncer replicas \(2 − 1 the PDB may take down\) = 1000/);
    });

    it("refuses Burstable with replicas in prod, naming the keys", () => {
        const file = stackVariant("prod", (config) => { config["bookstore:database"].sku = { name: "Standard_B2ms" }; });
        const run = runPlan("prod", { stackFile: file });
        assert.strictEqual(run.exitCode, 2);
        assert.match(run.stderr, /bookstore:database\.sku\.name: expected a GeneralPurpose or MemoryOptimized SKU in prod/);
        assert.match(run.stderr, /bookstore:database\.replicas: expected no replicas on a Burstable primary/);
        assert.match(run.stderr, /bookstore:database\.highAvailability: expected "Disabled" on a Burstable primary/);
    });
});
