/**
 * The AWS adapters of the cloud-neutral Kubernetes tier (components/kubernetes/cloudAdapters.ts):
 * EKS Pod Identity for the app ServiceAccount, the spot node group's marks, and the AWS Load
 * Balancer Controller's ALB as the web entry (an Ingress of class `alb`). Secrets reach the pods
 * as the tier's own Kubernetes Secret; there is no CSI secret store on this platform.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as aws from "@pulumi/aws";
import type { CloudIdentity, IngressClass, SpotNodes } from "../kubernetes/cloudAdapters";
import { EKS_SPOT_LABEL, EKS_SPOT_TAINT } from "./eksCluster";
import { PodIdentity } from "./eksAddons";
import type { Statement } from "./iam";

/** TLS 1.2+ on the ALB listener (ELB UG — Security policies for your Application Load Balancer). */
export const ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/** IngressClass the AWS Load Balancer Controller's chart installs (LBC docs, "IngressClass"). */
export const ALB_INGRESS_CLASS = "alb";

export interface AlbAnnotationsInput {
    /** ACM certificate of the host, in the cluster's region. */
    certificateArn: string;
    /** Security group the ALB uses (opened on 443/80 by the foundation). */
    securityGroupId: pulumi.Input<string>;
    healthPath: string;
    /** Name the controller gives the ALB (CloudWatch finds its metrics by it, components/aws/albAlarms.ts). */
    loadBalancerName: string;
}

/** Annotations of the web Ingress: an internet-facing ALB, IP targets, HTTPS with the ACM certificate, HTTP redirected. */
export function albAnnotations(args: AlbAnnotationsInput): Record<string, pulumi.Input<string>> {
    return {
        // A name of ours rather than the controller's generated k8s-<ns>-<name>-<hash>: the alarms and dashboard look the ALB up by it.
        "alb.ingress.kubernetes.io/load-balancer-name": args.loadBalancerName,
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/listen-ports": JSON.stringify([{ HTTP: 80 }, { HTTPS: 443 }]),
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/certificate-arn": args.certificateArn,
        "alb.ingress.kubernetes.io/ssl-policy": ALB_SSL_POLICY,
        "alb.ingress.kubernetes.io/security-groups": args.securityGroupId,
        // The controller adds the ALB → pod rules to the node security group itself.
        "alb.ingress.kubernetes.io/manage-backend-security-group-rules": "true",
        "alb.ingress.kubernetes.io/healthcheck-path": args.healthPath,
        "alb.ingress.kubernetes.io/load-balancer-attributes": "routing.http.drop_invalid_header_fields.enabled=true",
    };
}

/** The ALB of the AWS Load Balancer Controller as the tier's web entry; the Ingress waits for `dependsOn` (the controller). */
export function albIngress(args: Omit<AlbAnnotationsInput, "healthPath"> & { dependsOn: pulumi.Resource[] }): IngressClass {
    return {
        className: ALB_INGRESS_CLASS,
        annotations: ({ healthPath }) => albAnnotations({ ...args, healthPath }),
        dependsOn: args.dependsOn,
    };
}

export interface EksPodIdentityArgs {
    clusterName: pulumi.Input<string>;
    /** The app's IAM permissions (least privilege). */
    statements: pulumi.Input<Statement[]>;
    /** The AWS provider of the cluster's region. */
    provider: aws.Provider;
    tags: Record<string, string>;
}

/**
 * EKS Pod Identity: the agent add-on hands the ServiceAccount's pods the role's credentials, so the
 * ServiceAccount carries no annotation and the pods no label (EKS UG — Pod Identity). The binding is
 * an IAM role and a PodIdentityAssociation, children of the tier; pods start once both have propagated.
 */
export function eksPodIdentity(args: EksPodIdentityArgs): CloudIdentity {
    return {
        serviceAccountAnnotations: {},
        podLabels: {},
        bind(parent, serviceAccount) {
            return new PodIdentity("app-identity", {
                clusterName: args.clusterName, namespace: serviceAccount.namespace, serviceAccount: serviceAccount.name, statements: args.statements, tags: args.tags,
            }, { parent, providers: [args.provider] }).ready;
        },
    };
}

/** How EKS marks the spot node group (components/aws/eksCluster.ts puts the label and taint on it). */
export const EKS_SPOT_NODES: SpotNodes = {
    nodeLabel: { key: EKS_SPOT_LABEL.key, value: EKS_SPOT_LABEL.value },
    taint: { key: EKS_SPOT_TAINT.key, value: EKS_SPOT_TAINT.value, effect: EKS_SPOT_TAINT.kubernetesEffect },
};
