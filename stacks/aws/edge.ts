import * as pulumi from "@pulumi/pulumi";
import { StaticSite } from "../../components/aws/staticSite";
import type { KubernetesAppTier } from "../../components/kubernetes/kubernetesAppTier";
import { CloudflareEdge } from "../../components/cloudflare/cloudflareEdge";
import type { EksStackConfig } from "../config";
import type { AwsFoundation } from "./foundation";

/** Static assets: a private bucket behind CloudFront (OAC), on a custom host when a us-east-1 certificate is configured. */
export function composeStaticSite(config: EksStackConfig, base: AwsFoundation): StaticSite {
    const edge = config.aws.edge;
    const cloudflare = config.cdn === "cloudflare" ? config.cloudflare : undefined;
    return new StaticSite("static-assets", {
        bucketPrefix: `${base.baseName}-static-`,
        customDomain: edge.staticHost && edge.cloudFrontCertificateArn ? { host: edge.staticHost, certificateArn: edge.cloudFrontCertificateArn } : undefined,
        corsOrigins: [`https://${edge.webHost}`, ...(cloudflare ? [`https://${cloudflare.webHostname}`] : [])],
        tags: base.tags,
    }, { providers: [base.provider] });
}

/**
 * `cdn: cloudflare`: Cloudflare's proxied hosts in front of the ALB (its DNS name from the web
 * Ingress's status) and of CloudFront; the bucket stays private behind CloudFront's OAC.
 */
export function composeCloudflare(config: EksStackConfig, app: Pick<KubernetesAppTier, "ingress">, site: StaticSite): { webUrl: string; staticUrl: string } | undefined {
    const cloudflare = config.cdn === "cloudflare" ? config.cloudflare : undefined;
    if (!cloudflare || !config.cloudflareApiToken || !app.ingress) return undefined;
    const albHost = app.ingress.status.apply((s) => s?.loadBalancer?.ingress?.[0]?.hostname ?? "");
    const edge = new CloudflareEdge("cloudflare", {
        zoneId: cloudflare.zoneId,
        apiToken: config.cloudflareApiToken,
        // The ALB's listener serves the public host name with its ACM certificate, so no plan needs a Host override.
        plan: cloudflare.plan,
        web: { hostname: cloudflare.webHostname, originHost: albHost },
        static: { hostname: cloudflare.staticHostname, originHost: site.distribution.domainName },
        bypassPathPrefixes: cloudflare.bypassPathPrefixes,
    });
    return { webUrl: edge.webUrl, staticUrl: edge.staticUrl };
}

/** AWS console deep links for the stack's dashboards. */
export function consoleLinks(region: string, names: { cluster: string; database: pulumi.Input<string>; cache: string; prometheus?: pulumi.Input<string> }, cloudwatch?: pulumi.Input<string>) {
    const console = `https://${region}.console.aws.amazon.com`;
    return {
        eks: `${console}/eks/home?region=${region}#/clusters/${names.cluster}`,
        rds: pulumi.interpolate`${console}/rds/home?region=${region}#database:id=${names.database}`,
        elasticache: `${console}/elasticache/home?region=${region}#/valkey/${names.cache}`,
        alarms: `${console}/cloudwatch/home?region=${region}#alarmsV2:`,
        containerInsights: `${console}/cloudwatch/home?region=${region}#container-insights:infrastructure`,
        ...(cloudwatch ? { cloudwatch } : {}),
        ...(names.prometheus ? { prometheus: pulumi.interpolate`${console}/prometheus/home?region=${region}#/workspaces/workspace/${names.prometheus}` } : {}),
    };
}
