/**
 * The app's contract (components/appContract.ts) read back from the plans of every shipped stack:
 * the probes, environment variables and data resources as the runtime would receive them, taken
 * from the planned resources themselves (Container Apps, Deployments, Secrets, Configurations), not
 * from the code that builds them; and the plan refusing a stack that misses an entry, naming it.
 */
import * as assert from "assert";
import { APP_CONTRACT, APP_RESOURCE_NAMES, connectionStringEnv, entriesOf } from "../../components/appContract";
import { inputs, plannedRun, resourcesOfType, stackVariant } from "../helpers/plan";
import type { PlanDocument } from "../../tools/offline/types";
import { maskedValue, npgsqlPairs, redisOptions } from "../../tools/offline/appContract";

const SHIPPED = ["prod", "prod-aks", "prod-eks", "dev", "dev-eks", "prod-cloudflare"];
const runs = Object.fromEntries(SHIPPED.map((stack) => [stack, plannedRun(stack)]));
const docOf = (stack: string): PlanDocument => {
    const run = runs[stack]();
    assert.strictEqual(run.exitCode, 0, `${stack}: ${run.stderr}`);
    return run.document!;
};

interface Workload {
    env: Map<string, { value?: string; secretRef?: string; secretKeyRef?: { name: string; key: string } }>;
    probes: Record<string, string>;
}

/** A service's container as planned: env by name and probe paths by kind. */
function workload(doc: PlanDocument, service: string): Workload {
    const app = resourcesOfType(doc, "azure-native:app:ContainerApp").find((r) => r.name === service);
    if (app) {
        const container = inputs(app).template.containers[0];
        return {
            env: new Map(container.env.map((e: any) => [e.name, e])),
            probes: Object.fromEntries(container.probes.map((p: any) => [p.type.toLowerCase(), p.httpGet.path])),
        };
    }
    const deployment = resourcesOfType(doc, "kubernetes:apps/v1:Deployment").find((r) => r.name === service)!;
    const container = inputs(deployment).spec.template.spec.containers[0];
    return {
        env: new Map(container.env.map((e: any) => [e.name, { value: e.value, secretKeyRef: e.valueFrom?.secretKeyRef }])),
        probes: { liveness: container.livenessProbe.httpGet.path, readiness: container.readinessProbe.httpGet.path, startup: container.startupProbe.httpGet.path },
    };
}

const isAzure = (doc: PlanDocument) => resourcesOfType(doc, "azure-native:resources:ResourceGroup").length > 0;
const isContainerApps = (doc: PlanDocument) => resourcesOfType(doc, "azure-native:app:ContainerApp").length > 0;

