/**
 * A Mermaid flowchart of what a plan deploys, on every platform (Container Apps, AKS, EKS): one
 * subgraph per tier (the stack's components) with the resources a reader looks for, and the data
 * path drawn explicitly — users → edge → web entry → web → api → PgBouncer → PostgreSQL primary
 * and replicas, the cache and real-time service beside it — from what the plan configures (ingress,
 * routes, the services' environment, the pooler's [databases], the replicas' sources), not from
 * creation-order dependencies. Replication is drawn from each replica's own source. Given a diff's
 * changes, the nodes they touch are marked (+ created, ~ updated, +- replaced) and deletions listed.
 */
import { APP_RESOURCE_NAMES, connectionStringEnv, type AppRole } from "../../components/appContract";
import { awsRegionOf } from "./meters.aws";

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

type Role = "edge" | "entry" | "service" | "pooler" | "primary" | "replica" | "cache" | "static" | "blobs" | "realtime" | "cluster" | "nodes" | "platform" | "logs" | "metrics";

interface Node {
    id: string;
    role: Role;
    label: string;
    tier: string;
    /** The plan resources the node stands for (a change to any of them marks it). */
    urns: string[];
    /** service: its name (the app's service name: `api`, `web`); pooler: the server it fronts (built-in). */
    key?: string;
    shape?: "database" | "rounded";
}

export interface DiagramOptions {
    /** The changes of a diff: the nodes they touch are marked. */
    changes?: { urn: string; op: string; name: string; type: string }[];
}

const safe = (text: string) => text.replace(/[^A-Za-z0-9_]/g, "_");
const nodeId = (r: Resource) => safe(`${r.type.split(":").pop()}_${r.name}`);
const quote = (text: string) => `"${text.replace(/"/g, "'")}"`;
const replicaRange = (min: unknown, max: unknown) => (min === max ? `${min ?? "?"} replicas` : `${min ?? "?"}–${max ?? "?"} replicas`);

/**
 * Whether a variable is a service-discovery address of the service `key`: by its own name, or by the
 * Aspire resource name the app knows it by (`services__apiservice__https__0` for the api; components/appContract.ts).
 */
const discovers = (variable: string, key: string | undefined) => key !== undefined
    && [key, APP_RESOURCE_NAMES[key as AppRole]].some((name) => name !== undefined && variable.startsWith(`services__${name}__`));

/** The app service a Deployment or Container App runs (`bookstore-api` → `api`). */
const serviceName = (name: string, prefixes: string[]) => prefixes.reduce((n, p) => (n.startsWith(`${p}-`) ? n.slice(p.length + 1) : n), name);

/** A container's environment variable names and plain values. */
function environment(container: Inputs | undefined): Map<string, string> {
    return new Map((container?.env ?? []).map((e: Inputs) => [String(e.name), typeof e.value === "string" ? e.value : ""]));
}

function deploymentContainer(inputs: Inputs): Inputs | undefined {
    return inputs.spec?.template?.spec?.containers?.[0];
}

/** The outermost component below the stack that holds `r` (its tier), by name. */
function tierResolver(resources: Resource[]): (r: Resource) => string {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    return (r) => {
        let current: Resource | undefined = r;
        while (current?.parent && current.parent !== stack?.urn) current = byUrn.get(current.parent);
        return current && current !== r && current.provider === null ? current.name : "stack";
    };
}

