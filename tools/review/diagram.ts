/**
 * A Mermaid flowchart of what a plan contains: one subgraph per tier (the stack's components),
 * the notable resources in each (services with min–max replicas, pooler, primary and replicas with
 * regions, cache, edge, real-time, monitoring), and edges from the resources' dependencies.
 */
interface Resource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    provider: string | null;
    dependencies: string[];
    inputs: unknown;
}

type Inputs = Record<string, any>;

/** Labels of the notable types; every other resource is drawn only through its edges. */
const LABELS: Record<string, (i: Inputs, all: Resource[], r: Resource) => string> = {
    "azure-native:app:ContainerApp": (i) => `${i.containerAppName ?? "app"}<br/>${i.template?.scale?.minReplicas ?? "?"}–${i.template?.scale?.maxReplicas ?? "?"} replicas, ${i.template?.containers?.[0]?.resources?.cpu ?? "?"} vCPU`,
    "azure-native:app:ManagedEnvironment": (i) => `Container Apps environment<br/>${i.location}`,
    "azure-native:containerservice:ManagedCluster": (i) => `AKS ${i.kubernetesVersion ?? ""}<br/>${i.location}`,
    "kubernetes:apps/v1:Deployment": (i, all) => {
        const name = i.metadata?.name ?? "deployment";
        const hpa = all.find((r) => r.type.startsWith("kubernetes:autoscaling/") && (r.inputs as Inputs)?.spec?.scaleTargetRef?.name === name);
        const spec = (hpa?.inputs as Inputs | undefined)?.spec;
        return `${name}<br/>${spec ? `${spec.minReplicas}–${spec.maxReplicas}` : i.spec?.replicas ?? "?"} replicas`;
    },
    "azure-native:dbforpostgresql:Server": (i) =>
        `${i.createMode === "Replica" ? "read replica" : `primary PostgreSQL ${i.version ?? ""}`}<br/>${i.sku?.name} · ${i.location}${i.highAvailability?.mode && i.highAvailability.mode !== "Disabled" ? ` · HA ${i.highAvailability.mode}` : ""}`,
    "azure-native:redisenterprise:RedisEnterprise": (i) => `Redis ${i.sku?.name}<br/>${i.location}`,
    "azure-native:cdn:Profile": (i) => `Front Door ${String(i.sku?.name ?? "").replace(/_/g, " ")}`,
    "azure-native:storage:StorageAccount": (i) => `${i.allowBlobPublicAccess === false ? "app blobs" : "static assets"}<br/>storage ${i.sku?.name}`,
    "azure-native:signalrservice:SignalR": (i) => `SignalR ${i.sku?.name} × ${i.sku?.capacity ?? 1}<br/>${i.location}`,
    "azure-native:operationalinsights:Workspace": (i) => `Log Analytics<br/>${i.retentionInDays ?? "?"} days`,
    "azure-native:applicationinsights:Component": () => "Application Insights",
    "azure-native:monitor:ActionGroup": () => "alert action group",
    "azure-native:containerregistry:Registry": (i) => `registry ${i.sku?.name}`,
    "azure-native:keyvault:Vault": () => "Key Vault",
};

/** Non-notable types whose dependencies still draw edges, attributed to their tier's notable node. */
const WIRING = /:keyvault:Secret$|:cdn:(AFDOrigin|AFDOriginGroup|Route|AFDEndpoint)$|:redisenterprise:Database$|^kubernetes:core\/v1:(Service|ConfigMap)$/;

const nodeId = (r: Resource) => `${r.type.split(":").pop()}_${r.name}`.replace(/[^A-Za-z0-9_]/g, "_");
const quoteLabel = (text: string) => `"${text.replace(/"/g, "'")}"`;

/** The pooler: PgBouncer built into the server (pgbouncer.enabled) on which servers. */
function builtinPoolers(resources: Resource[]): Set<string> {
    const servers = new Set<string>();
    for (const r of resources) {
        const i = r.inputs as Inputs;
        if (r.type === "azure-native:dbforpostgresql:Configuration" && i?.configurationName === "pgbouncer.enabled" && i.value === "true") servers.add(i.serverName);
    }
    return servers;
}

