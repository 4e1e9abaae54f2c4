import * as assert from "assert";
import { parseStackConfig } from "../../stacks/config";
import { deployerPrincipalType, providerSignIn } from "../../stacks/schema/deployer";
import { effectiveImports, imageSource, importedAs, PGBOUNCER_IMAGE_SOURCE } from "../../stacks/schema/registry";
import { acrLoginServer, imageHost } from "../../policy/shared/images";
import { parseRegistryId } from "../../lib/registry";
import { problemsOf, valid } from "../helpers/config";

const EXISTING_ID = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/shared-rg/providers/Microsoft.ContainerRegistry/registries/ContosoShared";

describe("image sources (registry config)", () => {
    it("tells a registry host from a repository path, as Docker does", () => {
        assert.strictEqual(imageHost("bookstore/api:1.2.3"), undefined);
        assert.strictEqual(imageHost("api:1.2.3"), undefined);
        assert.strictEqual(imageHost("ghcr.io/cloudnative-pg/pgbouncer:1.25.2"), "ghcr.io");
        assert.strictEqual(imageHost("localhost:5000/api:1"), "localhost:5000");
        assert.strictEqual(imageHost("Contoso.azurecr.io/api:1"), "contoso.azurecr.io");
    });

    it("resolves relative images to the stack registry, the existing registry's host and allowed public hosts", () => {
        const registry = { existing: { resourceId: EXISTING_ID }, publicRegistries: ["mcr.microsoft.com"] };
        assert.deepStrictEqual(imageSource("bookstore/api:1.2.3", registry), { kind: "stack", repository: "bookstore/api:1.2.3" });
        assert.deepStrictEqual(imageSource("contososhared.azurecr.io/api:1.2.3", registry), { kind: "existing", host: "contososhared.azurecr.io" });
        assert.deepStrictEqual(imageSource("mcr.microsoft.com/dotnet/aspnet:8.0", registry), { kind: "public", host: "mcr.microsoft.com" });
        assert.match((imageSource("docker.io/library/nginx:1.27", registry) as { problem: string }).problem, /docker\.io is neither the stack's registry/);
    });

    it("parses a registry id and derives its login server (lowercased name)", () => {
        assert.deepStrictEqual(parseRegistryId(EXISTING_ID), { subscriptionId: "11111111-2222-3333-4444-555555555555", resourceGroup: "shared-rg", name: "ContosoShared" });
        assert.strictEqual(acrLoginServer("ContosoShared"), "contososhared.azurecr.io");
        assert.strictEqual(importedAs("ghcr.io/cloudnative-pg/pgbouncer:1.25.2"), "cloudnative-pg/pgbouncer:1.25.2");
    });

    it("accepts relative images by default and fills the registry defaults", () => {
        const config = parseStackConfig(valid());
        assert.deepStrictEqual(config.registry, { publicRegistries: [], imports: [] });
        assert.deepStrictEqual(config.deployer, {});
    });

    it("refuses the old fixed registry host: the stack's registry has a random suffix", () => {
        const raw = valid();
        raw.app.services.api.image = "bookstoreacr.azurecr.io/bookstore-api:1.0.0";
        const problems = problemsOf(raw);
        assert.deepStrictEqual(problems, [
            "bookstore:app.services.api.image: expected an image the stack can pull: bookstoreacr.azurecr.io is neither the stack's registry, "
            + "registry.existing nor in registry.publicRegistries (name the image relative to the stack's registry (e.g. \"bookstore/api:1.4.2\"), "
            + "or set registry.existing to that registry's resource id), got \"bookstoreacr.azurecr.io/bookstore-api:1.0.0\"",
        ]);
    });

    it("accepts an existing registry's images once registry.existing names it, and public ones once allowed", () => {
        const raw = valid();
        raw.app.services.api.image = "contososhared.azurecr.io/bookstore/api:1.2.3";
        raw.app.services.web.image = "mcr.microsoft.com/dotnet/samples:aspnetapp-8.0";
        assert.strictEqual(problemsOf(raw).length, 2);
        raw.registry = { existing: { resourceId: EXISTING_ID }, publicRegistries: ["mcr.microsoft.com"] };
        assert.doesNotThrow(() => parseStackConfig(raw));
    });

    it("names every bad registry key in one error", () => {
        const raw = valid();
        raw.registry = { existing: { resourceId: "/subscriptions/x/registries/acr" }, publicRegistries: ["https://ghcr.io"], imports: ["cloudnative-pg/pgbouncer:1.25.2", "ghcr.io/x/y:latest"] };
        const problems = problemsOf(raw);
        assert.ok(problems.some((p) => p.startsWith("bookstore:registry.existing.resourceId: expected a registry resource id")), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("bookstore:registry.publicRegistries.0: expected a registry host name")), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("bookstore:registry.imports.0: expected an image with its registry host")), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("bookstore:registry.imports.1: expected an image pinned to a tag or digest")), problems.join("\n"));
    });

    it("checks the PgBouncer image where it runs as a Deployment (aks), not where the built-in pooler runs", () => {
        const raw = { ...valid("aks"), database: { pgbouncer: { image: "ghcr.io/cloudnative-pg/pgbouncer:1.25.2" } } };
        assert.deepStrictEqual(problemsOf(raw).map((p) => p.split(":").slice(0, 2).join(":")), ["bookstore:database.pgbouncer.image"]);
        assert.doesNotThrow(() => parseStackConfig({ ...raw, registry: { publicRegistries: ["ghcr.io"] } }));
        assert.doesNotThrow(() => parseStackConfig({ ...valid(), database: raw.database }));
    });

    it("defaults PgBouncer to CloudNativePG's image copied into the stack's registry, which bootstrap imports", () => {
        const aks = parseStackConfig({ ...valid("aks") });
        assert.strictEqual(aks.database.pgbouncer.image, "cloudnative-pg/pgbouncer:1.25.2");
        assert.strictEqual(PGBOUNCER_IMAGE_SOURCE, "ghcr.io/cloudnative-pg/pgbouncer:1.25.2");
        assert.deepStrictEqual(effectiveImports(aks), [PGBOUNCER_IMAGE_SOURCE]);
        // Listed already, or another image chosen, or no Deployment: nothing added.
        assert.deepStrictEqual(effectiveImports(parseStackConfig({ ...valid("aks"), registry: { imports: [PGBOUNCER_IMAGE_SOURCE] } })), [PGBOUNCER_IMAGE_SOURCE]);
        assert.deepStrictEqual(effectiveImports(parseStackConfig({ ...valid("aks"), database: { pgbouncer: { image: "tools/pgbouncer:1.25.2" } } })), []);
        assert.deepStrictEqual(effectiveImports(parseStackConfig(valid())), []);
    });
});

