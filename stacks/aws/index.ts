import * as pulumi from "@pulumi/pulumi";
import type { EksStackConfig } from "../config";
import { composeData } from "./data";
import { composeFoundation } from "./foundation";

/** Stack outputs of an AWS stack: what operators, `doctor` and the internal CLI read after `pulumi up`. */
export type AwsStackOutputs = Record<string, pulumi.Input<unknown>>;

/**
 * Composes the AWS platform (platform `eks`) from validated config, tier by tier: the foundation
 * (providers, VPCs, security groups, alarm topics), the data tier, the cluster and app, the edge
 * and observability.
 */
export function composeAwsStack(config: EksStackConfig): AwsStackOutputs {
    const base = composeFoundation(config);
    const { database, cache } = composeData(config, base);
    return {
        cloud: "aws",
        region: base.region,
        vpcId: base.network.vpcId,
        databaseHost: database.primary.address,
        databaseReplicaHosts: database.replicas.map((r) => ({ region: r.region, host: r.address })),
        databasePasswordSecretArn: database.passwordSecretArn,
        redisHost: cache.configurationEndpoint,
        redisPort: cache.port,
        alertTopicArn: base.alarms.arn,
    };
}
