// Cross-key rules of the app tier (Container Apps and AKS), and the AKS TLS secrets the config reads.
import { cidrSize, contains, overlaps, parseCidr } from "../../lib/network";
import type { StackCheck } from "./checks";
import { agcSubnetProblems } from "./aksGateway";
import { text } from "./common";
import { containerAppName, memoryGi } from "../../lib/containerApps";
import { containerAppsPairProblem, DEDICATED_PROFILES, type AppConfig, type DedicatedProfileType } from "./app";

const servicesOf = (config: { app: AppConfig }) => Object.entries(config.app.services);

/** Cross-key rules of the app tier on Container Apps. */
const containerAppsChecks: StackCheck[] = [
    (config, report) => {
        if (config.platform !== "containerapps") return;
        const app = config.app as AppConfig;
        const dedicated = new Map(app.containerApps.workloadProfiles.map((p) => [p.name, p]));
        for (const [name, svc] of servicesOf(config)) {
            const path = ["app", "services", name];
            const profile = svc.workloadProfile === "Consumption" ? undefined : dedicated.get(svc.workloadProfile);
            if (svc.workloadProfile !== "Consumption" && !profile) {
                report([...path, "workloadProfile"],
                    `expected "Consumption" or a profile of app.containerApps.workloadProfiles (${[...dedicated.keys()].join(", ") || "none declared"})`,
                    svc.workloadProfile);
            } else if (!profile) {
                const problem = containerAppsPairProblem(svc.cpu, svc.memory);
                if (problem) report([...path, "cpu"], `expected ${problem} for service "${name}"`, { cpu: svc.cpu, memory: svc.memory });
            } else {
                const size = DEDICATED_PROFILES[profile.workloadProfileType as DedicatedProfileType];
                if (svc.cpu > size.cpu || memoryGi(svc.memory) > size.memoryGi) {
                    report([...path, "cpu"], `expected at most ${size.cpu} vCPU and ${size.memoryGi}Gi for service "${name}" on a ${profile.workloadProfileType} profile`,
                        { cpu: svc.cpu, memory: svc.memory });
                }
            }
            if (svc.hpa.customMetrics.enabled) {
                report([...path, "hpa", "customMetrics", "enabled"], "expected false on platform \"containerapps\" (custom-metric HPAs are a Kubernetes feature)", true);
            }
            const appName = containerAppName(config.namePrefix, name);
            if (appName.length > 32) {
                report(path, `expected a shorter service name: the Container App name "${appName}" exceeds 32 characters`, name);
            }
        }
        const seen = new Set<string>();
        app.containerApps.workloadProfiles.forEach((p, i) => {
            const path = ["app", "containerApps", "workloadProfiles", i];
            if (p.name === "Consumption" || seen.has(p.name)) report([...path, "name"], "expected a unique name other than \"Consumption\"", p.name);
            seen.add(p.name);
            if (p.maximumCount < p.minimumCount) report([...path, "maximumCount"], `expected an integer >= minimumCount (${p.minimumCount})`, p.maximumCount);
        });
    },
];

