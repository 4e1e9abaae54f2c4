// Day 2 on AWS (prod-eks): an EKS-managed Kubernetes upgrade, a node-group instance-type change, a
// destroy after a re-create, an RDS replica promotion, an RDS minor upgrade by AWS and an ElastiCache
// node-type change, replayed on offline plans with the replacement rules of `diff`.
import * as assert from "assert";
import { kubernetesVersionToSend } from "../../components/aws/eksCluster";
import rdsFixture from "../fixtures/day2/aws-rds.json";
import { nextUpdate, rdsInstanceRead, refreshState, type Day2Result, type LiveChange } from "../../tools/review/day2";
import { replaceReasons } from "../../tools/review/replacement";
import type { PlanDocument } from "../../tools/offline/types";
import { inputs, planned, plannedRun, resourcesOfType, stackVariant, nonEmpty } from "../helpers/plan";

const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const ADDON = "aws:eks/addon:Addon";
const CLUSTER = "aws:eks/cluster:Cluster";

describe("day 2 on AWS: the next up after EKS or a config change moved prod-eks", function () {
    this.timeout(180_000);
    const deployed = planned("prod-eks");
    // EKS upgraded the control plane itself at the end of 1.35's standard support (upgradePolicy STANDARD):
    // DescribeCluster now answers version 1.36 (EKS UG, "Understand the Kubernetes version lifecycle on EKS").
    const upgradedByEks = planned("prod-eks", { env: { BOOKSTORE_OFFLINE_LIVE_EKS: JSON.stringify({ "bookstore-prod": { version: "1.36" } }) } });
    const biggerNodes = planned("prod-eks", { stackFile: stackVariant("prod-eks", (c) => { c["bookstore:aws"].eks.appNodeGroup.instanceTypes = ["m8g.xlarge"]; }) });
    const biggerDatabase = planned("prod-eks", { stackFile: stackVariant("prod-eks", (c) => { c["bookstore:aws"].database.instanceClass = "db.r6g.xlarge"; }) });

    it("never sends a version below the cluster's own: EKS's upgrade is followed, not fought", () => {
        assert.strictEqual(kubernetesVersionToSend("1.35", undefined), "1.35");
        assert.strictEqual(kubernetesVersionToSend("1.35", "1.35"), "1.35");
        assert.strictEqual(kubernetesVersionToSend("1.35", "1.36"), "1.36");
        assert.strictEqual(kubernetesVersionToSend("1.36", "1.35"), "1.36", "a raised pin upgrades");
    });

    it("after EKS's upgrade, the cluster, every node group and every add-on follow 1.36 in place; nothing is replaced", () => {
        const state = { stack: "prod-eks", resources: deployed().resources };
        const result = nextUpdate(state, upgradedByEks());
        assert.deepStrictEqual([result.counts.replace, result.counts.create, result.counts.delete], [0, 0, 0]);
        const lines = result.changes.map((c) => `${c.type.split(":").pop()} ${c.name}: ${c.changes.map((p) => `${p.path}=${String(p.new)}`).join(", ")}`).sort();
        assert.deepStrictEqual(lines, [
            // otel-*: the ADOT collector's add-ons (components/aws/adotCollector.ts).
            ...["amazon-cloudwatch-observability", "coredns", "eks-pod-identity-agent", "kube-proxy", "kube-state-metrics", "metrics-server", "otel-adot", "otel-cert-manager", "vpc-cni"]
                .map((a) => `Addon ${a === "amazon-cloudwatch-observability" ? "cluster-addons-" : ""}${a}: addonVersion=default-for-1.36`),
            "Cluster eks-cluster: version=1.36",
            ...["app", "spot", "system"].map((g) => `NodeGroup ${g}: version=1.36`),
        ].sort());
        // No autoscaler chart is pinned for 1.36 yet: the release keeps its chart, and the plan says what to add.
        const problems = (upgradedByEks().upstream as { problems: string[] }).problems;
        assert.ok(problems.some((p) => /runs Cluster Autoscaler 1\.35\.\d+ on a Kubernetes 1\.36 cluster/.test(p)), problems.join("\n"));
    });

    it("node groups and add-ons carry the cluster's version (within the skew rules: never above the control plane)", () => {
        const doc = deployed();
        const version = inputs(resourcesOfType(doc, CLUSTER)[0]).version;
        for (const group of nonEmpty(resourcesOfType(doc, NODE_GROUP))) assert.strictEqual(inputs(group).version, version, group.name);
        for (const addon of nonEmpty(resourcesOfType(doc, ADDON))) assert.strictEqual(inputs(addon).addonVersion, `default-for-${version}`, addon.name);
    });

    it("an instance-type change replaces the node group create-before-delete, under a new name from its prefix", () => {
        const result = nextUpdate({ stack: "prod-eks", resources: deployed().resources }, biggerNodes());
        const app = result.changes.find((c) => c.type === NODE_GROUP && c.name === "app")!;
        assert.strictEqual(app.op, "replace");
        assert.deepStrictEqual(app.replaceReasons, [{ path: "instanceTypes[0]", rule: "forceNew in the AWS provider" }]);
        assert.strictEqual(app.deleteBeforeReplace, false);
        const group = resourcesOfType(biggerNodes(), NODE_GROUP).find((g) => g.name === "app")!;
        // A prefix: the provider appends a unique suffix, so the new group never collides with the one it replaces.
        assert.deepStrictEqual([inputs(group).nodeGroupNamePrefix, inputs(group).nodeGroupName], ["bookstore-prod-app-", undefined]);
        assert.deepStrictEqual(result.guardedReplacements, [], "a node group holds no data");
        // Moving from a fixed name to a prefix is itself a ForceNew change: each node group is replaced once (docs/aws.md).
        assert.strictEqual(replaceReasons(NODE_GROUP, ["nodeGroupNamePrefix"]).length, 1);
    });

    it("a database class change updates the instances in place and replaces only their parameter groups (description is ForceNew), each under a new prefixed name", () => {
        const result = nextUpdate({ stack: "prod-eks", resources: deployed().resources }, biggerDatabase());
        const replaced = result.changes.filter((c) => c.op === "replace");
        assert.ok(replaced.length > 0 && replaced.every((c) => c.type === "aws:rds/parameterGroup:ParameterGroup"), replaced.map((c) => `${c.type} ${c.name}`).join(", "));
        assert.ok(replaced.every((c) => c.replaceReasons.some((r) => r.path === "description") && !c.deleteBeforeReplace));
        const instances = result.changes.filter((c) => c.type === "aws:rds/instance:Instance");
        assert.ok(instances.some((c) => c.op === "update" && c.changes.some((p) => p.path === "instanceClass")), "the primary changes class in place");
        assert.deepStrictEqual(result.guardedReplacements, [], "no database is replaced");
    });

    it("the final snapshot of each re-created primary has its own identifier (a second destroy does not collide)", () => {
        const primary = resourcesOfType(deployed(), "aws:rds/instance:Instance").find((r) => r.name === "database-primary")!;
        assert.ok(primary.dependencies.some((d) => d.endsWith("random:index/randomId:RandomId::database-final-snapshot")), "suffix from a RandomId of this stack");
        const suffix = resourcesOfType(deployed(), "random:index/randomId:RandomId").find((r) => r.name === "database-final-snapshot")!;
        assert.deepStrictEqual(inputs(suffix), { byteLength: 4, keepers: { identifier: "bookstore-prod-db" } });
        assert.deepStrictEqual(replaceReasons("aws:rds/instance:Instance", ["finalSnapshotIdentifier"]), [], "read at delete time: an in-place change");
    });
});

