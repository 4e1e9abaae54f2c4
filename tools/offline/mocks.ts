import { createHash } from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { AWS_INVOKES, awsNewResource } from "./awsMocks";

/**
 * Mocks that answer like Azure would during a preview: ARM ids, provider autonames and the
 * computed properties later tiers read (FQDNs, client ids, URIs). Anything not emulated here
 * stays unknown, exactly as in a `pulumi preview` of new resources. Deterministic: values are
 * derived from names, never random, so two plans of a stack are byte-identical.
 */

export const SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";
export const TENANT_ID = "11111111-1111-1111-1111-111111111111";
export const DEPLOYER_OBJECT_ID = "22222222-2222-2222-2222-222222222222";

export function digest(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

/** A stable 8-character suffix, like the provider's random autoname suffix. */
export function suffix(text: string): string {
    return BigInt(`0x${digest(text).slice(0, 12)}`).toString(36).padStart(8, "0").slice(0, 8);
}

export function uuid(text: string): string {
    const h = digest(text);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * ARM resource paths by Pulumi type. The last `{placeholder}` is the resource's own name
 * (autonamed when the program leaves it out); a path starting with `{scope}`-like
 * placeholders is an extension resource under another resource's id; one starting with `/` is a
 * whole ARM path (a resource group).
 */
export const ARM_PATHS: Record<string, string> = {
    "azure-native:resources:ResourceGroup": "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}",
    "azure-native:network:NetworkSecurityGroup": "Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}",
    "azure-native:network:VirtualNetwork": "Microsoft.Network/virtualNetworks/{virtualNetworkName}",
    "azure-native:network:Subnet": "Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}",
    "azure-native:network:VirtualNetworkPeering": "Microsoft.Network/virtualNetworks/{virtualNetworkName}/virtualNetworkPeerings/{virtualNetworkPeeringName}",
    "azure-native:network:PrivateEndpoint": "Microsoft.Network/privateEndpoints/{privateEndpointName}",
    "azure-native:network:PrivateDnsZoneGroup": "Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{privateDnsZoneGroupName}",
    "azure-native:privatedns:PrivateZone": "Microsoft.Network/privateDnsZones/{privateZoneName}",
    "azure-native:privatedns:VirtualNetworkLink": "Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks/{virtualNetworkLinkName}",
    "azure-native:operationalinsights:Workspace": "Microsoft.OperationalInsights/workspaces/{workspaceName}",
    "azure-native:applicationinsights:Component": "Microsoft.Insights/components/{resourceName}",
    "azure-native:managedidentity:UserAssignedIdentity": "Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}",
    "azure-native:managedidentity:FederatedIdentityCredential": "Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}/federatedIdentityCredentials/{federatedIdentityCredentialResourceName}",
    "azure-native:keyvault:Vault": "Microsoft.KeyVault/vaults/{vaultName}",
    "azure-native:keyvault:Secret": "Microsoft.KeyVault/vaults/{vaultName}/secrets/{secretName}",
    "azure-native:containerregistry:Registry": "Microsoft.ContainerRegistry/registries/{registryName}",
    "azure-native:authorization:RoleAssignment": "{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}",
    "azure-native:app:ManagedEnvironment": "Microsoft.App/managedEnvironments/{environmentName}",
    "azure-native:app:ContainerApp": "Microsoft.App/containerApps/{containerAppName}",
    "azure-native:app:Certificate": "Microsoft.App/managedEnvironments/{environmentName}/certificates/{certificateName}",
    "azure-native:containerservice:ManagedCluster": "Microsoft.ContainerService/managedClusters/{resourceName}",
    "azure-native:containerservice:AgentPool": "Microsoft.ContainerService/managedClusters/{resourceName}/agentPools/{agentPoolName}",
    "azure-native:dbforpostgresql:Server": "Microsoft.DBforPostgreSQL/flexibleServers/{serverName}",
    "azure-native:dbforpostgresql:Configuration": "Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/configurations/{configurationName}",
    "azure-native:dbforpostgresql:Database": "Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/databases/{databaseName}",
    "azure-native:dbforpostgresql:VirtualEndpoint": "Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/virtualendpoints/{virtualEndpointName}",
    "azure-native:monitor:ActionGroup": "Microsoft.Insights/actionGroups/{actionGroupName}",
    "azure-native:monitor:MetricAlert": "Microsoft.Insights/metricAlerts/{ruleName}",
    "azure-native:monitor:DiagnosticSetting": "{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}",
    "azure-native:monitor:AzureMonitorWorkspace": "Microsoft.Monitor/accounts/{azureMonitorWorkspaceName}",
    "azure-native:monitor:DataCollectionRule": "Microsoft.Insights/dataCollectionRules/{dataCollectionRuleName}",
    "azure-native:monitor:DataCollectionEndpoint": "Microsoft.Insights/dataCollectionEndpoints/{dataCollectionEndpointName}",
    "azure-native:monitor:DataCollectionRuleAssociation": "{resourceUri}/providers/Microsoft.Insights/dataCollectionRuleAssociations/{associationName}",
    "azure-native:redisenterprise:RedisEnterprise": "Microsoft.Cache/redisEnterprise/{clusterName}",
    "azure-native:redisenterprise:Database": "Microsoft.Cache/redisEnterprise/{clusterName}/databases/{databaseName}",
    "azure-native:redisenterprise:AccessPolicyAssignment": "Microsoft.Cache/redisEnterprise/{clusterName}/databases/{databaseName}/accessPolicyAssignments/{accessPolicyAssignmentName}",
    "azure-native:monitor:ScheduledQueryRule": "Microsoft.Insights/scheduledQueryRules/{ruleName}",
    "azure-native:alertsmanagement:PrometheusRuleGroup": "Microsoft.AlertsManagement/prometheusRuleGroups/{ruleGroupName}",
    "azure-native:storage:StorageAccount": "Microsoft.Storage/storageAccounts/{accountName}",
    "azure-native:storage:BlobServiceProperties": "Microsoft.Storage/storageAccounts/{accountName}/blobServices/{blobServicesName}",
    "azure-native:storage:BlobContainer": "Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{containerName}",
    "azure-native:cdn:Profile": "Microsoft.Cdn/profiles/{profileName}",
    "azure-native:cdn:AFDEndpoint": "Microsoft.Cdn/profiles/{profileName}/afdEndpoints/{endpointName}",
    "azure-native:cdn:AFDOriginGroup": "Microsoft.Cdn/profiles/{profileName}/originGroups/{originGroupName}",
    "azure-native:cdn:AFDOrigin": "Microsoft.Cdn/profiles/{profileName}/originGroups/{originGroupName}/origins/{originName}",
    "azure-native:cdn:Route": "Microsoft.Cdn/profiles/{profileName}/afdEndpoints/{endpointName}/routes/{routeName}",
    "azure-native:cdn:RuleSet": "Microsoft.Cdn/profiles/{profileName}/ruleSets/{ruleSetName}",
    "azure-native:cdn:Rule": "Microsoft.Cdn/profiles/{profileName}/ruleSets/{ruleSetName}/rules/{ruleName}",
    "azure-native:signalrservice:SignalR": "Microsoft.SignalRService/signalR/{resourceName}",
    "azure-native:servicenetworking:TrafficControllerInterface": "Microsoft.ServiceNetworking/trafficControllers/{trafficControllerName}",
    "azure-native:servicenetworking:FrontendsInterface": "Microsoft.ServiceNetworking/trafficControllers/{trafficControllerName}/frontends/{frontendName}",
    "azure-native:servicenetworking:AssociationsInterface": "Microsoft.ServiceNetworking/trafficControllers/{trafficControllerName}/associations/{associationName}",
    "azure-native:loadtestservice:LoadTest": "Microsoft.LoadTestService/loadTests/{loadTestName}",
    "azure-native:dashboard:Grafana": "Microsoft.Dashboard/grafana/{workspaceName}",
    "azure-native:portal:Dashboard": "Microsoft.Portal/dashboards/{dashboardName}",
};

/** Names that must be GUIDs in Azure. */
const GUID_NAMED = new Set(["azure-native:authorization:RoleAssignment"]);
/** Names Azure allows only letters and digits in. */
const ALPHANUMERIC_NAMED = new Set(["azure-native:containerregistry:Registry", "azure-native:storage:StorageAccount"]);

type Inputs = Record<string, unknown>;

function lowerFirst(s: string): string {
    return s.charAt(0).toLowerCase() + s.slice(1);
}

/** The ARM id and own name of an azure-native resource, filling in the autoname when absent. */
export function armIdentity(type: string, logicalName: string, inputs: Inputs): { id: string; nameProperty: string; name: string } {
    const [, module, cls] = type.split(":");
    const template = ARM_PATHS[type] ?? `Microsoft.${module}/${lowerFirst(cls)}s/{${lowerFirst(cls)}Name}`;
    const placeholders = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const nameProperty = placeholders[placeholders.length - 1];
    let name = inputs[nameProperty] as string | undefined;
    if (typeof name !== "string" || name === "") {
        if (GUID_NAMED.has(type)) name = uuid(`${type}/${logicalName}`);
        else if (ALPHANUMERIC_NAMED.has(type)) name = `${logicalName.replace(/[^a-z0-9]/gi, "")}${suffix(type + logicalName)}`.toLowerCase();
        else name = `${logicalName}${suffix(type + logicalName)}`;
    }
    const values: Inputs = { ...inputs, [nameProperty]: name };
    const path = template.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? `unknown-${key}`));
    if (template.startsWith("{")) return { id: path, nameProperty, name };
    if (type === "azure-native:resources:ResourceGroup") {
        const rgName = (inputs.resourceGroupName as string) || `${logicalName}${suffix(type + logicalName)}`;
        return { id: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${rgName}`, nameProperty: "resourceGroupName", name: rgName };
    }
    const group = (inputs.resourceGroupName as string) ?? "unknown-rg";
    return { id: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${group}/providers/${path}`, nameProperty, name };
}

function location(inputs: Inputs): string {
    return typeof inputs.location === "string" ? inputs.location : "eastus2";
}

/** Provider-computed properties that later tiers read, keyed by type. */
const COMPUTED: Record<string, (name: string, id: string, inputs: Inputs) => Inputs> = {
    "azure-native:operationalinsights:Workspace": (_n, id) => ({ customerId: uuid(`${id}/customerId`) }),
    "azure-native:applicationinsights:Component": (_n, id, inputs) => {
        const key = uuid(`${id}/ikey`);
        return {
            instrumentationKey: key,
            connectionString: `InstrumentationKey=${key};IngestionEndpoint=https://${location(inputs)}-1.in.applicationinsights.azure.com/`,
        };
    },
    "azure-native:managedidentity:UserAssignedIdentity": (_n, id) => ({
        clientId: uuid(`${id}/clientId`), principalId: uuid(`${id}/principalId`), tenantId: TENANT_ID,
    }),
    "azure-native:keyvault:Vault": (name, _id, inputs) => ({
        properties: { ...(inputs.properties as Inputs), vaultUri: `https://${name}.vault.azure.net/` },
    }),
    "azure-native:keyvault:Secret": (name, _id, inputs) => {
        const vault = inputs.vaultName as string;
        return { properties: { secretUri: `https://${vault}.vault.azure.net/secrets/${name}` } };
    },
    "azure-native:containerregistry:Registry": (name) => ({ loginServer: `${name}.azurecr.io` }),
    "azure-native:app:ManagedEnvironment": (_n, id, inputs) => ({
        defaultDomain: `${suffix(id)}.${location(inputs)}.azurecontainerapps.io`,
        staticIp: "10.40.0.10",
    }),
    "azure-native:app:ContainerApp": (name, _id, inputs) => {
        const envId = String(inputs.environmentId ?? inputs.managedEnvironmentId ?? "");
        const domain = `${suffix(envId)}.${location(inputs)}.azurecontainerapps.io`;
        const configuration = (inputs.configuration ?? {}) as Inputs;
        const ingress = configuration.ingress as Inputs | undefined;
        if (!ingress) return {};
        const fqdn = ingress.external ? `${name}.${domain}` : `${name}.internal.${domain}`;
        return { configuration: { ...configuration, ingress: { ...ingress, fqdn } }, latestRevisionFqdn: fqdn };
    },
    "azure-native:containerservice:ManagedCluster": (name, id, inputs) => ({
        // AKS's default node resource group name: MC_<resource group>_<cluster>_<location>.
        nodeResourceGroup: `MC_${String(inputs.resourceGroupName)}_${name}_${location(inputs)}`,
        fqdn: `${name}-${suffix(id)}.hcp.${location(inputs)}.azmk8s.io`,
        oidcIssuerProfile: { enabled: true, issuerURL: `https://${location(inputs)}.oic.prod-aks.azure.com/${TENANT_ID}/${uuid(id)}/` },
        identityProfile: { kubeletidentity: { clientId: uuid(`${id}/kubelet/client`), objectId: uuid(`${id}/kubelet/object`) } },
        ingressProfile: { webAppRouting: { ...((inputs.ingressProfile as Inputs | undefined)?.webAppRouting as Inputs), identity: { clientId: uuid(`${id}/webapprouting/client`), objectId: uuid(`${id}/webapprouting/object`) } } },
    }),
    "azure-native:dbforpostgresql:Server": (name) => ({ fullyQualifiedDomainName: `${name}.postgres.database.azure.com` }),
    "azure-native:redisenterprise:RedisEnterprise": (name, _id, inputs) => ({ hostName: `${name}.${location(inputs)}.redis.azure.net` }),
    "azure-native:redisenterprise:Database": (_n, _id, inputs) => ({ port: inputs.port ?? 10000 }),
    "azure-native:storage:StorageAccount": (name) => ({
        primaryEndpoints: { blob: `https://${name}.blob.core.windows.net/`, web: `https://${name}.z20.web.core.windows.net/` },
    }),
    // A profile's Front Door id is a GUID (the X-Azure-FDID header's value): https://learn.microsoft.com/azure/frontdoor/front-door-http-headers-protocol
    "azure-native:cdn:Profile": (_n, id) => ({ frontDoorId: uuid(`${id}/frontDoorId`) }),
    "azure-native:cdn:AFDEndpoint": (name, id) => ({ hostName: `${name}-${suffix(id)}.z01.azurefd.net` }),
    "azure-native:signalrservice:SignalR": (name) => ({ hostName: `${name}.service.signalr.net`, publicPort: 443, serverPort: 443 }),
    // An AGC frontend's generated host: <random>.<random>.alb.azure.com (Learn, Application Gateway for Containers components).
    "azure-native:servicenetworking:FrontendsInterface": (_n, id) => ({ fqdn: `${suffix(id)}${suffix(`${id}/host`)}.fz${suffix(`${id}/zone`).slice(0, 2)}.alb.azure.com` }),
    "azure-native:servicenetworking:TrafficControllerInterface": (_n, id) => ({ configurationEndpoints: [`${suffix(id)}.alb.azure.com`] }),
    // The query endpoint's form: https://<workspace>-<suffix>.<region>.prometheus.monitor.azure.com (KEDA's serverAddress).
    "azure-native:monitor:AzureMonitorWorkspace": (name, id, inputs) => ({
        accountId: uuid(id), metrics: { internalId: uuid(`${id}/metrics`), prometheusQueryEndpoint: `https://${name}-${suffix(id)}.${location(inputs)}.prometheus.monitor.azure.com` },
    }),
};

/** Token of every invoke the program called that the mocks had no answer for. */
export const unansweredInvokes = new Set<string>();

/** A kubeconfig shaped like `listManagedClusterUserCredentials` returns (base64). */
function kubeconfigFor(cluster: string): string {
    const server = `https://${cluster}.hcp.eastus2.azmk8s.io:443`;
    const text = [
        "apiVersion: v1", "kind: Config",
        "clusters:", `- name: ${cluster}`, "  cluster:", `    server: ${server}`,
        "contexts:", `- name: ${cluster}`, "  context:", `    cluster: ${cluster}`, "    user: clusterUser",
        `current-context: ${cluster}`,
        "users:", "- name: clusterUser", "  user:", "    exec:", "      apiVersion: client.authentication.k8s.io/v1beta1",
        // What AKS returns for format "exec": kubelogin in device-code mode with the Azure CLI's client id.
        "      command: kubelogin", "      args: [get-token, --environment, AzurePublicCloud, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630,"
            + ` --client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id, ${TENANT_ID}, --login, devicecode]`,
    ].join("\n");
    return Buffer.from(text).toString("base64");
}

const INVOKES: Record<string, (inputs: Inputs) => Inputs> = {
    "azure-native:authorization:getClientConfig": () => ({
        clientId: uuid("deployer/client"), objectId: DEPLOYER_OBJECT_ID, subscriptionId: SUBSCRIPTION_ID, tenantId: TENANT_ID,
    }),
    "azure-native:operationalinsights:getSharedKeys": (inputs) => ({
        primarySharedKey: `offline-shared-key-${suffix(String(inputs.workspaceName))}`,
        secondarySharedKey: `offline-shared-key-2-${suffix(String(inputs.workspaceName))}`,
    }),
    // A plan shows a first deploy: no server exists yet (Azure answers 404). BOOKSTORE_OFFLINE_LIVE_SERVERS
    // stands in for servers that do, to show what an update sends: by server name, either a short form
    // ({"storageSizeGB": 256, "skuName": ...}) or the GET body Azure returns (`properties` flattened as the SDK does).
    "azure-native:dbforpostgresql:getServer": (inputs) => {
        const live = JSON.parse(process.env.BOOKSTORE_OFFLINE_LIVE_SERVERS ?? "{}")[String(inputs.serverName)];
        if (!live) throw new Error(`ResourceNotFound: server ${String(inputs.serverName)} does not exist`);
        if (live.properties) return { name: inputs.serverName, sku: live.sku, location: live.location, ...live.properties };
        return { name: inputs.serverName, storage: { storageSizeGB: live.storageSizeGB }, sku: live.skuName ? { name: live.skuName } : undefined };
    },
    // Likewise no Container App exists on a first deploy. BOOKSTORE_OFFLINE_LIVE_APPS ({"<app name>":
    // {"customDomains": ["www.example.com"]}}) stands in for apps that do, with the host names they have bound.
    "azure-native:app:getContainerApp": (inputs) => {
        const live = JSON.parse(process.env.BOOKSTORE_OFFLINE_LIVE_APPS ?? "{}")[String(inputs.containerAppName)] as { customDomains?: string[] } | undefined;
        // The engine hands an invoke's failure to the program as its gRPC `details` (sdk runtime/invoke.js).
        const message = `ResourceNotFound: container app ${String(inputs.containerAppName)} does not exist`;
        if (!live) throw Object.assign(new Error(message), { details: message });
        return { name: inputs.containerAppName, configuration: { ingress: { customDomains: (live.customDomains ?? []).map((name) => ({ name, bindingType: "SniEnabled" })) } } };
    },
    "azure-native:containerservice:listManagedClusterUserCredentials": (inputs) => ({
        kubeconfigs: [{ name: "clusterUser", value: kubeconfigFor(String(inputs.resourceName)) }],
    }),
};

export const offlineMocks: pulumi.runtime.Mocks = {
    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Inputs } {
        const inputs = args.inputs as Inputs;
        if (!args.custom) return { id: undefined, state: inputs };
        const aws = args.type.startsWith("aws:") || args.type === "pulumi:providers:aws" ? awsNewResource(args) : undefined;
        if (aws) return aws;
        if (args.type.startsWith("pulumi:providers:")) return { id: `${args.name}-provider-id`, state: inputs };
        if (args.type.startsWith("azure-native:")) {
            const { id, nameProperty, name } = armIdentity(args.type, args.name, inputs);
            const computed = COMPUTED[args.type]?.(name, id, inputs) ?? {};
            return { id, state: { ...inputs, [nameProperty]: name, name, ...computed } };
        }
        if (args.type.startsWith("kubernetes:")) {
            const metadata = (inputs.metadata ?? {}) as Inputs;
            const name = (metadata.name as string) ?? `${args.name}-${suffix(args.type + args.name)}`;
            const namespace = metadata.namespace as string | undefined;
            const id = namespace ? `${namespace}/${name}` : name;
            return { id, state: { ...inputs, metadata: { ...metadata, name } } };
        }
        // Other providers (random, cloudflare, aws): ids from the name; computed values stay unknown.
        return { id: `${args.name}-${suffix(args.type + args.name)}`, state: inputs };
    },
    call(args: pulumi.runtime.MockCallArgs): Inputs {
        const answer = INVOKES[args.token] ?? AWS_INVOKES[args.token];
        if (answer) return answer(args.inputs as Inputs);
        unansweredInvokes.add(args.token);
        return {};
    },
};
