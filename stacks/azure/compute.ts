/** The Azure composition's app tier: Container Apps or Kubernetes on AKS, wired by every other tier. */
import * as pulumi from "@pulumi/pulumi";
import { createAppTier } from "../../components/azure/appTier";
import type { WebCustomDomainSpec } from "../../components/azure/customDomain";
import type { AppTierOutputs } from "../../components/contracts";
import { mergeWiring } from "../../components/wiring";
import type { StackConfig } from "../config";
import { webHostBoundOnApp, webOriginTrusted } from "../schema/edge";
import type { AzureEdgeLock } from "./edgeLock";
import type { AzureFoundation } from "./foundation";

/**
 * The web app's own custom domain: with Cloudflare below Enterprise the origin sees our host name
 * (no Host header override), so the Container App must serve it with a certificate Cloudflare trusts.
 */
export function webCustomDomain(config: StackConfig): WebCustomDomainSpec | undefined {
    const cf = config.cdn === "cloudflare" ? config.cloudflare : undefined;
    if (!cf || !webHostBoundOnApp(config)) return undefined;
    if (!config.cloudflareApiToken || !config.cloudflareOriginCertificate) return undefined;
    return {
        hostname: cf.webHostname,
        certificatePem: pulumi.secret(config.cloudflareOriginCertificate),
        zoneId: cf.zoneId,
        apiToken: config.cloudflareApiToken,
    };
}

export interface AzureApp {
    appTier: AppTierOutputs;
    /** `https` when the web origin serves a trusted certificate (the AKS Gateway only with aksTlsCertificate). */
    webScheme: "https" | "http";
    /** The web app's origin URL. */
    webOrigin: pulumi.Output<string>;
}

/**
 * The app tier on the runtime `platform` names, with the wiring every earlier tier handed it and,
 * on aks, the header the edge in front adds (edgeLock.ts), which the web route then requires.
 */
export function composeApp(base: AzureFoundation, lock: AzureEdgeLock): AzureApp {
    const { config, platform } = base;
    const appTier = createAppTier("app", {
        platformKind: config.platform,
        namePrefix: config.namePrefix,
        environment: config.environment,
        services: config.app.services,
        runtime: config.app,
        platform,
        platformBase: platform,
        aksCluster: base.aksCluster,
        aksTls: config.aksTlsCertificate !== undefined && config.aksTlsPrivateKey !== undefined
            ? { chain: pulumi.secret(config.aksTlsCertificate), privateKey: pulumi.secret(config.aksTlsPrivateKey) } : undefined,
        wiring: mergeWiring(...base.wirings),
        webCustomDomain: webCustomDomain(config),
        ...(lock.webEdgeHeader ? { webEdgeHeader: lock.webEdgeHeader } : {}),
        tags: base.tags,
    });
    base.diagnosticTargets.push(...appTier.diagnosticTargets);
    // The AKS Gateway serves HTTPS only with a certificate (aksTlsCertificate); Container Apps always does.
    const webScheme = webOriginTrusted(config) ? "https" : "http";
    base.outputs.webUrl = pulumi.interpolate`${webScheme}://${appTier.webHost}`;
    base.outputs.apiHost = appTier.apiHost;
    base.outputs.apiUrl = appTier.apiUrl;
    // AKS with AGC: the frontend's FQDN, the CNAME target of app.aks.ingress.host.
    if (appTier.webOriginAddress) base.outputs.webOriginAddress = appTier.webOriginAddress;
    if (appTier.namespace) base.outputs.kubernetesNamespace = appTier.namespace;
    return { appTier, webScheme, webOrigin: pulumi.interpolate`${webScheme}://${appTier.webHost}` };
}
