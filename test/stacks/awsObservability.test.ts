import { strict as assert } from "assert";
import { X509Certificate } from "crypto";
import { planOf, ofType } from "../helpers/plan";
import type { PlanResource } from "../../tools/offline/render";
import { DASHBOARD_PANELS } from "../../components/dashboardPanels";
import { targetUrl } from "../../tools/loadtest/index";

/** The eks stacks' PgBouncer server verification, ALB alarms, CloudWatch dashboard and load-test URL, read from the plans. */
const k8sNamed = (resources: PlanResource[], type: string, name: string) => ofType(resources, type).find((r) => r.inputs.metadata?.name === name)!;

describe("prod-eks plan: PgBouncer verify-full, ALB alarms, CloudWatch dashboard", function () {
    this.timeout(300000);
    let resources: PlanResource[];
    let outputs: Record<string, any>;
    before(() => {
        const plan = planOf("prod-eks");
        resources = plan.resources;
        outputs = plan.outputs as Record<string, any>;
    });

    it("verifies RDS's certificate and host name: verify-full against the RDS root CAs of both database regions, mounted beside pgbouncer.ini", () => {
        const ini: string = k8sNamed(resources, "kubernetes:core/v1:ConfigMap", "pgbouncer-config").inputs.data["pgbouncer.ini"];
        assert.ok(ini.split("\n").includes("server_tls_sslmode = verify-full"));
        assert.ok(ini.split("\n").includes("server_tls_ca_file = /etc/pgbouncer/server-ca.pem"));
        const pem: string = k8sNamed(resources, "kubernetes:core/v1:ConfigMap", "pgbouncer-server-ca").inputs.data["server-ca.pem"];
        const cns = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g)!.map((b) => /CN=([^\n]+)/.exec(new X509Certificate(b).subject)![1]);
        // The stacks' CA (rds-ca-rsa2048-g1) of the primary's and the cross-region replica's regions.
        for (const region of ["us-east-1", "us-west-2"]) assert.ok(cns.includes(`Amazon RDS ${region} Root CA RSA2048 G1`), region);
        const volume = k8sNamed(resources, "kubernetes:apps/v1:Deployment", "pgbouncer").inputs.spec.template.spec.volumes[0];
        assert.deepEqual(volume.projected.sources.map((s: any) => (s.configMap ?? s.secret).items[0].path), ["pgbouncer.ini", "userlist.txt", "server-ca.pem"]);
    });

    it("names the web ALB and alarms on its 5xx rate (> 1 %) and p95 target response time (> 500 ms) after the Ingress has it", () => {
        const ingress = ofType(resources, "kubernetes:networking.k8s.io/v1:Ingress")[0];
        assert.equal(ingress.inputs.metadata.annotations["alb.ingress.kubernetes.io/load-balancer-name"], "bookstore-prod-web");
        const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.startsWith("alb-alarms-"));
        assert.deepEqual(alarms.map((a) => a.inputs.name).sort(), ["bookstore-prod-alb-http-5xx-rate", "bookstore-prod-alb-p95-latency"]);
        const [rate, p95] = ["http-5xx-rate", "p95-latency"].map((k) => alarms.find((a) => a.name === `alb-alarms-${k}`)!);
        // The dimension is the ARN suffix of the ALB found by that name (app/<name>/<id>).
        assert.match(p95.inputs.dimensions.LoadBalancer, /^app\/bookstore-prod-web\/[0-9a-f]{16}$/);
        assert.deepEqual([p95.inputs.metricName, p95.inputs.extendedStatistic, p95.inputs.threshold], ["TargetResponseTime", "p95", 0.5]);
        assert.equal(rate.inputs.threshold, 1);
        assert.deepEqual(rate.inputs.metricQueries.filter((q: any) => q.metric).map((q: any) => [q.metric.metricName, q.metric.dimensions.LoadBalancer]),
            ["RequestCount", "HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count"].map((m) => [m, p95.inputs.dimensions.LoadBalancer]));
        for (const alarm of alarms) {
            assert.ok(alarm.dependencies.includes(ingress.urn), `${alarm.name} must wait for the Ingress (the ALB exists only then)`);
            assert.match(alarm.inputs.alarmActions[0], /^arn:aws:sns:us-east-1:/);
        }
    });

    it("builds a CloudWatch dashboard with every panel on the stack's real names, linked from the outputs", () => {
        const [dashboard] = ofType(resources, "aws:cloudwatch/dashboard:Dashboard");
        const body = JSON.parse(dashboard.inputs.dashboardBody);
        assert.equal(body.widgets.length, DASHBOARD_PANELS.length);
        const text = dashboard.inputs.dashboardBody as string;
        for (const name of ["bookstore-prod-db-replica-2", "bookstore-prod-valkey-0003-002", "/aws/containerinsights/bookstore-prod/application"]) assert.ok(text.includes(name), name);
        const alarm = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.name === "alb-alarms-p95-latency")!;
        assert.ok(text.includes(alarm.inputs.dimensions.LoadBalancer));
        assert.equal(outputs.dashboards.cloudwatch, "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/bookstore-prod");
    });

    it("exports publicWebUrl (the ALB's host without Cloudflare) and apiUrl, the api's in-cluster Service `loadtest` aims at", () => {
        assert.equal(outputs.publicWebUrl, "https://www.bookstore.example");
        assert.equal(outputs.publicWebUrl, outputs.webUrl);
        assert.equal(outputs.apiUrl, "http://api.bookstore.svc.cluster.local");
        assert.equal(targetUrl({ stack: "prod-eks" }, outputs), outputs.apiUrl);
        // The URL's port 80 is the api Service's, which forwards to the api container's port.
        const service = k8sNamed(resources, "kubernetes:core/v1:Service", "api");
        assert.equal(service.inputs.metadata.namespace, "bookstore");
        assert.deepEqual(service.inputs.spec.ports, [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }]);
        assert.equal(service.inputs.spec.type, "ClusterIP");
    });
});

describe("dev-eks plan: load-test URL and TLS default", function () {
    this.timeout(300000);
    it("exports publicWebUrl and apiUrl, and keeps PgBouncer on `require` (the default)", () => {
        const plan = planOf("dev-eks");
        const outputs = plan.outputs as Record<string, any>;
        assert.match(outputs.publicWebUrl, /^https:\/\/[a-z0-9.-]+$/);
        assert.equal(targetUrl({ stack: "dev-eks" }, outputs), "http://api.bookstore.svc.cluster.local");
        const ini: string = k8sNamed(plan.resources, "kubernetes:core/v1:ConfigMap", "pgbouncer-config").inputs.data["pgbouncer.ini"];
        assert.ok(ini.split("\n").includes("server_tls_sslmode = require"));
        assert.ok(!ini.includes("server_tls_ca_file"));
        assert.equal(k8sNamed(plan.resources, "kubernetes:core/v1:ConfigMap", "pgbouncer-server-ca"), undefined);
    });
});
