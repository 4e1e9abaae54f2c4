import * as assert from "assert";
import {
    AGC_GATEWAY_CLASS, agcGatewayClass, ALB_CONTROLLER_CHART, ALB_FRONTEND_ADDRESS_TYPE, ALB_ID_ANNOTATION, albControllerSubject, albControllerValues,
} from "../../../components/azure/applicationGatewayForContainers";
import { gatewaySpec } from "../../../components/kubernetes/webGateway";
import { inputs, oneOfType, planned, plannedManifests, planOf, Resource, resourcesOfType, stackVariant } from "../../helpers/plan";
import type { PlanDocument } from "../../../tools/offline/types";
import { prodAksBehindCloudflare } from "../../helpers/variants";

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000";
const RG = `${SUB}/resourceGroups/bookstore-prod-rg`;
const AGC_ID = `${RG}/providers/Microsoft.ServiceNetworking/trafficControllers/bookstore-prod-agc`;
const AGC_SUBNET_ID = `${RG}/providers/Microsoft.Network/virtualNetworks/bookstore-prod-vnet/subnets/snet-agc`;
const ROLE = (id: string) => `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${id}`;

const byName = (doc: PlanDocument, type: string, name: string) => oneOfType(doc, type, name);
const gatewayOf = (doc: PlanDocument) => byName(doc, "kubernetes:gateway.networking.k8s.io/v1:Gateway", "web-gateway");

describe("Application Gateway for Containers: the Gateway's class (pure)", () => {
    it("names the AGC by its ARM id and the frontend by name, and waits for what it is given", () => {
        const ready = [] as never[];
        const gateway = agcGatewayClass({ trafficControllerId: "/agc/id", frontendName: "web", frontendFqdn: "x.fz1.alb.azure.com", ready });
        assert.deepStrictEqual([gateway.className, gateway.annotations, gateway.addresses, gateway.originAddress, gateway.dependsOn],
            ["azure-alb-external", { "alb.networking.azure.io/alb-id": "/agc/id" }, [{ type: "alb.networking.azure.io/alb-frontend", value: "web" }], "x.fz1.alb.azure.com", ready]);
    });

    it("puts the frontend in the Gateway's spec.addresses and no infrastructure annotations", () => {
        const spec = gatewaySpec({ host: "www.example.com", tls: false, gateway: agcGatewayClass({ trafficControllerId: "/agc/id", frontendName: "web", frontendFqdn: "f", ready: [] }) });
        assert.deepStrictEqual([spec.gatewayClassName, spec.addresses, spec.infrastructure],
            ["azure-alb-external", [{ type: "alb.networking.azure.io/alb-frontend", value: "web" }], undefined]);
    });

    it("runs the controller as Learn's ServiceAccount with the identity's client id", () => {
        assert.strictEqual(albControllerSubject(), "system:serviceaccount:azure-alb-system:alb-controller-sa");
        assert.deepStrictEqual(albControllerValues("client-id"), { albController: { namespace: "azure-alb-system", podIdentity: { clientID: "client-id" } } });
    });
});

