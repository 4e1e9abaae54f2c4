import * as assert from "assert";
import { BuiltInRoles } from "../../../components/azure/roles";
import { signalRIdentityConnectionString } from "../../../components/azure/realtime";
import { inputs, oneOfType, planned, planOf, resourcesOfType, stackVariant } from "../../helpers/plan";

const SIGNALR = "azure-native:signalrservice:SignalR";

/** Environment variables of every Container App / Deployment container, by service. */
function appEnv(doc: ReturnType<typeof planOf>): Record<string, Record<string, string | undefined>> {
    const result: Record<string, Record<string, string | undefined>> = {};
    for (const app of resourcesOfType(doc, "azure-native:app:ContainerApp")) {
        result[app.name] = Object.fromEntries(inputs(app).template.containers[0].env.map((e: any) => [e.name, e.value]));
    }
    for (const deployment of resourcesOfType(doc, "kubernetes:apps/v1:Deployment")) {
        const container = inputs(deployment).spec.template.spec.containers[0];
        result[deployment.name] = Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value]));
    }
    return result;
}

describe("real-time: pure settings", () => {
    it("builds the identity-based connection string (no access key)", () => {
        assert.strictEqual(signalRIdentityConnectionString("x.service.signalr.net", "cid"),
            "Endpoint=https://x.service.signalr.net;AuthType=azure.msi;ClientId=cid;Version=1.0;");
    });
});

describe("real-time: Azure SignalR Service (plan of prod, Container Apps)", () => {
    const prod = () => planOf("prod");
    const signalr = () => inputs(oneOfType(prod(), SIGNALR));

    it("is Standard_S1 with the seed's 2 units and service mode Default", () => {
        const s = signalr();
        assert.deepStrictEqual(s.sku, { name: "Standard_S1", tier: "Standard", capacity: 2 });
        assert.strictEqual(s.kind, "SignalR");
        assert.deepStrictEqual(s.features.find((f: any) => f.flag === "ServiceMode"), { flag: "ServiceMode", value: "Default" });
    });

    it("logs connectivity and messaging", () => {
        const s = signalr();
        const flags = Object.fromEntries(s.features.map((f: any) => [f.flag, f.value]));
        assert.strictEqual(flags.EnableConnectivityLogs, "true");
        assert.strictEqual(flags.EnableMessagingLogs, "true");
        const categories = Object.fromEntries(s.resourceLogConfiguration.categories.map((c: any) => [c.name, c.enabled]));
        assert.deepStrictEqual(categories, { ConnectivityLogs: "true", MessagingLogs: "true" });
    });

    it("limits CORS to the web app's public origins", () => {
        const doc = prod();
        const outputs = doc.outputs as Record<string, string>;
        const origins: string[] = inputs(oneOfType(doc, SIGNALR)).cors.allowedOrigins;
        assert.ok(!origins.includes("*"));
        assert.deepStrictEqual(origins.sort(), [outputs.webUrl, outputs.publicWebUrl.replace(/\/$/, "")].sort());
    });

    it("disables access keys and grants the workload identity SignalR App Server", () => {
        const doc = prod();
        assert.strictEqual(inputs(oneOfType(doc, SIGNALR)).disableLocalAuth, true);
        const grant = inputs(oneOfType(doc, "azure-native:authorization:RoleAssignment", "realtime-app-server"));
        assert.ok(grant.roleDefinitionId.endsWith(`/roleDefinitions/${BuiltInRoles.signalrAppServer}`));
        assert.match(grant.scope, /Microsoft\.SignalRService\/signalR\/bookstore-prod-signalr$/);
        const workloadPrincipal = inputs(oneOfType(doc, "azure-native:authorization:RoleAssignment", "kv-secrets-user")).principalId;
        assert.strictEqual(grant.principalId, workloadPrincipal);
    });

    it("wires the identity-based connection setting into the app", () => {
        const doc = prod();
        const outputs = doc.outputs as Record<string, string>;
        const expected = signalRIdentityConnectionString(outputs.signalrHost, outputs.workloadIdentityClientId);
        for (const [app, env] of Object.entries(appEnv(doc))) {
            assert.strictEqual(env.Azure__SignalR__ConnectionString, expected, app);
            assert.strictEqual(env.SignalR__Redis__ChannelPrefix, undefined, app);
        }
    });

    it("allows the Cloudflare host in CORS on the Cloudflare stack", () => {
        const origins: string[] = inputs(oneOfType(planOf("prod-cloudflare"), SIGNALR)).cors.allowedOrigins;
        assert.ok(origins.includes("https://www.bookstore.example"), origins.join(", "));
    });

    it("uses one unit outside prod", () => {
        assert.strictEqual(inputs(oneOfType(planOf("dev"), SIGNALR)).sku.capacity, 1);
    });
});

describe("real-time: Redis backplane (plan of prod-aks)", () => {
    it("creates no SignalR Service and hands the app the Redis endpoint and channel prefix", () => {
        const doc = planOf("prod-aks");
        assert.strictEqual(resourcesOfType(doc, SIGNALR).length, 0);
        assert.strictEqual((doc.outputs as any).realtime, "redis-backplane");
        const envs = appEnv(doc);
        const services = ["api", "web"].filter((s) => s in envs);
        assert.ok(services.length > 0, `no app Deployments found: ${Object.keys(envs).join(", ")}`);
        for (const service of services) {
            const env = envs[service];
            assert.strictEqual(env.SignalR__Redis__ChannelPrefix, "BookStore.SignalR", service);
            assert.strictEqual(env.SignalR__Backplane, "Redis", service);
            assert.strictEqual(env.Azure__SignalR__ConnectionString, undefined, service);
        }
    });

    const signalrOnAks = planned("prod-aks", { stackFile: stackVariant("prod-aks", (c) => { c["bookstore:realtime"] = "signalr"; }) });
    it("can still choose SignalR Service on aks", () => {
        const doc = signalrOnAks();
        assert.strictEqual(resourcesOfType(doc, SIGNALR).length, 1);
    });
});