export function mermaidDiagram(resources: Resource[], title?: string): string {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    const tierOf = (r: Resource): Resource | undefined => {
        let current: Resource | undefined = r;
        while (current && current.parent && current.parent !== stack?.urn) current = byUrn.get(current.parent);
        return current && current !== r && current.provider === null ? current : r.parent === stack?.urn && r.provider === null ? r : current;
    };
    const notable = resources.filter((r) => LABELS[r.type]);
    const node = new Map<string, string>();
    for (const r of notable) node.set(r.urn, nodeId(r));
    const tiers = new Map<string, Resource[]>();
    for (const r of notable) {
        const tier = tierOf(r)?.name ?? "stack";
        tiers.set(tier, [...(tiers.get(tier) ?? []), r]);
    }
    for (const r of resources.filter((x) => WIRING.test(x.type))) {
        const tier = tierOf(r)?.name ?? "stack";
        const anchor = tiers.get(tier)?.[0];
        if (anchor) node.set(r.urn, nodeId(anchor));
    }
    const poolers = builtinPoolers(resources);
    const lines = ["```mermaid", "flowchart LR"];
    if (title) lines.splice(1, 0, "---", `title: ${title}`, "---");
    for (const [tier, members] of [...tiers.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        lines.push(`    subgraph tier_${tier.replace(/[^A-Za-z0-9_]/g, "_")}[${quoteLabel(tier)}]`);
        for (const r of members) {
            const i = r.inputs as Inputs;
            lines.push(`        ${nodeId(r)}[${quoteLabel(LABELS[r.type](i, resources, r))}]`);
            if (r.type === "azure-native:dbforpostgresql:Server" && poolers.has(i.serverName)) {
                lines.push(`        ${nodeId(r)}_pooler[${quoteLabel("PgBouncer (built-in)<br/>port 6432")}]`);
                lines.push(`        ${nodeId(r)}_pooler --> ${nodeId(r)}`);
            }
        }
        const alerts = resources.filter((r) => r.type === "azure-native:monitor:MetricAlert" && tierOf(r)?.name === tier).length;
        if (alerts > 0) lines.push(`        metric_alerts_${tier.replace(/[^A-Za-z0-9_]/g, "_")}[${quoteLabel(`${alerts} metric alerts`)}]`);
        lines.push("    end");
    }
    const edges = new Set<string>();
    const serverOf = new Map(notable.map((r) => [nodeId(r), r]));
    // A dependency on a wiring resource (a connection-string secret, an origin) leads to what it wires to.
    const targets = (dep: string, seen = new Set<string>()): string[] => {
        const r = byUrn.get(dep);
        if (!r || seen.has(dep)) return [];
        seen.add(dep);
        if (LABELS[r.type]) return [nodeId(r)];
        if (!WIRING.test(r.type)) return [];
        // A secret written by a tier (a connection string) stands for that tier's resource it names.
        const own = ownerInTier(r);
        return [...(own ? [nodeId(own)] : []), ...r.dependencies.flatMap((d) => targets(d, seen))];
    };
    const commonSuffix = (a: string, b: string) => {
        let n = 0;
        while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
        return n;
    };
    const ownerInTier = (r: Resource): Resource | undefined => {
        const members = tiers.get(tierOf(r)?.name ?? "") ?? [];
        if (members.length === 0) return undefined;
        const best = [...members].sort((a, b) => commonSuffix(r.name, b.name) - commonSuffix(r.name, a.name))[0];
        return commonSuffix(r.name, best.name) >= 3 ? best : members[0];
    };
    for (const r of resources) {
        if (r.type === "azure-native:monitor:DiagnosticSetting") {
            const workspace = r.dependencies.find((d) => byUrn.get(d)?.type === "azure-native:operationalinsights:Workspace");
            const source = r.dependencies.map((d) => node.get(d)).find((n) => n && n !== node.get(workspace ?? ""));
            if (source && workspace && node.get(workspace)) edges.add(`    ${source} -.->|logs| ${node.get(workspace)}`);
            continue;
        }
        const from = node.get(r.urn);
        if (!from) continue;
        const fromIsServer = serverOf.get(from)?.type === "azure-native:dbforpostgresql:Server";
        for (const to of new Set(r.dependencies.flatMap((d) => targets(d)))) {
            if (to === from) continue;
            // The app's connections go through a server's pooler; replication goes to the server.
            const server = serverOf.get(to);
            const pooled = server?.type === "azure-native:dbforpostgresql:Server" && poolers.has((server.inputs as Inputs).serverName) && !fromIsServer;
            edges.add(`    ${from} --> ${pooled ? `${to}_pooler` : to}`);
        }
    }
    lines.push(...[...edges].sort(), "```");
    return `${lines.join("\n")}\n`;
}