describe("app contract: every shipped stack wires every entry (read from the plans' resources)", () => {
    for (const stack of SHIPPED) {
        describe(stack, () => {
            it("plans with no contract violation, and every entry it checks cites its app file", () => {
                const doc = docOf(stack);
                const section = doc.appContract as { violations: unknown[]; source: { commit: string } };
                assert.deepStrictEqual(section.violations, []);
                assert.strictEqual(section.source.commit, "79aabad177f47a179f0eaa3ae08738ec51c591f1");
                for (const entry of APP_CONTRACT) assert.ok(entry.sources.length > 0 && entry.sources.every((s) => s.file.startsWith("src/")), entry.id);
            });

            it("probes liveness and startup on /alive and readiness on /health, on both services", () => {
                const doc = docOf(stack);
                for (const service of ["api", "web"]) {
                    assert.deepStrictEqual(workload(doc, service).probes, { liveness: "/alive", readiness: "/health", startup: "/alive" }, service);
                }
            });

            it("gives the api its three connection strings and each service its telemetry name", () => {
                const doc = docOf(stack);
                const api = workload(doc, "api");
                for (const name of ["ConnectionStrings__bookstore", "ConnectionStrings__cache", "ConnectionStrings__blobs"]) assert.ok(api.env.has(name), name);
                // Passwords only through secret references, never as a plain value.
                for (const name of ["ConnectionStrings__bookstore", "ConnectionStrings__cache"]) {
                    const e = api.env.get(name)!;
                    assert.ok(e.secretRef !== undefined || e.secretKeyRef !== undefined, `${name} must be a secret reference`);
                }
                assert.strictEqual(api.env.get("OTEL_SERVICE_NAME")?.value, APP_RESOURCE_NAMES.api);
                assert.strictEqual(workload(doc, "web").env.get("OTEL_SERVICE_NAME")?.value, APP_RESOURCE_NAMES.web);
            });

            it("gives the api its JWT signing key and the seeded admins' password from the secret store, each generated and kept there", () => {
                const doc = docOf(stack);
                const api = workload(doc, "api");
                for (const entry of entriesOf("secret")) {
                    const e = api.env.get(entry.env);
                    assert.ok(e, `${entry.env}: ${entry.without}`);
                    assert.ok(e.secretRef !== undefined || e.secretKeyRef !== undefined, `${entry.env} must be a secret reference`);
                }
                assert.strictEqual(resourcesOfType(doc, "random:index/randomPassword:RandomPassword").filter((r) => /app-secrets-/.test(r.name)).length, entriesOf("secret").length);
                const stored = isAzure(doc)
                    ? resourcesOfType(doc, "azure-native:keyvault:Secret").map((r) => inputs(r).secretName)
                    : resourcesOfType(doc, "aws:secretsmanager/secret:Secret").map((r) => inputs(r).namePrefix);
                for (const entry of entriesOf("secret")) {
                    assert.ok(stored.some((n: string) => (isAzure(doc) ? n === entry.env.toLowerCase().replace(/_/g, "-") : n.endsWith(`/${entry.id}-`))), `${entry.env} kept in the secret store`);
                }
            });

            it("keeps the api internal, so its notification stream crosses only the web-to-api hop (docs/running-bookstore.md, Server-Sent Events)", () => {
                const doc = docOf(stack);
                const app = resourcesOfType(doc, "azure-native:app:ContainerApp").find((r) => r.name === "api");
                if (app) {
                    assert.strictEqual(inputs(app).configuration.ingress.external, false);
                    return;
                }
                const service = resourcesOfType(doc, "kubernetes:core/v1:Service").find((r) => inputs(r).metadata.name === "api")!;
                assert.strictEqual(inputs(service).spec.type ?? "ClusterIP", "ClusterIP");
                const routes = [...resourcesOfType(doc, "kubernetes:networking.k8s.io/v1:Ingress"), ...resourcesOfType(doc, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")];
                assert.ok(routes.length > 0, "the web has a public route");
                for (const route of routes) assert.doesNotMatch(JSON.stringify(inputs(route).spec), /"name":"api"/, `${route.name} routes to the api`);
            });

            it("lets the web find the api as apiservice at the api's own address", () => {
                const doc = docOf(stack);
                const web = workload(doc, "web");
                if (isContainerApps(doc)) {
                    const apiName = inputs(resourcesOfType(doc, "azure-native:app:ContainerApp").find((r) => r.name === "api")!).containerAppName;
                    assert.match(String(web.env.get("services__apiservice__https__0")?.value), new RegExp(`^https://${apiName}\\.internal\\.[a-z0-9]+\\.[a-z0-9]+\\.azurecontainerapps\\.io$`));
                } else {
                    const apiService = resourcesOfType(doc, "kubernetes:core/v1:Service").map(inputs).find((s) => s.metadata.name === "api");
                    assert.ok(apiService, "no api Service");
                    assert.strictEqual(web.env.get("services__apiservice__http__0")?.value, "http://api");
                }
                assert.ok(!web.env.has("services__api__http__0"), "the old guess of the discovery key is gone");
            });

            it("sends OTLP where a collector listens: the environment's agent on Container Apps, the in-cluster collector on Kubernetes", () => {
                const doc = docOf(stack);
                if (isContainerApps(doc)) {
                    const environment = inputs(resourcesOfType(doc, "azure-native:app:ManagedEnvironment")[0]);
                    const insights = resourcesOfType(doc, "azure-native:applicationinsights:Component");
                    assert.strictEqual(insights.length, 1);
                    assert.match(environment.appInsightsConfiguration.connectionString, /^InstrumentationKey=[0-9a-f-]+;IngestionEndpoint=https:\/\//);
                    assert.deepStrictEqual(environment.openTelemetryConfiguration.tracesConfiguration.destinations, ["appInsights"]);
                    assert.deepStrictEqual(environment.openTelemetryConfiguration.logsConfiguration.destinations, ["appInsights"]);
                    // The agent injects the endpoint; a value of ours would override it.
                    assert.ok(!workload(doc, "api").env.has("OTEL_EXPORTER_OTLP_ENDPOINT"));
                    return;
                }
                for (const service of ["api", "web"]) {
                    const env = workload(doc, service).env;
                    assert.strictEqual(env.get("OTEL_EXPORTER_OTLP_ENDPOINT")?.value, "http://otel-collector.bookstore.svc.cluster.local:4317", service);
                    assert.strictEqual(env.get("OTEL_EXPORTER_OTLP_PROTOCOL")?.value, "grpc");
                    assert.strictEqual(env.get("OTEL_RESOURCE_ATTRIBUTES")?.value, "k8s.namespace.name=bookstore,k8s.pod.name=$(POD_NAME)");
                }
                if (isAzure(doc)) {
                    const service = resourcesOfType(doc, "kubernetes:core/v1:Service").map(inputs).find((s) => s.metadata.name === "otel-collector");
                    assert.ok(service?.spec.ports.some((p: any) => p.port === 4317), "the collector Service listens on 4317");
                    const config = resourcesOfType(doc, "kubernetes:core/v1:ConfigMap").map(inputs).find((c) => c.metadata.name === "otel-collector-config");
                    // Server spans → `requests`: the Azure Monitor exporter in the traces pipeline.
                    assert.match(config.data["config.yaml"], /traces:\n\s+receivers:\n\s+- otlp[\s\S]*exporters:\n\s+- azuremonitor/);
                } else {
                    const collector = resourcesOfType(doc, "kubernetes:opentelemetry.io/v1alpha1:OpenTelemetryCollector").map(inputs);
                    assert.deepStrictEqual(collector.map((c) => `${c.metadata.name}-collector`), ["otel-collector"]);
                    assert.match(collector[0].spec.config, /awsxray/);
                    const addons = resourcesOfType(doc, "aws:eks/addon:Addon").map((a) => inputs(a).addonName);
                    assert.ok(addons.includes("adot") && addons.includes("cert-manager"), addons.join(", "));
                }
            });

            it("lets the app create pg_trgm and unaccent", () => {
                const doc = docOf(stack);
                const extensions = entriesOf("postgres-extensions")[0].extensions;
                if (isAzure(doc)) {
                    const primary = resourcesOfType(doc, "azure-native:dbforpostgresql:Server").map(inputs).find((s) => !s.sourceServerResourceId);
                    const allowList = resourcesOfType(doc, "azure-native:dbforpostgresql:Configuration").map(inputs)
                        .filter((c) => c.configurationName === "azure.extensions" && c.serverName === primary.serverName);
                    assert.deepStrictEqual(allowList.map((c) => c.value), [[...extensions].sort().join(",")]);
                } else {
                    // RDS allows every supported extension unless rds.allowed_extensions narrows the list.
                    const parameters = resourcesOfType(doc, "aws:rds/parameterGroup:ParameterGroup").flatMap((g) => inputs(g).parameters ?? []);
                    assert.ok(!parameters.some((p: any) => p.name === "rds.allowed_extensions"));
                }
            });

            it("keeps the app's blobs private: the book-covers container on Azure, a private S3 bucket on AWS", () => {
                const doc = docOf(stack);
                const blobs = workload(doc, "api").env.get(connectionStringEnv("blobs"))!.value!;
                if (isAzure(doc)) {
                    const account = /^https:\/\/([a-z0-9]+)\.blob\.core\.windows\.net\/$/.exec(blobs)?.[1];
                    assert.ok(account, blobs);
                    const container = resourcesOfType(doc, "azure-native:storage:BlobContainer").find((c) => inputs(c).containerName === "book-covers")!;
                    assert.strictEqual(inputs(container).publicAccess, "None");
                    assert.strictEqual(container.options.protect, true);
                    const accountResource = resourcesOfType(doc, "azure-native:storage:StorageAccount").find((a) => a.name === "appblobs")!;
                    assert.deepStrictEqual([inputs(accountResource).allowBlobPublicAccess, inputs(accountResource).allowSharedKeyAccess], [false, false]);
                    assert.strictEqual(accountResource.options.protect, true);
                } else {
                    assert.match(blobs, /^https:\/\/[a-z0-9-]+\.s3\.[a-z0-9-]+\.amazonaws\.com\/$/);
                    const block = resourcesOfType(doc, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").find((b) => b.name === "app-blobs-bucket")!;
                    assert.deepStrictEqual([inputs(block).blockPublicAcls, inputs(block).restrictPublicBuckets], [true, true]);
                    const deviations = (doc.appContract as any).deviations.map((d: any) => d.entries.join(","));
                    assert.deepStrictEqual(deviations, ["blobs,blob-container"]);
                }
            });
        });
    }
});

describe("app contract: the plan refuses a stack that misses an entry, naming it", () => {
    const livenessOnHealth = plannedRun("prod", { stackFile: stackVariant("prod", (c) => { c["bookstore:app"].services.api.livenessPath = "/health"; }) });
    const readinessElsewhere = plannedRun("prod-aks", { stackFile: stackVariant("prod-aks", (c) => { c["bookstore:app"].services.web.healthPath = "/ready"; }) });

    it("liveness on /health (a database blip would restart every pod): exit 4, entry, service and app file named", () => {
        const run = livenessOnHealth();
        assert.strictEqual(run.exitCode, 4, run.stderr);
        assert.match(run.stderr, /The stack does not meet the app's contract \(aalmada\/BookStore@79aabad\)/);
        assert.match(run.stderr, /- liveness \[api\]: the liveness probe requests \/health, the app serves liveness on \/alive \(src\/BookStore\.ServiceDefaults\/Extensions\.cs:20, 127-133, 149-152\)/);
        assert.doesNotMatch(run.stderr, /\[web\]/, "only the service that misses it is named");
    });

    it("readiness on a path the app does not serve, on AKS too", () => {
        const run = readinessElsewhere();
        assert.strictEqual(run.exitCode, 4, run.stderr);
        assert.match(run.stderr, /- readiness \[web\]: the readiness probe requests \/ready, the app serves readiness on \/health/);
    });
});

describe("app contract: the forms the app's clients parse", () => {
    it("reads Npgsql pairs and StackExchange.Redis options as the clients split them", () => {
        assert.deepStrictEqual(npgsqlPairs("Host=h;Port=6432;Password=a=b;SSL Mode=Require"), { Host: "h", Port: "6432", Password: "a=b", "SSL Mode": "Require" });
        assert.deepStrictEqual(redisOptions("h:10000,password=k==,ssl=True,abortConnect=False"), {
            endpoints: ["h:10000"], options: { password: "k==", ssl: "True", abortconnect: "False" },
        });
    });

    it("masks only the password of a secret connection string, and a whole other secret", () => {
        assert.strictEqual(maskedValue({ value: "Host=h;Password=p;SSL Mode=Require", secret: true, from: "x" }), "Host=h;Password=[secret];SSL Mode=Require");
        assert.strictEqual(maskedValue({ value: "h:6379,ssl=true,password=t0k,abortConnect=false", secret: true, from: "x" }), "h:6379,ssl=true,password=[secret],abortConnect=false");
        assert.strictEqual(maskedValue({ value: "opaque", secret: true, from: "x" }), "[secret]");
        assert.strictEqual(maskedValue({ value: "plain", secret: false, from: "x" }), "plain");
    });
});
