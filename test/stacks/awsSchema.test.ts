import * as assert from "assert";
import { isEksConfig, parseStackConfig } from "../../stacks/config";
import { resolveAwsReplicas } from "../../stacks/schema/aws";
import { problemsOf, valid } from "../helpers/config";

describe("aws config section", () => {
    it("fills the seed's defaults: us-east-1 + us-west-2 replicas like a db.r6g.large primary, Valkey 3×(1+1), EKS 1.35", () => {
        const config = parseStackConfig(valid("eks"));
        assert.ok(isEksConfig(config));
        const aws = config.aws!;
        assert.deepStrictEqual([aws.region, aws.replicaRegion, aws.eks.version, aws.cache.shards, aws.cache.replicasPerShard], ["us-east-1", "us-west-2", "1.35", 3, 1]);
        assert.deepStrictEqual(resolveAwsReplicas("prod", aws).map((r) => [r.region, r.instanceClass, r.multiAz, r.crossRegion]),
            [["us-east-1", "db.r6g.large", true, false], ["us-west-2", "db.r6g.large", true, true]]);
        assert.deepStrictEqual(resolveAwsReplicas("dev", aws), []);
        assert.strictEqual(aws.database.alerts.replicationLagSeconds, 60);
    });

    it("rejects unknown keys inside aws, naming the allowed ones", () => {
        const raw = valid("eks");
        raw.aws.database = { instanceSize: "big" };
        assert.deepStrictEqual(problemsOf(raw), [
            "bookstore:aws.database.instanceSize: unknown key (check the spelling; allowed here: instanceClass, allocatedStorageGB, maxAllocatedStorageGB, multiAz, backupRetentionDays, replicas, promotedReplica, adminUsername, reservedConnections, parameters, pgbouncer, alerts)",
        ]);
    });

    it("lists every bad key in one error", () => {
        const raw = valid("eks");
        raw.aws.region = "useast1";
        raw.aws.database = { instanceClass: "db.x9.huge" };
        raw.aws.cache = { shards: 0 };
        const problems = problemsOf(raw);
        assert.deepStrictEqual(problems.map((p) => p.split(":")[1]), ["aws.region", "aws.database.instanceClass", "aws.cache.shards"].map((k) => k));
    });

    it("needs an aws section on eks, and refuses one elsewhere", () => {
        const raw = valid("eks");
        delete raw.aws;
        assert.deepStrictEqual(problemsOf(raw), ["bookstore:aws: expected an aws section on platform \"eks\", got nothing (the key is required)"]);
        const azure = { ...valid("eks"), platform: "aks" };
        assert.ok(problemsOf(azure).includes("bookstore:aws: expected no aws section on platform \"aks\" (it configures platform \"eks\"), got \"{...}\""));
    });

    it("refuses custom-metric scaling without Amazon Managed Prometheus (KEDA reads it), naming the service's key", () => {
        const raw = valid("eks");
        raw.app.services.api.hpa = { customMetrics: { enabled: true } };
        assert.strictEqual(parseStackConfig(raw).platform, "eks");
        raw.aws.observability = { prometheus: false };
        assert.deepStrictEqual(problemsOf(raw), [
            "bookstore:app.services.api.hpa.customMetrics.enabled: expected false while aws.observability.prometheus is false (custom metrics are read from Amazon Managed Prometheus), got true",
        ]);
    });

    it("refuses Front Door, a replica smaller than the primary and a third region, and accepts verify-full (the pods mount the RDS CAs)", () => {
        const raw = valid("eks");
        raw.cdn = "frontdoor";
        raw.aws.database = { replicas: [{ region: "us-east-1", instanceClass: "db.t4g.large" }, { region: "eu-west-1" }], pgbouncer: { serverTlsSslmode: "verify-full" } };
        const problems = problemsOf(raw);
        assert.ok(problems.some((p) => p.startsWith("bookstore:cdn: expected \"cloudflare\" or \"none\" on platform \"eks\"")), problems.join("\n"));
        assert.ok(problems.some((p) => /^bookstore:aws\.database\.replicas\.0\.instanceClass: expected at least the primary's memory \(16 GiB\)/.test(p)), problems.join("\n"));
        assert.ok(!problems.some((p) => p.includes("serverTlsSslmode")), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("bookstore:aws.database.replicas.1.region: expected us-east-1 or the replica region us-west-2")), problems.join("\n"));
    });

    it("refuses verify-full for a database region whose RDS root CAs are not bundled, naming the region", () => {
        const raw = valid("eks");
        raw.aws.replicaRegion = "ca-west-1";
        raw.aws.database = { ...raw.aws.database, replicas: [{ region: "us-east-1" }, { region: "ca-west-1" }], pgbouncer: { serverTlsSslmode: "verify-full" } };
        const problems = problemsOf(raw);
        assert.ok(problems.some((p) => p.startsWith("bookstore:aws.database.pgbouncer.serverTlsSslmode: expected \"require\": no RDS root CA of ca-west-1 is bundled")), problems.join("\n"));
        raw.aws.database.pgbouncer.serverTlsSslmode = "require";
        // With `require` nothing is verified, so the region needs no bundled CA.
        assert.doesNotThrow(() => parseStackConfig(raw));
    });

    it("keeps at least 2 app nodes in prod and a CloudFront certificate in us-east-1", () => {
        const raw = valid("eks");
        raw.aws.eks = { appNodeGroup: { minSize: 1 } };
        raw.aws.edge.staticHost = "static.example.com";
        raw.aws.edge.cloudFrontCertificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/x";
        const problems = problemsOf(raw);
        assert.ok(problems.some((p) => p.startsWith("bookstore:aws.eks.appNodeGroup.minSize: expected at least 2 in prod")), problems.join("\n"));
        // Without admin roles nobody could create the Kubernetes resources (bootstrapClusterCreatorAdminPermissions is false).
        assert.ok(problems.some((p) => p.startsWith("bookstore:aws.eks.adminRoleArns: expected at least one IAM role")), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("bookstore:aws.edge.cloudFrontCertificateArn: expected a certificate in us-east-1")), problems.join("\n"));
    });

    it("budgets PgBouncer against RDS's max_connections minus its reserved slots", () => {
        const raw = valid("eks");
        raw.aws.database = { parameters: { maxConnections: 60 }, pgbouncer: { replicas: 2 } };
        // 2 PgBouncer processes × min(25 + 5, 100) = 60 > 60 - 5 reserved.
        assert.ok(problemsOf(raw).some((p) => /^bookstore:aws\.database\.parameters\.maxConnections: expected room for the pooler's 60 server connections/.test(p)));
    });
});
