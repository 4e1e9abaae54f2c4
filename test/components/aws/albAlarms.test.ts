import * as assert from "assert";
import { albAlarmSpecs, albName } from "../../../components/aws/albAlarms";

describe("ALB alarms (eks)", () => {
    it("names the ALB within the ELB limits for the longest config allows (12-character prefix, staging)", () => {
        assert.strictEqual(albName("abcdefghijkl-staging"), "abcdefghijkl-staging-web");
        assert.throws(() => albName("a".repeat(29)), /not a valid load balancer name \(1-32/);
        assert.throws(() => albName("-bad"), /not a valid load balancer name/);
    });

    it("computes the 5xx rate over ALB and target 5xx per request, judged over two 5-minute periods, silent without traffic", () => {
        const { "http-5xx-rate": rate } = albAlarmSpecs("app/bookstore-prod-web/0123456789abcdef", { http5xxPercent: 1, p95LatencyMs: 500 });
        const queries = rate.metricQueries as any[];
        assert.deepStrictEqual(queries.filter((q) => q.returnData).map((q) => q.expression), ["100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests"]);
        // Every id the expression names is a query of the alarm.
        const ids = new Set(queries.map((q) => q.id));
        for (const id of ["target5xx", "elb5xx", "requests"]) assert.ok(ids.has(id), id);
        assert.ok(queries.filter((q) => q.metric).every((q) => q.metric.period === 300 && q.metric.stat === "Sum"));
        assert.deepStrictEqual([rate.threshold, rate.evaluationPeriods, rate.datapointsToAlarm, rate.treatMissingData], [1, 2, 2, "notBreaching"]);
        // A metric-math alarm may not also carry a single metric.
        assert.strictEqual(rate.metricName, undefined);
    });

    it("alarms on p95 TargetResponseTime in seconds (500 ms → 0.5)", () => {
        const { "p95-latency": p95 } = albAlarmSpecs("app/x/0123456789abcdef", { http5xxPercent: 1, p95LatencyMs: 500 });
        assert.deepStrictEqual([p95.metricName, p95.extendedStatistic, p95.statistic, p95.threshold, p95.dimensions],
            ["TargetResponseTime", "p95", undefined, 0.5, { LoadBalancer: "app/x/0123456789abcdef" }]);
    });
});
