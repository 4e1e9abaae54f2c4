import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { ecrRepositoryName, ecrRepositoryResourceName, REGISTRY_TYPE } from "./registryNames";

export interface ContainerRegistryArgs {
    /** The account's registry host, `<account>.dkr.ecr.<region>.amazonaws.com`. */
    registryHost: pulumi.Input<string>;
    /** Namespace of the stack's repositories (e.g. "bookstore-prod"): two stacks of one account and region don't collide. */
    namespace: string;
    /** Repositories the workloads pull, relative to the namespace (e.g. "bookstore/api"). */
    repositories: string[];
    tags: Record<string, string>;
}

/**
 * The stack's private ECR repositories, one per relative image the workloads pull (the image step,
 * `bookstore-infra bootstrap`, fills them): tags immutable (a tag names one image forever, so a
 * deployed tag cannot change under the pods), scanned on push, encrypted with KMS (the AWS-managed
 * `aws/ecr` key: ECR grants itself its use, so pulling nodes need no key permission). A repository
 * holding images is not deleted (`forceDelete` off: DeleteRepository refuses while images remain).
 */
export class ContainerRegistry extends pulumi.ComponentResource {
    /** What relative images resolve against: `<registry host>/<namespace>`. */
    readonly loginServer: pulumi.Output<string>;
    readonly repositories: aws.ecr.Repository[];

    constructor(name: string, args: ContainerRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super(REGISTRY_TYPE, name, {}, opts);
        this.repositories = args.repositories.map((repository) => new aws.ecr.Repository(ecrRepositoryResourceName(name, repository), {
            name: ecrRepositoryName(args.namespace, repository),
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "KMS" }],
            forceDelete: false,
            tags: args.tags,
        }, { parent: this }));
        this.loginServer = pulumi.interpolate`${args.registryHost}/${args.namespace}`;
        this.registerOutputs({ loginServer: this.loginServer });
    }
}
