import { strict as assert } from "assert";
import { criticalPathSummary, DurationTable, durationOf, GraphNode, modelFirstDeploy, readDurationTable, renderCriticalPath, waitsFor } from "../../tools/offline/criticalPath";

const TABLE: DurationTable = {
    default: { seconds: 1, assumption: "test default" },
    appTierTypes: ["test:app:Workload"],
    prefixes: { "pulumi:providers:": { seconds: 0, assumption: "local" } },
    types: {
        "test:db:Server": { seconds: 600, assumption: "test", when: [{ input: "createMode", equals: "Replica", seconds: 900, source: "a test" }] },
        "test:db:Parameter": { seconds: 70, assumption: "test" },
        "test:app:Workload": { seconds: 120, assumption: "test" },
        "test:net:Zone": { seconds: 30, source: "a test" },
    },
};

let seq = 0;
function custom(type: string, name: string, extra: Partial<GraphNode> = {}): GraphNode {
    seq += 1;
    return { urn: `urn:${seq}:${name}`, type, name, parent: null, dependencies: [], provider: "default:test", ...extra };
}
function component(name: string, extra: Partial<GraphNode> = {}): GraphNode {
    return { urn: `urn:component:${name}`, type: "test:index:Component", name, parent: null, dependencies: [], provider: null, ...extra };
}
const names = (model: ReturnType<typeof modelFirstDeploy>) => model.path.map((step) => step.name);