// RDS and ElastiCache events (test/fixtures/day2/aws-rds.json: what DescribeDBInstances returns),
// refreshed the way the AWS provider's Read stores them (rdsInstanceRead), then diffed against the
// next plan. The program reads the roles from RDS (BOOKSTORE_OFFLINE_LIVE_RDS stands in for it).
const INSTANCE = "aws:rds/instance:Instance";
const IDENTIFIERS: Record<string, string> = { "bookstore-prod-db": "database-primary", "bookstore-prod-db-replica-1": "database-replica-1", "bookstore-prod-db-replica-2": "database-replica-2" };
type RdsEvent = keyof typeof rdsFixture.events;
const liveRds = (event: RdsEvent) => ({ BOOKSTORE_OFFLINE_LIVE_RDS: JSON.stringify(rdsFixture.events[event].instances) });

/** Each instance's Describe bodies before and after, read as the provider does (the primary pins engineVersion "16"; replicas none). */
function rdsChanges(from: RdsEvent, to: RdsEvent, primaryEngineVersion = "16"): Record<string, LiveChange> {
    const bodies = (event: RdsEvent) => rdsFixture.events[event].instances as Record<string, Record<string, unknown>>;
    return Object.fromEntries(Object.entries(IDENTIFIERS).map(([id, name]) => [name, {
        type: INSTANCE, before: bodies(from)[id], after: bodies(to)[id], project: rdsInstanceRead(name === "database-primary" ? primaryEngineVersion : undefined),
    }]));
}

