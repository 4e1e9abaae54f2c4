import * as assert from "assert";
import { ConfigError, parseStackConfig } from "../../stacks/config";

/** The problems a config is rejected with; fails the test when it is accepted or fails otherwise. */
export function problemsOf(raw: Record<string, unknown>, secretKeys?: Set<string>): string[] {
    try {
        parseStackConfig(raw, secretKeys);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
        return err.problems;
    }
    assert.fail("expected the config to be rejected");
}

/**
 * A minimal config the platform accepts (prod, tagged, an api and an external web, plus what the platform
 * requires: a Kubernetes version on aks; the cluster admins and the edge on eks). Tests break one key at a time.
 */
export function valid(platform: "containerapps" | "aks" | "eks" = "containerapps"): Record<string, any> {
    const common = {
        environment: "prod",
        tags: { owner: "team@example.com", costCenter: "cc-1" },
        app: { services: { api: { image: "bookstore/api:1.2.3" }, web: { image: "bookstore/web:1.2.3", ingress: { external: true } } } },
    };
    if (platform === "containerapps") return common;
    if (platform === "aks") return { ...common, platform, app: { ...common.app, aks: { kubernetesVersion: "1.36" } } };
    return {
        ...common,
        platform,
        cdn: "none",
        aws: {
            eks: { adminRoleArns: ["arn:aws:iam::123456789012:role/deployer"] },
            edge: { webHost: "www.example.com", albCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" },
        },
    };
}
