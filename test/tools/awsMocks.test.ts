import * as assert from "assert";
import { AWS_ACCOUNT_ID, awsNewResource } from "../../tools/offline/awsMocks";

const register = (type: string, name: string, inputs: Record<string, unknown>, provider?: string) =>
    awsNewResource({ type, name, inputs, provider, custom: true } as any)!;

describe("offline mocks: AWS", () => {
    it("answers in the region of the resource's provider", () => {
        register("pulumi:providers:aws", "aws-eu-west-1", { region: "eu-west-1" });
        const key = register("aws:kms/key:Key", "k", {}, "urn:pulumi:s::p::pulumi:providers:aws::aws-eu-west-1::id");
        assert.match(String(key.state.arn), new RegExp(`^arn:aws:kms:eu-west-1:${AWS_ACCOUNT_ID}:key/[0-9a-f-]{36}$`));
    });

    it("gives an RDS instance the DBI resource id as id and its identifier in the endpoint, as the provider does", () => {
        const db = register("aws:rds/instance:Instance", "primary", { identifier: "Bookstore-Prod-DB" });
        assert.match(db.id, /^db-[0-9A-Z]{26}$/);
        assert.strictEqual(db.state.identifier, "bookstore-prod-db");
        assert.match(String(db.state.address), /^bookstore-prod-db\.[a-z0-9]{12}\.us-east-1\.rds\.amazonaws\.com$/);
        assert.strictEqual(db.state.endpoint, `${db.state.address}:5432`);
    });

    it("lists a cluster-mode replication group's members and configuration endpoint", () => {
        const group = register("aws:elasticache/replicationGroup:ReplicationGroup", "cache", { replicationGroupId: "bookstore-prod-valkey", numNodeGroups: 3, replicasPerNodeGroup: 1, clusterMode: "enabled" });
        assert.strictEqual((group.state.memberClusters as string[]).length, 6);
        assert.match(String(group.state.configurationEndpointAddress), /^bookstore-prod-valkey\.[a-z0-9]{6}\.clustercfg\.use1\.cache\.amazonaws\.com$/);
    });

    it("leaves types it does not emulate to the generic answer", () => {
        assert.strictEqual(awsNewResource({ type: "aws:ec2/route:Route", name: "r", inputs: {}, custom: true } as any), undefined);
    });
});
