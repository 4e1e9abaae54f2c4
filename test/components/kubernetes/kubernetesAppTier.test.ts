import * as assert from "assert";
import { SPOT_TAINT, taintString } from "../../../components/azure/aksCluster";
import { inputs, oneOfType, planned, planOf, Resource, resourcesOfType, stackVariant } from "../../helpers/plan";
import type { PlanDocument } from "../../../tools/offline/types";
import { suffix } from "../../../tools/offline/mocks";

const k8s = (doc: PlanDocument, kind: string, name: string) => inputs(oneOfType(doc, `kubernetes:${kind}`, name));

describe("Kubernetes app tier (plan of prod-aks)", () => {
    const doc = () => planOf("prod-aks");

    // Custom metrics off: the api's one autoscaler is the plain HPA.
    const customMetricsOff = planned("prod-aks", {
        stackFile: stackVariant("prod-aks", (config) => { config["bookstore:app"].services.api.hpa.customMetrics.enabled = false; }),
    });
    it("with custom metrics off, gives the api the seed's HPA: 2-10, CPU 70 %, memory 80 %, the seed's scale-up and scale-down behaviour", () => {
        assert.deepStrictEqual(k8s(customMetricsOff(), "autoscaling/v2:HorizontalPodAutoscaler", "api").spec, {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" },
            minReplicas: 2,
            maxReplicas: 10,
            metrics: [
                { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
                { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } },
            ],
            behavior: {
                scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] },
                scaleUp: {
                    stabilizationWindowSeconds: 0,
                    policies: [{ type: "Percent", value: 100, periodSeconds: 30 }, { type: "Pods", value: 2, periodSeconds: 30 }],
                    selectPolicy: "Max",
                },
            },
        });
    });

    it("gives the web app the seed's HPA: 2-8, CPU 60 %, scale-down stabilization 300 s", () => {
        const spec = k8s(doc(), "autoscaling/v2:HorizontalPodAutoscaler", "web").spec;
        assert.deepStrictEqual([spec.minReplicas, spec.maxReplicas], [2, 8]);
        assert.deepStrictEqual(spec.metrics, [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }]);
        assert.deepStrictEqual(spec.behavior, { scaleDown: { stabilizationWindowSeconds: 300 } });
    });

    it("runs the api with the seed's resources and probes, hardened and spread across zones", () => {
        const deployment = k8s(doc(), "apps/v1:Deployment", "api");
        assert.strictEqual(deployment.metadata.namespace, "bookstore");
        assert.strictEqual(deployment.spec.replicas, undefined, "the HPA owns the replica count");
        const pod = deployment.spec.template.spec;
        const [container] = pod.containers;
        assert.deepStrictEqual(container.resources, { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "1Gi" } });
        assert.deepStrictEqual(container.livenessProbe, { httpGet: { path: "/health", port: "http" }, initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 });
        assert.deepStrictEqual([container.readinessProbe.initialDelaySeconds, container.readinessProbe.periodSeconds, container.readinessProbe.httpGet.path], [5, 5, "/health"]);
        assert.deepStrictEqual(container.securityContext, {
            runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ["ALL"] },
        });
        assert.strictEqual(pod.securityContext.runAsNonRoot, true);
        assert.deepStrictEqual(pod.topologySpreadConstraints[0], {
            maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule",
            labelSelector: { matchLabels: { "app.kubernetes.io/name": "api" } }, matchLabelKeys: ["pod-template-hash"],
            nodeAffinityPolicy: "Honor", nodeTaintsPolicy: "Honor",
        });
        assert.strictEqual(pod.serviceAccountName, "bookstore");
        assert.strictEqual(deployment.spec.template.metadata.labels["azure.workload.identity/use"], "true");
        assert.strictEqual(pod.tolerations, undefined, "no service is spot tolerant in prod-aks");
    });

    it("wires secrets through a Kubernetes Secret and never shows their values", () => {
        const env = k8s(doc(), "apps/v1:Deployment", "api").spec.template.spec.containers[0].env;
        assert.deepStrictEqual(env.find((e: any) => e.name === "ConnectionStrings__bookstore").valueFrom,
            { secretKeyRef: { name: "app-settings", key: "ConnectionStrings__bookstore" } });
        const secret = k8s(doc(), "core/v1:Secret", "app-settings");
        assert.ok(["[secret]", "[unknown]"].includes(secret.stringData), JSON.stringify(secret.stringData));
    });

    it("binds the ServiceAccount to the workload identity with a federated credential", () => {
        const sa = k8s(doc(), "core/v1:ServiceAccount", "service-account");
        assert.strictEqual(sa.metadata.annotations["azure.workload.identity/client-id"], (doc().outputs as any).workloadIdentityClientId);
        const fic = inputs(oneOfType(doc(), "azure-native:managedidentity:FederatedIdentityCredential", "service-account-federation"));
        assert.strictEqual(fic.subject, "system:serviceaccount:bookstore:bookstore");
        assert.deepStrictEqual(fic.audiences, ["api://AzureADTokenExchange"]);
        assert.strictEqual(fic.resourceName, "bookstore-prod-workload");
        assert.match(fic.issuer, /^https:\/\/eastus2\.oic\.prod-aks\.azure\.com\//);
    });

    it("has a ClusterIP Service and a PDB per service, and a Gateway API entry for web (no Ingress, no NGINX)", () => {
        for (const service of ["api", "web"]) {
            assert.strictEqual(k8s(doc(), "core/v1:Service", service).spec.type, "ClusterIP");
            const pdb = k8s(doc(), "policy/v1:PodDisruptionBudget", service).spec;
            assert.deepStrictEqual([pdb.selector, pdb.maxUnavailable], [{ matchLabels: { "app.kubernetes.io/name": service } }, 1]);
        }
        const gateway = k8s(doc(), "gateway.networking.k8s.io/v1:Gateway", "web-gateway");
        assert.strictEqual(gateway.spec.gatewayClassName, "azure-alb-external");
        const route = k8s(doc(), "gateway.networking.k8s.io/v1:HTTPRoute", "web-route");
        assert.deepStrictEqual([route.spec.hostnames, route.spec.parentRefs[0].name, route.spec.rules[0].backendRefs],
            [["www.bookstore.example"], "web-gateway", [{ group: "", kind: "Service", name: "web", port: 80 }]]);
        const kinds = doc().resources.map((r: Resource) => r.type);
        assert.ok(!kinds.some((t) => /Ingress/.test(t)), kinds.filter((t) => /Ingress/.test(t)).join(", "));
        // Application Gateway for Containers serves the Gateway: the app-routing add-on has nothing to do.
        const cluster = inputs(oneOfType(doc(), "azure-native:containerservice:ManagedCluster"));
        assert.deepStrictEqual(cluster.ingressProfile, { webAppRouting: { enabled: false } });
        const outputs = doc().outputs as any;
        assert.deepStrictEqual([outputs.webUrl, outputs.apiHost, outputs.kubernetesNamespace],
            ["https://www.bookstore.example", "api.bookstore.svc.cluster.local", "bookstore"]);
    });

    it("starts each Deployment only after the workload identity may pull images and read Key Vault", () => {
        const grants = ["acr-pull", "kv-secrets-user"].map((name) => oneOfType(doc(), "azure-native:authorization:RoleAssignment", name).urn);
        const wait = oneOfType(doc(), "time:index/sleep:Sleep", "workload-grants-propagation");
        const deployments = resourcesOfType(doc(), "kubernetes:apps/v1:Deployment").filter((r) => r.urn.includes("KubernetesAppTier"));
        assert.deepStrictEqual(deployments.map((d) => d.name).sort(), ["api", "web"]);
        for (const deployment of deployments) assert.ok(deployment.dependencies.includes(wait.urn), `${deployment.name} does not wait for the grants`);
        for (const grant of grants) assert.ok(wait.dependencies.includes(grant), `the wait does not follow ${grant}`);
    });

    it("terminates TLS for the web host with the stack's certificate secrets, kept secret", () => {
        const gateway = oneOfType(doc(), "kubernetes:gateway.networking.k8s.io/v1:Gateway", "web-gateway");
        const https = inputs(gateway).spec.listeners.find((l: any) => l.name === "https");
        assert.deepStrictEqual([https.port, https.protocol, https.hostname, https.tls],
            [443, "HTTPS", "www.bookstore.example", { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "web-tls" }] }]);
        const secret = oneOfType(doc(), "kubernetes:core/v1:Secret", "web-tls");
        assert.deepStrictEqual([inputs(secret).type, inputs(secret).stringData], ["kubernetes.io/tls", "[secret]"]);
        assert.ok(gateway.dependencies.includes(secret.urn), "the Gateway waits for its certificate");
    });

    const withoutCertificates = planned("prod-aks", {
        stackFile: stackVariant("prod-aks", (config) => {
            delete config["bookstore:aksTlsCertificate"];
            delete config["bookstore:aksTlsPrivateKey"];
            config["bookstore:app"].aks.ingress = {};
        }),
    });
    it("without the certificate secrets: HTTP only, and Front Door off the web app", () => {
        const variant = withoutCertificates();
        // Without a host of its own the web entry answers on the AGC frontend's generated FQDN.
        const fqdn = (variant.outputs as any).webOriginAddress;
        assert.match(fqdn, /^[a-z0-9]+\.fz[a-z0-9]+\.alb\.azure\.com$/);
        const gateway = k8s(variant, "gateway.networking.k8s.io/v1:Gateway", "web-gateway");
        assert.deepStrictEqual(gateway.spec.listeners.map((l: any) => [l.name, l.port, l.hostname]), [["http", 80, fqdn]]);
        assert.deepStrictEqual(k8s(variant, "gateway.networking.k8s.io/v1:HTTPRoute", "web-route").spec.hostnames, [fqdn]);
        assert.deepStrictEqual(resourcesOfType(variant, "kubernetes:core/v1:Secret").map((r) => r.name).filter((n) => n === "web-tls"), []);
        assert.deepStrictEqual(resourcesOfType(variant, "azure-native:cdn:Route").map((r) => inputs(r).routeName), ["static"]);
        const outputs = variant.outputs as any;
        assert.strictEqual(outputs.publicWebUrl, `http://${fqdn}`);
    });

    it("deploys every Kubernetes resource through the cluster's provider", () => {
        const providers = new Set(doc().resources.filter((r: Resource) => r.type.startsWith("kubernetes:")).map((r) => r.provider));
        assert.deepStrictEqual([...providers], ["urn:pulumi:prod-aks::bookstore::bookstore:app:AksCluster$pulumi:providers:kubernetes::aks"]);
    });

    const customMetrics = doc;
    it("with custom metrics on (as shipped), scales the api with one KEDA ScaledObject: cpu, memory, the seed's Prometheus triggers and HPA behaviour, and no HPA", () => {
        const variant = customMetrics();
        assert.deepStrictEqual(resourcesOfType(variant, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").map((r) => r.name), ["web"]);
        const scaled = k8s(variant, "keda.sh/v1alpha1:ScaledObject", "api-scaledobject");
        assert.deepStrictEqual([scaled.metadata.name, scaled.metadata.namespace], ["api", "bookstore"]);
        assert.deepStrictEqual(scaled.spec.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "api" });
        assert.deepStrictEqual([scaled.spec.minReplicaCount, scaled.spec.maxReplicaCount], [2, 10]);
        assert.deepStrictEqual(scaled.spec.advanced.horizontalPodAutoscalerConfig.behavior, {
            scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] },
            scaleUp: {
                stabilizationWindowSeconds: 0,
                policies: [{ type: "Percent", value: 100, periodSeconds: 30 }, { type: "Pods", value: 2, periodSeconds: 30 }],
                selectPolicy: "Max",
            },
        });
        const triggers = scaled.spec.triggers;
        assert.deepStrictEqual(triggers.slice(0, 2), [
            { type: "cpu", metricType: "Utilization", metadata: { value: "70" } },
            { type: "memory", metricType: "Utilization", metadata: { value: "80" } },
        ]);
        assert.deepStrictEqual(triggers.slice(2).map((t: any) => [t.type, t.metricType, t.metadata.query, t.metadata.threshold, t.authenticationRef.name]), [
            ["prometheus", "AverageValue", 'sum(rate(http_server_request_duration_seconds_count{job="apiservice",http_route!~"/health|/alive|/api/notifications/stream"}[2m]))', "1000", "managed-prometheus"],
            ["prometheus", "Value", 'histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{job="apiservice",http_route!~"/health|/alive|/api/notifications/stream"}[5m]))) >= 0', "0.5", "managed-prometheus"],
        ]);
        assert.deepStrictEqual(scaled.spec.fallback, { failureThreshold: 3, replicas: 2 });
    });

    it("with custom metrics on, turns on the KEDA add-on and lets its operator read the Azure Monitor workspace through workload identity", () => {
        const variant = customMetrics();
        const cluster = inputs(oneOfType(variant, "azure-native:containerservice:ManagedCluster"));
        assert.deepStrictEqual(cluster.workloadAutoScalerProfile, { keda: { enabled: true } });
        const identity = oneOfType(variant, "azure-native:managedidentity:UserAssignedIdentity", "keda-operator");
        const federation = inputs(oneOfType(variant, "azure-native:managedidentity:FederatedIdentityCredential", "keda-operator"));
        assert.strictEqual(federation.subject, "system:serviceaccount:kube-system:keda-operator");
        const reader = inputs(oneOfType(variant, "azure-native:authorization:RoleAssignment", "keda-monitoring-data-reader"));
        assert.match(reader.roleDefinitionId, /\/roleDefinitions\/b0d8363b-8ddd-447d-831f-62ca05bff136$/);
        assert.match(reader.scope, /\/providers\/Microsoft\.Monitor\/accounts\/bookstore-prod-amw$/);
        assert.strictEqual(reader.principalType, "ServicePrincipal");
        const auth = k8s(variant, "keda.sh/v1alpha1:TriggerAuthentication", "keda-prometheus-auth");
        assert.deepStrictEqual([auth.metadata.name, auth.spec.podIdentity.provider], ["managed-prometheus", "azure-workload"]);
        // Its own identity (only this grant), not the app's: the app ServiceAccount's client id differs.
        const appClientId = k8s(variant, "core/v1:ServiceAccount", "service-account").metadata.annotations["azure.workload.identity/client-id"];
        assert.match(auth.spec.podIdentity.identityId, /^[0-9a-f-]{36}$/);
        assert.notStrictEqual(auth.spec.podIdentity.identityId, appClientId);
        assert.strictEqual(inputs(identity).resourceName, "bookstore-prod-keda");
        // The scaler reads the cluster's Azure Monitor workspace at its Prometheus query endpoint.
        const scaled = k8s(variant, "keda.sh/v1alpha1:ScaledObject", "api-scaledobject");
        assert.deepStrictEqual([...new Set(scaled.spec.triggers.slice(2).map((t: any) => t.metadata.serverAddress))],
            [`https://bookstore-prod-amw-${suffix(reader.scope)}.eastus2.prometheus.monitor.azure.com`]);
    });

    it("with custom metrics off, keeps the plain HPAs and installs no KEDA", () => {
        const off = customMetricsOff();
        assert.deepStrictEqual(resourcesOfType(off, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").map((r) => r.name), ["api", "web"]);
        assert.deepStrictEqual(off.resources.filter((r: Resource) => r.type.includes("keda") || r.name.includes("keda")).map((r) => r.name), []);
        assert.strictEqual(inputs(oneOfType(off, "azure-native:containerservice:ManagedCluster")).workloadAutoScalerProfile, undefined);
    });

    const spotWithPool = planned("prod-aks", {
        stackFile: stackVariant("prod-aks", (config) => { config["bookstore:app"].services.web.spotTolerant = true; }),
    });
    const spotWithoutPool = planned("prod-aks", {
        stackFile: stackVariant("prod-aks", (config) => {
            config["bookstore:app"].services.web.spotTolerant = true;
            delete config["bookstore:app"].aks.spotPool;
        }),
    });
    it("gives spot-tolerant services the toleration that matches the spot pool's taint, only when the pool exists", () => {
        const withPool = spotWithPool();
        const poolTaints: string[] = inputs(oneOfType(withPool, "azure-native:containerservice:AgentPool", "spot-pool-z1")).nodeTaints;
        const pod = k8s(withPool, "apps/v1:Deployment", "web").spec.template.spec;
        const tolerations: string[] = pod.tolerations.map((t: any) => taintString(t));
        assert.deepStrictEqual(poolTaints, tolerations);
        assert.deepStrictEqual(poolTaints, [taintString(SPOT_TAINT)]);
        assert.strictEqual(pod.tolerations[0].operator, "Equal");
        const preference = pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0];
        assert.deepStrictEqual(preference, { key: "kubernetes.azure.com/scalesetpriority", operator: "In", values: ["spot"] });
        assert.strictEqual(k8s(withPool, "apps/v1:Deployment", "api").spec.template.spec.tolerations, undefined);

        const withoutPool = spotWithoutPool();
        assert.deepStrictEqual(resourcesOfType(withoutPool, "azure-native:containerservice:AgentPool").map((r) => r.name).sort(), ["user-pool-z1", "user-pool-z2", "user-pool-z3"]);
        const podWithout = k8s(withoutPool, "apps/v1:Deployment", "web").spec.template.spec;
        assert.deepStrictEqual([podWithout.tolerations, podWithout.affinity], [undefined, undefined]);
    });
});
