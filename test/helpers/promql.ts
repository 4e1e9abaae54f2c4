/**
 * Every PromQL expression an offline plan carries, as Prometheus rule files promtool can check and
 * unit-test: the Amazon Managed Prometheus rules file (verbatim), the Azure managed Prometheus rule
 * groups (their `expression`/`for`), each KEDA Prometheus trigger's query and each Grafana panel's
 * query (as recording rules named after the object that holds them). Nothing is retyped: a test
 * evaluates what the plan would deploy.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import type { PlanDocument } from "../../tools/offline/types";

interface RuleFileRule { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string> }
export interface RuleGroup { name: string; rules: RuleFileRule[] }

/** "PT10M" → "10m" (the Azure rule schema's ISO 8601 durations, as Prometheus writes them). */
export function promDuration(iso: string): string {
    const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso);
    if (!match) throw new Error(`not an ISO 8601 duration of hours/minutes/seconds: ${iso}`);
    const [, h, m, s] = match;
    return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}` || "0s";
}

/** A recording-rule name from an object's name: `keda:api:http_requests_per_second`, `dashboard:request_rate_api:A`. */
export const recordName = (...parts: string[]) => parts.map((p) => p.toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "") || "_").join(":");

/** Alert rules keep their expression, `for` and severity; annotations are each cloud's and left out. */
const alertRule = (alert: string, expr: string, forDuration: string | undefined, severity: string) =>
    ({ alert, expr, ...(forDuration ? { for: forDuration } : {}), labels: { severity } });

/** Every rule group the plan carries, KEDA triggers and dashboard queries as recording rules. */
export function planRuleGroups(doc: PlanDocument): RuleGroup[] {
    const groups: RuleGroup[] = [];
    for (const r of doc.resources) {
        const inputs = r.inputs as Record<string, any>;
        if (r.type === "aws:amp/ruleGroupNamespace:RuleGroupNamespace") {
            for (const group of (parse(inputs.data) as { groups: { name: string; rules: Record<string, any>[] }[] }).groups) {
                groups.push({ name: `amp-${group.name}`, rules: group.rules.map((rule) => alertRule(rule.alert, rule.expr, rule.for, rule.labels?.severity ?? "")) });
            }
        }
        if (r.type === "azure-native:alertsmanagement:PrometheusRuleGroup") {
            groups.push({
                name: `azure-${inputs.ruleGroupName}`,
                rules: (inputs.rules as Record<string, any>[]).map((rule) => alertRule(rule.alert, rule.expression, rule.for && promDuration(rule.for), rule.severity === 1 ? "critical" : "warning")),
            });
        }
        if (r.type === "grafana:oss/dashboard:Dashboard") {
            const model = JSON.parse(inputs.configJson) as { uid: string; panels: { title: string; targets: { refId: string; expr?: string; datasource?: { type: string } }[] }[] };
            const rules = model.panels.flatMap((panel) => panel.targets.filter((t) => t.datasource?.type === "prometheus")
                .map((t) => ({ record: recordName("dashboard", panel.title, t.refId), expr: t.expr! })));
            groups.push({ name: `grafana-${model.uid}`, rules });
        }
        if (r.type === "kubernetes:keda.sh/v1alpha1:ScaledObject") {
            const triggers = (inputs.spec.triggers as Record<string, any>[]).filter((t) => t.type === "prometheus");
            groups.push({ name: `keda-${inputs.metadata.name}`, rules: triggers.map((t) => ({ record: recordName("keda", inputs.metadata.name, t.name), expr: t.metadata.query })) });
        }
    }
    return groups;
}

/** Whether promtool is on PATH; undefined when it is, else why not. */
export function promtoolMissing(): string | undefined {
    const probe = spawnSync("promtool", ["--version"], { encoding: "utf8" });
    return probe.error ? `promtool not found (${(probe.error as NodeJS.ErrnoException).code}); Debian's prometheus package has it` : undefined;
}

export interface PromtoolResult { status: number | null; output: string }

/** Runs promtool with a bounded wait. */
export function promtool(args: string[], cwd: string): PromtoolResult {
    const run = spawnSync("promtool", args, { cwd, encoding: "utf8", timeout: 120_000 });
    return { status: run.status, output: `${run.stdout ?? ""}${run.stderr ?? ""}${run.error ? String(run.error) : ""}` };
}

/** Writes the groups as one rules file in `dir`; returns its name. */
export function writeRuleFile(dir: string, name: string, groups: RuleGroup[]): string {
    const file = `${name}.rules.yml`;
    fs.writeFileSync(path.join(dir, file), stringify({ groups }));
    return file;
}
