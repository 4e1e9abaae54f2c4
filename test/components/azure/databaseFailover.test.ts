import * as assert from "assert";
import { backupFor, failoverRoles, highAvailabilityFor, liveRoles, TopologyError, virtualEndpointHosts, virtualEndpointName } from "../../../components/azure/databaseFailover";
import { serverNames } from "../../../components/azure/databaseServers";
import { inputs, oneOfType, planned, planOf, Resource, resourcesOfType, stackVariant } from "../../helpers/plan";
import type { PlanDocument } from "../../../tools/offline/types";

const SERVER = "azure-native:dbforpostgresql:Server";
const ENDPOINT = "azure-native:dbforpostgresql:VirtualEndpoint";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

describe("database failover: rules", () => {
    it("names the endpoint pair after the servers' suffix, inside the spec's pattern", () => {
        assert.strictEqual(virtualEndpointName("bookstore-prod-pg-31633c5b"), "bookstore-prod-db-31633c5b");
        assert.deepStrictEqual(virtualEndpointHosts("bookstore-prod-db-31633c5b"), {
            writer: "bookstore-prod-db-31633c5b.writer.postgres.database.azure.com",
            reader: "bookstore-prod-db-31633c5b.reader.postgres.database.azure.com",
        });
        assert.throws(() => virtualEndpointName("no-suffix"), /cannot derive/);
    });

    it("swaps the writer and the reader target between the primary and its partner, and nobody else", () => {
        assert.deepStrictEqual(failoverRoles({ failover: { replica: undefined, promoted: false } }), { writer: 0 });
        assert.deepStrictEqual(failoverRoles({ failover: { replica: 2, promoted: false } }), { writer: 0, reader: 2, partner: 2 });
        assert.deepStrictEqual(failoverRoles({ failover: { replica: 2, promoted: true } }), { writer: 2, reader: 0, partner: 2 });
        assert.strictEqual(highAvailabilityFor("replica", "ZoneRedundant"), "Disabled");
        assert.strictEqual(highAvailabilityFor("writer", "ZoneRedundant"), "ZoneRedundant");
    });

    it("takes the roles from what Azure reports, the stack file's record only when Azure does not answer", () => {
        const recorded = { failover: { replica: 2, promoted: false } };
        assert.deepStrictEqual(liveRoles(recorded, { role: "GeoAsyncReplica" }, { role: "Primary" }), { writer: 2, reader: 0, partner: 2 });
        assert.deepStrictEqual(liveRoles({ failover: { replica: 2, promoted: true } }, { role: "Primary" }, { role: "AsyncReplica" }), { writer: 0, reader: 2, partner: 2 });
        assert.deepStrictEqual(liveRoles({ failover: { replica: 2, promoted: true } }, undefined, undefined), { writer: 2, reader: 0, partner: 2 });
        // The old primary's region is down (no answer) while the partner writes.
        assert.deepStrictEqual(liveRoles(recorded, undefined, { role: "Primary" }), { writer: 2, reader: 0, partner: 2 });
        assert.deepStrictEqual(liveRoles({ failover: { replica: undefined, promoted: false } }, { role: "Primary" }), { writer: 0 });
        assert.throws(() => liveRoles(recorded, { role: "Primary" }, { role: "Primary" }, { original: "a", partner: "b" }),
            (err: Error) => err instanceof TopologyError && /a and b both report role Primary: .*standalone.*runbook/.test(err.message));
    });

    it("sends backups to the writer only, with the geo-redundancy Azure has once the server exists", () => {
        const configured = { retentionDays: 14, geoRedundant: true };
        assert.strictEqual(backupFor(false, { geoRedundantBackup: "Enabled" }, configured), undefined);
        assert.deepStrictEqual(backupFor(true, undefined, configured), { backupRetentionDays: 14, geoRedundantBackup: "Enabled" });
        // A promoted replica has none, and it cannot be turned on after creation: not pushed back.
        assert.deepStrictEqual(backupFor(true, { geoRedundantBackup: "Disabled" }, configured), { backupRetentionDays: 14, geoRedundantBackup: "Disabled" });
        assert.deepStrictEqual(backupFor(true, {}, configured), { backupRetentionDays: 14, geoRedundantBackup: "Disabled" });
    });
});

/**
 * Plans a stack with every server live (day 2), as `pulumi preview` sees it after the deploy:
 * started in the background now, its document when the test asks.
 */
function livePlan(stack: string, edit?: (config: Record<string, any>) => void): () => PlanDocument {
    const names = serverNames("bookstore-prod", "00000000-0000-0000-0000-000000000000", stack, 2);
    const live = Object.fromEntries([names.primary, ...names.replicas].map((n) => [n, { storageSizeGB: 128 }]));
    return planned(stack, { stackFile: edit && stackVariant(stack, edit), env: { BOOKSTORE_OFFLINE_LIVE_SERVERS: JSON.stringify(live) } });
}

/** Paths (a.b.c) where two input objects differ. */
function differences(a: unknown, b: unknown, at = ""): string[] {
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
        const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
        return [...keys].flatMap((k) => differences((a as any)[k], (b as any)[k], at ? `${at}.${k}` : k));
    }
    return [at];
}

