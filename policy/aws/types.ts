/**
 * AWS resource types the AWS rules check, typed against @pulumi/aws's `.d.ts` files (type-only
 * imports: the pack loads no provider SDK at run time).
 */
import type * as cloudfront from "@pulumi/aws/cloudfront";
import type * as cloudwatch from "@pulumi/aws/cloudwatch";
import type * as eks from "@pulumi/aws/eks";
import type * as elasticache from "@pulumi/aws/elasticache";
import type * as rds from "@pulumi/aws/rds";
import type * as s3 from "@pulumi/aws/s3";
import type * as sns from "@pulumi/aws/sns";
import { resourceType } from "../common";

export const RdsInstance = resourceType<typeof rds.Instance>("aws:rds/instance:Instance");
export const RdsParameterGroup = resourceType<typeof rds.ParameterGroup>("aws:rds/parameterGroup:ParameterGroup");
export const ReplicationGroup = resourceType<typeof elasticache.ReplicationGroup>("aws:elasticache/replicationGroup:ReplicationGroup");
export const EksCluster = resourceType<typeof eks.Cluster>("aws:eks/cluster:Cluster");
export const EksNodeGroup = resourceType<typeof eks.NodeGroup>("aws:eks/nodeGroup:NodeGroup");
export const S3Bucket = resourceType<typeof s3.Bucket>("aws:s3/bucket:Bucket");
export const S3PublicAccessBlock = resourceType<typeof s3.BucketPublicAccessBlock>("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
export const S3BucketPolicy = resourceType<typeof s3.BucketPolicy>("aws:s3/bucketPolicy:BucketPolicy");
export const CloudFrontDistribution = resourceType<typeof cloudfront.Distribution>("aws:cloudfront/distribution:Distribution");
export const SnsTopic = resourceType<typeof sns.Topic>("aws:sns/topic:Topic");
export const SnsTopicPolicy = resourceType<typeof sns.TopicPolicy>("aws:sns/topicPolicy:TopicPolicy");
export const MetricAlarm = resourceType<typeof cloudwatch.MetricAlarm>("aws:cloudwatch/metricAlarm:MetricAlarm");