describe("Application Gateway for Containers (plan of prod-aks)", () => {
    const doc = () => planOf("prod-aks");

    it("attaches the web Gateway to the AGC and its frontend, keeping the HTTPS listener on web-tls", () => {
        const gateway = inputs(gatewayOf(doc()));
        assert.strictEqual(gateway.spec.gatewayClassName, AGC_GATEWAY_CLASS);
        assert.deepStrictEqual(gateway.metadata.annotations, { [ALB_ID_ANNOTATION]: AGC_ID });
        const frontend = inputs(byName(doc(), "azure-native:servicenetworking:FrontendsInterface", "agc-frontend"));
        assert.deepStrictEqual(gateway.spec.addresses, [{ type: ALB_FRONTEND_ADDRESS_TYPE, value: frontend.frontendName }]);
        assert.strictEqual(frontend.trafficControllerName, "bookstore-prod-agc");
        const https = gateway.spec.listeners.find((l: any) => l.name === "https");
        assert.deepStrictEqual([https.hostname, https.tls.certificateRefs], ["www.bookstore.example", [{ group: "", kind: "Secret", name: "web-tls" }]]);
        assert.strictEqual(gateway.spec.infrastructure, undefined);
    });

    it("associates the AGC with a delegated /24 of the VNet, and nothing else uses that subnet", () => {
        const vnet = inputs(byName(doc(), "azure-native:network:VirtualNetwork", "vnet"));
        const agcSubnet = vnet.subnets.find((s: any) => s.name === "snet-agc");
        assert.deepStrictEqual(agcSubnet, {
            name: "snet-agc", addressPrefix: "10.40.10.0/24",
            delegations: [{ name: "applicationGatewayForContainers", serviceName: "Microsoft.ServiceNetworking/trafficControllers" }],
        });
        const association = inputs(byName(doc(), "azure-native:servicenetworking:AssociationsInterface", "agc-association"));
        assert.deepStrictEqual([association.associationType, association.subnet, association.trafficControllerName], ["subnets", { id: AGC_SUBNET_ID }, "bookstore-prod-agc"]);
    });

    it("federates the controller's own identity with the cluster for azure-alb-system/alb-controller-sa, under Learn's required name", () => {
        const identity = inputs(byName(doc(), "azure-native:managedidentity:UserAssignedIdentity", "alb-controller-identity"));
        const fic = inputs(byName(doc(), "azure-native:managedidentity:FederatedIdentityCredential", "alb-controller-federation"));
        const appFic = inputs(byName(doc(), "azure-native:managedidentity:FederatedIdentityCredential", "service-account-federation"));
        assert.deepStrictEqual([fic.federatedIdentityCredentialResourceName, fic.subject, fic.audiences, fic.resourceName],
            ["azure-alb-identity", "system:serviceaccount:azure-alb-system:alb-controller-sa", ["api://AzureADTokenExchange"], identity.resourceName]);
        assert.strictEqual(fic.issuer, appFic.issuer);
        assert.notStrictEqual(identity.resourceName, appFic.resourceName, "the controller must not share the app's identity");
    });

    it("grants the controller exactly Learn's roles: Configuration Manager on the AGC's resource group, Network Contributor on its subnet, Reader on the node resource group", () => {
        const identityPrincipal = (r: Resource) => inputs(r).principalId;
        const controllerGrants = resourcesOfType(doc(), "azure-native:authorization:RoleAssignment").filter((r) => r.name.startsWith("alb-controller-"));
        const principals = new Set(controllerGrants.map(identityPrincipal));
        assert.strictEqual(principals.size, 1);
        assert.deepStrictEqual(controllerGrants.map((r) => [inputs(r).roleDefinitionId, inputs(r).scope, inputs(r).principalType]).sort(), [
            [ROLE("4d97b98b-1d4f-4787-a291-c67834d212e7"), AGC_SUBNET_ID, "ServicePrincipal"],
            [ROLE("acdd72a7-3385-48ef-bd42-f606fba81ae7"), `${SUB}/resourceGroups/MC_bookstore-prod-rg_bookstore-prod-aks_eastus2`, "ServicePrincipal"],
            // Learn's BYO quickstart: "Delegate AppGw for Containers Configuration Manager role to RG containing" the AGC.
            [ROLE("fbc52c3f-28ad-4303-a892-8a056630b8f1"), `${SUB}/resourceGroups/bookstore-prod-rg`, "ServicePrincipal"],
        ].sort());
        const others = resourcesOfType(doc(), "azure-native:authorization:RoleAssignment").filter((r) => !r.name.startsWith("alb-controller-"));
        assert.ok(!others.some((r) => principals.has(inputs(r).principalId)), "no other grant goes to the controller");
    });

    it("installs the pinned ALB Controller chart through the cluster's provider once its grants have propagated, and the Gateway after it", () => {
        const release = byName(doc(), "kubernetes:helm.sh/v3:Release", "alb-controller");
        assert.deepStrictEqual([inputs(release).chart, inputs(release).version, inputs(release).namespace, inputs(release).createNamespace],
            [ALB_CONTROLLER_CHART.chart, ALB_CONTROLLER_CHART.version, "azure-alb-system", true]);
        const identity = byName(doc(), "azure-native:managedidentity:UserAssignedIdentity", "alb-controller-identity");
        assert.match(inputs(release).values.albController.podIdentity.clientID, /^[0-9a-f-]{36}$/);
        assert.ok(release.dependencies.includes(identity.urn));
        assert.strictEqual(release.provider, "urn:pulumi:prod-aks::bookstore::bookstore:app:AksCluster$pulumi:providers:kubernetes::aks");
        const wait = byName(doc(), "time:index/sleep:Sleep", "alb-controller-grants-propagation");
        assert.ok(release.dependencies.includes(wait.urn), "the controller starts after its grants propagated");
        assert.strictEqual(inputs(wait).createDuration, "600s");
        const waited = ["alb-controller-agc-configuration-manager", "alb-controller-subnet-network-contributor", "alb-controller-node-resource-group-reader"]
            .map((n) => byName(doc(), "azure-native:authorization:RoleAssignment", n).urn)
            .concat(byName(doc(), "azure-native:managedidentity:FederatedIdentityCredential", "alb-controller-federation").urn);
        for (const urn of waited) assert.ok(wait.dependencies.includes(urn), `the wait does not follow ${urn}`);
        const gateway = gatewayOf(doc());
        for (const before of [release, byName(doc(), "azure-native:servicenetworking:AssociationsInterface", "agc-association"),
            byName(doc(), "azure-native:servicenetworking:FrontendsInterface", "agc-frontend")]) {
            assert.ok(gateway.dependencies.includes(before.urn), `the Gateway does not wait for ${before.name}`);
        }
    });

    it("connects Front Door's web origin to the web host itself (Host, SNI and certificate name agree) and says where the host's CNAME goes", () => {
        const fqdn = (doc().outputs as any).webOriginAddress;
        assert.match(fqdn, /^[a-z0-9]+\.fz[a-z0-9]+\.alb\.azure\.com$/);
        // The listener serves web-tls, issued for www: an origin host name of the frontend's FQDN fails the
        // certificate check end-to-end-tls.md describes ("a subject name matching the origin hostname").
        const origin = inputs(byName(doc(), "azure-native:cdn:AFDOrigin", "web-origin"));
        assert.deepStrictEqual([origin.hostName, origin.originHostHeader, origin.enforceCertificateNameCheck], ["www.bookstore.example", "www.bookstore.example", true]);
        const listener = inputs(gatewayOf(doc())).spec.listeners.find((l: any) => l.name === "https");
        assert.strictEqual(listener.hostname, origin.hostName);
        const staticOrigin = inputs(byName(doc(), "azure-native:cdn:AFDOrigin", "static-origin"));
        assert.strictEqual(staticOrigin.hostName, staticOrigin.originHostHeader, "the static origin is unchanged");
    });

    const withManifests = plannedManifests("prod-aks").run;
    it("plans clean: no policy violation, no spec-rule breach, and a Gateway that validates against the pinned Gateway API schema", () => {
        const run = withManifests();
        assert.strictEqual(run.exitCode, 0, run.stderr);
        const plan = run.document as any;
        assert.deepStrictEqual([plan.policy.violations, plan.specRules.violations], [[], []]);
        const checked = plan.manifests.resources.filter((m: any) => ["Gateway", "HTTPRoute"].includes(m.kind));
        assert.deepStrictEqual(checked.map((m: any) => [m.kind, m.validation, m.errors, m.unknownFields]),
            [["Gateway", "valid", [], []], ["HTTPRoute", "valid", [], []]]);
    });
});

