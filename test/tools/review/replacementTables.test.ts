// The replacement tables of `diff` cover every cloud type a shipped stack deploys, each entry
// names what was read, and a type whose rules were not read is never reported as a safe update.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import awsTable from "../../../tools/review/awsForceNew.json";
import azureTable from "../../../tools/review/createOnly.azure.json";
import { diffPlans } from "../../../tools/review/diff";
import { renderDiff } from "../../../tools/review/render";
import { replaceReasons } from "../../../tools/review/replacement";
import { planned } from "../../helpers/plan";
import { PROJECT_DIR } from "../../helpers/planJobs";

const SHIPPED = fs.readdirSync(PROJECT_DIR).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => Boolean(s)).sort();
const AWS_SDK = path.dirname(require.resolve("@pulumi/aws/package.json"));

/** The input names of a @pulumi/aws resource (its `<Class>Args` interface). */
function awsArgs(type: string): Set<string> {
    const [, module, cls] = type.split(":");
    const source = fs.readFileSync(path.join(AWS_SDK, `${module}.d.ts`), "utf8");
    const body = new RegExp(`export interface ${cls}Args \\{([\\s\\S]*?)\\n\\}`).exec(source)?.[1] ?? "";
    return new Set([...body.matchAll(/\n\s+(?:readonly )?(\w+)\??:/g)].map((m) => m[1]));
}

describe("review: the replacement tables cover every deployed type", function () {
    this.timeout(300_000);
    const plans = SHIPPED.map((stack) => ({ stack, plan: planned(stack) }));

    it("every aws: and azure-native: type of every shipped stack has an entry", () => {
        const missing = new Set<string>();
        for (const { stack, plan } of plans) {
            for (const r of plan().resources) {
                if (r.type.startsWith("aws:") && !(r.type in awsTable.types)) missing.add(`${r.type} (${stack})`);
                if (r.type.startsWith("azure-native:") && !(r.type in azureTable.types)) missing.add(`${r.type} (${stack})`);
            }
        }
        assert.deepEqual([...missing].sort(), []);
    });

    it("every AWS entry names the provider file and the version read, and its paths are inputs of @pulumi/aws 7.48.0", () => {
        for (const [type, entry] of Object.entries(awsTable.types)) {
            assert.match(entry.file, /^internal\/service\/[a-z0-9]+\/[a-z0-9_]+\.go$/, type);
            if (type !== "aws:rds/cluster:Cluster") assert.match(String((entry as { commit?: string }).commit), /^[0-9a-f]{40}$|^index id \d+/, type);
            const args = awsArgs(type);
            for (const p of entry.forceNew) assert.ok(args.has(p.split(".")[0]), `${type}: ${p} is not an input of ${type}`);
        }
    });

    it("every Azure entry either lists its create-only paths with the spec file and commit read, or says it was not read", () => {
        for (const [type, entry] of Object.entries(azureTable.types) as [string, Record<string, unknown>][]) {
            if ("unread" in entry) {
                assert.ok(!("createOnly" in entry), `${type}: an unread entry must not list paths`);
                continue;
            }
            assert.ok(Array.isArray(entry.createOnly), type);
            assert.match(String(entry.commit), /^[0-9a-f]{40}$/, type);
            assert.match(String(entry.file), /^specification\//, type);
        }
    });

    it("predicts the AWS replacements the December review found reported as updates", () => {
        const reason = (type: string, p: string) => replaceReasons(type, [p]).map((r) => r.rule);
        for (const [type, p] of [
            ["aws:rds/instance:Instance", "kmsKeyId"], ["aws:rds/instance:Instance", "username"], ["aws:rds/instance:Instance", "dbName"],
            ["aws:elasticache/replicationGroup:ReplicationGroup", "replicationGroupId"], ["aws:elasticache/replicationGroup:ReplicationGroup", "subnetGroupName"],
            ["aws:rds/parameterGroup:ParameterGroup", "description"], ["aws:ec2/securityGroup:SecurityGroup", "description"],
            ["aws:amp/scraper:Scraper", "source.eks.subnetIds[0]"], ["aws:eks/cluster:Cluster", "bootstrapSelfManagedAddons"],
        ]) assert.deepEqual(reason(type, p), ["forceNew in the AWS provider"], `${type} ${p}`);
        // And what changes in place: an ElastiCache node type, an RDS class and engine version, an EKS version.
        assert.deepEqual(replaceReasons("aws:elasticache/replicationGroup:ReplicationGroup", ["nodeType"]), []);
        assert.deepEqual(replaceReasons("aws:rds/instance:Instance", ["instanceClass", "engineVersion", "backupRetentionPeriod", "multiAz"]), []);
        assert.deepEqual(replaceReasons("aws:eks/cluster:Cluster", ["version", "vpcConfig.subnetIds[0]"]), []);
    });

    it("an update of a type whose rules were not read is shown as unverified, not as a safe update", () => {
        const type = "azure-native:storage:BlobContainer";
        const container = (publicAccess: string) => ({ urn: `urn:pulumi:prod::bookstore::${type}::static`, type, name: "static", options: { protect: false }, inputs: { publicAccess } });
        const diff = diffPlans({ stack: "prod", resources: [container("None")] }, { stack: "prod", resources: [container("Blob")] });
        assert.deepEqual([diff.changes[0].op, diff.changes[0].unverified], ["update", true]);
        assert.match(renderDiff(diff).join("\n"), /create-only rules of this type were not read .* may be a replacement/);
    });
});
