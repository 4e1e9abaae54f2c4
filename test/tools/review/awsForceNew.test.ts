// The AWS forceNew table of `diff` (tools/review/awsForceNew.json) against the eks stacks' types and
// the inputs @pulumi/aws really has: a stateful type the table never read, or a path the SDK does not
// name, would make `diff` call a replacement an update.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import table from "../../../tools/review/awsForceNew.json";
import { isStateful, replaceReasons } from "../../../tools/review/replacement";
import { planned } from "../../helpers/plan";

const SDK = path.dirname(require.resolve("@pulumi/aws/package.json"));
const INPUTS = fs.readFileSync(path.join(SDK, "types", "input.d.ts"), "utf8");

/** The body of `interface <name> {` in `text`: up to the closing brace at the interface's own indentation. */
function interfaceBody(text: string, name: string): string | undefined {
    const start = new RegExp(`^( *)(export )?interface ${name} \\{\\n`, "m").exec(text);
    if (!start) return undefined;
    const end = text.indexOf(`\n${start[1]}}\n`, start.index);
    return text.slice(start.index, end === -1 ? undefined : end);
}

/** Whether `dotted` (a.b.c) is an input of the resource `type`, following nested input types through types/input.d.ts. */
function isSdkInput(type: string, dotted: string): boolean {
    const [, modulePath, cls] = type.split(":");
    const [module, file] = modulePath.split("/");
    let body = interfaceBody(fs.readFileSync(path.join(SDK, module, `${file}.d.ts`), "utf8"), `${cls}Args`);
    const namespace = INPUTS.slice(INPUTS.indexOf(`namespace ${module} {`));
    for (const segment of dotted.split(".")) {
        const property = body && new RegExp(`^\\s+${segment}\\??: pulumi\\.Input<(.*)>;$`, "m").exec(body);
        if (!property) return false;
        const nested = new RegExp(`inputs\\.${module}\\.(\\w+)`).exec(property[1]);
        body = nested ? interfaceBody(namespace, nested[1]) : undefined;
    }
    return true;
}

describe("review: the AWS forceNew table (tools/review/awsForceNew.json)", function () {
    this.timeout(300_000);
    const prodEks = planned("prod-eks");
    const devEks = planned("dev-eks");

    it("covers every stateful type the eks stacks create, and the types whose replacement a reviewer must see (2026-12 review M7)", () => {
        const types = new Set([...prodEks().resources, ...devEks().resources].map((r) => r.type).filter((t) => t.startsWith("aws:")));
        const needed = [...types].filter(isStateful);
        assert.ok(needed.length >= 4, `stateful AWS types found: ${needed.join(", ")}`);
        needed.push("aws:eks/nodeGroup:NodeGroup", "aws:eks/cluster:Cluster", "aws:ec2/securityGroup:SecurityGroup", "aws:rds/parameterGroup:ParameterGroup", "aws:amp/scraper:Scraper");
        const entries = table.types as Record<string, { file: string; commit?: string; note?: string; forceNew: string[] }>;
        const missing = needed.filter((t) => !entries[t]);
        assert.deepStrictEqual(missing, [], "read each type's schema in hashicorp/terraform-provider-aws and add it with its file and commit");
        for (const t of needed) {
            assert.match(entries[t].file, /^internal\/service\/[a-z0-9]+\/[a-z0-9_]+\.go$/, t);
            assert.ok(entries[t].commit ? /^[0-9a-f]{40}$/.test(entries[t].commit!) : Boolean(entries[t].note), `${t}: a commit, or a note saying which version was read`);
        }
    });

    it("names only inputs @pulumi/aws has (a misspelt or renamed path would never match a change)", () => {
        const unknown = Object.entries(table.types).flatMap(([type, entry]) => entry.forceNew.filter((p) => !isSdkInput(type, p)).map((p) => `${type} ${p}`));
        assert.deepStrictEqual(unknown, []);
        assert.ok(!isSdkInput("aws:rds/instance:Instance", "userName"), "the check itself refuses a path the SDK lacks");
        assert.ok(isSdkInput("aws:eks/cluster:Cluster", "accessConfig.bootstrapClusterCreatorAdminPermissions"), "and follows nested input types");
    });

    it("reports the replacements the review listed: RDS identity, ElastiCache placement, group descriptions; an instance class stays an update", () => {
        const rule = (type: string, ...paths: string[]) => replaceReasons(type, paths).map((r) => r.path);
        assert.deepStrictEqual(rule("aws:rds/instance:Instance", "identifier", "kmsKeyId", "dbName", "username", "availabilityZone", "timezone", "instanceClass", "maxAllocatedStorage"),
            ["identifier", "kmsKeyId", "dbName", "username", "availabilityZone", "timezone"]);
        assert.deepStrictEqual(rule("aws:elasticache/replicationGroup:ReplicationGroup", "replicationGroupId", "kmsKeyId", "subnetGroupName", "nodeType", "numNodeGroups"),
            ["replicationGroupId", "kmsKeyId", "subnetGroupName"]);
        assert.deepStrictEqual(rule("aws:ec2/securityGroup:SecurityGroup", "description", "tags.Name"), ["description"]);
        assert.deepStrictEqual(rule("aws:rds/parameterGroup:ParameterGroup", "description", "parameters[3].value"), ["description"]);
        assert.deepStrictEqual(rule("aws:amp/scraper:Scraper", "scrapeConfiguration", "source.eks.subnetIds[0]"), ["source.eks.subnetIds[0]"], "a scraper updates its configuration in place");
    });
});
