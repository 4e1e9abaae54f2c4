import * as assert from "assert";
import { adoptServerNames, replicaCreateMode, replicaParameters, serverFqdn, serverNames, storageToSend } from "../../../components/azure/databaseServers";
import { inputs, oneOfType, planned, planOf, stackVariant } from "../../helpers/plan";

const SERVER = "azure-native:dbforpostgresql:Server";

describe("database servers: what a create and an update send", () => {
    it("names servers from the subscription and stack alone, and their hosts from the names", () => {
        const a = serverNames("bookstore-prod", "00000000-0000-0000-0000-000000000000", "prod", 2);
        assert.deepStrictEqual(serverNames("bookstore-prod", "00000000-0000-0000-0000-000000000000", "prod", 2), a, "stable across runs");
        assert.notStrictEqual(serverNames("bookstore-prod", "11111111-1111-1111-1111-111111111111", "prod", 2).primary, a.primary, "unique per subscription");
        assert.match(a.primary, /^bookstore-prod-pg-[0-9a-f]{8}$/);
        assert.deepStrictEqual(a.replicas.map((r) => r.slice(0, -9)), ["bookstore-prod-pg-replica-1", "bookstore-prod-pg-replica-2"]);
        assert.strictEqual(serverFqdn(a.primary), `${a.primary}.postgres.database.azure.com`);
    });

    const adopting = planned("prod", { stackFile: stackVariant("prod", (config) => {
        config["bookstore:database"].serverNames = { primary: "primary1a2b3c4d" };
    }) });
    it("keeps the names of servers that already exist (database.serverNames), so adopting them replaces nothing", () => {
        const generated = serverNames("bookstore-prod", "00000000-0000-0000-0000-000000000000", "prod", 2);
        assert.deepStrictEqual(adoptServerNames(generated, undefined), generated);
        assert.deepStrictEqual(adoptServerNames(generated, { primary: "primary1a2b3c4d", replicas: ["replica-1f00ba7"] }),
            { primary: "primary1a2b3c4d", replicas: ["replica-1f00ba7", generated.replicas[1]] });
        const plan = adopting();
        const primary = oneOfType(plan, SERVER, "bookstore-prod-pg");
        assert.strictEqual(inputs(primary).serverName, "primary1a2b3c4d");
        assert.strictEqual(primary.urn, oneOfType(planOf("prod"), SERVER, "bookstore-prod-pg").urn, "same URN: the server is adopted, not replaced");
    });

    it("sends createMode Replica to create a replica and Update once it exists (a second Replica PUT fails)", () => {
        assert.strictEqual(replicaCreateMode(undefined), "Replica");
        assert.strictEqual(replicaCreateMode({ storageSizeGB: 128 }), "Update");
    });

    it("never sends a disk size smaller than the one autogrow reached", () => {
        assert.strictEqual(storageToSend(128, undefined), 128);
        assert.strictEqual(storageToSend(128, { storageSizeGB: 256 }), 256);
        assert.strictEqual(storageToSend(512, { storageSizeGB: 256 }), 512, "a raise in config is a resize");
    });

    it("sets on a replica only what differs from the primary, the recovery parameters and the pooler's", () => {
        const primary = [{ name: "shared_buffers", value: "524288" }, { name: "random_page_cost", value: "1.1" },
            { name: "max_connections", value: "200" }, { name: "pgbouncer.enabled", value: "true" }];
        const bigger = [{ name: "shared_buffers", value: "1048576" }, { name: "random_page_cost", value: "1.1" },
            { name: "max_connections", value: "200" }, { name: "pgbouncer.enabled", value: "true" }];
        assert.deepStrictEqual(replicaParameters(primary, primary).map((p) => p.name), ["max_connections", "pgbouncer.enabled"]);
        assert.deepStrictEqual(replicaParameters(primary, bigger).map((p) => p.name), ["shared_buffers", "max_connections", "pgbouncer.enabled"]);
    });

    const names = serverNames("bookstore-prod", "00000000-0000-0000-0000-000000000000", "prod-variant", 2);
    const live = Object.fromEntries([names.primary, ...names.replicas].map((n) => [n, { storageSizeGB: 256 }]));
    const dayTwo = planned("prod-variant", { stackFile: stackVariant("prod", () => undefined), env: { BOOKSTORE_OFFLINE_LIVE_SERVERS: JSON.stringify(live) } });
    it("day 2 (plan with the servers live, disks grown to 256 GiB): replicas send Update and nobody sends 128 GiB", function () {
        this.timeout(60_000);
        const doc = dayTwo();
        const primary = oneOfType(doc, SERVER, "bookstore-prod-pg");
        assert.strictEqual(inputs(primary).serverName, names.primary);
        assert.strictEqual(inputs(primary).storage.storageSizeGB, 256);
        for (const n of [1, 2]) {
            const replica = inputs(oneOfType(doc, SERVER, `bookstore-prod-pg-replica-${n}`));
            assert.deepStrictEqual([replica.createMode, replica.storage.storageSizeGB], ["Update", 256]);
            assert.match(replica.sourceServerResourceId, new RegExp(`/flexibleServers/${names.primary}$`), "the source stays what it was at create");
        }
    });
});
