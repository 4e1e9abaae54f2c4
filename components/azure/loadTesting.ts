// LoadTesting: the Azure Load Testing resource the loadtest command runs against.
import * as pulumi from "@pulumi/pulumi";
import * as loadtestservice from "@pulumi/azure-native/loadtestservice";

export interface LoadTestingArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** Resource name, e.g. "bookstore-prod-loadtest". */
    name: string;
    tags: Record<string, string>;
}

/**
 * An Azure Load Testing resource: `bookstore-infra loadtest --engine azure` creates the test in it
 * from loadtest/azure/ and starts runs. Holds no data the stack depends on (runs and results live
 * in the service), so it is not protected. Microsoft.LoadTestService/loadTests at the provider's
 * API version 2023-12-01-preview: location, tags and description are all it needs.
 */
export class LoadTesting extends pulumi.ComponentResource {
    readonly id: pulumi.Output<string>;
    readonly dataPlaneUri: pulumi.Output<string>;

    constructor(name: string, args: LoadTestingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:loadtest:LoadTesting", name, {}, opts);
        const resource = new loadtestservice.LoadTest("load-testing", {
            loadTestName: args.name,
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            description: "BookStore load tests (loadtest/ in the platform repository)",
            tags: args.tags,
        }, { parent: this });
        this.id = resource.id;
        this.dataPlaneUri = resource.dataPlaneURI;
        this.registerOutputs({ id: this.id });
    }
}
