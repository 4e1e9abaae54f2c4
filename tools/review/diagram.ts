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
        `${i.createMode === "Replica" ? "read replica" : "primary"} PostgreSQL ${i.version ?? ""}<br/>${i.sku?.name} · ${i.location}${i.highAvailability?.mode && i.highAvailability.mode !== "Disabled" ? ` · HA ${i.highAvailability.mode}` : ""}`,
    "azure-native:redisenterprise:RedisEnterprise": (i) => `Redis ${i.sku?.name}<br/>${i.location}`,
    "azure-native:cdn:Profile": (i) => `Front Door ${String(i.sku?.name ?? "").replace(/_/g, " ")}`,
    "azure-native:storage:StorageAccount": (i) => `static assets<br/>storage ${i.sku?.name}`,
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
    for (const r of resources) {
        const from = node.get(r.urn);
        if (r.type === "azure-native:monitor:DiagnosticSetting") {
            const workspace = r.dependencies.find((d) => byUrn.get(d)?.type === "azure-native:operationalinsights:Workspace");
            const source = r.dependencies.map((d) => node.get(d)).find((n) => n && n !== node.get(workspace ?? ""));
            if (source && workspace && node.get(workspace)) edges.add(`    ${source} -.->|logs| ${node.get(workspace)}`);
            continue;
        }
        if (!from) continue;
        for (const dep of r.dependencies) {
            const to = node.get(dep);
            if (!to || to === from) continue;
            // A server's pooler is where the app's connections go.
            const target = byUrn.get(dep)?.type === "azure-native:dbforpostgresql:Server" && poolers.has((byUrn.get(dep)!.inputs as Inputs).serverName) && !byUrn.get(r.urn)!.type.includes("dbforpostgresql") ? `${to}_pooler` : to;
            edges.add(`    ${from} --> ${target}`);
        }
    }
    lines.push(...[...edges].sort(), "```");
    return `${lines.join("\n")}\n`;
}
