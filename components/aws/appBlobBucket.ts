// AppBlobBucket: the private S3 bucket that holds the app's blobs (book covers) on AWS.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, type Statement } from "./iam";

export interface AppBlobBucketArgs {
    bucketPrefix: string;
    region: string;
    tags: Record<string, string>;
}

/**
 * The app's blob store on AWS: a private, versioned, encrypted S3 bucket (all four public-access
 * blocks, ACLs off, TLS-only policy). The app reads and writes it with its Pod Identity role; the
 * covers are served by the api (GET /api/books/{id}/cover), never from the bucket.
 *
 * The app at the pinned commit talks only to the Azure Blob API (Aspire.Azure.Storage.Blobs):
 * this bucket is what the platform offers until it has an S3 implementation, and the stack plan
 * says so (docs/running-bookstore.md, "Blobs on AWS").
 */
export class AppBlobBucket extends pulumi.ComponentResource {
    readonly bucket: aws.s3.Bucket;
    /** The bucket's virtual-hosted endpoint, the app's `ConnectionStrings__blobs` on AWS. */
    readonly endpoint: pulumi.Output<string>;

    constructor(name: string, args: AppBlobBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:aws:AppBlobBucket", name, {}, opts);
        const n = (child: string) => `${name}-${child}`;
        const p = { parent: this };
        this.bucket = new aws.s3.Bucket(n("bucket"), { bucketPrefix: args.bucketPrefix, forceDestroy: false, tags: args.tags }, { parent: this, protect: true });
        const bucket = this.bucket.id;
        // Every flag explicit: an omitted one defaults to false (aws:s3/bucketPublicAccessBlock.d.ts).
        const publicAccess = new aws.s3.BucketPublicAccessBlock(n("bucket"), { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, p);
        new aws.s3.BucketOwnershipControls(n("bucket"), { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, p);
        new aws.s3.BucketVersioning(n("bucket"), { bucket, versioningConfiguration: { status: "Enabled" } }, p);
        new aws.s3.BucketServerSideEncryptionConfiguration(n("bucket"), { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, p);
        new aws.s3.BucketLifecycleConfiguration(n("bucket"), {
            bucket,
            rules: [{ id: "expire-old-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }],
        }, p);
        new aws.s3.BucketPolicy(n("bucket"), {
            bucket,
            policy: this.bucket.arn.apply((arn) => policyDocument([{
                Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            }])),
        }, { parent: this, dependsOn: [publicAccess] });
        this.endpoint = pulumi.interpolate`https://${this.bucket.bucket}.s3.${args.region}.amazonaws.com/`;
        this.registerOutputs({ bucket: this.bucket.id, endpoint: this.endpoint });
    }

    /** The app's access: objects read, written and deleted, the bucket listed. */
    appStatements(): pulumi.Output<Statement[]> {
        return this.bucket.arn.apply((arn): Statement[] => [
            { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${arn}/*` },
            { Effect: "Allow", Action: ["s3:ListBucket"], Resource: arn },
        ]);
    }
}
