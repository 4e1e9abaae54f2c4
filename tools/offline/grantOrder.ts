/**
 * Grant before use: every resource that acts as an identity is created only after the grants it
 * needs exist **and** a wait of the cloud's documented propagation time has passed after them (a
 * time_sleep that follows the grants, between them and the consumer). Consumers, and the grants each
 * needs, read from the plan:
 *
 * - every Kubernetes object: the deployer's grants on its cluster (Azure role assignments scoped to the
 *   ManagedCluster; EKS access entries and access policies of the cluster);
 * - workloads (pod templates by their ServiceAccount, Helm releases by their values and namespace, KEDA
 *   trigger authentications): the grants of the identity they run as (Azure workload identity: the
 *   identity's role assignments and federated credentials; EKS Pod Identity: the association and its
 *   role's policies), and the image-pull grant of the nodes (the AKS kubelet identity's role
 *   assignments; the EKS node role's policies);
 * - Azure resources that attach a user-assigned identity (Container Apps, the AKS control plane): that
 *   identity's role assignments;
 * - EKS add-ons with Pod Identity associations: the associated roles' policies.
 *
 * AWS resources that take a role ARN (cluster, node group, database) are not consumers here: the
 * Terraform AWS provider that @pulumi/aws wraps retries their create while IAM propagates
 * (internal/service/eks `iamPropagationTimeout`). Role assignments a workload uses only once it runs
 * (RUNTIME_SCOPES: SignalR, Storage, Redis, Azure Monitor) are listed as notes when not waited for:
 * SignalR's, for one, is created after the apps, because its CORS origins are theirs.
 */
import { IAM_PROPAGATION_SECONDS } from "../../components/aws/iam";
import { AKS_RBAC_PROPAGATION_SECONDS, FEDERATED_CREDENTIAL_PROPAGATION_SECONDS, RBAC_PROPAGATION_SECONDS } from "../../components/azure/propagationWait";
import { armIdentity } from "./mocks";
import { at, type GraphResource, kubernetesKind, namespaceOf, PlanGraph, SLEEP, stringsIn } from "./planGraph";

export interface GrantKind {
    label: string;
    seconds: number;
    source: string;
}

/** Documented propagation time per kind of grant (the program's waits use the same constants). */
export const GRANT_KINDS = {
    azureRbac: {
        label: "Azure role assignment", seconds: RBAC_PROPAGATION_SECONDS,
        source: "Learn, Troubleshoot Azure RBAC: role assignment changes can take up to 10 minutes to take effect",
    },
    aksRbac: {
        label: "AKS Kubernetes authorization (Azure RBAC on the cluster)", seconds: AKS_RBAC_PROPAGATION_SECONDS,
        source: "Learn, manage-azure-rbac: \"New role assignments can take up to five minutes to propagate\"",
    },
    federatedCredential: {
        label: "federated identity credential", seconds: FEDERATED_CREDENTIAL_PROPAGATION_SECONDS,
        source: "Learn, workload-identity-deploy-cluster: a token request right after \"might lead to failure for a couple of minutes\"",
    },
    awsIam: {
        label: "IAM role policy", seconds: IAM_PROPAGATION_SECONDS,
        source: "IAM User Guide, eventual consistency (no figure); terraform-provider-aws iam propagationTimeout = 2 * time.Minute",
    },
    eksPodIdentity: {
        label: "EKS Pod Identity association", seconds: IAM_PROPAGATION_SECONDS,
        source: "EKS API CreatePodIdentityAssociation: \"eventually consistent, and may take several seconds\"; IAM's bound",
    },
    eksAccess: {
        label: "EKS access entry or access policy", seconds: IAM_PROPAGATION_SECONDS,
        source: "IAM User Guide, eventual consistency (\"IAM (or other AWS services)\"); terraform-provider-aws eks iamPropagationTimeout = 2 * time.Minute",
    },
} satisfies Record<string, GrantKind>;

