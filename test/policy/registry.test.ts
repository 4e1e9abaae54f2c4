import { strict as assert } from "assert";
import { analyze, policyNamed } from "./harness";
import * as r from "./resources";
import { edit } from "./resources";

describe("image-registry-pullable settings", () => {
    const only = () => [policyNamed("image-registry-pullable")];
    const ghcr = edit(r.deployment, "spec.template.spec.containers.0.image", "ghcr.io/cloudnative-pg/pgbouncer:1.25.2");

    it("lets a public registry through once the pack config allows it", async () => {
        assert.equal((await analyze([ghcr], { policies: only() })).length, 1);
        assert.deepEqual(await analyze([ghcr], { policies: only(), config: { "image-registry-pullable": { publicRegistries: ["ghcr.io"] } } }), []);
    });

    it("reads a grant's registry from its scope, whatever the case of the registry name", async () => {
        const existing = edit(r.acrPull, "scope", "/subscriptions/1/resourceGroups/shared/providers/Microsoft.ContainerRegistry/registries/ContosoShared");
        const image = edit(r.deployment, "spec.template.spec.containers.0.image", "contososhared.azurecr.io/bookstore/api:1.0.0");
        assert.deepEqual(await analyze([existing, image], { policies: only() }), []);
        assert.equal((await analyze([existing, r.deployment], { policies: only() })).length, 1, "a grant on another registry does not cover the stack's");
    });
});
