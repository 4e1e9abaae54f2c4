import * as assert from "assert";
import type { CapturedResource } from "../../tools/offline/capture";
import { UNKNOWN } from "../../tools/offline/capture";
import { awsSpecRules, awsSpecRulesSection, awsSpecViolations, formatAwsSpecViolation as formatSpecViolation } from "../../tools/offline/awsSpecRules";
import { planned, plannedRun } from "../helpers/plan";

function resource(type: string, name: string, inputs: Record<string, unknown>): CapturedResource {
    return {
        urn: `urn:pulumi:prod-eks::bookstore::${type}::${name}`, type, name, custom: true, dependencies: [],
        options: { protect: false, ignoreChanges: [], retainOnDelete: false, deleteBeforeReplace: false },
        wireInputs: inputs, wireState: inputs,
    };
}

const SG = "aws:ec2/securityGroup:SecurityGroup";
/** The us-west-2 database group as stacks/aws/foundation.ts registered it before the fix. */
const oldReplicaGroup = resource(SG, "bookstore-prod-us-west-2-database", {
    vpcId: "vpc-1", description: "RDS read replica: 5432 from the primary VPC's private subnets", revokeRulesOnDelete: true,
});
const violationsOf = (...resources: CapturedResource[]) => awsSpecViolations(resources).violations;

describe("AWS API string rules (tools/offline/specRules/aws.json)", function () {
    this.timeout(300000);
    const prodEks = plannedRun("prod-eks");
    const devEks = planned("dev-eks");

    it("refuses the apostrophe EC2 refuses in a security group's description, naming resource, property, value and source", () => {
        const violations = violationsOf(oldReplicaGroup);
        assert.strictEqual(violations.length, 1);
        const message = formatSpecViolation(violations[0]);
        assert.ok(message.startsWith(`${oldReplicaGroup.urn}: description "RDS read replica: 5432 from the primary VPC's private subnets"`), message);
        assert.match(message, /EC2 API Reference, CreateSecurityGroup GroupDescription/);
        assert.deepStrictEqual(violationsOf(resource(SG, "g", { description: "RDS read replica: 5432 from the primary VPC private subnets" })), []);
    });

    it("knows that a rule's description, unlike a group's, may not hold '&', and that a group's name may not begin with sg-", () => {
        const rule = (description: string) => resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "r", { description, ipProtocol: "tcp" });
        assert.strictEqual(violationsOf(rule("HTTP & HTTPS")).length, 1);
        assert.deepStrictEqual(violationsOf(resource(SG, "g", { description: "HTTP & HTTPS" })), []);
        assert.match(formatSpecViolation(violationsOf(resource(SG, "g", { name: "sg-web", description: "x" }))[0]), /no match of \^sg-/);
    });

    it("checks the name the provider generates when none is set: logical name + 7 hex digits, or a prefix + 26 characters", () => {
        const role = (name: string) => resource("aws:iam/role:Role", name, { assumeRolePolicy: "{}" });
        assert.deepStrictEqual(violationsOf(role("cluster-addons-load-balancer-controller-role")), []);
        const long = violationsOf(role("x".repeat(57)));
        assert.strictEqual(long.length, 1);
        assert.match(formatSpecViolation(long[0]), /provider autoname.*maxLength 64 \(got 65\)/);
        const group = (namePrefix: string) => resource("aws:rds/parameterGroup:ParameterGroup", "pg", { namePrefix, family: "postgres16" });
        assert.deepStrictEqual(violationsOf(group("bookstore-prod-postgres16-")), []);
        assert.strictEqual(violationsOf(group("Bookstore--prod-")).length, 1);
        assert.deepStrictEqual(violationsOf(resource("aws:iam/role:Role", "r", { name: UNKNOWN })), []);
    });

    it("refuses numbers outside a numeric enum (a log retention CloudWatch Logs does not offer)", () => {
        const group = (retentionInDays: number) => resource("aws:cloudwatch/logGroup:LogGroup", "g", { name: "/aws/eks/x/cluster", retentionInDays });
        assert.deepStrictEqual(violationsOf(group(90)), []);
        assert.match(formatSpecViolation(violationsOf(group(100))[0]), /retentionInDays 100 breaks the AWS API rules: expected one of 1, 3, 5/);
    });

    it("counts an IAM inline policy without whitespace against the 10,240-character quota, and checks tags on every type", () => {
        const policy = (size: number) => resource("aws:iam/rolePolicy:RolePolicy", "p", { role: "r", policy: `${"a".repeat(size)}${" ".repeat(500)}` });
        assert.deepStrictEqual(violationsOf(policy(10240)), []);
        assert.match(formatSpecViolation(violationsOf(policy(10241))[0]), /maxLength 10240 \(got 10241\) without whitespace/);
        assert.strictEqual(violationsOf(resource("aws:ec2/vpc:Vpc", "v", { tags: { "aws:owner": "me" } })).length, 1);
    });

    it("compiles every pattern as the Go and JavaScript engines both read it, and names a source for every rule", () => {
        const table = awsSpecRules();
        for (const [type, rules] of Object.entries({ ...table.types, tags: table.tags })) {
            for (const rule of rules) {
                assert.ok(rule.source.length > 10, `${type} ${rule.property}: no source`);
                for (const p of [rule.pattern, rule.notPattern]) if (p) assert.doesNotThrow(() => new RegExp(p, "u"), `${type} ${rule.property}`);
            }
        }
    });

    it("fails the plan section with exit 1 and records the violations", () => {
        const document: any = { project: "bookstore", stack: "prod-eks", resources: [], outputs: {} };
        const original = console.error;
        const errors: string[] = [];
        console.error = (line: string) => errors.push(line);
        try {
            assert.strictEqual(awsSpecRulesSection({ document, run: { resources: [oldReplicaGroup], outputs: {}, unansweredInvokes: [] }, options: { stack: "prod-eks" }, out: () => undefined }), 1);
        } finally {
            console.error = original;
        }
        assert.strictEqual(document.awsSpecRules.violations.length, 1);
        assert.match(errors.join("\n"), /bookstore-prod-us-west-2-database: description/);
    });

    it("covers every AWS type the shipped eks stacks register, and they break no rule", () => {
        const prod = prodEks();
        assert.strictEqual(prod.exitCode, 0, prod.stderr);
        for (const document of [prod.document!, devEks()]) {
            const section = document.awsSpecRules as { uncoveredTypes: string[]; violations: unknown[] };
            assert.deepStrictEqual([section.uncoveredTypes, section.violations], [[], []], document.stack);
        }
    });
});
