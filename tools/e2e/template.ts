/**
 * The shipped e2e templates (e2e/templates/<platform>.yaml) and what a run sets in its copy: the
 * names, the expiry marks, the images by digest and, on AWS, the deployer's own identity, address
 * and certificates. Comments of the template are kept, so the rendered stack file explains itself.
 */
import * as fs from "fs";
import * as path from "path";
import { parseDocument, Scalar } from "yaml";
import { PROJECT_DIR } from "../paths";
import type { E2ePlatform } from "./names";

export const TEMPLATES_DIR = path.join(PROJECT_DIR, "e2e", "templates");

/** Tag names the run puts on every taggable resource (`tags.extra`): which run, and when it may be deleted. */
export const RUN_TAG = "e2e-run";
export const EXPIRES_TAG = "e2e-expires";

/** What an eks run fills in from its environment. */
export interface AwsRunSettings {
    region: string;
    /** Region of the cross-region replica (default: the template's, us-west-2). */
    replicaRegion?: string;
    /** The IAM role the run deploys as: a cluster admin through an access entry. */
    adminRoleArn: string;
    /** The runner's public address, `/32`: the only source the EKS endpoint admits. */
    publicAccessCidr: string;
    webHost: string;
    staticHost: string;
    /** ACM certificate in `region` covering webHost. */
    albCertificateArn: string;
    /** ACM certificate in us-east-1 covering staticHost (CloudFront's region). */
    cloudFrontCertificateArn: string;
}

export interface E2eStackSettings {
    namePrefix: string;
    runId: string;
    expiresAt: Date;
    /** Service → image (relative to the stack's registry, by digest), for the services the template names. */
    images?: Record<string, string>;
    /** Azure: the region of everything (the primary and its replica). */
    location?: string;
    aws?: AwsRunSettings;
}

/** Long lines kept whole and flow lists as written (`[m7g.large]`). */
const YAML_OUTPUT = { lineWidth: 0, flowCollectionPadding: false };

export function templateFile(platform: E2ePlatform): string {
    return path.join(TEMPLATES_DIR, `${platform}.yaml`);
}

/** The template's text with the run's settings in place. Throws when a setting names something the template lacks. */
export function renderE2eStack(template: string, settings: E2eStackSettings): string {
    const doc = parseDocument(template);
    const config = (...keys: (string | number)[]) => ["config", ...keys];
    const platform = String(doc.getIn(config("bookstore:platform")));
    doc.setIn(config("bookstore:namePrefix"), settings.namePrefix);
    doc.setIn(config("bookstore:tags", "extra", RUN_TAG), settings.runId);
    // Quoted: an unquoted ISO time is a YAML 1.1 timestamp, which a reader of the stack file may turn into a date.
    const expires = new Scalar(settings.expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z"));
    expires.type = Scalar.QUOTE_DOUBLE;
    doc.setIn(config("bookstore:tags", "extra", EXPIRES_TAG), expires);
    for (const [service, image] of Object.entries(settings.images ?? {})) {
        if (!doc.hasIn(config("bookstore:app", "services", service))) throw new Error(`the ${platform} e2e template has no service "${service}"`);
        doc.setIn(config("bookstore:app", "services", service, "image"), image);
    }
    if (settings.location) {
        if (platform === "eks") throw new Error("location is an Azure setting; an eks run takes aws.region");
        doc.setIn(config("bookstore:location"), settings.location);
        const replicas = doc.getIn(config("bookstore:database", "replicas")) as { items?: unknown[] } | undefined;
        replicas?.items?.forEach((_, i) => doc.setIn(config("bookstore:database", "replicas", i, "location"), settings.location));
    }
    const aws = settings.aws;
    if (aws) {
        if (platform !== "eks") throw new Error(`aws settings are for the eks template, not ${platform}`);
        const set = (value: unknown, ...keys: string[]) => doc.setIn(config("bookstore:aws", ...keys), value);
        set(aws.region, "region");
        if (aws.replicaRegion) set(aws.replicaRegion, "replicaRegion");
        set([aws.adminRoleArn], "eks", "adminRoleArns");
        set([aws.publicAccessCidr], "eks", "publicAccessCidrs");
        set(aws.webHost, "edge", "webHost");
        set(aws.albCertificateArn, "edge", "albCertificateArn");
        set(aws.staticHost, "edge", "staticHost");
        set(aws.cloudFrontCertificateArn, "edge", "cloudFrontCertificateArn");
    } else if (platform === "eks") {
        throw new Error("an eks run needs its aws settings (region, deployer role, runner address, hosts and certificates)");
    }
    return doc.toString(YAML_OUTPUT);
}

/** The project's stack file of `stack` (short name): where the run writes its rendered template. */
export function stackFilePath(projectDir: string, stack: string): string {
    return path.join(projectDir, `Pulumi.${stack.split("/").pop()}.yaml`);
}

/** Renders the platform's template into the project's stack file for `stack`. */
export function writeE2eStackFile(projectDir: string, stack: string, platform: E2ePlatform, settings: E2eStackSettings, templatesDir = TEMPLATES_DIR): string {
    const file = stackFilePath(projectDir, stack);
    fs.writeFileSync(file, renderE2eStack(fs.readFileSync(path.join(templatesDir, `${platform}.yaml`), "utf8"), settings));
    return file;
}

/** Sets the services' images in an existing stack file (after they were pushed and their digests read). */
export function pinImages(stackFile: string, images: Record<string, string>): void {
    const doc = parseDocument(fs.readFileSync(stackFile, "utf8"));
    for (const [service, image] of Object.entries(images)) doc.setIn(["config", "bookstore:app", "services", service, "image"], image);
    fs.writeFileSync(stackFile, doc.toString(YAML_OUTPUT));
}
