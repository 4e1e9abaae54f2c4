import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument } from "./iam";

export interface AlertTopicArgs {
    name: string;
    accountId: pulumi.Input<string>;
    emails: string[];
    tags: Record<string, string>;
}

/**
 * The SNS topic CloudWatch alarms of one region notify (an alarm's SNS action must be in its own
 * region). Encrypted with a customer-managed key that lets CloudWatch use it: with the AWS-managed
 * `alias/aws/sns` key CloudWatch cannot publish and alarms deliver nothing (SNS DG — encrypted topics).
 */
export class AlertTopic extends pulumi.ComponentResource {
    readonly arn: pulumi.Output<string>;

    constructor(name: string, args: AlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:aws:AlertTopic", name, {}, opts);
        /** Child names carry the component's: a URN names the parent's type, not its name. */
        const n = (child: string) => `${name}-${child}`;
        const p = { parent: this };
        const key = new aws.kms.Key(n("alerts"), {
            description: `${args.name} alarm topic`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            policy: pulumi.output(args.accountId).apply((account) => policyDocument([
                { Sid: "AccountAdmin", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
                {
                    // CloudWatch alarms and Amazon Managed Prometheus's alert manager publish to the encrypted topic.
                    Sid: "AlarmSourcesPublish", Effect: "Allow", Principal: { Service: ["cloudwatch.amazonaws.com", "aps.amazonaws.com"] },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*",
                },
            ])),
            tags: args.tags,
        }, p);
        const topic = new aws.sns.Topic(n("alerts"), { name: args.name, kmsMasterKeyId: key.arn, tags: args.tags }, p);
        this.arn = topic.arn;
        // The owner's rights (the default policy's) plus AMP's alert manager, from this account only (AMP UG — alert manager and SNS).
        new aws.sns.TopicPolicy(n("alerts"), {
            arn: topic.arn,
            policy: pulumi.all([topic.arn, args.accountId]).apply(([arn, account]) => policyDocument([
                { Sid: "Owner", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ["SNS:Publish", "SNS:Subscribe", "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:ListSubscriptionsByTopic"], Resource: arn },
                { Sid: "PrometheusAlertManager", Effect: "Allow", Principal: { Service: "aps.amazonaws.com" }, Action: ["SNS:Publish", "SNS:GetTopicAttributes"], Resource: arn, Condition: { StringEquals: { "aws:SourceAccount": account } } },
            ])),
        }, p);
        args.emails.forEach((email, i) => new aws.sns.TopicSubscription(n(`email-${i + 1}`), { topic: topic.arn, protocol: "email", endpoint: email }, p));
        this.registerOutputs({ arn: this.arn });
    }
}

/** Arguments every alarm of the platform shares: where it notifies, and its tags. */
export interface AlarmTarget {
    topicArn: pulumi.Input<string>;
    tags: Record<string, string>;
}

export type AlarmSpec = Pick<aws.cloudwatch.MetricAlarmArgs,
    "namespace" | "metricName" | "dimensions" | "statistic" | "extendedStatistic" | "comparisonOperator" | "threshold" | "period" | "evaluationPeriods" | "datapointsToAlarm" | "treatMissingData" | "alarmDescription">;

/** A CloudWatch alarm that notifies the topic when it fires and when it recovers. */
export function metricAlarm(name: string, alarmName: pulumi.Input<string>, spec: AlarmSpec, target: AlarmTarget, opts: pulumi.CustomResourceOptions) {
    return new aws.cloudwatch.MetricAlarm(name, {
        name: alarmName,
        ...spec,
        alarmActions: [target.topicArn],
        okActions: [target.topicArn],
        tags: target.tags,
    }, opts);
}
