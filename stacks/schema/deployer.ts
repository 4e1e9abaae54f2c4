import { z } from "zod";
import { oneOf } from "./common";

/**
 * Who runs `pulumi up`. The deployer gets cluster-admin on AKS through a role assignment, and ARM
 * refuses an assignment whose principalType does not match the principal ("UnmatchedPrincipalType"),
 * while azure-native fills in "User" when none is given. Managed identities are service principals
 * in Entra, so they take "ServicePrincipal" (PrincipalType enum of Microsoft.Authorization
 * roleAssignments, 2022-04-01: User, Group, ServicePrincipal, ForeignGroup, Device).
 */
export const DeployerSchema = z.strictObject({
    principalType: oneOf(["User", "ServicePrincipal"]).optional()
        .describe("The deployer's principal type. Default: derived from how the azure-native provider "
            + "signs in (deployerPrincipalType)."),
});
export type DeployerConfig = z.infer<typeof DeployerSchema>;

export type PrincipalType = "User" | "ServicePrincipal";

/** The azure-native provider's sign-in settings (`azure-native:*` config, or the ARM_* variables it reads). */
export interface ProviderSignIn {
    useMsi?: string;
    useOidc?: string;
    clientSecret?: string;
    clientCertificatePath?: string;
}

const truthy = (value: string | undefined) => value !== undefined && /^(true|1)$/i.test(value.trim());

/**
 * The deployer's principal type: the configured one, else "ServicePrincipal" when the provider signs
 * in as an application (managed identity, OIDC federation, client secret or certificate), else "User"
 * (an `az login` user). getClientConfig returns only object, client, tenant and subscription ids,
 * never the principal's type, so an `az login --service-principal` session must set
 * `deployer.principalType: ServicePrincipal` (the CLI's token is not visible to the program).
 */
export function deployerPrincipalType(configured: PrincipalType | undefined, signIn: ProviderSignIn): PrincipalType {
    if (configured) return configured;
    const application = truthy(signIn.useMsi) || truthy(signIn.useOidc)
        || Boolean(signIn.clientSecret) || Boolean(signIn.clientCertificatePath);
    return application ? "ServicePrincipal" : "User";
}

/** The provider's sign-in settings from its config, falling back to the ARM_* environment it also reads. */
export function providerSignIn(get: (key: string) => string | undefined, env: NodeJS.ProcessEnv): ProviderSignIn {
    return {
        useMsi: get("useMsi") ?? env.ARM_USE_MSI,
        useOidc: get("useOidc") ?? env.ARM_USE_OIDC,
        clientSecret: get("clientSecret") ?? env.ARM_CLIENT_SECRET,
        clientCertificatePath: get("clientCertificatePath") ?? env.ARM_CLIENT_CERTIFICATE_PATH,
    };
}
