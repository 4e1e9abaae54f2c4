import { strict as assert } from "assert";
import type { CapturedResource } from "../../tools/offline/capture";
import { admissionOrder } from "../../tools/offline/admissionOrder";
import { domainOrder } from "../../tools/offline/domainOrder";
import { grantOrder, GRANT_KINDS } from "../../tools/offline/grantOrder";
import { armIdentity } from "../../tools/offline/mocks";
import { PlanGraph } from "../../tools/offline/planGraph";
import { planned } from "../helpers/plan";

/**
 * Scenarios built the way the capture records a plan: custom resources with their inputs, the state the
 * offline cloud answers, dependencies and explicit providers. Each leaves a step out (a wait, an await,
 * a record) and expects the check to name it; the same scenario with the step in place passes.
 */
interface Spec {
    type: string;
    name: string;
    inputs?: Record<string, unknown>;
    state?: Record<string, unknown>;
    dependsOn?: string[];
    provider?: string;
}
const urnOf = (type: string, name: string) => `urn:pulumi:test::bookstore::${type}::${name}`;
function plan(specs: Spec[]): PlanGraph {
    const urns = new Map(specs.map((s) => [s.name, urnOf(s.type, s.name)]));
    const resources: CapturedResource[] = specs.map((s) => ({
        urn: urnOf(s.type, s.name), type: s.type, name: s.name, custom: true,
        dependencies: (s.dependsOn ?? []).map((d) => urns.get(d)!),
        provider: s.provider ? urns.get(s.provider) : s.type.startsWith("pulumi:providers:") ? undefined : `default:${s.type.split(":")[0]}`,
        options: { protect: false, ignoreChanges: [], retainOnDelete: false, deleteBeforeReplace: false },
        wireInputs: s.inputs ?? {}, wireState: { ...s.inputs, ...s.state },
    }));
    return new PlanGraph(resources);
}
const sleep = (name: string, seconds: number, after: string[]): Spec => ({ type: "time:index/sleep:Sleep", name, inputs: { createDuration: `${seconds}s` }, dependsOn: after });

// An AKS cluster, the deployer's cluster-admin grant and the Kubernetes provider built from the cluster.
const CLUSTER: Spec = { type: "azure-native:containerservice:ManagedCluster", name: "cluster", inputs: { resourceGroupName: "rg", resourceName: "bookstore-prod-aks" } };
const clusterId = armIdentity(CLUSTER.type, CLUSTER.name, CLUSTER.inputs!).id;
const DEPLOYER_GRANT: Spec = { type: "azure-native:authorization:RoleAssignment", name: "deployer-admin", inputs: { scope: clusterId, principalId: "deployer" }, dependsOn: ["cluster"] };
const aksProvider = (dependsOn: string[]): Spec => ({ type: "pulumi:providers:kubernetes", name: "aks", dependsOn: ["cluster", ...dependsOn] });
const NAMESPACE: Spec = { type: "kubernetes:core/v1:Namespace", name: "namespace", inputs: { metadata: { name: "bookstore" } }, provider: "aks" };