describe("database failover: the plan after `failover` promoted the westus2 replica (prod)", function () {
    this.timeout(120_000);
    // The stack file as the CLI leaves it: prod's, plus database.failover.promoted (replica 2 is the default partner).
    const before = livePlan("prod");
    const after = livePlan("prod", (c) => { c["bookstore:database"].failover = { promoted: true }; });
    const names = serverNames("bookstore-prod", "00000000-0000-0000-0000-000000000000", "prod", 2);

    it("creates the endpoint pair on the primary once every replica exists, the reader on the westus2 replica", () => {
        const endpoint = oneOfType(before(), ENDPOINT);
        assert.deepStrictEqual(inputs(endpoint), {
            resourceGroupName: inputs(endpoint).resourceGroupName,
            serverName: names.primary,
            virtualEndpointName: virtualEndpointName(names.primary),
            endpointType: "ReadWrite",
            members: [names.replicas[1]],
        });
        assert.ok(endpoint.dependencies.includes(oneOfType(before(), SERVER, "bookstore-prod-pg-replica-2").urn));
    });

    it("keeps every URN, and changes no input but the roles' HA, backups and password, the endpoint pair's server and reader, the lag alert's query", () => {
        const old = new Map(before().resources.map((r) => [r.urn, r]));
        const next = new Map(after().resources.map((r) => [r.urn, r]));
        assert.deepStrictEqual([...next.keys()].sort(), [...old.keys()].sort(), "same resources, same URNs");
        const changed = [...next.values()].flatMap((r: Resource) => differences(old.get(r.urn)!.inputs, r.inputs).map((p) => `${r.name}: ${p}`));
        assert.deepStrictEqual(changed.sort(), [
            "bookstore-prod-pg-endpoints: members",
            "bookstore-prod-pg-endpoints: serverName",
            "bookstore-prod-pg-replica-2: administratorLoginPassword",
            "bookstore-prod-pg-replica-2: backup",
            "bookstore-prod-pg-replica-2: highAvailability.mode",
            "bookstore-prod-pg-replication-lag: criteria.allOf",
            "bookstore-prod-pg: administratorLoginPassword",
            "bookstore-prod-pg: backup",
            "bookstore-prod-pg: highAvailability.mode",
        ]);
    });

    it("sends what the new roles need: HA on the new primary, none on the demoted one, the reader on the old primary", () => {
        const doc = after();
        assert.strictEqual(inputs(oneOfType(doc, SERVER, "bookstore-prod-pg")).highAvailability.mode, "Disabled");
        assert.strictEqual(inputs(oneOfType(doc, SERVER, "bookstore-prod-pg-replica-2")).highAvailability.mode, "ZoneRedundant");
        assert.deepStrictEqual(inputs(oneOfType(doc, ENDPOINT)).members, [names.primary]);
        // The bytes metric exists on the writer only: the rule's query follows the roles (same rule, new query).
        const query: string = inputs(oneOfType(doc, "azure-native:monitor:ScheduledQueryRule", "bookstore-prod-pg-replication-lag")).criteria.allOf[0].query;
        const bytesFrom = /ResourceId =~ "([^"]+)" and MetricName == "physical_replication_delay_in_bytes"/.exec(query)![1];
        const secondsFrom = /ResourceId in~ \(([^)]+)\) and MetricName == "physical_replication_delay_in_seconds"/.exec(query)![1];
        assert.strictEqual(bytesFrom.split("/").pop(), names.replicas[1]);
        assert.deepStrictEqual(secondsFrom.split(", ").map((id) => JSON.parse(id).split("/").pop()).sort(), [names.primary, names.replicas[0]].sort());
        for (const n of [1, 2]) {
            const replica = oneOfType(doc, SERVER, `bookstore-prod-pg-replica-${n}`);
            // Create-time inputs stay as created; Azure's new source after the switchover is not a change.
            assert.deepStrictEqual([inputs(replica).createMode, replica.options.ignoreChanges], ["Update", ["availabilityZone", "highAvailability.standbyAvailabilityZone", "sourceServerResourceId"]]);
            assert.match(inputs(replica).sourceServerResourceId, new RegExp(`/flexibleServers/${names.primary}$`));
        }
        const outputs = doc.outputs as Record<string, any>;
        assert.strictEqual(outputs.databaseWriteHost, `${names.replicas[1]}.postgres.database.azure.com`);
        assert.deepStrictEqual(outputs.databaseReadHosts, [names.primary, names.replicas[0]].map((n) => `${n}.postgres.database.azure.com`));
        assert.deepStrictEqual((after().outputs as any).databaseWriteEndpoint, (before().outputs as any).databaseWriteEndpoint, "the app's writer string survives");
    });
});

describe("database failover: the PgBouncer Deployment reaches the servers through the endpoints (prod-aks)", function () {
    this.timeout(120_000);
    it("lists the writer and reader endpoint hosts in PgBouncer's [databases]", () => {
        const doc = planOf("prod-aks");
        const text = JSON.stringify([...resourcesOfType(doc, CONFIG_MAP), ...resourcesOfType(doc, DEPLOYMENT)].map(inputs));
        const name = virtualEndpointName(serverNames("bookstore-prod", "00000000-0000-0000-0000-000000000000", "prod-aks", 2).primary);
        assert.match(text, new RegExp(`bookstore = host=${name}\\.writer\\.postgres\\.database\\.azure\\.com port=5432`));
        assert.match(text, new RegExp(`bookstore-replica-2 = host=${name}\\.reader\\.postgres\\.database\\.azure\\.com port=5432`));
    });
});
