import { strict as assert } from "assert";
import * as fs from "fs";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { DURATIONS_FILE, durationOf, readDurationTable } from "../../../tools/offline/criticalPath";
import { formatDurationTable, mergeDurations, resourceTimings, typeDurations, variantInputs } from "../../../tools/e2e/durations";
import { failedEvent, stepEvent, urnOf } from "../automationFakeCli";

const PG = "azure-native:dbforpostgresql:Server";
const KV = "azure-native:keyvault:Vault";
const RG = "azure-native:resources:ResourceGroup";

/** An event at `timestamp` seconds, in order. */
let sequence = 0;
const at = (timestamp: number, event: Partial<EngineEvent>): EngineEvent => ({ sequence: sequence++, timestamp, ...event }) as EngineEvent;

/** A create step of a server with its inputs (a replica carries createMode Replica). */
function serverStep(kind: "resourcePreEvent" | "resOutputsEvent", name: string, inputs: Record<string, unknown>): Partial<EngineEvent> {
    const urn = urnOf(PG, name);
    const state = { type: PG, urn, id: "", parent: "", protect: true, inputs, outputs: {}, provider: "" };
    return { [kind]: { metadata: { op: "create", urn, type: PG, provider: "", new: state } } };
}

describe("e2e durations: measured from the engine's events", () => {
    const events = [
        at(1000, stepEvent("resourcePreEvent", "same", RG, "rg")),
        at(1000, serverStep("resourcePreEvent", "pg", { createMode: "Default", administratorLoginPassword: "[secret]" })),
        at(1001, stepEvent("resourcePreEvent", "create", KV, "kv")),
        at(1062, stepEvent("resOutputsEvent", "create", KV, "kv")),
        at(1840, serverStep("resOutputsEvent", "pg", {})),
        at(1841, serverStep("resourcePreEvent", "pg-replica-1", { createMode: "Replica" })),
        at(1842, serverStep("resourcePreEvent", "pg-replica-2", { createMode: "Replica" })),
        at(2841, serverStep("resOutputsEvent", "pg-replica-1", {})),
        at(3042, serverStep("resOutputsEvent", "pg-replica-2", {})),
        at(3050, stepEvent("resourcePreEvent", "update", KV, "kv")),
        at(3052, failedEvent("update", KV, "kv")),
    ];

    it("times each step from its start event to its outputs (or failure); unchanged resources take none", () => {
        const timings = resourceTimings(events, ["createMode"]);
        assert.deepEqual(timings.map((t) => [t.urn.split("::").pop(), t.op, t.seconds, t.failed]), [
            ["kv", "create", 61, false],
            ["pg", "create", 840, false],
            ["pg-replica-1", "create", 1000, false],
            ["pg-replica-2", "create", 1200, false],
            ["kv", "update", 2, true],
        ]);
        assert.deepEqual(timings[1].inputs, { createMode: "Default" }, "only the inputs a variant reads are kept (never a password)");
    });

    it("summarises creates per type and variant: median, min, max", () => {
        const types = typeDurations(resourceTimings(events, ["createMode"]));
        assert.deepEqual(types, [
            { type: PG, inputs: { createMode: "Default" }, count: 1, medianSeconds: 840, minSeconds: 840, maxSeconds: 840 },
            { type: PG, inputs: { createMode: "Replica" }, count: 2, medianSeconds: 1100, minSeconds: 1000, maxSeconds: 1200 },
            { type: KV, count: 1, medianSeconds: 61, minSeconds: 61, maxSeconds: 61 },
        ].sort((a, b) => a.type.localeCompare(b.type) || JSON.stringify(a.inputs ?? {}).localeCompare(JSON.stringify(b.inputs ?? {}))));
    });

    it("merges into the critical path's table: assumptions replaced by measurements, variants by their input, waits kept", () => {
        const table = readDurationTable();
        const types = typeDurations(resourceTimings(events, variantInputs(table)));
        const wait = { type: "time:index/sleep:Sleep", count: 1, medianSeconds: 601, minSeconds: 601, maxSeconds: 601 };
        const newType = { type: "azure-native:app:Job", count: 1, medianSeconds: 42, minSeconds: 42, maxSeconds: 42 };
        const { table: merged, changes } = mergeDurations(table, [...types, wait, newType], { date: "2026-12-08", region: "eastus2", platform: "containerapps" });

        const server = merged.types[PG];
        assert.equal(server.seconds, 840);
        assert.equal(server.source, "measured e2e run, 2026-12-08, eastus2 (containerapps; median of 1, 840-840 s)");
        assert.equal(server.assumption, undefined);
        assert.equal(server.when![0].seconds, 1100);
        assert.match(server.when![0].source!, /^measured e2e run, 2026-12-08, eastus2 \(containerapps; median of 2, 1000-1200 s\)$/);
        // The model now uses them: a replica create takes the measured replica figure.
        assert.deepEqual(durationOf({ urn: "u", type: PG, name: "r", parent: null, dependencies: [], provider: "p", inputs: { createMode: "Replica" } }, merged), { seconds: 1100, basis: "source" });
        assert.equal(merged.types[KV].seconds, 61);
        assert.deepEqual(merged.types["time:index/sleep:Sleep"], table.types["time:index/sleep:Sleep"], "a wait's duration is its input, not a measurement");
        assert.equal(merged.types["azure-native:app:Job"].seconds, 42);
        assert.deepEqual(changes.find((c) => c.type === KV), { type: KV, before: { seconds: 60, basis: "one minute" }, after: 61 });
        assert.equal(table.types[PG].seconds, 900, "the table read is left as it was");
    });

    it("writes the table in its own layout: the committed file is that layout, so a merge is a diff of the changed lines", () => {
        const text = fs.readFileSync(DURATIONS_FILE, "utf8");
        assert.equal(formatDurationTable(JSON.parse(text)), text,
            "tools/offline/deployDurations.json is not in the layout `e2e durations --write` writes (one line per entry, `when` variants one per line): "
            + "reformat it with formatDurationTable (tools/e2e/durations.ts) or adjust the formatter");
        const { table } = mergeDurations(JSON.parse(text), [{ type: KV, count: 3, medianSeconds: 45, minSeconds: 40, maxSeconds: 50 }], { date: "2026-12-08", region: "eastus2", platform: "aks" });
        const changed = formatDurationTable(table).split("\n").filter((line, i) => line !== text.split("\n")[i]);
        assert.deepEqual(changed, [`        "${KV}": { "seconds": 45, "source": "measured e2e run, 2026-12-08, eastus2 (aks; median of 3, 40-50 s)" },`]);
    });
});
