import { strict as assert } from "assert";
import { analyze, policyNamed } from "../harness";
import * as r from "../resources";
import { edit } from "../resources";

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

    it("on eks: the account's ECR registry is pullable once a node role carries an ECR pull policy", async () => {
        const image = edit(r.deployment, "spec.template.spec.containers.0.image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/bookstore/api:1.0.0");
        const nodePolicy = {
            type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "node-ecr",
            inputs: { role: "bookstore-prod-nodes", policyArn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly" },
        };
        assert.deepEqual(await analyze([nodePolicy as any, image], { policies: only() }), []);
        const [violation] = await analyze([image], { policies: only() });
        assert.match(String(violation.message), /123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com/, "without the node policy nothing can pull from ECR");
        const other = { ...nodePolicy, inputs: { ...nodePolicy.inputs, policyArn: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy" } };
        assert.equal((await analyze([other as any, image], { policies: only() })).length, 1);
    });
});