describe("Application Gateway for Containers behind Cloudflare (prod-aks variant)", () => {
    const doc = prodAksBehindCloudflare();

    it("proxies the web host to the frontend's FQDN and rewrites Host to the Gateway's host", () => {
        const fqdn = (doc().outputs as any).webOriginAddress;
        const record = inputs(byName(doc(), "cloudflare:index/dnsRecord:DnsRecord", "cloudflare-web-dns"));
        assert.deepStrictEqual([record.name, record.type, record.content, record.proxied], ["shop.bookstore.example", "CNAME", fqdn, true]);
        const rules = inputs(byName(doc(), "cloudflare:index/ruleset:Ruleset", "cloudflare-origin-rules")).rules;
        assert.deepStrictEqual(rules.map((r: any) => r.actionParameters.hostHeader), ["www.bookstore.example"]);
    });
});

describe("approuting-istio, the opt-in (prod-aks variant)", () => {
    const doc = planned("prod-aks", {
        stackFile: stackVariant("prod-aks", (config) => { config["bookstore:app"].aks.gateway = { implementation: "approuting-istio" }; }),
    });

    it("keeps the add-on's Gateway class, DNS label and add-on, and creates no AGC, controller or AGC subnet", () => {
        const gateway = inputs(gatewayOf(doc()));
        assert.strictEqual(gateway.spec.gatewayClassName, "approuting-istio");
        assert.deepStrictEqual(gateway.spec.infrastructure.annotations, { "service.beta.kubernetes.io/azure-dns-label-name": "bookstore-prod" });
        assert.deepStrictEqual([gateway.metadata.annotations, gateway.spec.addresses], [undefined, undefined]);
        const cluster = inputs(oneOfType(doc(), "azure-native:containerservice:ManagedCluster"));
        assert.deepStrictEqual(cluster.ingressProfile, { webAppRouting: { enabled: true, nginx: { defaultIngressControllerType: "None" } } });
        const types = doc().resources.map((r) => r.type);
        assert.deepStrictEqual(types.filter((t) => t.includes("servicenetworking") || t.includes("helm")), []);
        assert.ok(!inputs(byName(doc(), "azure-native:network:VirtualNetwork", "vnet")).subnets.some((s: any) => s.name === "snet-agc"));
        const origin = inputs(byName(doc(), "azure-native:cdn:AFDOrigin", "web-origin"));
        assert.deepStrictEqual([origin.hostName, origin.originHostHeader], ["www.bookstore.example", "www.bookstore.example"]);
        assert.strictEqual((doc().outputs as any).webOriginAddress, undefined);
    });
});
