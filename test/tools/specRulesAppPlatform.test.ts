// Body rules (closed enums, string patterns) of the AKS, Container Apps, Front Door and monitoring
// types, from the spec excerpts tools/specs/mirror.json records: each breach names the URN, the
// property, the value and the rule with its spec file.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { CapturedResource } from "../../tools/offline/capture";
import { formatSpecViolation, specRules, specViolations } from "../../tools/offline/specRules";
import { rulesFor } from "../../tools/specs/generate";

function resource(type: string, name: string, inputs: Record<string, unknown>): CapturedResource {
    return {
        urn: `urn:pulumi:prod-aks::bookstore::bookstore:test$${type}::${name}`, type, name, custom: true, dependencies: [],
        options: { protect: false, ignoreChanges: [], retainOnDelete: false, deleteBeforeReplace: false },
        wireInputs: inputs, wireState: inputs,
    };
}

const messages = (resources: CapturedResource[]) => specViolations(resources).map(formatSpecViolation);

describe("spec body rules: AKS (containerservice 2025-09-01)", () => {
    const CLUSTER = "azure-native:containerservice:ManagedCluster";
    // What components/azure/aksCluster.ts sends (the parts the spec constrains).
    const cluster = (over: Record<string, unknown> = {}, network: Record<string, unknown> = {}) => resource(CLUSTER, "cluster", {
        resourceGroupName: "rg", resourceName: "bookstore-prod-aks", dnsPrefix: "bookstore-prod",
        identity: { type: "UserAssigned", userAssignedIdentities: ["/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/cp"] },
        sku: { name: "Base", tier: "Standard" },
        agentPoolProfiles: [{ name: "system", mode: "System", vmSize: "Standard_D4ds_v5", count: 3 }],
        networkProfile: { networkPlugin: "azure", networkPluginMode: "overlay", podCidr: "10.244.0.0/16", serviceCidr: "10.0.0.0/16", dnsServiceIP: "10.0.0.10", ...network },
        ...over,
    });

    it("accepts the cluster as the program builds it", () => {
        assert.deepStrictEqual(messages([cluster()]), []);
    });

    it("refuses an identity type outside AKS's closed enum (a combined type other RPs accept)", () => {
        const found = messages([cluster({ identity: { type: "SystemAssigned, UserAssigned" } })]);
        assert.strictEqual(found.length, 1, found.join("\n"));
        assert.strictEqual(found[0].split(":")[0], "urn");
        assert.match(found[0], /::cluster: identity\.type "SystemAssigned, UserAssigned" breaks the API spec: expected one of "SystemAssigned", "UserAssigned", "None" \(closed enum in specification\/containerservice\/.*\/2025-09-01\/managedClusters\.json \(API 2025-09-01, specs commit 1041da1a500c\)\)$/);
    });

    it("refuses a pod CIDR, service CIDR or DNS service IP the spec's patterns refuse", () => {
        const found = messages([cluster({}, { podCidr: "10.244.0.0/33", serviceCidr: "10.0.0.0", dnsServiceIP: "10.0.0.300" })]);
        assert.strictEqual(found.length, 2, found.join("\n"));
        assert.match(found[0], /networkProfile\.podCidr "10\.244\.0\.0\/33" breaks the API spec: expected pattern \^\(\[0-9\]\{1,3\}/);
        assert.match(found[1], /networkProfile\.dnsServiceIP "10\.0\.0\.300" breaks the API spec: expected pattern/);
    });

    it("holds inline agent pool profiles to the pool name pattern", () => {
        const found = messages([cluster({ agentPoolProfiles: [{ name: "system-pool", mode: "System" }] })]);
        assert.match(found.join("\n"), /agentPoolProfiles\[\]\.name "system-pool" breaks the API spec: expected pattern \^\[a-z\]\[a-z0-9\]\{0,11\}\$/);
    });

    it("leaves open enums (modelAsString true: sku.tier, networkPlugin, outboundType, pool mode) to ARM", () => {
        assert.deepStrictEqual(messages([cluster({ sku: { name: "Base", tier: "Gold" } }, { networkPlugin: "flannel", outboundType: "other" })]), []);
        const rules = specRules().table.types[CLUSTER];
        assert.deepStrictEqual(Object.keys(rules.enums), ["identity.type"]);
    });
});

describe("spec body rules: Front Door (cdn 2025-06-01)", () => {
    const GROUP = "azure-native:cdn:AFDOriginGroup";
    // Shaped like the web origin group the program sends (components/azure), health probe included.
    const group = (probe: Record<string, unknown>) => resource(GROUP, "web-origins", {
        resourceGroupName: "rg", profileName: "bookstore-prod-fd", originGroupName: "web",
        healthProbeSettings: { probePath: "/health", probeProtocol: "Https", probeRequestType: "GET", probeIntervalInSeconds: 100, ...probe },
        loadBalancingSettings: { sampleSize: 4, successfulSamplesRequired: 3, additionalLatencyInMilliseconds: 50 },
    });

    it("accepts the probe the program sends (GET or HEAD over Https)", () => {
        assert.deepStrictEqual(messages([group({}), group({ probeRequestType: "HEAD" })]), []);
    });

    it("refuses a health probe method or protocol outside cdn.json's closed enums (HealthProbeParameters)", () => {
        const found = messages([group({ probeRequestType: "POST", probeProtocol: "Tcp" })]);
        assert.strictEqual(found.length, 2, found.join("\n"));
        assert.match(found[0], /::web-origins: healthProbeSettings\.probeRequestType "POST" breaks the API spec: expected one of "NotSet", "GET", "HEAD" \(closed enum in specification\/cdn\/.*\/2025-06-01\/afdx\.json/);
        assert.match(found[1], /healthProbeSettings\.probeProtocol "Tcp" breaks the API spec: expected one of "NotSet", "Http", "Https"/);
    });

    it("leaves the route's open enums (forwardingProtocol, httpsRedirect, supportedProtocols) to ARM", () => {
        const route = resource("azure-native:cdn:Route", "web-route", { resourceGroupName: "rg", profileName: "p", endpointName: "e", routeName: "web", forwardingProtocol: "HttpsOnlyPlease", supportedProtocols: ["Quic"] });
        assert.deepStrictEqual(messages([route]), []);
        assert.deepStrictEqual(specRules().table.types["azure-native:cdn:Route"].enums, {});
    });
});

describe("spec body rules: monitoring (Microsoft.Insights)", () => {
    it("refuses a scheduled query rule identity type outside its closed enum (2025-01-01-preview)", () => {
        const rule = resource("azure-native:monitor:ScheduledQueryRule", "replicas-at-max", {
            resourceGroupName: "rg", ruleName: "bookstore-prod-replicas-at-max", kind: "LogAlert", identity: { type: "SystemAssigned,UserAssigned" },
        });
        const found = messages([rule]);
        assert.strictEqual(found.length, 1, found.join("\n"));
        assert.match(found[0], /::replicas-at-max: identity\.type "SystemAssigned,UserAssigned" breaks the API spec: expected one of "SystemAssigned", "UserAssigned", "None" \(closed enum in specification\/monitor\/.*scheduledQueryRule_API\.json/);
        assert.deepStrictEqual(messages([resource("azure-native:monitor:ScheduledQueryRule", "r", { resourceGroupName: "rg", ruleName: "ok", identity: { type: "UserAssigned" } })]), []);
    });

    it("lists a polymorphic body (metric alert criteria) as unresolved instead of claiming its subtypes are checked", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "specs-"));
        const file = "specification/monitor/resource-manager/Microsoft.Insights/stable/2018-03-01/metricAlert_API.json";
        fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), JSON.stringify({
            info: { version: "2018-03-01" },
            paths: { "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Insights/metricAlerts/{ruleName}": { put: { parameters: [{ name: "parameters", in: "body", schema: { $ref: "#/definitions/Alert" } }] } } },
            definitions: {
                Alert: { properties: { criteria: { $ref: "#/definitions/Criteria" } } },
                Criteria: { discriminator: "odata.type", properties: { "odata.type": { type: "string", enum: ["A", "B"], "x-ms-enum": { modelAsString: false } } } },
            },
        }));
        const rules = rulesFor(dir, "azure-native:monitor:MetricAlert", file, "2018-03-01", "3".repeat(40));
        assert.deepStrictEqual(rules.enums, { "criteria.odata.type": ["A", "B"] });
        assert.deepStrictEqual(rules.unresolved, [`${file}#/definitions/Criteria (discriminator "odata.type": subtypes' rules not in the table)`]);
    });
});
