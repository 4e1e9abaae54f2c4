import * as assert from "assert";
import { Policies, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { policiesFor, wireStruct } from "../../tools/offline/analyzerInputs";
import { analyze } from "../policy/harness";

/** A stand-in for a provider SDK class: validateResourceOfType reads only its type token. */
const sdkClass = (type: string) => ({ __pulumiType: type, isInstance: () => false }) as never;
const REDIS = "azure-native:redis:Redis";
const CLUSTER = "azure-native:redisenterprise:RedisEnterprise";
const ACCOUNT = "azure-native:storage:StorageAccount";

const tlsOn = (type: string) => validateResourceOfType(sdkClass(type), (props: { minimumTlsVersion?: string }, _args, report) => {
    if (props.minimumTlsVersion !== "1.2") report(`${type} allows TLS below 1.2`);
});
const anyResource: ResourceValidationPolicy = {
    name: "any-resource", description: "runs on every resource", enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.props.forbidden) report("forbidden is set");
    },
};
const bothTypes: ResourceValidationPolicy = {
    name: "redis-tls", description: "TLS 1.2 on Redis of both kinds", enforcementLevel: "mandatory",
    validateResource: [tlsOn(REDIS), tlsOn(CLUSTER)],
};
const accountOnly: ResourceValidationPolicy = {
    name: "account-only", description: "storage accounts only", enforcementLevel: "mandatory",
    validateResource: tlsOn(ACCOUNT),
};
const POLICIES: Policies = [anyResource, bothTypes, accountOnly];

describe("policy section: what the analyzer is given for a resource", () => {
    it("sends the properties as they are: the Struct reads back the very wire-format object", () => {
        const inputs = { name: "cache", tags: { env: "prod" }, ports: [6380] };
        assert.strictEqual(wireStruct(inputs).toJavaScript(), inputs);
    });

    it("keeps, of an array of typed validations, only the one for the type (policy order kept)", () => {
        const kept = policiesFor(POLICIES, CLUSTER);
        assert.deepStrictEqual(kept.map((p) => p.name), ["any-resource", "redis-tls"]);
        const validations = (kept[1] as ResourceValidationPolicy).validateResource;
        assert.ok(Array.isArray(validations) && validations.length === 1);
        assert.strictEqual((validations[0] as { __pulumiType?: string }).__pulumiType, CLUSTER);
    });

    it("keeps every validation without a type token and drops a policy none of whose validations apply", () => {
        assert.deepStrictEqual(policiesFor(POLICIES, "random:index/randomPassword:RandomPassword").map((p) => p.name), ["any-resource"]);
        assert.deepStrictEqual(policiesFor(POLICIES, ACCOUNT).map((p) => p.name), ["any-resource", "account-only"]);
    });

    it("still reports what each kept validation finds, for the second type of an array too", async () => {
        const violations = await analyze([
            { type: REDIS, name: "cache", inputs: { minimumTlsVersion: "1.0" } },
            { type: CLUSTER, name: "cluster", inputs: { minimumTlsVersion: "1.1", forbidden: true } },
            { type: ACCOUNT, name: "assets", inputs: { minimumTlsVersion: "1.2" } },
        ], { policies: POLICIES });
        assert.deepStrictEqual(violations.map((v) => `${v.policy} ${v.urn.split("::").pop()}: ${v.message}`).sort(), [
            "any-resource cluster: forbidden is set",
            `redis-tls cache: ${REDIS} allows TLS below 1.2`,
            `redis-tls cluster: ${CLUSTER} allows TLS below 1.2`,
        ]);
    });
});
