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
        // This policy replaces SNS's default one: it must name every publisher.
        new aws.sns.TopicPolicy(n("alerts"), { arn: topic.arn, policy: pulumi.all([topic.arn, args.accountId]).apply(([arn, account]) => alertTopicPolicy(arn, account)) }, p);
        args.emails.forEach((email, i) => new aws.sns.TopicSubscription(n(`email-${i + 1}`), { topic: topic.arn, protocol: "email", endpoint: email }, p));
        this.registerOutputs({ arn: this.arn });
    }
}

/**
 * The alert topic's access policy: the owner's rights (the default policy's), CloudWatch alarms of
 * this account and region, and AMP's alert manager (AMP UG — alert manager and SNS). Alarm actions
 * publish as `cloudwatch.amazonaws.com`, which an account-root statement does not cover (re:Post
 * Knowledge Center, "Why didn't I receive an SNS notification for my CloudWatch alarm trigger?").
 */
export function alertTopicPolicy(topicArn: string, account: string): string {
    const region = topicArn.split(":")[3];
    const fromThisAccount = { StringEquals: { "aws:SourceAccount": account } };
    return policyDocument([
        { Sid: "Owner", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ["SNS:Publish", "SNS:Subscribe", "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:ListSubscriptionsByTopic"], Resource: topicArn },
        {
            Sid: "CloudWatchAlarms", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "SNS:Publish", Resource: topicArn,
            Condition: { ...fromThisAccount, ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${region}:${account}:alarm:*` } },
        },
        { Sid: "PrometheusAlertManager", Effect: "Allow", Principal: { Service: "aps.amazonaws.com" }, Action: ["SNS:Publish", "SNS:GetTopicAttributes"], Resource: topicArn, Condition: fromThisAccount },
    ]);
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
