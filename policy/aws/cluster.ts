/** EKS rules (FSBP EKS.1/.2/.8, the eks-secrets-encrypted Config rule) and the platform's node-group floor. */
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { configSchema, environmentsProperty, inScope, Scoped, settingsOf } from "../common";
import { EksCluster, EksNodeGroup } from "./types";

export const eksEndpointPrivate: ResourceValidationPolicy = {
    name: "aws-eks-endpoint-private",
    description: "The EKS API endpoint is private, or public only to named CIDRs (FSBP EKS.1; the provider's default is public to 0.0.0.0/0).",
    validateResource: validateResourceOfType(EksCluster, (cluster, _args, reportViolation) => {
        const vpc = cluster.vpcConfig;
        if (vpc.endpointPrivateAccess !== true) reportViolation("vpcConfig.endpointPrivateAccess is not true.");
        if (vpc.endpointPublicAccess === false) return;
        const cidrs = vpc.publicAccessCidrs ?? ["0.0.0.0/0"];
        if (cidrs.includes("0.0.0.0/0")) reportViolation("the public endpoint is open to 0.0.0.0/0; set vpcConfig.endpointPublicAccess false or list publicAccessCidrs.");
    }),
};

export const eksSecretsEncryption: ResourceValidationPolicy = {
    name: "aws-eks-secrets-encryption",
    description: "EKS encrypts Kubernetes secrets with a KMS key (AWS Config rule eks-secrets-encrypted).",
    validateResource: validateResourceOfType(EksCluster, (cluster, _args, reportViolation) => {
        if (!(cluster.encryptionConfig?.resources ?? []).includes("secrets")) reportViolation("encryptionConfig.resources does not include \"secrets\".");
    }),
};

const REQUIRED_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export const eksControlPlaneLogging: ResourceValidationPolicy = {
    name: "aws-eks-control-plane-logging",
    description: "EKS sends every control-plane log type to CloudWatch Logs (FSBP EKS.8 requires audit).",
    validateResource: validateResourceOfType(EksCluster, (cluster, _args, reportViolation) => {
        const missing = REQUIRED_LOGS.filter((t) => !(cluster.enabledClusterLogTypes ?? []).includes(t));
        if (missing.length > 0) reportViolation(`enabledClusterLogTypes lacks ${missing.join(", ")}.`);
    }),
};

const versionSchema = configSchema({
    standardSupportEnds: {
        type: "object",
        // endoflife.date/amazon-eks, checked 2026-11-29 (EKS UG — Kubernetes version lifecycle: 14 months of standard support).
        default: { "1.33": "2026-07-29", "1.34": "2026-12-02", "1.35": "2027-03-27" },
        description: "End of EKS standard support per Kubernetes version (YYYY-MM-DD).",
    },
});

export const eksSupportedVersion: ResourceValidationPolicy = {
    name: "aws-eks-supported-version",
    description: "EKS clusters pin a Kubernetes version in standard support (FSBP EKS.2), with upgradePolicy STANDARD and API authentication (access entries, no aws-auth).",
    configSchema: versionSchema,
    validateResource: validateResourceOfType(EksCluster, (cluster, args, reportViolation) => {
        const { standardSupportEnds } = settingsOf<{ standardSupportEnds: Record<string, string> }>(args, versionSchema);
        const version = cluster.version;
        const ends = version ? standardSupportEnds[version] : undefined;
        if (!version) reportViolation("version is unset; EKS would pick the latest at creation and never upgrade it.");
        else if (!ends) reportViolation(`version ${version} is not in the standard-support table.`);
        else if (new Date(`${ends}T00:00:00Z`) <= new Date()) reportViolation(`version ${version} left standard support on ${ends}; upgrade the cluster.`);
        if (cluster.upgradePolicy?.supportType === "EXTENDED") reportViolation("upgradePolicy.supportType is EXTENDED (paid extended support); expected STANDARD.");
        if (cluster.accessConfig?.authenticationMode !== "API") reportViolation(`accessConfig.authenticationMode is ${cluster.accessConfig?.authenticationMode ?? "CONFIG_MAP (default)"}; expected API.`);
    }),
};

const nodeGroupSchema = configSchema({
    environments: environmentsProperty(["prod"]),
    minSize: { type: "integer", minimum: 1, default: 2, description: "Floor of an on-demand node group's minSize." },
});

export const eksNodeGroupFloor: ResourceValidationPolicy = {
    name: "aws-eks-node-group-min-size",
    description: "Production on-demand node groups keep at least 2 nodes and let the autoscaler grow them (maxSize > minSize); spot groups may scale to zero.",
    configSchema: nodeGroupSchema,
    validateResource: validateResourceOfType(EksNodeGroup, (group, args, reportViolation) => {
        const settings = settingsOf<Scoped & { minSize: number }>(args, nodeGroupSchema);
        if (!inScope(settings, group)) return;
        const { minSize, maxSize } = group.scalingConfig;
        if (group.capacityType !== "SPOT" && minSize < settings.minSize) reportViolation(`scalingConfig.minSize is ${minSize}; expected at least ${settings.minSize}.`);
        if (maxSize <= minSize && group.capacityType !== "SPOT") reportViolation(`scalingConfig.maxSize ${maxSize} leaves the autoscaler no room above minSize ${minSize}.`);
    }),
};

export const awsClusterPolicies = [eksEndpointPrivate, eksSecretsEncryption, eksControlPlaneLogging, eksSupportedVersion, eksNodeGroupFloor];