describe("ordering check: grant before use", () => {
    it("reports every Kubernetes object created before the deployer's AKS grant has had its five minutes (the review's B1)", () => {
        const without = grantOrder(plan([CLUSTER, DEPLOYER_GRANT, aksProvider(["deployer-admin"]), NAMESPACE]));
        assert.deepEqual(without.violations.map((v) => [v.consumer.split("::").pop(), v.grant.split("::").pop(), v.kind.seconds]), [["namespace", "deployer-admin", 300]]);
        assert.equal(without.violations[0].kind, GRANT_KINDS.aksRbac);
        // A wait that is too short does not count; one of five minutes after the grant does.
        const short = grantOrder(plan([CLUSTER, DEPLOYER_GRANT, sleep("wait", 60, ["deployer-admin"]), aksProvider(["wait"]), NAMESPACE]));
        assert.equal(short.violations.length, 1);
        const waited = grantOrder(plan([CLUSTER, DEPLOYER_GRANT, sleep("wait", 300, ["deployer-admin"]), aksProvider(["wait"]), NAMESPACE]));
        assert.deepEqual(waited.violations, []);
        // A wait that does not follow the grant (it runs in parallel) does not count either.
        const parallel = grantOrder(plan([CLUSTER, DEPLOYER_GRANT, sleep("wait", 300, []), aksProvider(["wait", "deployer-admin"]), NAMESPACE]));
        assert.equal(parallel.violations.length, 1);
    });

    it("holds pods to their workload identity's grants, its federated credential and the kubelet's AcrPull; the 10-minute wait covers them", () => {
        const identity: Spec = { type: "azure-native:managedidentity:UserAssignedIdentity", name: "workload", inputs: { resourceGroupName: "rg", resourceName: "wi" }, state: { clientId: "client-1", principalId: "principal-1", name: "wi" } };
        const kv: Spec = { type: "azure-native:authorization:RoleAssignment", name: "kv-secrets-user", inputs: { scope: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv", principalId: "principal-1" }, dependsOn: ["workload"] };
        const fic: Spec = { type: "azure-native:managedidentity:FederatedIdentityCredential", name: "fic", inputs: { resourceName: "wi", subject: "system:serviceaccount:bookstore:bookstore" }, dependsOn: ["workload"] };
        const cluster: Spec = { ...CLUSTER, state: { identityProfile: { kubeletidentity: { objectId: "kubelet-1" } } } };
        const acrPull: Spec = { type: "azure-native:authorization:RoleAssignment", name: "kubelet-acr-pull", inputs: { scope: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr", principalId: "kubelet-1" }, dependsOn: ["cluster"] };
        const sa: Spec = { type: "kubernetes:core/v1:ServiceAccount", name: "sa", inputs: { metadata: { name: "bookstore", namespace: "bookstore", annotations: { "azure.workload.identity/client-id": "client-1" } } }, provider: "aks" };
        const deployment = (dependsOn: string[]): Spec => ({ type: "kubernetes:apps/v1:Deployment", name: "api", inputs: { metadata: { namespace: "bookstore" }, spec: { template: { spec: { serviceAccountName: "bookstore" } } } }, provider: "aks", dependsOn });
        const base = [cluster, identity, kv, fic, acrPull, DEPLOYER_GRANT, sleep("deployer-wait", 300, ["deployer-admin"]), aksProvider(["deployer-wait"]), sa];
        const without = grantOrder(plan([...base, deployment(["sa"])]));
        assert.deepEqual(without.violations.map((v) => v.grant.split("::").pop()).sort(), ["fic", "kubelet-acr-pull", "kv-secrets-user"]);
        assert.deepEqual(grantOrder(plan([...base, sleep("workload-wait", 600, ["kv-secrets-user", "fic", "kubelet-acr-pull"]), deployment(["sa", "workload-wait"])])).violations, []);
    });

    it("holds EKS objects to the deployer's access policy and pods to their Pod Identity and the node role, with IAM's two minutes", () => {
        const eks: Spec = { type: "aws:eks/cluster:Cluster", name: "eks", inputs: { name: "bookstore-prod" } };
        const entry: Spec = { type: "aws:eks/accessEntry:AccessEntry", name: "admin-entry", inputs: { clusterName: "bookstore-prod", principalArn: "arn:aws:iam::1:role/deployer" }, dependsOn: ["eks"] };
        const policy: Spec = { type: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", name: "admin-policy", inputs: { clusterName: "bookstore-prod", principalArn: "arn:aws:iam::1:role/deployer" }, dependsOn: ["admin-entry"] };
        const scraper: Spec = { type: "aws:eks/accessEntry:AccessEntry", name: "scraper-entry", inputs: { clusterName: "bookstore-prod", principalArn: "arn:aws:iam::1:role/scraper" }, dependsOn: ["eks"] };
        const association: Spec = { type: "aws:eks/podIdentityAssociation:PodIdentityAssociation", name: "app-association", inputs: { clusterName: "bookstore-prod", namespace: "bookstore", serviceAccount: "bookstore", roleArn: "arn:aws:iam::1:role/app-role" } };
        const rolePolicy: Spec = { type: "aws:iam/rolePolicy:RolePolicy", name: "app-policy", inputs: { role: "app-role" } };
        const provider = (dependsOn: string[]): Spec => ({ type: "pulumi:providers:kubernetes", name: "eks-provider", dependsOn: ["eks", ...dependsOn] });
        const deployment = (dependsOn: string[]): Spec => ({ type: "kubernetes:apps/v1:Deployment", name: "api", inputs: { metadata: { namespace: "bookstore" }, spec: { template: { spec: { serviceAccountName: "bookstore" } } } }, provider: "eks-provider", dependsOn });
        const without = grantOrder(plan([eks, entry, policy, scraper, association, rolePolicy, provider(["admin-policy"]), deployment(["app-association"])]));
        // The scraper's access entry is not the deployer's: only the admin principal's entry and policy count.
        assert.deepEqual(without.violations.map((v) => v.grant.split("::").pop()).sort(), ["admin-entry", "admin-policy", "app-association", "app-policy"]);
        assert.ok(without.violations.every((v) => v.kind.seconds === 120));
        const waited = grantOrder(plan([eks, entry, policy, scraper, association, rolePolicy, sleep("access-wait", 120, ["admin-entry", "admin-policy"]), provider(["access-wait"]),
            sleep("app-wait", 120, ["app-association", "app-policy"]), deployment(["app-wait"])]));
        assert.deepEqual(waited.violations, []);
    });

    it("holds a Container App to its identity's start-time grants, and lists a SignalR grant after it as a note", () => {
        const identity: Spec = { type: "azure-native:managedidentity:UserAssignedIdentity", name: "workload", inputs: { resourceGroupName: "rg", resourceName: "wi" }, state: { clientId: "client-1", principalId: "principal-1" } };
        const identityId = armIdentity(identity.type, identity.name, identity.inputs!).id;
        const acrPull: Spec = { type: "azure-native:authorization:RoleAssignment", name: "acr-pull", inputs: { scope: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr", principalId: "principal-1" } };
        const app: Spec = { type: "azure-native:app:ContainerApp", name: "web", inputs: { identity: { userAssignedIdentities: [identityId] } }, dependsOn: ["acr-pull"] };
        const signalr: Spec = { type: "azure-native:authorization:RoleAssignment", name: "signalr-app-server", inputs: { scope: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.SignalRService/signalR/sr", principalId: "principal-1" }, dependsOn: ["web"] };
        const report = grantOrder(plan([identity, acrPull, app, signalr]));
        assert.deepEqual(report.violations.map((v) => v.grant.split("::").pop()), ["acr-pull"]);
        assert.deepEqual(report.notes.map((n) => n.grant.split("::").pop()), ["signalr-app-server"]);
    });
});

// The AWS Load Balancer Controller chart 1.14.1 in an EKS cluster, and the objects its webhooks intercept.
const EKS: Spec = { type: "aws:eks/cluster:Cluster", name: "eks", inputs: { name: "bookstore-prod" } };
const EKS_PROVIDER: Spec = { type: "pulumi:providers:kubernetes", name: "eks-provider", dependsOn: ["eks"] };
const lbc = (values: Record<string, unknown>, extra: Record<string, unknown> = {}): Spec => ({
    type: "kubernetes:helm.sh/v3:Release", name: "lbc", provider: "eks-provider",
    inputs: { chart: "aws-load-balancer-controller", version: "1.14.1", namespace: "kube-system", values, ...extra },
});
const service = (dependsOn: string[] = []): Spec => ({ type: "kubernetes:core/v1:Service", name: "web", inputs: { metadata: { name: "web", namespace: "bookstore" } }, provider: "eks-provider", dependsOn });
const ingress = (dependsOn: string[]): Spec => ({ type: "kubernetes:networking.k8s.io/v1:Ingress", name: "web-ingress", inputs: { metadata: { name: "web", namespace: "bookstore" } }, provider: "eks-provider", dependsOn });

describe("ordering check: webhooks and CRDs before their users", () => {
    it("refuses a Service created beside the Load Balancer Controller while its Service webhook fails closed (aws.md M3)", () => {
        const found = admissionOrder(plan([EKS, EKS_PROVIDER, lbc({}, { waitForJobs: true }), service()]));
        assert.deepEqual(found.map((f) => f.urn.split("::").pop()), ["web"]);
        assert.match(found[0].problem, /mservice\.elbv2\.k8s\.aws \(failurePolicy Fail, lbc\)/);
        // Off (the stack has no LoadBalancer Service), or Ignore, or the Service after the ready controller: fine.
        assert.deepEqual(admissionOrder(plan([EKS, EKS_PROVIDER, lbc({ enableServiceMutatorWebhook: false }, { waitForJobs: true }), service()])), []);
        assert.deepEqual(admissionOrder(plan([EKS, EKS_PROVIDER, lbc({ serviceMutatorWebhookConfig: { failurePolicy: "Ignore" } }, { waitForJobs: true }), service()])), []);
        assert.deepEqual(admissionOrder(plan([EKS, EKS_PROVIDER, lbc({}, { waitForJobs: true }), service(["lbc"])])), []);
    });

    it("counts a release as ready only when the provider awaits it and its jobs", () => {
        const notAwaited = admissionOrder(plan([EKS, EKS_PROVIDER, lbc({ enableServiceMutatorWebhook: false }), ingress(["lbc"])]));
        assert.match(notAwaited.map((f) => f.problem).join("\n"), /vingress\.elbv2\.k8s\.aws .*not awaited to readiness/);
        assert.deepEqual(admissionOrder(plan([EKS, EKS_PROVIDER, lbc({ enableServiceMutatorWebhook: false }, { waitForJobs: true }), ingress(["lbc"])])), []);
        assert.equal(admissionOrder(plan([EKS, EKS_PROVIDER, lbc({ enableServiceMutatorWebhook: false }, { waitForJobs: true, skipAwait: true }), ingress(["lbc"])])).length, 1);
    });

    it("creates a custom resource only after its CRD's installer is ready, and names a chart it has not read", () => {
        const alb: Spec = { type: "kubernetes:helm.sh/v3:Release", name: "alb", provider: "eks-provider", inputs: { chart: "oci://mcr.microsoft.com/application-lb/charts/alb-controller", version: "1.12.1", waitForJobs: true } };
        const gateway = (dependsOn: string[]): Spec => ({ type: "kubernetes:gateway.networking.k8s.io/v1:Gateway", name: "gw", inputs: { metadata: { namespace: "bookstore" } }, provider: "eks-provider", dependsOn });
        assert.match(admissionOrder(plan([EKS, EKS_PROVIDER, alb, gateway([])]))[0].problem, /can be created before alb has installed its CRD/);
        assert.deepEqual(admissionOrder(plan([EKS, EKS_PROVIDER, alb, gateway(["alb"])])), []);
        const scaled: Spec = { type: "kubernetes:keda.sh/v1alpha1:ScaledObject", name: "so", inputs: {}, provider: "eks-provider" };
        assert.match(admissionOrder(plan([EKS, EKS_PROVIDER, scaled]))[0].problem, /no release or add-on of the stack installs a CRD/);
        const unknown = { ...alb, inputs: { ...alb.inputs, version: "9.9.9" } };
        assert.match(admissionOrder(plan([EKS, EKS_PROVIDER, unknown]))[0].problem, /not in the table of CRDs and webhooks/);
    });
});

describe("ordering check: a custom domain's DNS before its binding", () => {
    const app = (dependsOn: string[]): Spec => ({
        type: "azure-native:app:ContainerApp", name: "web",
        inputs: { containerAppName: "bookstore-web", configuration: { ingress: { customDomains: [{ name: "www.bookstore.example" }] } } }, dependsOn,
    });
    const txt: Spec = { type: "cloudflare:index/dnsRecord:DnsRecord", name: "asuid", inputs: { name: "asuid.www.bookstore.example", type: "TXT", proxied: false } };
    const cname = (proxied: boolean): Spec => ({ type: "cloudflare:index/dnsRecord:DnsRecord", name: "cname", inputs: { name: "www.bookstore.example", type: "CNAME", proxied } });

    it("needs the asuid TXT record and a DNS-only CNAME first (the review's data-edge B1), the CNAME proxied only once bound", () => {
        assert.deepEqual(domainOrder(plan([txt, app(["asuid"])])).map((f) => f.problem), ["binds www.bookstore.example before a CNAME of it to the app's default host exists"]);
        assert.match(domainOrder(plan([txt, cname(true), app(["asuid", "cname"])]))[0].problem, /while its CNAME is proxied/);
        assert.deepEqual(domainOrder(plan([txt, cname(false), app(["asuid", "cname"])])), []);
        const previous = process.env.BOOKSTORE_OFFLINE_LIVE_APPS;
        process.env.BOOKSTORE_OFFLINE_LIVE_APPS = JSON.stringify({ "bookstore-web": { customDomains: ["www.bookstore.example"] } });
        try {
            assert.deepEqual(domainOrder(plan([txt, cname(true), app(["asuid", "cname"])])), []);
        } finally {
            if (previous === undefined) delete process.env.BOOKSTORE_OFFLINE_LIVE_APPS; else process.env.BOOKSTORE_OFFLINE_LIVE_APPS = previous;
        }
    });
});

describe("ordering checks on the shipped stacks", () => {
    for (const stack of ["dev", "prod", "prod-aks", "prod-cloudflare", "prod-eks", "dev-eks"]) {
        const doc = planned(stack);
        it(`${stack}: nothing out of order`, () => {
            const ordering = (doc() as any).ordering;
            assert.deepEqual([ordering.grants.violations, ordering.admission, ordering.domains], [[], [], []]);
        });
    }

    const aks = planned("prod-aks");
    it("prod-aks: the modelled first deploy includes the grant waits before the cluster and before every Kubernetes object", () => {
        const doc = aks() as any;
        const byName = (name: string) => doc.resources.find((r: any) => r.name === name);
        const cluster = byName("cluster");
        const controlPlaneWait = byName("control-plane-grant-propagation");
        assert.ok(cluster.dependencies.includes(controlPlaneWait.urn));
        assert.equal(controlPlaneWait.inputs.createDuration, "600s");
        // The app tier cannot be ready before the cluster's wait (600 s) plus the cluster's own create.
        assert.ok(doc.criticalPath.appReadySeconds >= 600 + 600, `app ready at ${doc.criticalPath.appReadySeconds} s`);
    });
});