describe("first-deploy critical path", () => {
    it("runs independent resources in parallel: the path is the longest of them", () => {
        const model = modelFirstDeploy([custom("test:db:Server", "db"), custom("test:net:Zone", "zone"), custom("test:app:Workload", "web")], TABLE);
        assert.equal(model.totalSeconds, 600);
        assert.deepEqual(names(model), ["db"]);
        assert.equal(model.appReadySeconds, 120);
    });

    it("chains dependencies: start = latest finish of what a resource waits for", () => {
        const zone = custom("test:net:Zone", "zone");
        const db = custom("test:db:Server", "db", { dependencies: [zone.urn] });
        const p1 = custom("test:db:Parameter", "p1", { dependencies: [db.urn] });
        const p2 = custom("test:db:Parameter", "p2", { dependencies: [db.urn, p1.urn] });
        const web = custom("test:app:Workload", "web", { dependencies: [db.urn] });
        const model = modelFirstDeploy([web, p2, p1, db, zone], TABLE);
        assert.equal(model.totalSeconds, 30 + 600 + 70 + 70);
        assert.deepEqual(names(model), ["zone", "db", "p1", "p2"]);
        assert.deepEqual(model.path.map((step) => step.startSeconds), [0, 30, 630, 700]);
        assert.equal(model.appReadySeconds, 30 + 600 + 120, "the app waits for the server, not for its parameters");
    });

    it("a custom parent holds its children back; a component parent does not", () => {
        const db = custom("test:db:Server", "db");
        const underServer = custom("test:db:Parameter", "p", { parent: db.urn });
        const group = component("tier");
        const underComponent = custom("test:app:Workload", "web", { parent: group.urn });
        const model = modelFirstDeploy([db, underServer, group, underComponent], TABLE);
        assert.equal(model.totalSeconds, 670);
        assert.equal(model.appReadySeconds, 120);
        assert.deepEqual(waitsFor(underServer, new Map([db, underServer].map((n) => [n.urn, n]))), [db.urn]);
    });

    it("depending on a component waits for all its children", () => {
        const group = component("database");
        const db = custom("test:db:Server", "db", { parent: group.urn });
        const web = custom("test:app:Workload", "web", { dependencies: [group.urn] });
        const model = modelFirstDeploy([group, db, web], TABLE);
        assert.equal(model.appReadySeconds, 720);
        assert.deepEqual(names(model), ["db", "web"], "components are left out of the printed chain");
    });

    it("an explicit provider resource is waited for; it carries its own dependencies", () => {
        const cluster = custom("test:k8s:Cluster", "cluster");
        const provider = custom("pulumi:providers:kubernetes", "aks", { provider: null, dependencies: [cluster.urn] });
        const web = custom("test:app:Workload", "web", { provider: provider.urn });
        const model = modelFirstDeploy([cluster, provider, web], TABLE);
        assert.equal(model.appReadySeconds, 1 + 0 + 120);
        assert.deepEqual(names(model), ["cluster", "aks", "web"]);
    });

    it("takes an input-specific variant of a type's duration and says whether it is sourced", () => {
        assert.deepEqual(durationOf(custom("test:db:Server", "r", { inputs: { createMode: "Replica" } }), TABLE), { seconds: 900, basis: "source" });
        assert.deepEqual(durationOf(custom("test:db:Server", "p", { inputs: { createMode: "Default" } }), TABLE), { seconds: 600, basis: "assumption" });
        assert.deepEqual(durationOf(custom("unknown:x:Y", "u"), TABLE), { seconds: 1, basis: "assumption" });
        assert.deepEqual(durationOf(custom("pulumi:providers:k8s", "k"), TABLE), { seconds: 0, basis: "assumption" });
    });

    it("a wait resource lasts as long as its `seconds` input says (the role-assignment propagation wait)", () => {
        const table: DurationTable = { ...TABLE, types: { ...TABLE.types, "test:wait:Sleep": { seconds: 60, secondsFromInput: "seconds", source: "a test" } } };
        assert.deepEqual(durationOf(custom("test:wait:Sleep", "w", { inputs: { seconds: 600 } }), table), { seconds: 600, basis: "source" });
        assert.deepEqual(durationOf(custom("test:wait:Sleep", "w2", { inputs: {} }), table), { seconds: 60, basis: "source" });
    });

    it("reads a time_sleep's duration string (600s, 10m, 1h) and ignores one it cannot read", () => {
        const table: DurationTable = { ...TABLE, types: { ...TABLE.types, "test:wait:Sleep": { seconds: 60, secondsFromInput: "createDuration", source: "a test" } } };
        for (const [duration, seconds] of [["600s", 600], ["10m", 600], ["1h", 3600], ["1m30s", 60], [undefined, 60]] as const) {
            assert.deepEqual(durationOf(custom("test:wait:Sleep", `w-${duration}`, { inputs: { createDuration: duration } }), table), { seconds, basis: "source" });
        }
    });

    it("gives AWS resources their sourced durations and counts an unknown one as 0 s, saying the total is a lower bound", () => {
        const table = readDurationTable();
        const at = (type: string, inputs: Record<string, unknown> = {}) => durationOf(custom(type, "x", { inputs }), table);
        assert.deepEqual(at("aws:eks/cluster:Cluster"), { seconds: 900, basis: "source" });
        assert.deepEqual(at("aws:rds/instance:Instance", { multiAz: true }), { seconds: 1200, basis: "source" });
        assert.deepEqual(at("aws:rds/instance:Instance", { multiAz: false }), { seconds: 600, basis: "source" });
        assert.deepEqual(at("aws:rds/instance:Instance", { multiAz: true, replicateSourceDb: "bookstore-prod-db" }), { seconds: 0, basis: "unknown" });
        assert.deepEqual(at("aws:cloudfront/distribution:Distribution"), { seconds: 900, basis: "source" });
        assert.deepEqual(at("aws:elasticache/replicationGroup:ReplicationGroup"), { seconds: 0, basis: "unknown" });
        const cluster = custom("aws:eks/cluster:Cluster", "eks");
        const model = modelFirstDeploy([cluster, custom("aws:eks/nodeGroup:NodeGroup", "app", { dependencies: [cluster.urn] })], table);
        assert.equal(model.unknownDurations, 1);
        assert.match(criticalPathSummary(model), /\(modelled, a lower bound: 1 durations unknown; --critical-path\)$/);
        assert.match(renderCriticalPath(model).join("\n"), /\? no source gives a duration: counted as 0 s \(1 resources of the stack\), so the total is a lower bound$/);
    });

    it("names a dependency cycle instead of looping", () => {
        const a = custom("test:db:Parameter", "a");
        const b = custom("test:db:Parameter", "b", { dependencies: [a.urn] });
        a.dependencies.push(b.urn);
        assert.throws(() => modelFirstDeploy([a, b], TABLE), /dependency cycle through urn:/);
    });

    it("reports no app tier for a stack without workloads", () => {
        assert.equal(modelFirstDeploy([custom("test:net:Zone", "zone")], TABLE).appReadySeconds, null);
    });

    it("the repo's table gives every entry a source or a stated assumption", () => {
        const table = readDurationTable();
        const entries = [table.default, ...Object.values(table.prefixes ?? {}), ...Object.values(table.types)];
        for (const entry of [...entries, ...entries.flatMap((e) => e.when ?? [])]) {
            assert.ok(Number.isFinite(entry.seconds) && entry.seconds >= 0, JSON.stringify(entry));
            assert.equal([entry.source, entry.assumption, entry.unknown].filter(Boolean).length, 1, `exactly one of source/assumption/unknown: ${JSON.stringify(entry)}`);
        }
    });
});
