/** S3, CloudFront and SNS rules (FSBP S3.5/S3.8, CloudFront.3/.13/.15, SNS.1). */
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { configSchema, describe, environmentsProperty, inScope, ofType, Scoped, settingsOf, tokenOf } from "../common";
import { CloudFrontDistribution, S3Bucket, S3BucketPolicy, S3PublicAccessBlock, SnsTopic } from "./types";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export const s3BlockPublicAccess: StackValidationPolicy = {
    name: "aws-s3-block-public-access",
    description: "Every S3 bucket has a public access block with all four flags true (FSBP S3.8; an omitted flag defaults to false).",
    validateStack: (args, reportViolation) => {
        const blocks = ofType(args.resources, tokenOf(S3PublicAccessBlock));
        for (const bucket of ofType(args.resources, tokenOf(S3Bucket))) {
            const block = blocks.find((b) => b.dependencies.includes(bucket) || b.props.bucket === bucket.props.bucket);
            if (!block) {
                reportViolation(`${describe(bucket)} has no public access block.`, bucket.urn);
                continue;
            }
            const off = FLAGS.filter((f) => block.props[f] !== true);
            if (off.length > 0) reportViolation(`${describe(block)} leaves ${off.join(", ")} off.`, block.urn);
        }
    },
};

/** Whether a bucket policy document denies requests without TLS. */
export function deniesInsecureTransport(policy: string): boolean {
    const doc = JSON.parse(policy) as { Statement?: { Effect?: string; Condition?: Record<string, Record<string, unknown>> }[] };
    return (doc.Statement ?? []).some((s) => s.Effect === "Deny" && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false");
}

export const s3TlsOnly: ResourceValidationPolicy = {
    name: "aws-s3-tls-only",
    description: "S3 bucket policies deny requests without TLS (aws:SecureTransport false; FSBP S3.5).",
    validateResource: validateResourceOfType(S3BucketPolicy, (policy, _args, reportViolation) => {
        if (!deniesInsecureTransport(String(policy.policy))) reportViolation("the policy has no Deny on aws:SecureTransport = false.");
    }),
};

const tlsSchema = configSchema({
    environments: environmentsProperty(["prod"]),
    allowedProtocolVersions: { type: "array", items: { type: "string" }, default: ["TLSv1.2_2021"], description: "Acceptable viewer TLS policies (CloudFront.15); add newer TLS 1.2+ policies here as CloudFront publishes them." },
});

export const cloudFrontTls: ResourceValidationPolicy = {
    name: "aws-cloudfront-tls",
    description: "CloudFront serves HTTPS only (FSBP CloudFront.3), with TLS 1.2+ (CloudFront.15; production needs a custom certificate, the default one floors at TLSv1), and reads S3 origins through Origin Access Control (CloudFront.13).",
    configSchema: tlsSchema,
    validateResource: validateResourceOfType(CloudFrontDistribution, (dist, args, reportViolation) => {
        const settings = settingsOf<Scoped & { allowedProtocolVersions: string[] }>(args, tlsSchema);
        for (const behavior of [dist.defaultCacheBehavior, ...(dist.orderedCacheBehaviors ?? [])]) {
            if (behavior.viewerProtocolPolicy === "allow-all") reportViolation(`a cache behavior${"pathPattern" in behavior ? ` (${behavior.pathPattern})` : ""} allows HTTP; expected redirect-to-https or https-only.`);
        }
        const cert = dist.viewerCertificate;
        if (cert.acmCertificateArn || cert.iamCertificateId) {
            if (!settings.allowedProtocolVersions.includes(cert.minimumProtocolVersion ?? "TLSv1")) {
                reportViolation(`viewerCertificate.minimumProtocolVersion is ${cert.minimumProtocolVersion ?? "TLSv1 (default)"}; expected one of ${settings.allowedProtocolVersions.join(", ")}.`);
            }
            if (cert.sslSupportMethod !== "sni-only") reportViolation("viewerCertificate.sslSupportMethod is not sni-only (FSBP CloudFront.8).");
        } else if (inScope(settings, dist)) {
            reportViolation("the default CloudFront certificate only allows TLSv1 as the floor; expected a custom domain with a us-east-1 ACM certificate.");
        }
        for (const origin of dist.origins) {
            if (/\.s3[.-]/.test(origin.domainName) && !origin.originAccessControlId) reportViolation(`S3 origin ${origin.originId} has no originAccessControlId; the bucket would have to be public.`);
        }
    }),
};

export const snsEncrypted: ResourceValidationPolicy = {
    name: "aws-sns-kms",
    description: "SNS topics are encrypted with a KMS key (FSBP SNS.1); for alarm topics a customer-managed one, since CloudWatch cannot use alias/aws/sns.",
    validateResource: validateResourceOfType(SnsTopic, (topic, _args, reportViolation) => {
        if (!topic.kmsMasterKeyId) reportViolation("kmsMasterKeyId is unset.");
        else if (topic.kmsMasterKeyId === "alias/aws/sns") reportViolation("kmsMasterKeyId is the AWS-managed alias/aws/sns key; CloudWatch alarms cannot publish to it.");
    }),
};

export const awsEdgePolicies = [s3BlockPublicAccess, s3TlsOnly, cloudFrontTls, snsEncrypted];