describe("deployer principal type", () => {
    it("takes the configured type first", () => {
        assert.strictEqual(deployerPrincipalType("ServicePrincipal", {}), "ServicePrincipal");
        assert.strictEqual(deployerPrincipalType("User", { useMsi: "true" }), "User");
    });

    it("is ServicePrincipal when the provider signs in as an application (managed identity, OIDC, secret, certificate)", () => {
        for (const signIn of [{ useMsi: "true" }, { useOidc: "TRUE" }, { clientSecret: "s3cret" }, { clientCertificatePath: "/c.pfx" }]) {
            assert.strictEqual(deployerPrincipalType(undefined, signIn), "ServicePrincipal", JSON.stringify(signIn));
        }
    });

    it("is User for an az login session without application credentials", () => {
        assert.strictEqual(deployerPrincipalType(undefined, {}), "User");
        assert.strictEqual(deployerPrincipalType(undefined, { useMsi: "false" }), "User");
    });

    it("reads the provider config first, then the ARM_* environment", () => {
        const config: Record<string, string> = { useOidc: "true" };
        assert.deepStrictEqual(providerSignIn((k) => config[k], { ARM_USE_MSI: "true", ARM_CLIENT_SECRET: "x" }),
            { useMsi: "true", useOidc: "true", clientSecret: "x", clientCertificatePath: undefined });
    });

    it("refuses an unknown principal type naming the key", () => {
        const problems = problemsOf({ ...valid(), deployer: { principalType: "ManagedIdentity" } });
        assert.deepStrictEqual(problems, ["bookstore:deployer.principalType: expected one of \"User\" | \"ServicePrincipal\", got \"ManagedIdentity\""]);
    });
});
