import * as assert from "assert";
import { BuiltInRoles } from "../../../components/azure/roles";
import { inputs, oneOfType, planOf, resourcesOfType, Resource } from "../../helpers/plan";

/** A resource type is taggable when its constructor passes a `tags` input to the provider. */
function isTaggable(type: string): boolean {
    const [, module, cls] = type.split(":");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ctor = require(`@pulumi/azure-native/${module}`)[cls];
    return typeof ctor === "function" && ctor.toString().includes('resourceInputs["tags"]');
}

describe("platform base (plan of prod)", () => {
    const prod = () => planOf("prod");
    const vnetSubnets = (doc = prod()) => inputs(oneOfType(doc, "azure-native:network:VirtualNetwork", "vnet")).subnets as any[];

    it("delegates the Container Apps subnet (>= /27) and the PostgreSQL subnet", () => {
        const subnets = vnetSubnets();
        const aca = subnets.find((s) => s.name === "snet-container-apps");
        assert.deepStrictEqual(aca.delegations.map((d: any) => d.serviceName), ["Microsoft.App/environments"]);
        assert.ok(Number(aca.addressPrefix.split("/")[1]) <= 27, aca.addressPrefix);
        const pg = subnets.find((s) => s.name === "snet-postgres");
        assert.deepStrictEqual(pg.delegations.map((d: any) => d.serviceName), ["Microsoft.DBforPostgreSQL/flexibleServers"]);
        assert.ok(subnets.some((s) => s.name === "snet-aks"));
        assert.ok(subnets.some((s) => s.name === "snet-private-endpoints"));
        for (const subnet of subnets) assert.ok(subnet.networkSecurityGroup?.id, `${subnet.name} has no NSG`);
    });

    it("opens the PostgreSQL subnet only to the database and pooler ports from the VNet", () => {
        const nsg = oneOfType(prod(), "azure-native:network:NetworkSecurityGroup", "nsg-postgres");
        const allow = inputs(nsg).securityRules.find((r: any) => r.access === "Allow");
        assert.deepStrictEqual(allow.destinationPortRanges, ["5432", "6432"]);
        assert.strictEqual(allow.sourceAddressPrefix, "VirtualNetwork");
        const deny = inputs(nsg).securityRules.find((r: any) => r.access === "Deny");
        assert.strictEqual(deny.sourceAddressPrefix, "Internet");
        assert.ok(deny.priority > allow.priority);
    });

    it("builds an RBAC Key Vault with soft delete and purge protection, private in prod, protected", () => {
        const vault = oneOfType(prod(), "azure-native:keyvault:Vault");
        const props = inputs(vault).properties;
        assert.strictEqual(props.enableRbacAuthorization, true);
        assert.strictEqual(props.enableSoftDelete, true);
        assert.strictEqual(props.enablePurgeProtection, true);
        assert.strictEqual(props.publicNetworkAccess, "Disabled");
        assert.strictEqual(vault.options.protect, true);
        const endpoint = oneOfType(prod(), "azure-native:network:PrivateEndpoint", "kv-private-pe");
        assert.deepStrictEqual(inputs(endpoint).privateLinkServiceConnections[0].groupIds, ["vault"]);
    });

    it("keeps the dev Key Vault reachable publicly (no private endpoint there)", () => {
        const dev = planOf("dev");
        const props = inputs(oneOfType(dev, "azure-native:keyvault:Vault")).properties;
        assert.strictEqual(props.publicNetworkAccess, "Enabled");
        assert.strictEqual(props.enablePurgeProtection, true);
        assert.strictEqual(resourcesOfType(dev, "azure-native:network:PrivateEndpoint").filter((r) => r.name.startsWith("kv")).length, 0);
    });

    it("disables the registry admin user and grants AcrPull on it to the workload identity", () => {
        const doc = prod();
        const registry = oneOfType(doc, "azure-native:containerregistry:Registry");
        assert.strictEqual(inputs(registry).adminUserEnabled, false);
        assert.strictEqual(registry.options.protect, true);
        const identity = oneOfType(doc, "azure-native:managedidentity:UserAssignedIdentity");
        const pulls = resourcesOfType(doc, "azure-native:authorization:RoleAssignment")
            .filter((r) => inputs(r).roleDefinitionId.endsWith(`/roleDefinitions/${BuiltInRoles.acrPull}`));
        assert.strictEqual(pulls.length, 1);
        assert.match(inputs(pulls[0]).scope, /\/providers\/Microsoft\.ContainerRegistry\/registries\//);
        assert.strictEqual(inputs(pulls[0]).principalType, "ServicePrincipal");
        assert.ok(pulls[0].dependencies.includes(identity.urn), "AcrPull must be granted to the workload identity");
        assert.ok(pulls[0].dependencies.includes(registry.urn), "AcrPull must be scoped to the registry");
    });

    it("sends Application Insights to the Log Analytics workspace, with retention from config", () => {
        const doc = prod();
        const workspace = oneOfType(doc, "azure-native:operationalinsights:Workspace");
        assert.strictEqual(inputs(workspace).retentionInDays, 90);
        const insights = oneOfType(doc, "azure-native:applicationinsights:Component");
        assert.strictEqual(inputs(insights).ingestionMode, "LogAnalytics");
        assert.ok(insights.dependencies.includes(workspace.urn));
        assert.match(inputs(insights).workspaceResourceId, /\/providers\/Microsoft\.OperationalInsights\/workspaces\//);
    });

    for (const stack of ["prod", "dev"]) {
        it(`tags every taggable Azure resource of ${stack} with the stack's tags`, () => {
            const doc = planOf(stack);
            const azure = doc.resources.filter((r: Resource) => r.type.startsWith("azure-native:"));
            const taggable = azure.filter((r) => isTaggable(r.type));
            assert.ok(taggable.length >= 10, `only ${taggable.length} taggable resources`);
            const expected = {
                project: "bookstore", environment: stack, owner: "platform-team@bookstore.example",
                costCenter: "cc-1042", managedBy: "pulumi",
            };
            for (const r of taggable) {
                const tags = inputs(r).tags;
                assert.ok(tags, `${r.type} ${r.name} has no tags`);
                for (const [key, value] of Object.entries(expected)) {
                    assert.strictEqual(tags[key], value, `${r.type} ${r.name}: tag ${key}`);
                }
            }
        });
    }
});
