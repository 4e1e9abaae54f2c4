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
