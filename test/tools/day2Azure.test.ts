// Day 2 on Azure (prod): after a switchover, a failback, an HA zone swap and storage autogrow, the
// state as `refresh` leaves it (test/fixtures/day2/azure-postgres.json: what Azure's GET returns) is
// compared with the next plan, with the engine's ignoreChanges and the create-only rules of `diff`.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import fixture from "../fixtures/day2/azure-postgres.json";
import { moveEndpointPair } from "../../tools/automation/failover";
import { nextUpdate, refreshState, type Day2Result, type LiveChange } from "../../tools/review/day2";
import { planned, stackVariant, type Resource } from "../helpers/plan";
import type { PlanDocument } from "../../tools/offline/types";

type Event = keyof typeof fixture.events;
const SERVER = "azure-native:dbforpostgresql:Server";
const [PRIMARY, REPLICA_1, REPLICA_2] = Object.keys(fixture.events.deployed.servers);
const LOGICAL: Record<string, string> = { [PRIMARY]: "bookstore-prod-pg", [REPLICA_1]: "bookstore-prod-pg-replica-1", [REPLICA_2]: "bookstore-prod-pg-replica-2" };

/** prod planned with Azure answering the event's GET bodies (and, optionally, the stack file as `failover` leaves it). */
const planAfter = (event: Event, promoted?: boolean) => planned("prod", {
    env: { BOOKSTORE_OFFLINE_LIVE_SERVERS: JSON.stringify(fixture.events[event].servers) },
    stackFile: promoted === undefined ? undefined : stackVariant("prod", (c) => { c["bookstore:database"].failover = { promoted }; }),
});

/** The event's GET bodies before and after, by logical server name. */
function liveChanges(from: Event, to: Event): Record<string, LiveChange> {
    const bodies = (event: Event) => fixture.events[event].servers as Record<string, Record<string, unknown>>;
    return Object.fromEntries(Object.keys(LOGICAL).map((name) => [LOGICAL[name], { before: bodies(from)[name], after: bodies(to)[name], readOnly: fixture.readOnly }]));
}

/** The next update after the event, from a state (refreshed from the event's GET bodies). */
function day2Of(state: { stack: string; resources: Resource[] }, from: Event, to: Event, next: PlanDocument): Day2Result {
    const refreshed = refreshState(state, liveChanges(from, to));
    return nextUpdate(refreshed.plan, next, refreshed.owned);
}

/** The deployed plan as the state; `move`: the endpoint pair moved by `failover` first. */
function day2(deployed: PlanDocument, from: Event, to: Event, next: PlanDocument, move?: { from: string; to: string }): Day2Result {
    const resources = JSON.parse(JSON.stringify(deployed.resources)) as Resource[];
    if (move) moveEndpointPair(resources as never, move.from, move.to);
    return day2Of({ stack: "prod", resources }, from, to, next);
}

/**
 * Refresh records each server's new replication role (`replica`, `replicationRole` are inputs of the
 * SDK); the program never sends a role, so the next up drops them from the inputs and the PUT leaves
 * them to Azure: no value is pushed back.
 */
const RELEASED_ROLES = ["bookstore-prod-pg", "bookstore-prod-pg-replica-2"].flatMap((n) => [`update ${n}: replica`, `update ${n}: replicationRole`]);

const inPlace = (result: Day2Result) => result.changes.flatMap((c) => c.changes.map((p) => `${c.op} ${c.name}: ${p.path}`)).sort();

