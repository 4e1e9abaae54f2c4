/**
 * Plan section `upstream`: the settings the program takes from upstream projects match what those
 * projects publish for the pinned version. Every Helm release's chart version must have been
 * compared with its project's sources (tools/offline/upstreamCharts.json), every values key the
 * program sets must exist in that version's values.yaml, a Cluster Autoscaler must be the cluster's
 * Kubernetes minor, and the Load Balancer Controller's IAM policy must be the one transcribed for
 * its chart version. A pin moved without the comparison fails the plan.
 */
import * as fs from "fs";
import * as path from "path";
import { LBC_IAM_POLICY } from "../../components/aws/lbcIamPolicy";
import type { CapturedResource } from "./capture";
import { UNKNOWN } from "./capture";
import { plain } from "./specRules";
import type { PlanSection } from "./types";
import { PROJECT_DIR } from "../paths";

export const UPSTREAM_CHARTS_FILE = path.join(PROJECT_DIR, "tools/offline/upstreamCharts.json");
const RELEASE = "kubernetes:helm.sh/v3:Release";

export interface ChartRecord {
    chart: string;
    version: string;
    appVersion?: string;
    source: string;
    read: string;
    values: string[];
    /** Keys of a pass-through map (`extraArgs.*`) that are the application's command-line flags. */
    flags?: { source: string; names: string[] };
}

export function upstreamCharts(file = UPSTREAM_CHARTS_FILE): ChartRecord[] {
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { charts: ChartRecord[] }).charts;
}

/** Dotted paths of every leaf of a values object (a list is a leaf: charts take lists whole). */
export function valueKeyPaths(values: unknown, prefix: string[] = []): string[][] {
    const node = plain(values);
    if (node === undefined || node === null || typeof node !== "object" || Array.isArray(node)) return prefix.length > 0 ? [prefix] : [];
    const entries = Object.entries(node as Record<string, unknown>);
    if (entries.length === 0) return prefix.length > 0 ? [prefix] : [];
    return entries.flatMap(([key, child]) => valueKeyPaths(child, [...prefix, key]));
}

/** Whether a recorded key (`a.b`, `a.*`) covers a set path: segment by segment, and everything below a recorded leaf. */
function covers(recorded: string, keyPath: string[]): boolean {
    const segments = recorded.split(".");
    return segments.length <= keyPath.length && segments.every((s, i) => s === "*" || s === keyPath[i]);
}

const minorOf = (version: string) => /^v?(\d+\.\d+)/.exec(version)?.[1];

/** Every way the plan's Helm releases depart from what their charts' projects publish. */
export function upstreamProblems(resources: CapturedResource[], charts = upstreamCharts()): string[] {
    const problems: string[] = [];
    const clusterVersions = resources.filter((r) => r.type === "aws:eks/cluster:Cluster").map((r) => plain(r.wireInputs.version)).filter((v): v is string => typeof v === "string");
    for (const release of resources.filter((r) => r.type === RELEASE)) {
        const chart = String(plain(release.wireInputs.chart));
        const version = String(plain(release.wireInputs.version));
        const what = `Release "${release.name}" (chart ${chart} ${version})`;
        const record = charts.find((c) => c.chart === chart && c.version === version);
        if (!record) {
            const known = charts.filter((c) => c.chart === chart).map((c) => c.version);
            problems.push(`${what}: this chart version was never compared with what its project publishes${known.length ? ` (compared: ${known.join(", ")})` : ""}; `
                + "read the chart's Chart.yaml and values.yaml at that version's tag and record the keys in tools/offline/upstreamCharts.json");
            continue;
        }
        if (release.wireInputs.values === UNKNOWN) problems.push(`${what}: its values are unknown during preview, so their keys cannot be checked`);
        for (const keyPath of valueKeyPaths(release.wireInputs.values)) {
            const key = keyPath.join(".");
            if (!record.values.some((v) => covers(v, keyPath))) {
                problems.push(`${what}: values key ${key} is not among the keys checked in the chart's values.yaml (${record.source})`);
            } else if (record.flags && keyPath.length === 2 && record.values.includes(`${keyPath[0]}.*`) && !record.flags.names.includes(keyPath[1])) {
                problems.push(`${what}: ${key} is not a flag checked in ${record.flags.source}`);
            }
        }
        if (chart === "cluster-autoscaler") {
            // kubernetes/autoscaler README: use the Cluster Autoscaler release meant for the control plane's minor.
            for (const clusterVersion of clusterVersions) {
                if (minorOf(record.appVersion ?? "") !== minorOf(clusterVersion)) {
                    problems.push(`${what}: runs Cluster Autoscaler ${record.appVersion} on a Kubernetes ${clusterVersion} cluster; pick the chart whose appVersion has the cluster's minor`);
                }
            }
        }
        if (chart === "aws-load-balancer-controller" && LBC_IAM_POLICY.source.chartVersion !== version) {
            problems.push(`${what}: the controller's IAM policy (components/aws/lbcIamPolicy.ts) is transcribed for chart ${LBC_IAM_POLICY.source.chartVersion} `
                + `(${LBC_IAM_POLICY.source.repository} ${LBC_IAM_POLICY.source.tag}); compare it with ${LBC_IAM_POLICY.source.path} at the new release's tag`);
        }
    }
    return problems;
}

export const upstreamSection: PlanSection = ({ document, run }) => {
    const problems = upstreamProblems(run.resources);
    const releases = run.resources.filter((r) => r.type === RELEASE);
    document.upstream = {
        releases: releases.map((r) => ({ urn: r.urn, chart: plain(r.wireInputs.chart), version: plain(r.wireInputs.version) })),
        problems,
    };
    if (problems.length === 0) return 0;
    // Printed even with --quiet: the plan fails because of these.
    console.error(`${problems.length} Helm setting${problems.length === 1 ? "" : "s"} not checked against what the chart's project publishes for the pinned version:`);
    for (const problem of problems) console.error(`  - ${problem}`);
    return 1;
};
