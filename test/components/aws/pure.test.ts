import * as assert from "assert";
import { memberClusterIds } from "../../../components/aws/cache";
import { clusterAutoscalerStatements, eksKubeconfig } from "../../../components/aws/eksAddons";
import { albAnnotations } from "../../../components/aws/eksAdapters";
import { planSubnets } from "../../../components/aws/network";
import { pagesDisplay, rdsParameters } from "../../../components/aws/rdsParameters";
import { contains, overlaps, parseCidr } from "../../../lib/network";

const SEED = { sharedBuffersPercent: 25, effectiveCacheSizePercent: 75, walBuffersMB: 16, checkpointCompletionTarget: 0.9, maxWalSizeGB: 4, randomPageCost: 1.1, effectiveIoConcurrency: 200, maxConnections: 200 };

describe("AWS components: pure parts", () => {
    it("computes the seed's tuning from the class's memory in RDS units (db.r6g.large = 16 GiB)", () => {
        const params = Object.fromEntries(rdsParameters("db.r6g.large", SEED).map((p) => [p.name, p]));
        assert.deepStrictEqual([pagesDisplay(params.shared_buffers.value), pagesDisplay(params.effective_cache_size.value), pagesDisplay(params.wal_buffers.value)], ["4GB", "12GB", "16MB"]);
        assert.strictEqual(params.max_wal_size.value, "4096");
        // checkpoint_completion_target 0.9 is PostgreSQL 16's default: listing it would give a perpetual diff.
        assert.strictEqual(params.checkpoint_completion_target, undefined);
        assert.strictEqual(rdsParameters("db.r6g.large", { ...SEED, checkpointCompletionTarget: 0.8 }).find((p) => p.name === "checkpoint_completion_target")?.value, "0.8");
        // A bigger class gets proportionally bigger buffers.
        assert.strictEqual(rdsParameters("db.r6g.xlarge", SEED).find((p) => p.name === "shared_buffers")?.value, "1048576");
    });

    it("applies static parameters at the next reboot and dynamic ones immediately", () => {
        const methods = Object.fromEntries(rdsParameters("db.t4g.medium", SEED).map((p) => [p.name, p.applyMethod]));
        assert.deepStrictEqual(methods, {
            shared_buffers: "pending-reboot", effective_cache_size: "immediate", wal_buffers: "pending-reboot", max_wal_size: "immediate",
            random_page_cost: "immediate", effective_io_concurrency: "immediate", max_connections: "pending-reboot",
        });
    });

    it("carves non-overlapping subnets inside the VPC range", () => {
        const plan = planSubnets("10.50.0.0/16", 3);
        assert.deepStrictEqual(plan, {
            private: ["10.50.0.0/19", "10.50.32.0/19", "10.50.64.0/19"],
            public: ["10.50.192.0/24", "10.50.193.0/24", "10.50.194.0/24"],
            database: ["10.50.200.0/24", "10.50.201.0/24", "10.50.202.0/24"],
        });
        const all = [...plan.private, ...plan.public, ...plan.database].map(parseCidr);
        for (const c of all) assert.ok(contains(parseCidr("10.50.0.0/16"), c));
        for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) assert.ok(!overlaps(all[i], all[j]));
    });

    it("names the member clusters of 3 shards × (1+1) the way ElastiCache does", () => {
        assert.deepStrictEqual(memberClusterIds("bookstore-prod-valkey", 3, 1), [
            "bookstore-prod-valkey-0001-001", "bookstore-prod-valkey-0001-002", "bookstore-prod-valkey-0002-001",
            "bookstore-prod-valkey-0002-002", "bookstore-prod-valkey-0003-001", "bookstore-prod-valkey-0003-002",
        ]);
    });

    it("lets the Cluster Autoscaler resize only its own cluster's groups", () => {
        const [, write] = clusterAutoscalerStatements("bookstore-prod");
        assert.deepStrictEqual(write.Condition, { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/bookstore-prod": "owned" } });
    });

    it("puts the web ALB on HTTPS with TLS 1.2+ and redirects HTTP", () => {
        const annotations = albAnnotations({ certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/c", securityGroupId: "sg-1", healthPath: "/health", loadBalancerName: "bookstore-prod-web" });
        assert.strictEqual(annotations["alb.ingress.kubernetes.io/ssl-redirect"], "443");
        assert.strictEqual(annotations["alb.ingress.kubernetes.io/load-balancer-name"], "bookstore-prod-web");
        assert.strictEqual(annotations["alb.ingress.kubernetes.io/ssl-policy"], "ELBSecurityPolicy-TLS13-1-2-2021-06");
        assert.strictEqual(annotations["alb.ingress.kubernetes.io/scheme"], "internet-facing");
    });

    it("authenticates kubectl through `aws eks get-token`, holding no token", async () => {
        const text = await new Promise<string>((resolve) => eksKubeconfig("c", "https://x.gr7.us-east-1.eks.amazonaws.com", "Q0E=", "us-east-1").apply(resolve));
        const user = JSON.parse(text).users[0].user;
        assert.deepStrictEqual([user.exec.command, user.exec.args], ["aws", ["eks", "get-token", "--cluster-name", "c", "--region", "us-east-1"]]);
        assert.strictEqual(user.token, undefined);
    });
});
