import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument } from "./iam";

/** CloudFront managed cache policies (CloudFront DG — Use managed cache policies); literal ids avoid an invoke. */
export const CACHE_POLICY = { cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6", cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" } as const;
/**
 * Managed origin request policy CORS-S3Origin: forwards Origin and the CORS request headers to S3
 * (CloudFront DG — Use managed origin request policies). CachingOptimized keys on no header, so
 * without it S3 never sees an Origin and never answers with its CORS headers.
 */
export const CORS_S3_ORIGIN_REQUEST_POLICY = "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf";
/** CloudFront's recommended viewer TLS policy (TLS 1.2+; FSBP CloudFront.15). */
export const CLOUDFRONT_TLS_POLICY = "TLSv1.2_2021";

export interface StaticSiteArgs {
    bucketPrefix: string;
    /** Custom host and its us-east-1 ACM certificate; without them CloudFront's default certificate (and domain) serve. */
    customDomain?: { host: string; certificateArn: string };
    /** Origins allowed to fetch fonts and scripts cross-origin (the web app). */
    corsOrigins: pulumi.Input<string>[];
    tags: Record<string, string>;
}

/**
 * Static assets: a private, versioned, encrypted S3 bucket (all four public-access blocks, ACLs
 * off, TLS-only policy) served only through CloudFront with Origin Access Control, HTTPS only.
 */
export class StaticSite extends pulumi.ComponentResource {
    readonly bucket: aws.s3.Bucket;
    readonly distribution: aws.cloudfront.Distribution;
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: StaticSiteArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:aws:StaticSite", name, {}, opts);
        /** Child names carry the component's: a URN names the parent's type, not its name. */
        const n = (child: string) => `${name}-${child}`;
        const p = { parent: this };
        this.bucket = new aws.s3.Bucket(n("assets"), { bucketPrefix: args.bucketPrefix, forceDestroy: false, tags: args.tags }, { parent: this, protect: true });
        const bucket = this.bucket.id;
        // Every flag explicit: an omitted one defaults to false (aws:s3/bucketPublicAccessBlock.d.ts).
        const publicAccess = new aws.s3.BucketPublicAccessBlock(n("assets"), { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, p);
        new aws.s3.BucketOwnershipControls(n("assets"), { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, p);
        new aws.s3.BucketVersioning(n("assets"), { bucket, versioningConfiguration: { status: "Enabled" } }, p);
        // SSE-S3: SSE-KMS would need a key policy for CloudFront's service principal as well.
        new aws.s3.BucketServerSideEncryptionConfiguration(n("assets"), { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, p);
        new aws.s3.BucketLifecycleConfiguration(n("assets"), {
            bucket,
            rules: [{ id: "expire-old-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }],
        }, p);
        new aws.s3.BucketCorsConfiguration(n("assets"), { bucket, corsRules: [{ allowedMethods: ["GET", "HEAD"], allowedOrigins: args.corsOrigins, allowedHeaders: ["*"], maxAgeSeconds: 3600 }] }, p);

        const oac = new aws.cloudfront.OriginAccessControl(n("assets"), {
            name: `${args.bucketPrefix}oac`, description: "CloudFront signs every request to the private bucket",
            originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4",
        }, p);
        // Cached objects are shared by every viewer: CloudFront itself adds the CORS headers for the
        // allowed origins on each response, whatever the origin answered when the object was cached
        // (CloudFront DG — Understand response headers policies, CORS; originOverride).
        const cors = new aws.cloudfront.ResponseHeadersPolicy(n("cors"), {
            name: `${args.bucketPrefix}cors`,
            comment: "CORS for the web app's cross-origin fonts and scripts",
            corsConfig: {
                accessControlAllowCredentials: false,
                accessControlAllowHeaders: { items: ["*"] },
                accessControlAllowMethods: { items: ["GET", "HEAD"] },
                accessControlAllowOrigins: { items: args.corsOrigins },
                accessControlMaxAgeSec: 3600,
                originOverride: true,
            },
        }, p);
        const originId = "static-assets";
        const custom = args.customDomain;
        this.distribution = new aws.cloudfront.Distribution(n("assets"), {
            enabled: true,
            comment: "BookStore static assets",
            httpVersion: "http2and3",
            isIpv6Enabled: true,
            priceClass: "PriceClass_100",
            aliases: custom ? [custom.host] : [],
            origins: [{ originId, domainName: this.bucket.bucketRegionalDomainName, originAccessControlId: oac.id }],
            // Everything in the bucket is a static, fingerprinted asset: cache long, compress, HTTPS only.
            defaultCacheBehavior: {
                targetOriginId: originId, viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"],
                compress: true, cachePolicyId: CACHE_POLICY.cachingOptimized,
                originRequestPolicyId: CORS_S3_ORIGIN_REQUEST_POLICY, responseHeadersPolicyId: cors.id,
            },
            restrictions: { geoRestriction: { restrictionType: "none" } },
            viewerCertificate: custom
                ? { acmCertificateArn: custom.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: CLOUDFRONT_TLS_POLICY }
                // The default certificate only allows TLSv1 as the floor (aws:types/input.d.ts DistributionViewerCertificate).
                : { cloudfrontDefaultCertificate: true },
            tags: args.tags,
        }, p);

        new aws.s3.BucketPolicy(n("assets"), {
            bucket,
            policy: pulumi.all([this.bucket.arn, this.distribution.arn]).apply(([bucketArn, distributionArn]) => policyDocument([
                {
                    Sid: "CloudFrontReadsThroughOAC", Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" },
                    Action: "s3:GetObject", Resource: `${bucketArn}/*`, Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
                },
                {
                    Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ])),
        }, { parent: this, dependsOn: [publicAccess] });
        this.url = custom ? pulumi.output(`https://${custom.host}`) : pulumi.interpolate`https://${this.distribution.domainName}`;
        this.registerOutputs({ url: this.url });
    }
}