/** The nodes of a plan, by role. */
function nodesOf(resources: Resource[]): Node[] {
    const tierOf = tierResolver(resources);
    const nodes: Node[] = [];
    const add = (r: Resource, role: Role, label: string, extra: Partial<Node> = {}) => nodes.push({ id: nodeId(r), role, label, tier: tierOf(r), urns: [r.urn], ...extra });
    const prefixes = [...new Set(resources.flatMap((r) => ((r.inputs as Inputs)?.containerAppName ? [String((r.inputs as Inputs).containerAppName).split("-")[0]] : [])))];
    const hpaOf = (name: string) => (resources.find((h) => h.type.startsWith("kubernetes:autoscaling/") && (h.inputs as Inputs)?.spec?.scaleTargetRef?.name === name)?.inputs as Inputs | undefined)?.spec;
    const cloudflare = resources.filter((r) => r.type.startsWith("cloudflare:"));
    if (cloudflare.length > 0) nodes.push({ id: "cloudflare_edge", role: "edge", label: "Cloudflare<br/>DNS, TLS, cache rules", tier: tierOf(cloudflare[0]), urns: cloudflare.map((r) => r.urn) });
    for (const r of resources) {
        const i = (r.inputs ?? {}) as Inputs;
        switch (r.type) {
            case "azure-native:cdn:Profile":
                // The SKU name is one word (Standard_AzureFrontDoor): never split it.
                add(r, "edge", `Front Door<br/>${i.sku?.name ?? "?"}`);
                break;
            case "aws:cloudfront/distribution:Distribution":
                add(r, "edge", `CloudFront<br/>${i.priceClass ?? ""}`.replace(/<br\/>$/, ""));
                break;
            case "azure-native:servicenetworking:TrafficControllerInterface":
                add(r, "entry", `web entry<br/>Application Gateway for Containers · ${i.location}`);
                break;
            case "kubernetes:networking.k8s.io/v1:Ingress":
                if (i.spec?.ingressClassName === "alb") add(r, "entry", `web entry<br/>ALB (${i.metadata?.annotations?.["alb.ingress.kubernetes.io/scheme"] ?? "internet-facing"})`, { key: i.spec?.rules?.[0]?.http?.paths?.[0]?.backend?.service?.name });
                break;
            case "azure-native:app:ContainerApp": {
                const name = String(i.containerAppName ?? r.name);
                const scale = i.template?.scale ?? {};
                if (i.configuration?.ingress?.external === true) nodes.push({ id: `${nodeId(r)}_entry`, role: "entry", label: "web entry<br/>Container Apps ingress (external)", tier: tierOf(r), urns: [], key: serviceName(name, prefixes) });
                add(r, "service", `${name}<br/>${replicaRange(scale.minReplicas, scale.maxReplicas)} · ${i.template?.containers?.[0]?.resources?.cpu ?? "?"} vCPU`, { key: serviceName(name, prefixes) });
                break;
            }
            case "kubernetes:apps/v1:Deployment": {
                const name = String(i.metadata?.name ?? r.name);
                const hpa = hpaOf(name);
                const replicas = hpa ? replicaRange(hpa.minReplicas, hpa.maxReplicas) : `${i.spec?.replicas ?? "?"} replicas`;
                if (/pgbouncer/.test(name)) add(r, "pooler", `PgBouncer<br/>${replicas} · port 6432`);
                else if (environment(deploymentContainer(i)).has("ASPNETCORE_HTTP_PORTS")) add(r, "service", `${name}<br/>${replicas}`, { key: name });
                break;
            }
            case "azure-native:dbforpostgresql:Server": {
                const ha = i.highAvailability?.mode && i.highAvailability.mode !== "Disabled" ? ` · HA ${i.highAvailability.mode}` : "";
                const replica = i.createMode === "Replica";
                add(r, replica ? "replica" : "primary", `${replica ? "read replica" : `primary PostgreSQL ${i.version ?? ""}`}<br/>${i.sku?.name} · ${i.location}${ha}`, { key: i.serverName, shape: "database" });
                break;
            }
            case "aws:rds/instance:Instance": {
                const replica = Boolean(i.replicateSourceDb);
                const region = awsRegionOf(r, resources);
                add(r, replica ? "replica" : "primary", `${replica ? "read replica" : `primary PostgreSQL ${i.engineVersion ?? ""}`}<br/>${i.instanceClass} · ${region}${i.multiAz ? " · Multi-AZ" : ""}`, { key: i.identifier, shape: "database" });
                break;
            }
            case "azure-native:redisenterprise:RedisEnterprise":
                add(r, "cache", `Managed Redis<br/>${i.sku?.name} · ${i.location}${i.highAvailability === "Disabled" ? "" : " · HA"}`, { shape: "database" });
                break;
            case "aws:elasticache/replicationGroup:ReplicationGroup": {
                const shards = i.numNodeGroups ? `${i.numNodeGroups} shards × ${1 + Number(i.replicasPerNodeGroup ?? 0)}` : `${i.numCacheClusters ?? 1} nodes`;
                add(r, "cache", `${i.engine === "valkey" ? "Valkey" : "Redis"} ${i.engineVersion ?? ""}<br/>${i.nodeType} · ${shards}`, { shape: "database" });
                break;
            }
            // The app's own blob account (book covers) is private and reached by the api; the static one is the CDN's origin.
            case "azure-native:storage:StorageAccount":
                if (i.allowBlobPublicAccess === false && i.allowSharedKeyAccess === false) add(r, "blobs", `app blobs<br/>storage ${i.sku?.name}`);
                else add(r, "static", `static assets<br/>storage ${i.sku?.name}`);
                break;
            case "aws:s3/bucket:Bucket":
                if (/-blobs-$/.test(String(i.bucketPrefix ?? ""))) add(r, "blobs", "app blobs<br/>S3 bucket");
                else add(r, "static", "static assets<br/>S3 bucket");
                break;
            case "azure-native:signalrservice:SignalR":
                add(r, "realtime", `SignalR<br/>${i.sku?.name} × ${i.sku?.capacity ?? 1} · ${i.location}`);
                break;
            case "azure-native:containerservice:ManagedCluster":
                add(r, "cluster", `AKS ${i.kubernetesVersion ?? ""}<br/>${i.location} · ${i.sku?.tier ?? ""} tier`);
                for (const pool of i.agentPoolProfiles ?? []) nodes.push({ id: `${nodeId(r)}_${safe(String(pool.name))}`, role: "nodes", label: `node pool ${pool.name}<br/>${pool.vmSize} × ${pool.minCount ?? pool.count}–${pool.maxCount ?? pool.count}`, tier: tierOf(r), urns: [] });
                break;
            case "azure-native:containerservice:AgentPool":
                add(r, "nodes", `node pool ${i.agentPoolName}<br/>${i.vmSize} × ${i.minCount ?? i.count}–${i.maxCount ?? i.count}${i.scaleSetPriority === "Spot" ? " · Spot" : ""}`);
                break;
            case "aws:eks/cluster:Cluster":
                add(r, "cluster", `EKS ${i.version ?? ""}<br/>${awsRegionOf(r, resources)}`);
                break;
            case "aws:eks/nodeGroup:NodeGroup":
                add(r, "nodes", `node group ${r.name}<br/>${(i.instanceTypes ?? []).join(", ")} × ${i.scalingConfig?.minSize}–${i.scalingConfig?.maxSize}${i.capacityType === "SPOT" ? " · Spot" : ""}`);
                break;
            case "azure-native:containerregistry:Registry":
                add(r, "platform", `registry<br/>${i.sku?.name}`);
                break;
            case "azure-native:keyvault:Vault":
                add(r, "platform", "Key Vault");
                break;
            case "azure-native:operationalinsights:Workspace":
                add(r, "logs", `Log Analytics<br/>${i.retentionInDays ?? "?"} days`);
                break;
            case "azure-native:applicationinsights:Component":
                add(r, "metrics", "Application Insights");
                break;
            case "azure-native:monitor:AzureMonitorWorkspace":
            case "aws:amp/workspace:Workspace":
                add(r, "metrics", "managed Prometheus");
                break;
        }
    }
    // A built-in PgBouncer (pgbouncer.enabled on the server) is a pooler in front of that server.
    for (const r of resources) {
        const i = r.inputs as Inputs;
        if (r.type !== "azure-native:dbforpostgresql:Configuration" || i?.configurationName !== "pgbouncer.enabled" || i.value !== "true") continue;
        const server = nodes.find((n) => (n.role === "primary" || n.role === "replica") && n.key === i.serverName);
        if (server) nodes.push({ id: `${server.id}_pooler`, role: "pooler", label: "PgBouncer (built-in)<br/>port 6432", tier: server.tier, urns: [], key: server.key });
    }
    return nodes;
}

