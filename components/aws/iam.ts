/** IAM policy documents as JSON text: literals, so no `getPolicyDocument` invoke is needed. */

export type Statement = Record<string, unknown>;

export function policyDocument(statements: Statement[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** Trust policy letting an AWS service assume the role. */
export function serviceTrustPolicy(service: string, actions: string[] = ["sts:AssumeRole"]): string {
    return policyDocument([{ Effect: "Allow", Principal: { Service: service }, Action: actions }]);
}

/** EKS Pod Identity trust: the agent assumes the role and tags the session (EKS UG — Pod Identity role). */
export const POD_IDENTITY_TRUST = serviceTrustPolicy("pods.eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]);

/** AWS-managed policy ARN. */
export const managedPolicy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/**
 * How long to wait before something uses a new IAM grant (a role's policy, a Pod Identity association,
 * an EKS access entry). The IAM User Guide gives no figure: "Any change that you make in IAM (or other
 * AWS services) takes time to become visible from all possible endpoints" (troubleshoot_general,
 * "Changes that I make are not always immediately visible"); EKS's CreatePodIdentityAssociation: "eventually
 * consistent, and may take several seconds to be effective". The Terraform AWS provider that @pulumi/aws
 * wraps retries IAM-propagation errors for 2 minutes (internal/service/iam/wait.go `propagationTimeout =
 * 2 * time.Minute`, citing that IAM page; internal/service/eks `iamPropagationTimeout = 2 * time.Minute`):
 * the same bound here.
 */
export const IAM_PROPAGATION_SECONDS = 120;
