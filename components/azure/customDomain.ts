// The web app's own host name on Container Apps: the Cloudflare verification record, the certificate and the binding (Cloudflare below Enterprise).
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
 * without an Enterprise Host header override: the ownership record `asuid.<host>` (DNS only) and
 * the Origin CA certificate in the environment. A managed certificate is not an option: its
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
        this.ready = [verification, certificate];
        this.registerOutputs({ hostname: args.hostname, certificateId: certificate.id });
    }
}
