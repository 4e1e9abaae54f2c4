// The web app's own host name on Container Apps: the Cloudflare verification and CNAME records, the certificate and the binding (Cloudflare below Enterprise).
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import * as cloudflare from "@pulumi/cloudflare";
import type * as types from "@pulumi/azure-native/types/input";

/** A host name of ours that the web Container App serves itself, in a Cloudflare zone. */
export interface WebCustomDomainSpec {
    /** The proxied host name, e.g. "www.bookstore.example". */
    hostname: string;
    /** PEM of the Cloudflare Origin CA certificate for `hostname` and its private key (secret). */
    certificatePem: pulumi.Input<string>;
    /** The Cloudflare zone that holds `hostname`, and a token that may edit its DNS. */
    zoneId: string;
    apiToken: pulumi.Input<string>;
}

export interface ContainerAppCustomDomainArgs extends WebCustomDomainSpec {
    resourceGroupName: pulumi.Input<string>;
    location: pulumi.Input<string>;
    environmentName: pulumi.Input<string>;
    /** The environment's `customDomainConfiguration.customDomainVerificationId`. */
    verificationId: pulumi.Input<string>;
    /** The environment's `defaultDomain`: with ingress external, the app's FQDN is `<app name>.<defaultDomain>`. */
    environmentDefaultDomain: pulumi.Input<string>;
    /** Name of the Container App that binds the host name (known before the app exists). */
    appName: string;
}

/**
 * Whether the host name is already bound on the app, read from Azure before the app's PUT: false
 * when the app does not exist (a first deploy) or does not list the name yet. It is the web CNAME's
 * proxy flag: Azure adds a host name to a Container App only when a CNAME of that name points
 * directly at the app's default host (Learn, custom-domains-certificates: "CNAME | The subdomain |
 * The generated domain of your container app", beside the `asuid` TXT record), and a proxied
 * Cloudflare record answers with Cloudflare's addresses instead (microsoft/azure-container-apps#525:
 * "Not found CNAME of hostname 'xxx' directly pointing to a default hostname"). So the record stays
 * DNS-only until the binding exists and is proxied from the next `up` on. Only "not found" reads
 * as unbound; any other failure stops the run, because "unbound" would turn the proxy off.
 */
export function hostnameBound(resourceGroupName: pulumi.Input<string>, appName: string, hostname: string, opts: pulumi.InvokeOptions): pulumi.Output<boolean> {
    return pulumi.output(resourceGroupName).apply(async (rg) => {
        try {
            const live = await app.getContainerApp({ resourceGroupName: rg, containerAppName: appName }, opts);
            return (live.configuration?.ingress?.customDomains ?? []).some((d) => d.name.toLowerCase() === hostname.toLowerCase());
        } catch (err) {
            if (/ResourceNotFound|NotFound|\b404\b/.test(err instanceof Error ? err.message : String(err))) return false;
            throw err;
        }
    });
}


/** The TXT record Azure looks up to prove we own a subdomain: `asuid.<host>`. */
export const verificationRecordName = (hostname: string) => `asuid.${hostname}`;

/**
 * The certificate's name in the environment, from its content: a new certificate gets a new name, so
 * Pulumi creates it, rebinds the app and only then deletes the old one (a bound certificate cannot go first).
 */
export const certificateName = (pem: string) => `web-origin-ca-${createHash("sha256").update(pem).digest("hex").slice(0, 12)}`;

/** Container Apps takes a certificate as a base64 "PFX or PEM blob" (Certificate.properties.value). */
export const pemBlob = (pem: string) => Buffer.from(pem, "utf8").toString("base64");

/**
 * What the web app needs to serve one of our host names behind a proxied Cloudflare record
 * without an Enterprise Host header override: the ownership record `asuid.<host>` (DNS only), the
 * CNAME `<host>` to the app's default host (DNS only until the host is bound, then proxied:
 * hostnameBound) and the Origin CA certificate in the environment. A managed certificate is not an option: its
 * issuance and renewal fail when the CNAME goes through Cloudflare
 * (https://learn.microsoft.com/azure/container-apps/custom-domains-managed-certificates#free-certificate-requirements);
 * an uploaded certificate is validated by Cloudflare's Full (strict) mode, which trusts Origin CA
 * (https://developers.cloudflare.com/ssl/origin-configuration/origin-ca/).
 * Bind `binding` in the app's ingress and make the app depend on `ready`.
 */
export class ContainerAppCustomDomain extends pulumi.ComponentResource {
    readonly binding: types.app.CustomDomainArgs;
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: ContainerAppCustomDomainArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:app:ContainerAppCustomDomain", name, {}, opts);
        const provider = new cloudflare.Provider(`${name}-provider`, { apiToken: pulumi.secret(args.apiToken) }, { parent: this });
        // Azure checks this record when the app's PUT binds the host name, so it exists first.
        const verification = new cloudflare.DnsRecord(`${name}-asuid`, {
            zoneId: args.zoneId,
            name: verificationRecordName(args.hostname),
            type: "TXT",
            content: args.verificationId,
            proxied: false,
            ttl: 1,
            comment: "BookStore: Azure Container Apps domain verification (managed by Pulumi)",
        }, { parent: this, provider });
        // Created before the app (its target is computed from the environment), so the binding finds it. It was
        // the Cloudflare edge's record before (same name and zone): the alias keeps it rather than replacing it.
        const bound = hostnameBound(args.resourceGroupName, args.appName, args.hostname, { parent: this });
        const cname = new cloudflare.DnsRecord(`${name}-cname`, {
            zoneId: args.zoneId,
            name: args.hostname,
            type: "CNAME",
            content: pulumi.interpolate`${args.appName}.${args.environmentDefaultDomain}`,
            proxied: bound,
            ttl: 1,
            comment: "BookStore web (managed by Pulumi)",
        }, {
            parent: this, provider,
            aliases: [{ name: "cloudflare-web-dns", parent: pulumi.createUrn("cloudflare", "bookstore:cdn:CloudflareEdge") }],
        });
        const certificate = new app.Certificate(`${name}-certificate`, {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            environmentName: args.environmentName,
            // A hash of the certificate is no secret; the name shows in the plan.
            certificateName: pulumi.unsecret(pulumi.output(args.certificatePem).apply(certificateName)),
            properties: {
                certificateType: "ServerSSLCertificate",
                value: pulumi.secret(pulumi.output(args.certificatePem).apply(pemBlob)),
            },
        }, { parent: this });
        this.binding = { name: args.hostname, certificateId: certificate.id, bindingType: "SniEnabled" };
        this.ready = [verification, cname, certificate];
        this.registerOutputs({ hostname: args.hostname, certificateId: certificate.id });
    }
}
