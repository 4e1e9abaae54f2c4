import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { AlarmTarget } from "./alerts";

/**
 * The web ALB's alarms. The AWS Load Balancer Controller creates the ALB, so the program names it
 * (Ingress annotation `alb.ingress.kubernetes.io/load-balancer-name`, LBC docs, "Ingress
 * annotations") and looks it up by that name once the Ingress is ready: CloudWatch's
 * `LoadBalancer` dimension is the ARN suffix `app/<name>/<id>`, and the id is AWS's, known only
 * after creation (ELB UG, "CloudWatch metrics for your Application Load Balancer" — dimensions).
 */

/** ALB names: 1-32 alphanumerics and hyphens, no leading/trailing hyphen, not `internal-…` (ELB API, CreateLoadBalancer `Name`). */
export function albName(baseName: string): string {
    const name = `${baseName}-web`;
    if (name.length > 32 || !/^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(name) || name.startsWith("internal-")) {
        throw new Error(`ALB name ${JSON.stringify(name)} is not a valid load balancer name (1-32 letters, digits and hyphens)`);
    }
    return name;
}

export interface AlbThresholds {
    /** Percent of requests answered with 5xx (by the targets or the ALB itself). */
    http5xxPercent: number;
    /** p95 target response time, in milliseconds. */
    p95LatencyMs: number;
}

/** Five-minute periods, two in a row: a deploy's brief blip does not page. */
const PERIOD = 300;
const NAMESPACE = "AWS/ApplicationELB";

type AlarmArgs = Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "tags" | "name">;

/** The alarms' definitions for an ALB's ARN suffix (`app/<name>/<id>`): pure, for the tests. */
export function albAlarmSpecs(loadBalancer: pulumi.Input<string>, t: AlbThresholds): Record<"http-5xx-rate" | "p95-latency", AlarmArgs> {
    const metric = (id: string, metricName: string) => ({
        id, returnData: false, metric: { namespace: NAMESPACE, metricName, dimensions: { LoadBalancer: loadBalancer }, period: PERIOD, stat: "Sum" },
    });
    return {
        "http-5xx-rate": {
            alarmDescription: `More than ${t.http5xxPercent} % of requests answered with 5xx (load-test threshold)`,
            comparisonOperator: "GreaterThanThreshold", threshold: t.http5xxPercent, evaluationPeriods: 2, datapointsToAlarm: 2,
            // No traffic, no RequestCount datapoint: nothing to judge, not an outage.
            treatMissingData: "notBreaching",
            metricQueries: [
                metric("requests", "RequestCount"),
                metric("target5xx", "HTTPCode_Target_5XX_Count"),
                metric("elb5xx", "HTTPCode_ELB_5XX_Count"),
                { id: "rate", label: "5xx % of requests", returnData: true, expression: "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests" },
            ],
        },
        "p95-latency": {
            alarmDescription: `p95 target response time above ${t.p95LatencyMs} ms (load-test threshold)`,
            namespace: NAMESPACE, metricName: "TargetResponseTime", dimensions: { LoadBalancer: loadBalancer },
            // TargetResponseTime is in seconds.
            extendedStatistic: "p95", period: PERIOD, evaluationPeriods: 2, datapointsToAlarm: 2,
            comparisonOperator: "GreaterThanThreshold", threshold: t.p95LatencyMs / 1000, treatMissingData: "notBreaching",
        },
    };
}

export interface AlbAlarmsArgs {
    baseName: string;
    /** The name the Ingress gives its ALB (`albName`). */
    loadBalancerName: string;
    /** The Ingress whose readiness (an ALB address in its status) means the ALB exists. */
    ingress: pulumi.Resource;
    thresholds: AlbThresholds;
    target: AlarmTarget;
}

/** The ALB's 5xx-rate and p95 alarms, on the ALB the Ingress created (looked up by name after it is ready). */
export class AlbAlarms extends pulumi.ComponentResource {
    /** CloudWatch's `LoadBalancer` dimension of the web ALB (`app/<name>/<id>`). */
    readonly loadBalancerDimension: pulumi.Output<string>;

    constructor(name: string, args: AlbAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:aws:AlbAlarms", name, {}, opts);
        // After the Ingress: the Kubernetes provider waits for its ALB address, so the ALB exists; in a first preview the value is unknown.
        const lb = aws.lb.getLoadBalancerOutput({ name: args.loadBalancerName }, { parent: this, dependsOn: [args.ingress] });
        this.loadBalancerDimension = lb.arnSuffix;
        for (const [key, spec] of Object.entries(albAlarmSpecs(lb.arnSuffix, args.thresholds))) {
            new aws.cloudwatch.MetricAlarm(`${name}-${key}`, {
                name: `${args.baseName}-alb-${key}`, ...spec, alarmActions: [args.target.topicArn], okActions: [args.target.topicArn], tags: args.target.tags,
            }, { parent: this });
        }
        this.registerOutputs({ loadBalancerDimension: this.loadBalancerDimension });
    }
}