interface Edge {
    from: string;
    to: string;
    label?: string;
    dotted?: boolean;
}

/** The data path and the platform edges between the nodes. */
function edgesOf(nodes: Node[], resources: Resource[]): Edge[] {
    const edges: Edge[] = [];
    const of = (role: Role) => nodes.filter((n) => n.role === role);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const servers = [...of("primary"), ...of("replica")];
    const services = of("service");
    const entries = of("entry");
    const edge = of("edge");
    // The web entry routes to the service its route names (ACA: the external app; AGC: the HTTPRoute's backend).
    const routes = resources.filter((r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute").map((r) => (r.inputs as Inputs)?.spec?.rules?.[0]?.backendRefs?.[0]?.name);
    const routed = (entry: Node) => services.find((s) => s.key === (entry.key ?? routes[0]));
    // What the edge fronts, from its origins (Front Door origins, CloudFront origins, Cloudflare records):
    // a storage or S3 host is the static assets, any other host the web entry.
    const originHosts = (e: Node): string[] => {
        const r = byUrn.get(e.urns[0]);
        if (r?.type === "aws:cloudfront/distribution:Distribution") return ((r.inputs as Inputs)?.origins ?? []).map((o: Inputs) => String(o.domainName));
        if (r?.type === "azure-native:cdn:Profile") return resources.filter((x) => x.type === "azure-native:cdn:AFDOrigin").map((x) => String((x.inputs as Inputs)?.hostName));
        return e.urns.map((u) => byUrn.get(u)?.inputs as Inputs).filter((i) => i?.type === "CNAME" || i?.type === "A" || i?.type === "AAAA").map((i) => String(i.content));
    };
    const isStatic = (host: string) => /\.(blob|web)\.core\.windows\.net$|\.s3[.-]/.test(host);
    const frontsEntry = edge.some((e) => originHosts(e).some((h) => !isStatic(h)));
    for (const e of edge) edges.push({ from: "users", to: e.id, label: "HTTPS" });
    if (!frontsEntry) for (const entry of entries) edges.push({ from: "users", to: entry.id, label: "HTTPS" });
    for (const e of edge) {
        const hosts = originHosts(e);
        if (hosts.some((h) => !isStatic(h))) for (const entry of entries) edges.push({ from: e.id, to: entry.id, label: "pages, API" });
        if (hosts.some(isStatic)) for (const st of of("static")) edges.push({ from: e.id, to: st.id, label: "static files" });
    }
    for (const entry of entries) {
        const target = routed(entry);
        if (target) edges.push({ from: entry.id, to: target.id });
    }
    // Service discovery (services__<name>__http__0): drawn in the request's direction, from the public service.
    const publicServices = new Set(entries.map(routed).filter(Boolean).map((s) => s!.id));
    const env = (n: Node) => {
        const r = byUrn.get(n.urns[0]);
        const i = (r?.inputs ?? {}) as Inputs;
        return environment(r?.type === "azure-native:app:ContainerApp" ? i.template?.containers?.[0] : deploymentContainer(i));
    };
    for (const from of services) {
        const vars = env(from);
        for (const to of services) {
            if (to === from || ![...vars.keys()].some((k) => discovers(k, to.key))) continue;
            const mutual = [...env(to).keys()].some((k) => discovers(k, from.key));
            if (!mutual || publicServices.has(from.id)) edges.push({ from: from.id, to: to.id, label: "HTTP" });
        }
        const names = [...vars.keys()];
        const poolers = of("pooler");
        if (names.some((k) => k.startsWith(connectionStringEnv("database")))) {
            for (const p of poolers) edges.push({ from: from.id, to: p.id, label: "SQL" });
            if (poolers.length === 0) for (const s of servers) edges.push({ from: from.id, to: s.id, label: "SQL" });
        }
        if (names.includes(connectionStringEnv("cache")) || vars.get("SignalR__Backplane") === "Redis") for (const c of of("cache")) edges.push({ from: from.id, to: c.id, label: "cache" });
        if (names.includes(connectionStringEnv("blobs"))) for (const b of of("blobs")) edges.push({ from: from.id, to: b.id, label: "blobs" });
        if (names.some((k) => k.startsWith("Azure__SignalR__"))) for (const rt of of("realtime")) edges.push({ from: from.id, to: rt.id, label: "SignalR" });
    }
    // Each pooler to the servers it pools: a built-in one to its own server, a Deployment to its [databases] hosts.
    const ini = resources.map((r) => (r.inputs as Inputs)?.data?.["pgbouncer.ini"]).find((t) => typeof t === "string") as string | undefined;
    for (const pooler of of("pooler")) {
        if (pooler.key) {
            const server = servers.find((s) => s.key === pooler.key);
            if (server) edges.push({ from: pooler.id, to: server.id });
            continue;
        }
        // A host is a server's own name, or an Azure virtual endpoint: <name>.writer → its server, <name>.reader → its member.
        const virtual = resources.filter((r) => r.type === "azure-native:dbforpostgresql:VirtualEndpoint").map((r) => r.inputs as Inputs);
        const serverOfHost = (host: string): string | undefined => {
            const [first, role] = host.split(".");
            const endpoint = virtual.find((v) => v.virtualEndpointName === first);
            if (endpoint) return role === "reader" ? endpoint.members?.[0] : endpoint.serverName;
            return first;
        };
        const hosts = [...(ini ?? "").matchAll(/host=([^\s]+)/g)].map((m) => serverOfHost(m[1]));
        const pooled = servers.filter((s) => hosts.length === 0 || hosts.includes(s.key));
        for (const s of pooled) edges.push({ from: pooler.id, to: s.id });
    }
    // Replication, from each replica's own source (never replica to replica: that edge was only creation order).
    for (const replica of of("replica")) {
        const i = byUrn.get(replica.urns[0])?.inputs as Inputs;
        const source = String(i?.sourceServerResourceId ?? i?.replicateSourceDb ?? "").split(/[/:]/).pop();
        const primary = servers.find((s) => s.key === source) ?? of("primary")[0];
        if (primary) edges.push({ from: primary.id, to: replica.id, label: "async replication", dotted: true });
    }
    // Logs: one dotted edge per tier whose resources send diagnostic logs to the workspace.
    const workspace = of("logs")[0];
    if (workspace) {
        const tierOf = tierResolver(resources);
        const tiers = new Set<string>();
        for (const r of resources.filter((x) => x.type === "azure-native:monitor:DiagnosticSetting")) {
            const source = r.dependencies.map((d) => byUrn.get(d)).find((d) => d && d.type !== "azure-native:operationalinsights:Workspace" && nodes.some((n) => n.urns.includes(d.urn)));
            if (source && tierOf(source) !== workspace.tier) tiers.add(tierOf(source));
        }
        for (const tier of [...tiers].sort()) edges.push({ from: `tier_${safe(tier)}`, to: workspace.id, label: "logs", dotted: true });
    }
    return edges;
}

const SYMBOLS: Record<string, string> = { create: "+", update: "~", replace: "+-", delete: "-" };

export function mermaidDiagram(resources: Resource[], title?: string, options: DiagramOptions = {}): string {
    const nodes = nodesOf(resources);
    const edges = edgesOf(nodes, resources);
    // A change marks the node it belongs to: the node itself, a built-in pooler's server, else the resource's component.
    const marks = new Map<string, string>();
    const unplaced = new Map<string, string[]>();
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const tierOf = tierResolver(resources);
    const order = ["replace", "delete", "update", "create"];
    const mark = (id: string, op: string) => {
        const known = marks.get(id);
        if (!known || order.indexOf(op) < order.indexOf(known)) marks.set(id, op);
    };
    for (const change of (options.changes ?? []).filter((c) => c.op !== "delete")) {
        const node = nodes.find((n) => n.urns.includes(change.urn));
        const resource = byUrn.get(change.urn);
        const serverName = (resource?.inputs as Inputs | undefined)?.serverName;
        const server = serverName ? nodes.find((n) => n.key === serverName && (n.role === "primary" || n.role === "replica")) : undefined;
        if (node) mark(node.id, change.op);
        else if (server) mark(server.id, change.op === "replace" ? "replace" : "update");
        else {
            const tier = resource ? tierOf(resource) : "stack";
            unplaced.set(tier, [...(unplaced.get(tier) ?? []), `${SYMBOLS[change.op]} ${change.name}`]);
        }
    }
    const lines = ["```mermaid"];
    if (title) lines.push("---", `title: ${title}`, "---");
    lines.push("flowchart LR");
    if (edges.some((e) => e.from === "users")) lines.push(`    users(["users"])`);
    const tiers = [...new Set([...nodes.map((n) => n.tier), ...unplaced.keys()])].sort();
    for (const tier of tiers) {
        lines.push(`    subgraph tier_${safe(tier)}[${quote(tier)}]`);
        for (const n of nodes.filter((x) => x.tier === tier)) {
            const op = marks.get(n.id);
            const label = quote(`${op ? `${SYMBOLS[op]} ` : ""}${n.label}`);
            lines.push(`        ${n.id}${n.shape === "database" ? `[(${label})]` : `[${label}]`}`);
        }
        const other = unplaced.get(tier);
        if (other) lines.push(`        changed_${safe(tier)}[${quote(`also changed:<br/>${other.slice(0, 8).join("<br/>")}${other.length > 8 ? `<br/>… ${other.length - 8} more` : ""}`)}]`);
        lines.push("    end");
    }
    const arrow = (e: Edge) => (e.dotted ? (e.label ? `-. ${e.label} .->` : "-.->") : e.label ? `-->|${e.label}|` : "-->");
    for (const e of edges) lines.push(`    ${e.from} ${arrow(e)} ${e.to}`);
    const deleted = (options.changes ?? []).filter((c) => c.op === "delete");
    if (deleted.length > 0) lines.push(`    deleted[${quote(`- deleted:<br/>${deleted.slice(0, 8).map((c) => c.name).join("<br/>")}${deleted.length > 8 ? `<br/>… ${deleted.length - 8} more` : ""}`)}]`);
    if (marks.size > 0 || unplaced.size > 0 || deleted.length > 0) {
        lines.push("    classDef created stroke:#16a34a,stroke-width:3px", "    classDef updated stroke:#d97706,stroke-width:3px", "    classDef replaced stroke:#dc2626,stroke-width:4px,stroke-dasharray:6 3", "    classDef deleted stroke:#dc2626,stroke-width:3px,stroke-dasharray:2 2");
        const classOf: Record<string, string> = { create: "created", update: "updated", replace: "replaced", delete: "deleted" };
        for (const [id, op] of [...marks.entries()].sort()) lines.push(`    class ${id} ${classOf[op]}`);
        for (const tier of unplaced.keys()) lines.push(`    class changed_${safe(tier)} updated`);
        if (deleted.length > 0) lines.push("    class deleted deleted");
    }
    lines.push("```");
    return `${lines.join("\n")}\n`;
}