const T = {
    roleAssignment: "azure-native:authorization:RoleAssignment",
    federatedCredential: "azure-native:managedidentity:FederatedIdentityCredential",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    managedCluster: "azure-native:containerservice:ManagedCluster",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    podIdentity: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    accessEntry: "aws:eks/accessEntry:AccessEntry",
    accessPolicy: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    eksCluster: "aws:eks/cluster:Cluster",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    addon: "aws:eks/addon:Addon",
    release: "kubernetes:helm.sh/v3:Release",
} as const;

const GRANT_TYPES: string[] = [T.roleAssignment, T.federatedCredential, T.rolePolicy, T.rolePolicyAttachment, T.podIdentity, T.accessEntry, T.accessPolicy];
/** Pod-template kinds (and where their pod spec is). */
const POD_SPEC: Record<string, string> = {
    Deployment: "spec.template.spec", StatefulSet: "spec.template.spec", DaemonSet: "spec.template.spec", ReplicaSet: "spec.template.spec",
    Job: "spec.template.spec", CronJob: "spec.jobTemplate.spec.template.spec", Pod: "spec",
};
const KEDA_AUTH_KINDS = ["TriggerAuthentication", "ClusterTriggerAuthentication"];
/** The KEDA operators' ServiceAccounts (the Helm chart's on EKS, components/aws/kedaAuth.ts; the AKS add-on's). */
const KEDA_OPERATOR_ACCOUNTS = ["keda-operator"];

export function grantKind(grant: GraphResource): GrantKind | undefined {
    switch (grant.type) {
        case T.roleAssignment:
            return /\/providers\/Microsoft\.ContainerService\/managedClusters\/[^/]+$/i.test(String(grant.inputs.scope)) ? GRANT_KINDS.aksRbac : GRANT_KINDS.azureRbac;
        case T.federatedCredential: return GRANT_KINDS.federatedCredential;
        case T.rolePolicy: case T.rolePolicyAttachment: return GRANT_KINDS.awsIam;
        case T.podIdentity: return GRANT_KINDS.eksPodIdentity;
        case T.accessEntry: case T.accessPolicy: return GRANT_KINDS.eksAccess;
        default: return undefined;
    }
}

/**
 * Scopes whose role assignments a workload uses only once it runs (its code calls the service), not to
 * start: a revision or a pod starts without them (SignalR, Storage data, Redis, Azure Monitor queries).
 * When one is not waited for, it is a note (the access starts up to its propagation time late), not a
 * violation. Everything else a consumer needs to start: image pulls (registries), Key Vault references and
 * CSI mounts (vaults), sign-in (federated credentials), the Kubernetes API (the cluster), a controller's grants.
 */
