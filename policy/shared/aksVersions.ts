/**
 * AKS Kubernetes minor versions and their standard-support window, as published in the "AKS
 * Kubernetes release calendar". Refresh this table (and its retrieval date) when AKS ships a minor.
 *
 * Source: https://learn.microsoft.com/azure/aks/supported-kubernetes-versions#aks-kubernetes-release-calendar
 * (MicrosoftDocs/azure-aks-docs, articles/aks/supported-kubernetes-versions.md), retrieved 2026-11-29;
 * the calendar gives months, and "the End of Life (EOL) date is the last day of the specified month".
 * AKS release 2026-10-25 (github.com/Azure/AKS/releases/tag/2026-10-25): 1.37 GA, 1.36 the default for new clusters.
 */
export const AKS_VERSION_TABLE_RETRIEVED = "2026-11-29";

export interface AksMinorSupport {
    /** Kubernetes minor, "1.36". */
    minor: string;
    /** First month AKS ships it as GA (YYYY-MM). */
    ga: string;
    /** Last day of standard (community) support (YYYY-MM-DD); platform support only afterwards. */
    endOfLife: string;
}

export const AKS_KUBERNETES_VERSIONS: readonly AksMinorSupport[] = [
    { minor: "1.32", ga: "2025-04", endOfLife: "2026-03-31" },
    { minor: "1.33", ga: "2025-06", endOfLife: "2026-07-31" },
    { minor: "1.34", ga: "2025-11", endOfLife: "2026-11-30" },
    { minor: "1.35", ga: "2026-03", endOfLife: "2027-03-31" },
    { minor: "1.36", ga: "2026-06", endOfLife: "2027-06-30" },
    { minor: "1.37", ga: "2026-10", endOfLife: "2027-10-31" },
];

/** Default outside prod: AKS's own default for new clusters since the 2026-10-25 release (prod must name one). */
export const DEFAULT_AKS_KUBERNETES_VERSION = "1.36";

/** Days before end of life from which a plan warns and the advisory policy reports. */
export const AKS_VERSION_WARNING_DAYS = 90;

export type AksVersionStatus =
    | { status: "supported"; minor: string; endOfLife: string; daysLeft: number }
    | { status: "ending"; minor: string; endOfLife: string; daysLeft: number }
    | { status: "end-of-life"; minor: string; endOfLife: string; daysLeft: number }
    | { status: "not-yet-ga"; minor: string; ga: string }
    | { status: "unknown"; minor: string };

const DAY_MS = 24 * 60 * 60 * 1000;

/** "1.36" or "1.36.5" → "1.36". */
export const minorOf = (version: string) => version.split(".").slice(0, 2).join(".");

/** Where `version` stands in AKS standard support on `today` (UTC dates). */
export function aksVersionStatus(version: string, today: Date = new Date(), warningDays = AKS_VERSION_WARNING_DAYS): AksVersionStatus {
    const minor = minorOf(version);
    const row = AKS_KUBERNETES_VERSIONS.find((r) => r.minor === minor);
    if (!row) return { status: "unknown", minor };
    const day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
    if (day < Date.parse(`${row.ga}-01T00:00:00Z`)) return { status: "not-yet-ga", minor, ga: row.ga };
    const daysLeft = Math.round((Date.parse(`${row.endOfLife}T00:00:00Z`) - day) / DAY_MS);
    const status = daysLeft < 0 ? "end-of-life" : daysLeft <= warningDays ? "ending" : "supported";
    return { status, minor, endOfLife: row.endOfLife, daysLeft };
}

/** One line for a plan warning or a policy message; undefined while the version is comfortably supported. */
export function aksVersionProblem(version: string, today: Date = new Date(), warningDays = AKS_VERSION_WARNING_DAYS): string | undefined {
    const s = aksVersionStatus(version, today, warningDays);
    const supported = AKS_KUBERNETES_VERSIONS.filter((r) => aksVersionStatus(r.minor, today).status === "supported").map((r) => r.minor);
    const choose = `choose one in standard support (${supported.join(", ") || "see the AKS release calendar"})`;
    switch (s.status) {
        case "supported": return undefined;
        case "ending": return `Kubernetes ${version} leaves AKS standard support on ${s.endOfLife} (in ${s.daysLeft} day${s.daysLeft === 1 ? "" : "s"}); upgrade: ${choose}`;
        case "end-of-life": return `Kubernetes ${version} left AKS standard support on ${s.endOfLife}; AKS no longer creates clusters on it: ${choose}`;
        case "not-yet-ga": return `Kubernetes ${version} is not generally available on AKS before ${s.ga}: ${choose}`;
        case "unknown": return `Kubernetes ${version} is not in the AKS support table of policy/shared/aksVersions.ts (retrieved ${AKS_VERSION_TABLE_RETRIEVED}): ${choose}, or refresh the table`;
    }
}