describe("day 2 on Azure: the next up after the cloud changed prod's database", function () {
    this.timeout(180_000);
    const deployed = planAfter("deployed");
    const switchedRecorded = planAfter("switchover", true);
    const switchedLive = planAfter("switchover");
    const failedBack = planAfter("failback", false);
    const zoneSwapped = planAfter("zoneSwap");
    const grown = planAfter("autogrow");

    it("switchover through `failover`: no replacement, nothing Azure now owns pushed back, only the roles' inputs change", () => {
        const result = day2(deployed(), "deployed", "switchover", switchedRecorded(), { from: PRIMARY, to: REPLICA_2 });
        assert.deepStrictEqual(result.guardedReplacements, []);
        assert.deepStrictEqual(result.counts.replace + result.counts.delete + result.counts.create, 0);
        // The configured retention is ours: the new primary came out of the promotion with 7 days.
        assert.deepStrictEqual(result.fights, ["bookstore-prod-pg-replica-2: backup.backupRetentionDays"]);
        assert.deepStrictEqual(result.released.sort(), RELEASED_ROLES.map((l) => l.replace("update ", "")).sort());
        assert.deepStrictEqual(inPlace(result), [
            // The new primary gets the configured HA and 14 days of backups (no geo-redundancy: it has none, and none is sent).
            "update bookstore-prod-pg-replica-2: administratorLoginPassword",
            "update bookstore-prod-pg-replica-2: backup.backupRetentionDays",
            "update bookstore-prod-pg-replica-2: highAvailability.mode",
            // The demoted primary no longer gets the password (Azure does not support resetting it on a replica).
            "update bookstore-prod-pg: administratorLoginPassword",
            ...RELEASED_ROLES,
            // The reader endpoint now targets the demoted server; the pair itself was moved by `failover`.
            "update bookstore-prod-pg-endpoints: members[0]",
            // The bytes metric exists on the writer only: the lag rule's query follows the roles.
            "update bookstore-prod-pg-replication-lag: criteria.allOf[0].query",
        ].sort());
    });

    it("the roles come from Azure: the same plan when the stack file was not updated (a switchover made outside the CLI)", () => {
        const strip = (doc: PlanDocument) => JSON.stringify(doc.resources.map((r) => [r.urn, r.inputs]));
        assert.strictEqual(strip(switchedLive()), strip(switchedRecorded()));
        const outputs = switchedLive().outputs as Record<string, unknown>;
        assert.strictEqual(outputs.databaseWriteHost, `${REPLICA_2}.postgres.database.azure.com`);
    });

    it("the demoted primary sends neither HA, nor backups, nor the admin password (a replica has none of them)", () => {
        const pg = switchedRecorded().resources.find((r) => r.type === SERVER && r.name === "bookstore-prod-pg")!;
        const inputs = pg.inputs as Record<string, any>;
        assert.deepStrictEqual([inputs.highAvailability.mode, inputs.backup, inputs.administratorLoginPassword], ["Disabled", undefined, undefined]);
        assert.deepStrictEqual(pg.options.ignoreChanges, ["availabilityZone", "highAvailability.standbyAvailabilityZone", "sourceServerResourceId"]);
    });

    it("without the state move, the endpoint pair would be re-created under another server: replaced", () => {
        const result = day2(deployed(), "deployed", "switchover", switchedRecorded());
        const pair = result.changes.find((c) => c.name === "bookstore-prod-pg-endpoints")!;
        assert.strictEqual(pair.op, "replace");
        assert.deepStrictEqual(pair.replaceReasons.map((r) => r.path), ["serverName"]);
    });

    it("failback: the original primary writes again with HA, keeps the geo-redundancy Azure reports (none)", () => {
        // The state as the up after the switchover left it (the plan's inputs), refreshed after the failback.
        const applied = { stack: "prod", resources: JSON.parse(JSON.stringify(switchedRecorded().resources)) as Resource[] };
        moveEndpointPair(applied.resources as never, REPLICA_2, PRIMARY);
        const result = day2Of(applied, "switchoverApplied", "failback", failedBack());
        assert.deepStrictEqual([result.guardedReplacements, result.fights], [[], []]);
        assert.deepStrictEqual(inPlace(result), [
            "update bookstore-prod-pg-endpoints: members[0]",
            // The demoted partner: no password; its backups were dropped by refresh (a replica has none).
            "update bookstore-prod-pg-replica-2: administratorLoginPassword",
            "update bookstore-prod-pg-replication-lag: criteria.allOf[0].query",
            "update bookstore-prod-pg: administratorLoginPassword",
            "update bookstore-prod-pg: highAvailability.mode",
            ...RELEASED_ROLES,
        ].sort());
        const pg = failedBack().resources.find((r) => r.type === SERVER && r.name === "bookstore-prod-pg")!;
        assert.deepStrictEqual((pg.inputs as any).backup, { backupRetentionDays: 14, geoRedundantBackup: "Disabled" });
    });

    it("HA zone swap: refresh records the new zones; the next up changes nothing (no create-only availabilityZone replacement)", () => {
        const result = day2(deployed(), "deployed", "zoneSwap", zoneSwapped());
        assert.deepStrictEqual(inPlace(result), []);
        // Without ignoreChanges the SDK's "" would fight the refreshed zone and replace the protected primary.
        const bare = JSON.parse(JSON.stringify(zoneSwapped())) as PlanDocument;
        for (const r of bare.resources) r.options.ignoreChanges = [];
        const unguarded = day2(deployed(), "deployed", "zoneSwap", bare);
        assert.deepStrictEqual(unguarded.guardedReplacements.map((c) => [c.name, c.replaceReasons.map((r) => r.path)]), [["bookstore-prod-pg", ["availabilityZone"]]]);
        assert.deepStrictEqual(unguarded.fights.sort(), ["bookstore-prod-pg: availabilityZone", "bookstore-prod-pg: highAvailability.standbyAvailabilityZone"]);
    });

    it("storage autogrow: the next up sends the grown size (Azure refuses to shrink), so nothing changes", () => {
        const result = day2(deployed(), "deployed", "autogrow", grown());
        assert.deepStrictEqual(inPlace(result), []);
    });

    it("every fixture body names the spec example its shape follows", () => {
        assert.match(fixture.about, /stable\/2025-08-01\/examples\/ServersGet\.json/);
        assert.ok(fs.existsSync(path.join(__dirname, "../fixtures/day2/azure-postgres.json")));
    });
});