const RUNTIME_SCOPES = [/\/providers\/Microsoft\.SignalRService\//i, /\/providers\/Microsoft\.Storage\//i, /\/providers\/Microsoft\.Cache\//i,
    /\/providers\/Microsoft\.Monitor\/accounts\//i];

const usedAtRuntime = (grant: GraphResource) => grant.type === T.roleAssignment && RUNTIME_SCOPES.some((scope) => scope.test(String(grant.inputs.scope)));

export interface GrantFinding {
    consumer: string;
    grant: string;
    /** Why the consumer needs the grant. */
    reason: string;
    kind: GrantKind;
}

export interface GrantReport {
    /** Consumers that can act before a grant they need has propagated. */
    violations: GrantFinding[];
    /** Grants a consumer uses only once it runs (RUNTIME_SCOPES), not waited for: its access starts late. */
    notes: GrantFinding[];
}

/** The role name of an IAM role ARN (`arn:aws:iam::<account>:role/<path/>name`). */
const roleNameOf = (arn: unknown) => (typeof arn === "string" ? arn.split("/").pop() : undefined);

/** Lookups from identities to their grants, built once per plan. */
class GrantIndex {
    private readonly grants: GraphResource[];
    constructor(private readonly graph: PlanGraph) {
        this.grants = graph.ofType(...GRANT_TYPES);
    }

    azureIdentities(): GraphResource[] {
        return this.graph.ofType(T.identity);
    }

    /** Role assignments to a principal (object id). */
    roleAssignmentsTo(principalId: unknown): GraphResource[] {
        return typeof principalId === "string" ? this.grants.filter((g) => g.type === T.roleAssignment && g.inputs.principalId === principalId) : [];
    }

    /** Federated credentials of a user-assigned identity, for one subject when given. */
    federatedCredentialsOf(identity: GraphResource, subject?: string): GraphResource[] {
        const name = identity.state.name ?? identity.inputs.resourceName;
        return this.grants.filter((g) => g.type === T.federatedCredential && g.inputs.resourceName === name && (subject === undefined || g.inputs.subject === subject));
    }

    /** Policies attached to an IAM role (by its name). */
    rolePolicies(roleName: string | undefined): GraphResource[] {
        return roleName === undefined ? [] : this.grants.filter((g) => (g.type === T.rolePolicy || g.type === T.rolePolicyAttachment) && g.inputs.role === roleName);
    }

    podIdentityAssociations(clusterName: unknown, namespace?: string, serviceAccount?: string): GraphResource[] {
        return this.grants.filter((g) => g.type === T.podIdentity && g.inputs.clusterName === clusterName
            && (namespace === undefined || g.inputs.namespace === namespace) && (serviceAccount === undefined || g.inputs.serviceAccount === serviceAccount));
    }

    /** An association and what it hands the pods: the association itself and its role's policies. */
    withRolePolicies(associations: GraphResource[]): GraphResource[] {
        return associations.flatMap((a) => [a, ...this.rolePolicies(roleNameOf(a.inputs.roleArn))]);
    }

    /** The deployer's grants on a cluster: role assignments scoped to the AKS cluster, the EKS cluster's access entries and policies. */
    clusterGrants(cluster: GraphResource): GraphResource[] {
        if (cluster.type === T.managedCluster) {
            const id = armIdentity(cluster.type, cluster.name, cluster.inputs).id.toLowerCase();
            return this.grants.filter((g) => g.type === T.roleAssignment && String(g.inputs.scope).toLowerCase() === id);
        }
        // The principals with a cluster access policy (the admin roles); other access entries (a scraper's) are not the deployer's.
        const policies = this.grants.filter((g) => g.type === T.accessPolicy && g.inputs.clusterName === cluster.inputs.name);
        const principals = new Set(policies.map((p) => p.inputs.principalArn));
        return [...policies, ...this.grants.filter((g) => g.type === T.accessEntry && g.inputs.clusterName === cluster.inputs.name && principals.has(g.inputs.principalArn))];
    }
}

/** The grants one consumer needs, each with why. */
function neededGrants(consumer: GraphResource, graph: PlanGraph, index: GrantIndex): { grant: GraphResource; reason: string }[] {
    const needs: { grant: GraphResource; reason: string }[] = [];
    const add = (grants: GraphResource[], reason: string) => { for (const grant of grants) needs.push({ grant, reason }); };
    const identities = index.azureIdentities();
    const cluster = graph.clusterOf(consumer);

    if (cluster) {
        add(index.clusterGrants(cluster), "is created with the deployer's access to the cluster");
        const kind = kubernetesKind(consumer.type);
        const namespace = namespaceOf(consumer);
        const podSpecPath = kind ? POD_SPEC[kind.kind] : undefined;
        // Azure workload identity: the client id the object names (a ServiceAccount annotation, Helm values, a KEDA podIdentity).
        const actsAs = (values: unknown, subject?: string) => {
            const strings = stringsIn(values);
            for (const identity of identities.filter((i) => strings.has(i.state.clientId))) {
                add(index.roleAssignmentsTo(identity.state.principalId), `runs as the workload identity ${identity.name}`);
                add(index.federatedCredentialsOf(identity, subject), `signs in as ${identity.name} through its federated credential`);
            }
        };
        if (podSpecPath && namespace) {
            const account = at(consumer.inputs, podSpecPath)?.serviceAccountName ?? "default";
            const serviceAccount = graph.ofType("kubernetes:core/v1:ServiceAccount")
                .find((sa) => graph.clusterOf(sa)?.urn === cluster.urn && sa.inputs.metadata?.name === account && sa.inputs.metadata?.namespace === namespace);
            actsAs(serviceAccount?.inputs.metadata?.annotations, `system:serviceaccount:${namespace}:${account}`);
            add(index.withRolePolicies(index.podIdentityAssociations(cluster.inputs.name, namespace, account)), `runs as ${namespace}/${account}, which has an EKS Pod Identity`);
            // Image pulls: the nodes' identity.
            if (cluster.type === T.managedCluster) {
                add(index.roleAssignmentsTo(at(cluster.state, "identityProfile.kubeletidentity.objectId")), "pulls its images with the kubelet identity");
            } else {
                for (const group of graph.ofType(T.nodeGroup).filter((g) => g.inputs.clusterName === cluster.inputs.name)) {
                    add(index.rolePolicies(roleNameOf(group.inputs.nodeRoleArn)), `pulls its images with the node role of ${group.name}`);
                }
            }
        }
        if (consumer.type === T.release && namespace) {
            actsAs(consumer.inputs.values);
            const values = stringsIn(consumer.inputs.values);
            const associations = index.podIdentityAssociations(cluster.inputs.name, namespace)
                .filter((a) => values.has(a.inputs.serviceAccount) || consumer.dependencies.includes(a.urn));
            add(index.withRolePolicies(associations), "runs pods as a ServiceAccount with an EKS Pod Identity");
        }
        if (kind && kind.group === "keda.sh" && KEDA_AUTH_KINDS.includes(kind.kind)) {
            const podIdentity = consumer.inputs.spec?.podIdentity;
            if (podIdentity?.provider === "azure-workload") actsAs(podIdentity.identityId);
            if (podIdentity?.provider === "aws") {
                const operators = KEDA_OPERATOR_ACCOUNTS.flatMap((sa) => index.podIdentityAssociations(cluster.inputs.name, undefined, sa));
                add(index.withRolePolicies(operators), "is used by KEDA's operator, which queries with its EKS Pod Identity");
            }
        }
    }
    if (consumer.type.startsWith("azure-native:") && ![T.roleAssignment, T.federatedCredential, T.identity].includes(consumer.type as never)) {
        const strings = stringsIn(consumer.inputs);
        for (const identity of identities) {
            const id = armIdentity(identity.type, identity.name, identity.inputs).id;
            if (strings.has(id)) add(index.roleAssignmentsTo(identity.state.principalId), `acts as the user-assigned identity ${identity.name}`);
        }
    }
    if (consumer.type === T.addon) {
        for (const association of (consumer.inputs.podIdentityAssociations ?? []) as { roleArn?: string; serviceAccount?: string }[]) {
            add(index.rolePolicies(roleNameOf(association.roleArn)), `runs ${association.serviceAccount ?? "its"} pods as that role`);
        }
    }
    return needs;
}

/** Whether a time_sleep of at least the grant's propagation time lies between the grant and the consumer. */
function waitedFor(grant: GraphResource, consumer: GraphResource, kind: GrantKind, graph: PlanGraph): boolean {
    return [...graph.upstream(consumer.urn)].some((urn) => {
        const sleep = graph.byUrn.get(urn)!;
        return sleep.type === SLEEP && graph.sleepSeconds(sleep) >= kind.seconds && graph.precedes(grant.urn, sleep.urn);
    });
}

export function grantOrder(graph: PlanGraph): GrantReport {
    const index = new GrantIndex(graph);
    const report: GrantReport = { violations: [], notes: [] };
    const seen = new Set<string>();
    for (const consumer of graph.resources) {
        if (GRANT_TYPES.includes(consumer.type) || consumer.type === SLEEP || consumer.type.startsWith("pulumi:providers:")) continue;
        for (const { grant, reason } of neededGrants(consumer, graph, index)) {
            const key = `${consumer.urn} ${grant.urn}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const kind = grantKind(grant)!;
            const finding = { consumer: consumer.urn, grant: grant.urn, reason, kind };
            if (waitedFor(grant, consumer, kind, graph)) continue;
            (usedAtRuntime(grant) ? report.notes : report.violations).push(finding);
        }
    }
    return report;
}
