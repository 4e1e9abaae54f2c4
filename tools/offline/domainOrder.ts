/**
 * DNS before a custom-domain binding: Azure adds a host name to a Container App only when its
 * `asuid.<host>` TXT record and a CNAME of the host pointing directly at the app exist (Learn,
 * custom-domains-certificates), and a proxied Cloudflare record hides the CNAME
 * (microsoft/azure-container-apps#525). So every host an app binds needs both records created
 * before the app, the CNAME DNS-only unless the host is bound already (the program then proxies it).
 */
import type { GraphResource, PlanGraph } from "./planGraph";

const CONTAINER_APP = "azure-native:app:ContainerApp";
const DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord";

export interface DomainFinding {
    urn: string;
    problem: string;
}

/**
 * Apps (by name) whose host names Azure already reports bound, as the offline cloud stands them in
 * (BOOKSTORE_OFFLINE_LIVE_APPS, tools/offline/mocks.ts): their CNAME may be proxied.
 */
function boundHosts(): Map<string, string[]> {
    const live = JSON.parse(process.env.BOOKSTORE_OFFLINE_LIVE_APPS ?? "{}") as Record<string, { customDomains?: string[] }>;
    return new Map(Object.entries(live).map(([name, app]) => [name, app.customDomains ?? []]));
}

export function domainOrder(graph: PlanGraph): DomainFinding[] {
    const findings: DomainFinding[] = [];
    const bound = boundHosts();
    const records = graph.ofType(DNS_RECORD);
    for (const app of graph.ofType(CONTAINER_APP)) {
        const upstream = graph.upstream(app.urn);
        const before = (r: GraphResource) => upstream.has(r.urn);
        for (const domain of (app.inputs.configuration?.ingress?.customDomains ?? []) as { name?: string }[]) {
            const host = String(domain.name ?? "").toLowerCase();
            const named = (name: string, type: string) => records.filter((r) => String(r.inputs.name).toLowerCase() === name && r.inputs.type === type);
            if (!named(`asuid.${host}`, "TXT").some(before)) {
                findings.push({ urn: app.urn, problem: `binds ${host} before its TXT record asuid.${host} exists` });
            }
            const cnames = named(host, "CNAME");
            if (!cnames.some(before)) {
                findings.push({ urn: app.urn, problem: `binds ${host} before a CNAME of it to the app's default host exists` });
            } else if (cnames.some((r) => r.inputs.proxied === true) && !(bound.get(String(app.inputs.containerAppName)) ?? []).includes(host)) {
                findings.push({ urn: app.urn, problem: `binds ${host} while its CNAME is proxied: Azure's check sees Cloudflare's addresses, not the CNAME (keep it DNS-only until bound)` });
            }
        }
    }
    return findings;
}
