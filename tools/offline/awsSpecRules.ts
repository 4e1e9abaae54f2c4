/**
 * The AWS half of the provider-side checks of the offline plan: what the AWS APIs (or the Terraform
 * AWS provider's validators that @pulumi/aws bridges) would refuse, from the dated table
 * tools/offline/specRules/aws.json (patterns, lengths and closed enums, one source per rule). The
 * mock monitor accepts any string, so without this an apostrophe in a security group's
 * description passes every test and fails the first `pulumi up` (EC2 InvalidParameterValue).
 */
import * as fs from "fs";
import * as path from "path";
import type { CapturedResource } from "./capture";
import { UNKNOWN } from "./capture";
import { lengthBreach, plain, type SpecViolation, valuesAt } from "./specRules";
import type { PlanSection } from "./types";
import { PROJECT_DIR } from "../paths";

export const AWS_SPEC_RULES_FILE = path.join(PROJECT_DIR, "tools/offline/specRules/aws.json");

export interface AwsRule {
    /** SDK input path: `a.b`, `list[]`, `map{}` (values), `map{keys}` (keys). */
    property: string;
    pattern?: string;
    /** The value must not match this (e.g. a security group name beginning with "sg-"). */
    notPattern?: string;
    minLength?: number;
    maxLength?: number;
    /** Lengths counted without whitespace (IAM's policy-size quotas). */
    whitespaceFree?: boolean;
    /** A closed set, compared exactly (AWS enums are case-sensitive); numbers for numeric enums. */
    enum?: (string | number)[];
    /** The provider fills the property when it is absent: checked as the name it would send. */
    autoname?: boolean;
    /** With `autoname`: the property whose value the provider extends by 26 characters instead. */
    prefixProperty?: string;
    source: string;
}

export interface AwsRulesTable {
    sources: Record<string, unknown>;
    /** Rules of every resource with a `tags` input. */
    tags: AwsRule[];
    types: Record<string, AwsRule[]>;
}

let cached: AwsRulesTable | undefined;

export function awsSpecRules(file = AWS_SPEC_RULES_FILE): AwsRulesTable {
    if (cached && file === AWS_SPEC_RULES_FILE) return cached;
    const table = JSON.parse(fs.readFileSync(file, "utf8")) as AwsRulesTable;
    if (file === AWS_SPEC_RULES_FILE) cached = table;
    return table;
}

/** pulumi-aws autonaming: the logical name, "-" and 7 random hex digits. */
const AUTONAME_SUFFIX = "-0a1b2c3";
/** terraform-plugin-sdk id.PrefixedUniqueId: a timestamp and a counter, 26 digits. */
const PREFIX_SUFFIX = "20261207000000000000000001";

/** The values a rule checks: what the resource sends at the path, or the name the provider generates. */
function checkedValues(resource: CapturedResource, rule: AwsRule): { value: unknown; shown: string }[] {
    const inputs = resource.wireInputs;
    const sent = valuesAt(inputs, rule.property.split("."));
    if (sent.length > 0 || !rule.autoname || inputs[rule.property] === UNKNOWN) return sent.map((value) => ({ value, shown: JSON.stringify(value) }));
    const prefix = rule.prefixProperty ? plain(inputs[rule.prefixProperty]) : undefined;
    if (prefix === undefined && rule.prefixProperty && inputs[rule.prefixProperty] === UNKNOWN) return [];
    const value = typeof prefix === "string" ? `${prefix}${PREFIX_SUFFIX}` : `${resource.name}${AUTONAME_SUFFIX}`;
    const how = typeof prefix === "string" ? `${rule.prefixProperty} ${JSON.stringify(prefix)} + 26 characters` : `"${resource.name}" + "-" and 7 random hex digits`;
    return [{ value, shown: `${how} (provider autoname, e.g. ${JSON.stringify(value)})` }];
}

/** What a value breaks of one rule, if anything. */
export function ruleBreach(value: unknown, rule: AwsRule): string | undefined {
    if (rule.enum) {
        return rule.enum.includes(value as string | number) ? undefined : `one of ${rule.enum.map((v) => JSON.stringify(v)).join(", ")}`;
    }
    if (typeof value !== "string") return undefined;
    const counted = rule.whitespaceFree ? value.replace(/\s/g, "") : value;
    const length = lengthBreach(counted, rule);
    if (length) return `${length}${rule.whitespaceFree ? " without whitespace" : ""}`;
    if (rule.pattern && !new RegExp(rule.pattern, "u").test(value)) return `pattern ${rule.pattern}`;
    if (rule.notPattern && new RegExp(rule.notPattern, "u").test(value)) return `no match of ${rule.notPattern}`;
    return undefined;
}

/** Every breach of the table by the captured aws resources; types without an entry are listed apart. */
export function awsSpecViolations(resources: CapturedResource[], table = awsSpecRules()): { violations: SpecViolation[]; uncoveredTypes: string[] } {
    const violations: SpecViolation[] = [];
    const uncovered = new Set<string>();
    for (const resource of resources) {
        if (!resource.custom || !resource.type.startsWith("aws:")) continue;
        const own = table.types[resource.type];
        if (!own) uncovered.add(resource.type);
        const rules = [...(own ?? []), ...(resource.wireInputs.tags !== undefined ? table.tags : [])];
        for (const rule of rules) {
            for (const { value, shown } of checkedValues(resource, rule)) {
                const breach = ruleBreach(value, rule);
                if (breach) violations.push({ urn: resource.urn, type: resource.type, property: rule.property, value: shown, rule: `${breach} (${rule.source})` });
            }
        }
    }
    return { violations, uncoveredTypes: [...uncovered].sort() };
}

export function formatAwsSpecViolation(v: SpecViolation): string {
    return `${v.urn}: ${v.property} ${v.value} breaks the AWS API rules: expected ${v.rule}`;
}

/**
 * Plan section `awsSpecRules`: fails the plan (exit 1, as the provider or the API would fail the
 * deploy) on any breach, naming the resource, the property, the value and the rule with its source.
 */
export const awsSpecRulesSection: PlanSection = ({ document, run }) => {
    const table = awsSpecRules();
    const { violations, uncoveredTypes } = awsSpecViolations(run.resources, table);
    document.awsSpecRules = { sources: table.sources, types: Object.keys(table.types).length, uncoveredTypes, violations };
    if (violations.length === 0) return 0;
    // Printed even with --quiet: the plan fails because of these.
    console.error(`The AWS APIs refuse ${violations.length} value${violations.length === 1 ? "" : "s"} (tools/offline/specRules/aws.json):`);
    for (const v of violations) console.error(`  - ${formatAwsSpecViolation(v)}`);
    return 1;
};