/** The next update after the event: the deployed plan refreshed, against the next plan. */
function afterRds(deployed: PlanDocument, to: RdsEvent, next: PlanDocument, primaryEngineVersion?: string): Day2Result {
    const refreshed = refreshState({ stack: "prod-eks", resources: deployed.resources }, rdsChanges("deployed", to, primaryEngineVersion));
    return nextUpdate(refreshed.plan, next, refreshed.owned);
}

const summary = (result: Day2Result) => result.changes.map((c) => `${c.op} ${c.type.split(":").pop()} ${c.name}: ${c.changes.map((p) => p.path).join(", ")}`).sort();

describe("day 2 on AWS: RDS promotion, RDS minor upgrade, ElastiCache node type", function () {
    this.timeout(240_000);
    const deployed = planned("prod-eks");
    // After `bookstore-infra failover --to replica-2`: RDS reports it standalone, the stack file records it.
    const recordedStack = stackVariant("prod-eks", (c) => { c["bookstore:aws"].database.promotedReplica = 2; });
    const promoted = plannedRun("prod-eks", { stackFile: recordedStack, env: liveRds("promoted") });
    // The same, offline with only the record, and with only RDS's report (the record lost).
    const recordedOnly = plannedRun("prod-eks", { stackFile: recordedStack });
    const liveOnly = plannedRun("prod-eks", { env: liveRds("promoted") });
    const minorUpgraded = planned("prod-eks", { env: liveRds("minorUpgraded") });
    const biggerCache = planned("prod-eks", { stackFile: stackVariant("prod-eks", (c) => { c["bookstore:aws"].cache.nodeType = "cache.r7g.xlarge"; }) });

    it("every fixture body names the API model and the documents its values follow", () => {
        assert.match(rdsFixture.about, /rds-2014-10-31\.json at 56c8953e87aeead95ae5e66a3ca6a355731db6ad/);
        assert.match(rdsFixture.events.promoted.source, /PromoteReadReplica/);
        assert.match(rdsFixture.events.minorUpgraded.source, /AutoMinorVersionUpgrade/);
    });

    it("after the promotion the next up repoints PgBouncer and the secret at replica-2, gives it backups, and replaces nothing stateful", () => {
        for (const run of [promoted(), recordedOnly(), liveOnly()]) assert.strictEqual(run.exitCode, 0, run.stderr);
        const result = afterRds(deployed(), "promoted", promoted().document!);
        assert.deepStrictEqual([result.counts.create, result.counts.delete], [0, 0]);
        assert.deepStrictEqual(summary(result), [
            "replace ConfigMap pgbouncer-config: data.pgbouncer.ini",
            "update Deployment pgbouncer-deployment: spec.template.metadata.annotations.bookstore/config-sha256",
            "update Instance database-replica-2: finalSnapshotIdentifier, replicateSourceDb, skipFinalSnapshot, tags.role",
            "update MetricAlarm replica-2-lag: alarmDescription",
        ]);
        assert.deepStrictEqual(result.guardedReplacements, []);
        assert.deepStrictEqual(result.fights, [], "nothing RDS changed is sent back: backups 14 days in the window the promotion set");
        assert.deepStrictEqual(result.released, ["database-replica-2: replicateSourceDb"], "no source any more: the program stops sending one");
        // Every endpoint name leads to the new writer; the old primary's region may be gone.
        const ini = String(inputs(resourcesOfType(promoted().document!, "kubernetes:core/v1:ConfigMap").find((c) => c.name === "pgbouncer-config")!).data["pgbouncer.ini"]);
        for (const name of ["bookstore", "bookstore-replica-1", "bookstore-replica-2"]) assert.match(ini, new RegExp(`^${name} = host=bookstore-prod-db-replica-2\\.`, "m"));
        // One server takes every name's pools now: bookstore keeps 30 per PgBouncer process and bookstore-session its 20
        // (the api's 10 replicas × 2), the replica names share the rest of (200 − 5 reserved) / 3 processes = 65,
        // so 3 × (30 + 20 + 2 × 7) = 192 <= 195.
        assert.match(ini, /^bookstore = host=\S+ port=5432 dbname=bookstore$/m);
        for (const name of ["bookstore-replica-1", "bookstore-replica-2"]) assert.match(ini, new RegExp(`^${name} = host=\\S+ port=5432 dbname=bookstore max_db_connections=7$`, "m"));
        const deployedIni = String(inputs(resourcesOfType(deployed(), "kubernetes:core/v1:ConfigMap").find((c) => c.name === "pgbouncer-config")!).data["pgbouncer.ini"]);
        assert.doesNotMatch(deployedIni, /^bookstore(-replica-\d)? = .*max_db_connections=\d+$/m, "before the promotion: the global cap only");
        assert.match(ini, /^bookstore-session = host=bookstore-prod-db-replica-2\.\S+ port=5432 dbname=bookstore pool_mode=session pool_size=20 reserve_pool=0 max_db_connections=20$/m, "the session path follows the writer");
        // The admin secret's value is unknown offline; its host is now replica-2's address, a new version (secretString is ForceNew, no data lost).
        const secret = resourcesOfType(promoted().document!, "aws:secretsmanager/secretVersion:SecretVersion").find((s) => s.name === "database-admin-password")!;
        assert.ok(secret.dependencies.some((d) => d.endsWith(`${INSTANCE}::database-replica-2`)), secret.dependencies.join(", "));
        assert.ok(replaceReasons("aws:secretsmanager/secretVersion:SecretVersion", ["secretString"]).length > 0);
        const outputs = promoted().document!.outputs as Record<string, unknown>;
        assert.match(String(outputs.databaseWriteHost), /^bookstore-prod-db-replica-2\./);
        assert.deepStrictEqual([outputs.databaseWriterIndex, outputs.databaseReadHosts], [2, []], "nothing replays the new writer yet");
    });

    it("the roles come from RDS at plan time, the stack file's record offline: both give the same plan", () => {
        const shape = (doc: PlanDocument) => JSON.stringify(doc.resources.map((r) => [r.urn, r.inputs]));
        assert.strictEqual(shape(recordedOnly().document!), shape(promoted().document!));
        assert.strictEqual(shape(liveOnly().document!), shape(promoted().document!));
        assert.match(liveOnly().stdout + liveOnly().stderr, /RDS reports bookstore-prod-db-replica-2 as the writer; aws\.database\.promotedReplica records none/);
    });

    it("removing replicateSourceDb promotes in place (no replacement); changing a replica's source is not how a promotion is done", () => {
        assert.deepStrictEqual(replaceReasons(INSTANCE, ["replicateSourceDb", "backupRetentionPeriod", "backupWindow", "skipFinalSnapshot", "finalSnapshotIdentifier", "tags.role"]), []);
    });

    it("an AWS minor upgrade (16.8 to 16.9 under autoMinorVersionUpgrade) is followed: the \"16\" prefix stays, no diff, no downgrade", () => {
        const primary = resourcesOfType(deployed(), INSTANCE).find((r) => r.name === "database-primary")!;
        assert.deepStrictEqual([inputs(primary).engineVersion, inputs(primary).autoMinorVersionUpgrade], ["16", true], "a major pin only");
        const result = afterRds(deployed(), "minorUpgraded", minorUpgraded());
        assert.deepStrictEqual(result.changes, []);
        assert.deepStrictEqual([result.fights, result.released], [[], []]);
        // What a full pin would do: the state reads 16.9 and the program sends 16.8 back, a downgrade RDS refuses.
        const pinned = (doc: PlanDocument): PlanDocument => ({ ...doc, resources: doc.resources.map((r) => (r.type === INSTANCE && r.name === "database-primary"
            ? { ...r, inputs: { ...(r.inputs as object), engineVersion: "16.8" } } : r)) });
        const fight = afterRds(pinned(deployed()), "minorUpgraded", pinned(minorUpgraded()), "16.8");
        assert.deepStrictEqual(fight.fights, ["database-primary: engineVersion"]);
    });

    it("an ElastiCache node-type change is ModifyReplicationGroup in place (CacheNodeType), not a replacement", () => {
        // elasticache-2015-02-02.json (aws/api-models-aws at 56c8953): ModifyReplicationGroupMessage.CacheNodeType,
        // "A valid cache node type that you want to scale this replication group to."
        const result = nextUpdate({ stack: "prod-eks", resources: deployed().resources }, biggerCache());
        assert.deepStrictEqual(summary(result), ["update ReplicationGroup cache-cache: nodeType"]);
        assert.deepStrictEqual(result.guardedReplacements, []);
        assert.deepStrictEqual(replaceReasons("aws:elasticache/replicationGroup:ReplicationGroup", ["nodeType"]), []);
    });
});
