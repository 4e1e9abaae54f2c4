import { strict as assert } from "assert";
import { plannedRun, planOf, stackVariant, ofType, type LooseResource } from "../helpers/plan";
import type { PlanResource } from "../../tools/offline/render";
import { targetsFromOutputs } from "../../tools/doctor/targets";
import { parse } from "yaml";

/** The prod-eks and dev-eks plans, read for the scaling guide's exact values on AWS. */
const regionOf = (r: LooseResource) => (r.provider?.endsWith("::aws-primary") ? "us-east-1" : /::aws-([a-z0-9-]+)$/.exec(r.provider ?? "")?.[1]);

describe("prod-eks plan (the seed's values on AWS)", function () {
    this.timeout(300000);
    let resources: PlanResource[];
    let outputs: Record<string, any>;
    before(() => {
        const plan = planOf("prod-eks");
        resources = plan.resources;
        outputs = plan.outputs as Record<string, any>;
    });

    it("gives every resource its own URN (a URN names the parent's type, not its name)", () => {
        const urns = resources.map((r) => r.urn);
        assert.deepEqual(urns.filter((u, i) => urns.indexOf(u) !== i), []);
    });

    it("creates two read replicas, one in us-east-1 and one in us-west-2, like the primary (db.r6g.large, Multi-AZ)", () => {
        const instances = ofType(resources, "aws:rds/instance:Instance");
        const primary = instances.find((i) => !i.inputs.replicateSourceDb)!;
        const replicas = instances.filter((i) => i.inputs.replicateSourceDb);
        assert.deepEqual([primary.inputs.instanceClass, primary.inputs.engine, primary.inputs.engineVersion, primary.inputs.multiAz, primary.inputs.storageType], ["db.r6g.large", "postgres", "16", true, "gp3"]);
        assert.deepEqual(replicas.map((r) => [regionOf(r), r.inputs.instanceClass, r.inputs.multiAz]), [["us-east-1", "db.r6g.large", true], ["us-west-2", "db.r6g.large", true]]);
        // In-region by identifier, cross-region by ARN with a key in us-west-2.
        assert.equal(replicas[0].inputs.replicateSourceDb, "bookstore-prod-db");
        assert.match(replicas[1].inputs.replicateSourceDb, /^arn:aws:rds:us-east-1:123456789012:db:bookstore-prod-db$/);
        assert.match(replicas[1].inputs.kmsKeyId, /^arn:aws:kms:us-west-2:/);
        assert.equal(primary.options?.protect, true);
        assert.ok(replicas.every((r) => r.options?.protect === true && r.inputs.publiclyAccessible === false));
    });

    it("survives day 2: parameter groups autonamed (a new family attaches before the old one goes), replicas after their group", () => {
        const groups = ofType(resources, "aws:rds/parameterGroup:ParameterGroup");
        assert.ok(groups.every((g) => g.inputs.namePrefix && g.inputs.name === undefined));
        // The us-west-2 replica has its own group in its region; the in-region one shares the primary's.
        assert.deepEqual(groups.map(regionOf).sort(), ["us-east-1", "us-west-2"]);
        for (const replica of ofType(resources, "aws:rds/instance:Instance").filter((i) => i.inputs.replicateSourceDb)) {
            const group = groups.find((g) => regionOf(g) === regionOf(replica))!;
            assert.ok(replica.dependencies.includes(group.urn), `${replica.name} does not wait for ${group.name}`);
            // Minimal replica arguments: credentials, engine and storage come from the source (pulumi/pulumi-aws#574).
            for (const key of ["username", "password", "engine", "engineVersion", "allocatedStorage", "dbName"]) assert.equal(replica.inputs[key], undefined, key);
        }
    });

    it("alarms on ReplicaLag above 60 s under writes for every replica, in the replica's region", () => {
        const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.inputs.metricName === "ReplicaLag");
        assert.deepEqual(alarms.map((a) => [a.inputs.dimensions.DBInstanceIdentifier, a.inputs.threshold, a.inputs.comparisonOperator, regionOf(a)]), [
            ["bookstore-prod-db-replica-1", 60, "GreaterThanThreshold", "us-east-1"],
            ["bookstore-prod-db-replica-2", 60, "GreaterThanThreshold", "us-west-2"],
        ]);
        // Every minute's Minimum above 60 s for 6 minutes: longer than an idle source's lag sawtooth stays up (components/aws/database.ts).
        assert.ok(alarms.every((a) => a.inputs.statistic === "Minimum" && a.inputs.evaluationPeriods === 6 && a.inputs.datapointsToAlarm === 6 && a.inputs.treatMissingData === "notBreaching"));
        assert.ok(alarms.every((a) => a.inputs.alarmActions[0].startsWith(`arn:aws:sns:${regionOf(a)}:`)));
    });

    it("tunes postgres16 with the seed's values in RDS units, static parameters pending-reboot", () => {
        const group = ofType(resources, "aws:rds/parameterGroup:ParameterGroup").find((g) => g.name === "postgres16")!;
        assert.equal(group.inputs.family, "postgres16");
        const byName = Object.fromEntries(group.inputs.parameters.map((p: any) => [p.name, [p.value, p.applyMethod]]));
        assert.deepEqual(byName, {
            shared_buffers: ["524288", "pending-reboot"], // 4GB in 8 kB pages (25 % of 16 GiB)
            effective_cache_size: ["1572864", "immediate"], // 12GB (75 %)
            wal_buffers: ["2048", "pending-reboot"], // 16MB
            max_wal_size: ["4096", "immediate"], // 4GB in MB
            random_page_cost: ["1.1", "immediate"],
            effective_io_concurrency: ["200", "immediate"],
            max_connections: ["200", "pending-reboot"],
        });
    });

    it("runs Valkey as 3 shards × (1 primary + 1 replica), Multi-AZ, TLS required, encrypted", () => {
        const [cache] = ofType(resources, "aws:elasticache/replicationGroup:ReplicationGroup");
        const i = cache.inputs;
        assert.deepEqual([i.engine, i.clusterMode, i.numNodeGroups, i.replicasPerNodeGroup, i.automaticFailoverEnabled, i.multiAzEnabled, i.transitEncryptionEnabled, i.transitEncryptionMode, i.atRestEncryptionEnabled],
            ["valkey", "enabled", 3, 1, true, true, true, "required", true]);
        assert.match(outputs.redisHost, /^bookstore-prod-valkey\.[a-z0-9]{6}\.clustercfg\.use1\.cache\.amazonaws\.com$/);
    });

    it("scales the api 2-10 at 70 % CPU (80 % memory) and the seed's custom metrics (KEDA), and the web 2-8 at 60 %", () => {
        const hpas = Object.fromEntries(ofType(resources, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").map((h) => [h.inputs.metadata.name, h.inputs.spec]));
        const summary = (spec: any) => [spec.minReplicas, spec.maxReplicas, spec.metrics.map((m: any) => `${m.resource.name}:${m.resource.target.averageUtilization}`)];
        assert.deepEqual(Object.keys(hpas), ["web-hpa"]);
        assert.deepEqual(summary(hpas["web-hpa"]), [2, 8, ["cpu:60"]]);
        const api = ofType(resources, "kubernetes:keda.sh/v1alpha1:ScaledObject").find((s) => s.inputs.metadata.name === "api")!.inputs.spec;
        assert.deepEqual([api.minReplicaCount, api.maxReplicaCount, api.triggers.map((t: any) => t.type === "prometheus" ? `${t.name}:${t.metadata.threshold}` : `${t.type}:${t.metadata.value}`)],
            [2, 10, ["cpu:70", "memory:80", "http-requests-per-second:1000", "api-response-time-p95:0.5"]]);
        assert.equal(api.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds, 300);
    });

    it("pools through PgBouncer with the seed's settings, one entry per RDS endpoint", () => {
        const ini: string = ofType(resources, "kubernetes:core/v1:ConfigMap").find((c) => c.inputs.metadata.name === "pgbouncer-config")!.inputs.data["pgbouncer.ini"];
        for (const line of ["pool_mode = transaction", "max_client_conn = 1000", "default_pool_size = 25", "reserve_pool_size = 5", "reserve_pool_timeout = 3",
            "max_db_connections = 100", "server_idle_timeout = 600", "server_lifetime = 3600", "server_tls_sslmode = verify-full"]) {
            assert.ok(ini.split("\n").includes(line), `missing ${line}`);
        }
        assert.deepEqual(ini.split("\n").filter((l) => l.startsWith("bookstore")).map((l) => l.split(" = ")[0]), ["bookstore", "bookstore-replica-1", "bookstore-replica-2"]);
        assert.match(ini, /host=bookstore-prod-db-replica-2\.[a-z0-9]{12}\.us-west-2\.rds\.amazonaws\.com port=5432/);
        const pgbouncer = ofType(resources, "kubernetes:apps/v1:Deployment").find((d) => d.inputs.metadata.name === "pgbouncer")!;
        // Three pods: the PDB may take one, and the two left must hold the app's 1080 client connections.
        assert.equal(pgbouncer.inputs.spec.replicas, 3);
    });

    it("builds the EKS cluster from plain resources: pinned version, API auth, private endpoint, KMS secrets, all logs", () => {
        assert.equal(ofType(resources, "eks:index:Cluster").length + resources.filter((r) => r.type.startsWith("awsx:")).length, 0);
        const [cluster] = ofType(resources, "aws:eks/cluster:Cluster");
        assert.deepEqual([cluster.inputs.version, cluster.inputs.accessConfig.authenticationMode, cluster.inputs.vpcConfig.endpointPublicAccess, cluster.inputs.encryptionConfig.resources],
            ["1.35", "API", false, ["secrets"]]);
        assert.equal(cluster.inputs.enabledClusterLogTypes.length, 5);
        const groups = ofType(resources, "aws:eks/nodeGroup:NodeGroup");
        assert.deepEqual(groups.map((g) => [g.name, g.inputs.capacityType, g.inputs.scalingConfig.minSize, g.inputs.scalingConfig.maxSize]).sort(),
            [["app", "ON_DEMAND", 2, 10], ["spot", "SPOT", 0, 10], ["system", "ON_DEMAND", 2, 4]]);
        assert.ok(groups.every((g) => (g.options?.ignoreChanges ?? []).includes("scalingConfig.desiredSize")));
        const releases = ofType(resources, "kubernetes:helm.sh/v3:Release").map((r) => r.inputs.chart).sort();
        // KEDA's chart: the api scales on the seed's custom metrics.
        assert.deepEqual(releases, ["aws-load-balancer-controller", "cluster-autoscaler", "keda"]);
        assert.match(outputs.eksEndpoint, /^https:\/\/[0-9A-F]{32}\.gr7\.us-east-1\.eks\.amazonaws\.com$/);
    });

    it("exports the database outputs `doctor` reads: the primary and both replicas, across regions", () => {
        const targets = targetsFromOutputs(outputs, "require");
        assert.match(targets.primary!.label, /^bookstore-prod-db\.[a-z0-9]{12}\.us-east-1\.rds\.amazonaws\.com:5432$/);
        assert.deepEqual(targets.replicas.map((t) => t.label.split(".")[2]), ["us-east-1", "us-west-2"]);
        assert.deepEqual(outputs.databaseReplicaRegions, ["us-east-1", "us-west-2"]);
    });

    it("alerts from Prometheus through the SNS topic: HPA at its ceiling, PgBouncer down", () => {
        const [rules] = ofType(resources, "aws:amp/ruleGroupNamespace:RuleGroupNamespace");
        const alerts = parse(rules.inputs.data).groups[0].rules.map((r: any) => [r.alert, r.for]);
        assert.deepEqual(alerts, [["HpaAtMaxReplicas", "10m"], ["PgBouncerUnavailable", "2m"]]);
        const [manager] = ofType(resources, "aws:amp/alertManagerDefinition:AlertManagerDefinition");
        const config = parse(parse(manager.inputs.definition).alertmanager_config);
        assert.deepEqual(config.receivers[0].sns_configs[0].topic_arn, outputs.alertTopicArn);
        // The topic lets AMP publish; without it the alert manager's notifications are refused.
        const policy = ofType(resources, "aws:sns/topicPolicy:TopicPolicy").find((p) => p.inputs.arn === outputs.alertTopicArn)!;
        assert.ok(JSON.parse(policy.inputs.policy).Statement.some((st: any) => st.Principal.Service === "aps.amazonaws.com" && st.Action.includes("SNS:Publish")));
        assert.ok(ofType(resources, "aws:eks/addon:Addon").some((a) => a.inputs.addonName === "kube-state-metrics"));
    });

    it("serves static assets from a private bucket through CloudFront with OAC, TLS 1.2+", () => {
        const [dist] = ofType(resources, "aws:cloudfront/distribution:Distribution");
        assert.equal(dist.inputs.viewerCertificate.minimumProtocolVersion, "TLSv1.2_2021");
        assert.ok(dist.inputs.origins[0].originAccessControlId);
        assert.match(outputs.cloudFrontDomain, /^d[a-z0-9]{13}\.cloudfront\.net$/);
        assert.equal(outputs.cdnUrl, "https://static.bookstore.example");
    });
});

describe("dev-eks plan", function () {
    this.timeout(300000);
    it("is small: one NAT gateway, no replicas, nothing in a second region, single-AZ db.t4g.medium", () => {
        const { resources } = planOf("dev-eks");
        assert.equal(ofType(resources, "aws:ec2/natGateway:NatGateway").length, 1);
        const instances = ofType(resources, "aws:rds/instance:Instance");
        assert.deepEqual(instances.map((i) => [i.inputs.instanceClass, i.inputs.multiAz]), [["db.t4g.medium", false]]);
        assert.deepEqual(ofType(resources, "pulumi:providers:aws").map((p) => p.name), ["aws-primary"]);
    });
});

describe("prod-eks behind Cloudflare", function () {
    this.timeout(300000);
    const behindCloudflare = plannedRun("prod-eks", { stackFile: stackVariant("prod-eks", (config) => {
        config["bookstore:cdn"] = "cloudflare";
        config["bookstore:cloudflare"] = { zoneId: "0123456789abcdef0123456789abcdef", webHostname: "shop.bookstore.example", staticHostname: "assets.bookstore.example" };
        config["bookstore:cloudflareApiToken"] = { secure: "v1:AAAAAAAAAAAAAAAA:cGxhY2Vob2xkZXI=" };
        config["bookstore:aws"].edge.albIngressCidrs = ["173.245.48.0/20", "103.21.244.0/22"];
    }) });
    it("points the proxied web host at the ALB the Ingress reports and the static host at CloudFront", () => {
        const run = behindCloudflare();
        assert.equal(run.exitCode, 0, run.stderr);
        const records = ofType(run.document!.resources, "cloudflare:index/dnsRecord:DnsRecord");
        assert.deepEqual(records.map((r) => [r.inputs.name, r.inputs.proxied]).sort(), [["assets.bookstore.example", true], ["shop.bookstore.example", true]]);
        const statics = records.find((r) => r.inputs.name === "assets.bookstore.example")!;
        assert.match(statics.inputs.content, /^d[a-z0-9]{13}\.cloudfront\.net$/);
        assert.equal((run.document!.outputs as any).publicWebUrl, "https://shop.bookstore.example/");
        // Only the listed (Cloudflare) ranges reach the ALB.
        const albRules = ofType(run.document!.resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name.startsWith("bookstore-prod-alb-"));
        assert.deepEqual(albRules.map((r) => `${r.inputs.cidrIpv4}:${r.inputs.fromPort}`).sort(), ["103.21.244.0/22:443", "103.21.244.0/22:80", "173.245.48.0/20:443", "173.245.48.0/20:80"]);
    });
});

describe("misconfigured prod-eks", function () {
    this.timeout(300000);
    const misconfigured = plannedRun("prod-eks", { stackFile: stackVariant("prod-eks", (config) => {
        config["bookstore:aws"].database.replicas = [{ region: "us-east-1", multiAz: false }];
        config["bookstore:aws"].eks.publicAccessCidrs = ["0.0.0.0/0"];
        delete config["bookstore:aws"].edge.staticHost;
        delete config["bookstore:aws"].edge.cloudFrontCertificateArn;
    }) });
    it("fails the policy pack with the expected rules", () => {
        const run = misconfigured();
        assert.equal(run.exitCode, 3, run.stderr);
        const names = [...new Set(((run.document?.policy as any).violations as { policy: string; level: string }[]).filter((v) => v.level === "mandatory").map((v) => v.policy))].sort();
        assert.deepEqual(names, ["aws-cloudfront-tls", "aws-eks-endpoint-private", "aws-rds-multi-az", "aws-rds-read-replicas"]);
    });
});
