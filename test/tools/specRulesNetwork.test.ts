// Spec rules of the private endpoint and its DNS zone group (network 2024-05-01, read from the newer
// `Microsoft.Network/Network/stable/` folder layout), Azure Load Testing (2023-12-01-preview), and
// the PUT bodies of the action group, data collection endpoint, Application Insights component,
// Log Analytics workspace and SignalR: each breach names the URN, the property, the value and the rule.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { CapturedResource } from "../../tools/offline/capture";
import { armIdentity } from "../../tools/offline/mocks";
import { formatSpecViolation, specRules, specViolations } from "../../tools/offline/specRules";
import { rulesFor } from "../../tools/specs/generate";

function resource(type: string, name: string, inputs: Record<string, unknown>): CapturedResource {
    return {
        urn: `urn:pulumi:prod::bookstore::bookstore:test$${type}::${name}`, type, name, custom: true, dependencies: [],
        options: { protect: false, ignoreChanges: [], retainOnDelete: false, deleteBeforeReplace: false },
        wireInputs: inputs, wireState: inputs,
    };
}

const messages = (resources: CapturedResource[]) => specViolations(resources).map(formatSpecViolation);
const rulesOf = (type: string) => specRules().table.types[`azure-native:${type}`];

describe("spec rules: private endpoints (network 2024-05-01, Network/ folder layout)", () => {
    const FILE = "specification/network/resource-manager/Microsoft.Network/Network/stable/2024-05-01/privateEndpoint.json";

    it("covers the private endpoint and its DNS zone group from privateEndpoint.json at d9e0403, whose name parameters have no pattern or length", () => {
        for (const type of ["network:PrivateEndpoint", "network:PrivateDnsZoneGroup"]) {
            const rules = rulesOf(type);
            assert.ok(rules, type);
            assert.strictEqual(rules.file, FILE);
            assert.strictEqual(rules.commit, "d9e04030cbe2cd397045df5a7f6700eab704b63e");
            const { parameter, pattern, minLength, maxLength } = rules.name ?? {};
            assert.deepStrictEqual({ parameter, pattern, minLength, maxLength }, { parameter: type.endsWith("PrivateEndpoint") ? "privateEndpointName" : "privateDnsZoneGroupName", pattern: undefined, minLength: undefined, maxLength: undefined });
            assert.deepStrictEqual(rules.enums, {});
        }
        // The subnet the endpoint sends is a $ref into virtualNetwork.json of the same folder, not read: listed, not guessed.
        assert.ok(rulesOf("network:PrivateEndpoint").unresolved?.includes("specification/network/resource-manager/Microsoft.Network/Network/stable/2024-05-01/virtualNetwork.json#/definitions/Subnet"));
    });

    it("accepts the endpoints the program builds, autonamed (logical name + 8 hex digits)", () => {
        const endpoint = resource("azure-native:network:PrivateEndpoint", "kv-private-pe", {
            resourceGroupName: "bookstore-prod-rg", location: "eastus2",
            subnet: { id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/snet-private-endpoints" },
            privateLinkServiceConnections: [{ name: "kv-private-connection", groupIds: ["vault"], privateLinkServiceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv" }],
        });
        const group = resource("azure-native:network:PrivateDnsZoneGroup", "kv-private-dns", {
            resourceGroupName: "bookstore-prod-rg", privateEndpointName: "kv-private-pe2r1r28gy",
            privateDnsZoneConfigs: [{ name: "privatelink-vaultcore-azure-net", privateDnsZoneId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net" }],
        });
        assert.deepStrictEqual(messages([endpoint, group]), []);
    });

    it("dates a spec file of the newer layout by its version folder when an excerpt has no `info`, and refuses another version", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "specs-"));
        fs.mkdirSync(path.join(dir, path.dirname(FILE)), { recursive: true });
        const put = { parameters: [{ name: "privateEndpointName", in: "path", type: "string", pattern: "^[a-z]+$" }] };
        fs.writeFileSync(path.join(dir, FILE), JSON.stringify({ paths: { "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/privateEndpoints/{privateEndpointName}": { put } } }));
        const rules = rulesFor(dir, "azure-native:network:PrivateEndpoint", FILE, "2024-05-01", "d".repeat(40), ["/paths"]);
        assert.strictEqual(rules.name?.pattern, "^[a-z]+$");
        assert.throws(() => rulesFor(dir, "azure-native:network:PrivateEndpoint", FILE, "2024-07-01", "d".repeat(40), ["/paths"]), /is API version 2024-05-01; azure-native uses 2024-07-01/);
    });
});

describe("spec rules: Azure Load Testing (loadtestservice 2023-12-01-preview)", () => {
    const LOAD_TEST = "azure-native:loadtestservice:LoadTest";
    const loadTest = (description: string) => resource(LOAD_TEST, "load-testing", {
        resourceGroupName: "bookstore-prod-rg", loadTestName: "bookstore-prod-loadtest", location: "eastus2", description,
    });

    it("reads Microsoft.LoadTestService/loadtesting (the file with the `identity` input the SDK has), not the .Draft copy", () => {
        const rules = rulesOf("loadtestservice:LoadTest");
        assert.strictEqual(rules.file, "specification/loadtestservice/resource-manager/Microsoft.LoadTestService/loadtesting/preview/2023-12-01-preview/loadtestservice.json");
        assert.strictEqual(rules.commit, "52e0827d4fd65951c8c0a16a287bf3d490d11969");
    });

    it("refuses a description past 512 characters (LoadTestProperties.description maxLength)", () => {
        assert.deepStrictEqual(messages([loadTest("BookStore load tests (loadtest/ in the platform repository)")]), []);
        const found = messages([loadTest("x".repeat(513))]);
        assert.strictEqual(found.length, 1, found.join("\n"));
        assert.ok(found[0].startsWith(`${loadTest("").urn}: description "${"x".repeat(513)}" breaks the API spec: expected maxLength 512 (got 513)`), found[0]);
        assert.match(found[0], /\(specification\/loadtestservice\/.*\/2023-12-01-preview\/loadtestservice\.json \(API 2023-12-01-preview, specs commit 52e0827d4fd6\)\)$/);
    });

    it("gives the load test the ARM id Azure does (Microsoft.LoadTestService, as the CLI's parser expects)", () => {
        const { id } = armIdentity(LOAD_TEST, "load-testing", { resourceGroupName: "bookstore-prod-rg", loadTestName: "bookstore-prod-loadtest" });
        assert.strictEqual(id, "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/bookstore-prod-rg/providers/Microsoft.LoadTestService/loadTests/bookstore-prod-loadtest");
    });
});

describe("spec rules: PUT bodies of the monitoring, Application Insights, Log Analytics and SignalR types", () => {
    it("has read every body (only common-types stay unresolved) and found every enum the program sets open", () => {
        for (const type of ["monitor:ActionGroup", "monitor:DataCollectionEndpoint", "applicationinsights:Component", "operationalinsights:Workspace", "signalrservice:SignalR"]) {
            const rules = rulesOf(type);
            for (const entry of rules.unresolved ?? []) assert.match(entry, /^specification\/common-types\//, `${type}: ${entry}`);
            assert.deepStrictEqual(rules.enums, {}, type);
        }
        // Open in the spec (modelAsString true): a value outside the listed ones is ARM's call, not the plan's.
        const workspace = resource("azure-native:operationalinsights:Workspace", "logs", { resourceGroupName: "rg", workspaceName: "bookstore-prod-logs", sku: { name: "PerGB2025" } });
        const endpoint = resource("azure-native:monitor:DataCollectionEndpoint", "prometheus", { resourceGroupName: "rg", dataCollectionEndpointName: "MSProm-eastus2-bookstore", kind: "Mac" });
        assert.deepStrictEqual(messages([workspace, endpoint]), []);
    });

    it("refuses an action group short name past 12 characters (ActionGroup.groupShortName maxLength)", () => {
        const group = (groupShortName: string) => resource("azure-native:monitor:ActionGroup", "alerts", {
            resourceGroupName: "rg", actionGroupName: "bookstore-prod-alerts", location: "global", enabled: true, groupShortName,
            emailReceivers: [{ name: "email-1", emailAddress: "oncall@bookstore.example", useCommonAlertSchema: true }],
        });
        assert.deepStrictEqual(messages([group("bookstorecf")]), []);
        const found = messages([group("bookstorecf-p")]);
        assert.strictEqual(found.length, 1, found.join("\n"));
        assert.match(found[0], /::alerts: groupShortName "bookstorecf-p" breaks the API spec: expected maxLength 12 \(got 13\) \(specification\/monitor\/.*\/2024-10-01-preview\/actionGroups_API\.json \(API 2024-10-01-preview, specs commit 025aae4067b2\)\)$/);
    });

    it("refuses an empty or over-long SignalR feature value (SignalRFeature.value: 1-128) and leaves the open kind and SKU tier alone", () => {
        const signalr = (features: { flag: string; value: string }[], over: Record<string, unknown> = {}) => resource("azure-native:signalrservice:SignalR", "realtime-signalr", {
            resourceGroupName: "rg", resourceName: "bookstore-prod-signalr", kind: "SignalR", sku: { name: "Standard_S1", tier: "Standard", capacity: 2 }, features, ...over,
        });
        assert.deepStrictEqual(messages([signalr([{ flag: "ServiceMode", value: "Default" }])]), []);
        assert.deepStrictEqual(messages([signalr([{ flag: "ServiceMode", value: "Default" }], { kind: "WebPubSub", sku: { name: "Standard_S1", tier: "Gold" } })]), []);
        const found = messages([signalr([{ flag: "ServiceMode", value: "" }, { flag: "EnableMessagingLogs", value: "t".repeat(129) }])]);
        assert.strictEqual(found.length, 2, found.join("\n"));
        assert.match(found[0], /::realtime-signalr: features\[\]\.value "" breaks the API spec: expected minLength 1 \(got 0\) \(.*\/signalr\.json/);
        assert.match(found[1], /features\[\]\.value "t{129}" breaks the API spec: expected maxLength 128 \(got 129\)/);
    });

    it("records string length limits of body properties, in arrays too, and nothing for strings without them", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "specs-"));
        const file = "specification/signalr/resource-manager/Microsoft.SignalRService/stable/2024-03-01/signalr.json";
        fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), JSON.stringify({
            paths: { "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.SignalRService/signalR/{resourceName}": { put: { parameters: [{ in: "body", name: "parameters", schema: { $ref: "#/definitions/R" } }] } } },
            definitions: {
                R: { properties: { properties: { "x-ms-client-flatten": true, $ref: "#/definitions/P" } } },
                P: { properties: { features: { type: "array", items: { properties: { value: { type: "string", minLength: 1, maxLength: 128 }, flag: { type: "string" } } } }, version: { type: "string", maxLength: 9, readOnly: true } } },
            },
        }));
        const rules = rulesFor(dir, "azure-native:signalrservice:SignalR", file, "2024-03-01", "e".repeat(40), ["/paths", "/definitions"]);
        assert.deepStrictEqual(rules.lengths, { "features[].value": { minLength: 1, maxLength: 128 } });
    });
});
