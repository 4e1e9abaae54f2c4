import * as assert from "assert";
import { BuiltInRoles } from "../../components/azure/roles";
import { grantTriggers, RBAC_PROPAGATION_SECONDS } from "../../components/azure/propagationWait";
import { inputs, oneOfType, plannedRun, planOf, resourcesOfType, stackVariant, nonEmpty } from "../helpers/plan";

const EXISTING_SUB = "11111111-2222-3333-4444-555555555555";
const EXISTING_ID = `/subscriptions/${EXISTING_SUB}/resourceGroups/shared-rg/providers/Microsoft.ContainerRegistry/registries/contososhared`;
const acrPullOn = (scope: string) => (r: { inputs: any }) => r.inputs.scope === scope && r.inputs.roleDefinitionId.endsWith(`/${BuiltInRoles.acrPull}`);

describe("workload images and their registries", () => {
    describe("Container Apps (plan of prod)", () => {
        const doc = () => planOf("prod");
        const loginServer = () => (doc().outputs as any).registryLoginServer as string;

        it("pulls relative images from the stack's own registry, whose name has a random suffix", () => {
            assert.match(loginServer(), /^bookstoreprodacr[a-z0-9]+\.azurecr\.io$/);
            for (const [name, repo] of [["api", "bookstore/api:1.0.0"], ["web", "bookstore/web:1.0.0"]]) {
                const app = inputs(oneOfType(doc(), "azure-native:app:ContainerApp", name));
                assert.strictEqual(app.template.containers[0].image, `${loginServer()}/${repo}`);
                assert.deepStrictEqual(app.configuration.registries.map((r: any) => r.server), [loginServer()]);
            }
        });

        it("creates the apps only after the grants and a wait for RBAC propagation", () => {
            const wait = oneOfType(doc(), "time:index/sleep:Sleep", "identity-grants-propagation");
            const grants = ["acr-pull", "kv-secrets-user"].map((name) => oneOfType(doc(), "azure-native:authorization:RoleAssignment", name));
            for (const grant of grants) assert.ok(wait.dependencies.includes(grant.urn), `the wait does not follow ${grant.name}`);
            assert.strictEqual(Object.keys(inputs(wait).triggers).length, 2);
            for (const id of Object.values<string>(inputs(wait).triggers)) assert.match(id, /\/providers\/Microsoft\.Authorization\/roleAssignments\/[0-9a-f-]{36}$/);
            assert.strictEqual(inputs(wait).createDuration, `${RBAC_PROPAGATION_SECONDS}s`);
            for (const app of nonEmpty(resourcesOfType(doc(), "azure-native:app:ContainerApp"))) {
                assert.ok(app.dependencies.includes(wait.urn), `${app.name} does not wait for propagation`);
            }
        });

        const existingRegistry = plannedRun("prod", { stackFile: stackVariant("prod", (config) => {
            config["bookstore:registry"] = { existing: { resourceId: EXISTING_ID } };
            config["bookstore:app"].services.api.image = "contososhared.azurecr.io/bookstore/api:2.0.0";
        }) });
        it("grants AcrPull on registry.existing (role id of that registry's subscription) and gives the apps its credentials", () => {
            const run = existingRegistry();
            assert.strictEqual(run.exitCode, 0, run.stderr);
            const plan = run.document!;
            const grant = resourcesOfType(plan, "azure-native:authorization:RoleAssignment").find(acrPullOn(EXISTING_ID));
            assert.ok(grant, "no AcrPull on the existing registry");
            assert.strictEqual(grant.name, "acr-pull-existing");
            assert.strictEqual(inputs(grant).roleDefinitionId, `/subscriptions/${EXISTING_SUB}/providers/Microsoft.Authorization/roleDefinitions/${BuiltInRoles.acrPull}`);
            assert.strictEqual(inputs(grant).principalType, "ServicePrincipal");
            assert.ok(grant.dependencies.includes(oneOfType(plan, "azure-native:managedidentity:UserAssignedIdentity").urn));
            const api = inputs(oneOfType(plan, "azure-native:app:ContainerApp", "api"));
            assert.strictEqual(api.template.containers[0].image, "contososhared.azurecr.io/bookstore/api:2.0.0");
            assert.deepStrictEqual(api.configuration.registries.map((r: any) => r.server), [(plan.outputs as any).registryLoginServer, "contososhared.azurecr.io"]);
            assert.ok(oneOfType(plan, "time:index/sleep:Sleep").dependencies.includes(grant.urn), "the wait must follow the new grant too");
            assert.deepStrictEqual((plan.policy as { violations: unknown[] }).violations, []);
        });
    });

    describe("AKS (plan of prod-aks)", () => {
        const doc = () => planOf("prod-aks");

        it("pulls the app and the imported PgBouncer image from the stack's registry, where the kubelet has AcrPull", () => {
            const loginServer = (doc().outputs as any).registryLoginServer as string;
            const images = resourcesOfType(doc(), "kubernetes:apps/v1:Deployment").map((d) => inputs(d).spec.template.spec.containers[0].image).sort();
            assert.deepStrictEqual(images, [
                `${loginServer}/bookstore/api:1.0.0`, `${loginServer}/bookstore/web:1.0.0`, `${loginServer}/cloudnative-pg/pgbouncer:1.25.2`,
            ].sort());
        });

        const servicePrincipal = plannedRun("prod-aks", { stackFile: stackVariant("prod-aks", (config) => {
            config["bookstore:deployer"] = { principalType: "ServicePrincipal" };
            config["bookstore:registry"] = { ...config["bookstore:registry"], existing: { resourceId: EXISTING_ID } };
        }) });
        it("gives the deployer's cluster-admin the principal type of who deploys: User for az login, ServicePrincipal when configured", () => {
            const grant = (plan = doc()) => inputs(oneOfType(plan, "azure-native:authorization:RoleAssignment", "aks-deployer-cluster-admin"));
            assert.strictEqual(grant().principalType, "User");
            const run = servicePrincipal();
            assert.strictEqual(run.exitCode, 0, run.stderr);
            assert.strictEqual(grant(run.document!).principalType, "ServicePrincipal");
            const kubelet = resourcesOfType(run.document!, "azure-native:authorization:RoleAssignment").find(acrPullOn(EXISTING_ID));
            assert.strictEqual(kubelet?.name, "aks-kubelet-acr-pull-existing");
        });
    });

    describe("propagation wait", () => {
        it("waits again exactly when a grant is replaced (a new id changes the sleep's triggers, which replaces it)", () => {
            const before = grantTriggers(["id-a", "id-b"]);
            assert.deepStrictEqual(grantTriggers(["id-a", "id-b"]), before, "the same grants must not wait again");
            assert.notDeepStrictEqual(grantTriggers(["id-a", "id-c"]), before, "a replaced grant must wait again");
            assert.notDeepStrictEqual(grantTriggers(["id-a", "id-b", "id-c"]), before, "a new grant must wait again");
        });
    });
});