/** Cross-key rules of the app tier on AKS. */
const aksChecks: StackCheck[] = [
    (config, report) => {
        if (config.platform !== "aks") return;
        const aks = (config.app as AppConfig).aks;
        if (config.environment === "prod" && aks.kubernetesVersion === undefined) {
            report(["app", "aks", "kubernetesVersion"], "expected a Kubernetes version in prod (one in AKS standard support, see policy/shared/aksVersions.ts)", undefined);
        }
        if ((config.aksTlsCertificate === undefined) !== (config.aksTlsPrivateKey === undefined)) {
            const missing = config.aksTlsCertificate === undefined ? "aksTlsCertificate" : "aksTlsPrivateKey";
            report([missing], "expected both aksTlsCertificate and aksTlsPrivateKey (the Gateway serves the certificate with its key)", undefined);
        }
        const external = servicesOf(config).filter(([, svc]) => svc.ingress.external).map(([name]) => name);
        if (external.length > 1) {
            report(["app", "services", external[1], "ingress", "external"],
                `expected only one external service on platform "aks" (its Gateway owns the host; "${external[0]}" is external already)`, true);
        }
        for (const [name, svc] of servicesOf(config)) {
            const path = ["app", "services", name];
            if (svc.cpu > svc.limits.cpu) report([...path, "cpu"], `expected a CPU request <= limits.cpu (${svc.limits.cpu})`, svc.cpu);
            if (memoryGi(svc.memory) > memoryGi(svc.limits.memory)) {
                report([...path, "memory"], `expected a memory request <= limits.memory (${svc.limits.memory})`, svc.memory);
            }
            const metrics = [svc.scale.cpuUtilization, svc.scale.memoryUtilization].filter((m) => m !== null).length;
            if (metrics === 0 && !svc.hpa.customMetrics.enabled) {
                report([...path, "scale"], "expected cpuUtilization, memoryUtilization or hpa.customMetrics on platform \"aks\" (the HPA needs a metric)", svc.scale);
            }
        }
        const pools: [string, { minCount?: number; maxCount: number } | undefined][] = [
            ["systemPool", aks.systemPool], ["userPool", aks.userPool], ["spotPool", aks.spotPool],
        ];
        for (const [pool, size] of pools) {
            if (size?.minCount !== undefined && size.maxCount < size.minCount) {
                report(["app", "aks", pool, "maxCount"], `expected an integer >= minCount (${size.minCount})`, size.maxCount);
            }
        }
        const vnet = parseCidr(config.network.addressSpace);
        if (aks.gateway.implementation === "application-gateway-for-containers") {
            for (const problem of agcSubnetProblems(aks.gateway.subnet, config.network)) report(["app", "aks", "gateway", "subnet"], problem, aks.gateway.subnet);
        }
        const pod = parseCidr(aks.podCidr);
        const service = parseCidr(aks.serviceCidr);
        if (overlaps(pod, vnet)) report(["app", "aks", "podCidr"], `expected a range outside the VNet (${config.network.addressSpace})`, aks.podCidr);
        if (overlaps(service, vnet)) report(["app", "aks", "serviceCidr"], `expected a range outside the VNet (${config.network.addressSpace})`, aks.serviceCidr);
        else if (overlaps(service, pod)) report(["app", "aks", "serviceCidr"], `expected a range that does not overlap podCidr (${aks.podCidr})`, aks.serviceCidr);
        const dns = parseCidr(`${aks.dnsServiceIP}/32`);
        if (!contains(service, dns) || dns.start === service.start || dns.start === service.start + cidrSize(service) - 1) {
            report(["app", "aks", "dnsServiceIP"], `expected a usable address inside serviceCidr (${aks.serviceCidr})`, aks.dnsServiceIP);
        }
    },
];

/**
 * TLS of the AKS web Gateway, as stack secrets (`pulumi config set --secret`): a publicly trusted
 * certificate chain for `app.aks.ingress.host` and its private key, in PEM. The program writes them
 * to the Kubernetes TLS Secret the Gateway's HTTPS listener serves, so a first deploy needs no
 * Key Vault access. Without them the Gateway listens on HTTP only (no edge may validate it).
 */
export const aksTlsFields = {
    aksTlsCertificate: text("a PEM certificate chain").optional()
        .describe("Publicly trusted PEM certificate chain for `app.aks.ingress.host`, served by the AKS web "
            + "Gateway. Without it the Gateway listens on HTTP only. Set with `pulumi config set --secret`."),
    aksTlsPrivateKey: text("a PEM private key").optional()
        .describe("PEM private key of `aksTlsCertificate`. Set with `pulumi config set --secret`."),
};

/** Every cross-key rule of the app tier (the replica bounds are a foundation check). */
export const appChecks: StackCheck[] = [...containerAppsChecks, ...aksChecks];
