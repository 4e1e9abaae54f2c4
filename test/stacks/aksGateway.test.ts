import * as assert from "assert";
import { parseStackConfig } from "../../stacks/config";
import { agcSubnetProblems } from "../../stacks/schema/aksGateway";
import { problemsOf } from "../helpers/config";

const aksConfig = (gateway?: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    platform: "aks",
    environment: "dev",
    tags: { owner: "team@example.com", costCenter: "cc-1" },
    app: { services: { web: { image: "bookstore/web:1.2.3", ingress: { external: true } } }, aks: gateway ? { gateway } : {} },
    ...extra,
});
const NETWORK = { addressSpace: "10.40.0.0/16", subnets: { aks: "10.40.4.0/22", postgres: "10.40.8.0/24" } };

describe("app.aks.gateway in the stack schema", () => {
    it("defaults to Application Gateway for Containers on 10.40.10.0/24", () => {
        assert.deepStrictEqual(parseStackConfig(aksConfig()).app.aks.gateway,
            { implementation: "application-gateway-for-containers", subnet: "10.40.10.0/24" });
    });

    it("names the key and the two implementations for any other value", () => {
        assert.deepStrictEqual(problemsOf(aksConfig({ implementation: "nginx" })),
            ['bookstore:app.aks.gateway.implementation: expected one of "application-gateway-for-containers" | "approuting-istio", got "nginx"']);
    });

    it("refuses an AGC subnet that is not a /24 (AGC with CNI overlay), naming the key", () => {
        assert.deepStrictEqual(problemsOf(aksConfig({ subnet: "10.40.10.0/23" })),
            ['bookstore:app.aks.gateway.subnet: expected a /24 (Application Gateway for Containers with Azure CNI overlay supports only a /24 association subnet), got "10.40.10.0/23"']);
    });

    it("refuses an AGC subnet outside the VNet or on another subnet", () => {
        assert.deepStrictEqual(problemsOf(aksConfig({ subnet: "10.40.4.0/24" })),
            ['bookstore:app.aks.gateway.subnet: expected a range that does not overlap network.subnets.aks (10.40.4.0/22), got "10.40.4.0/24"']);
        assert.deepStrictEqual(problemsOf(aksConfig({ subnet: "10.41.0.0/24" })),
            ['bookstore:app.aks.gateway.subnet: expected a subnet inside the address space 10.40.0.0/16, got "10.41.0.0/24"']);
    });

    it("ignores the subnet with approuting-istio (no AGC, no subnet) and on other platforms", () => {
        assert.strictEqual(parseStackConfig(aksConfig({ implementation: "approuting-istio", subnet: "10.40.4.0/24" })).app.aks.gateway.implementation, "approuting-istio");
        assert.strictEqual(parseStackConfig({ ...aksConfig({ subnet: "10.40.4.0/24" }), platform: "containerapps" }).platform, "containerapps");
    });

    it("agcSubnetProblems: host bits, size, containment and overlap", () => {
        assert.deepStrictEqual(agcSubnetProblems("10.40.10.1/24", NETWORK), ["expected a network address without host bits"]);
        assert.deepStrictEqual(agcSubnetProblems("10.40.10.0/24", NETWORK), []);
        assert.strictEqual(agcSubnetProblems("10.40.8.0/25", NETWORK).length, 2);
    });
});
