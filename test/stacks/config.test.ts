import * as assert from "assert";
import { parseStackConfig } from "../../stacks/config";
import { imagePinProblem } from "../../policy/shared/images";
import { problemsOf, valid } from "../helpers/config";

describe("stack config", () => {
    it("fills documented defaults from the schema", () => {
        const config = parseStackConfig(valid());
        assert.strictEqual(config.platform, "containerapps");
        assert.strictEqual(config.location, "eastus2");
        assert.strictEqual(config.secondaryLocation, "westus2");
        const api = config.app.services.api;
        assert.deepStrictEqual(
            [api.minReplicas, api.maxReplicas, api.healthPath, api.port, api.dbPoolSize],
            [2, 10, "/health", 8080, 20],
        );
        assert.deepStrictEqual(api.scale, { concurrentRequests: 50, cpuUtilization: 70, memoryUtilization: 80 });
    });

    it("names the key, the value and the expected form for a wrong type", () => {
        const raw = valid();
        raw.app.services.api.minReplicas = "two";
        assert.deepStrictEqual(problemsOf(raw), [
            'bookstore:app.services.api.minReplicas: expected an integer between 1 and 1000, got "two"',
        ]);
    });

    it("rejects out-of-range values", () => {
        const raw = valid();
        raw.app.services.api.port = 70000;
        assert.match(problemsOf(raw)[0], /^bookstore:app\.services\.api\.port: expected an integer between 1 and 65535, got 70000$/);
    });

    it("rejects unknown keys at any depth, so typos are never ignored", () => {
        const raw = valid();
        raw.app.services.api.minReplica = 3;
        raw.enviroment = "prod";
        const problems = problemsOf(raw);
        assert.ok(problems.some((p) => p.startsWith("bookstore:app.services.api.minReplica: unknown key")), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("bookstore:enviroment: unknown key")), problems.join("\n"));
    });

    it("lists the allowed keys of a nested section that has defaults", () => {
        const raw = valid();
        raw.database = { storage: { sizeGb: 256 } };
        assert.deepStrictEqual(problemsOf(raw), [
            "bookstore:database.storage.sizeGb: unknown key (check the spelling; allowed here: sizeGB, autoGrow)",
        ]);
    });

    it("reports a missing required key", () => {
        const raw = valid();
        delete raw.tags.owner;
        assert.deepStrictEqual(problemsOf(raw), ["bookstore:tags.owner: expected an owner (team or email), got nothing (the key is required)"]);
    });

    it("rejects a value outside an enum", () => {
        const raw = valid();
        raw.platform = "k8s";
        assert.deepStrictEqual(problemsOf(raw), ['bookstore:platform: expected one of "containerapps" | "aks" | "eks", got "k8s"']);
    });

    it("lists every bad key in one error", () => {
        const raw = valid();
        raw.platform = "k8s";
        raw.environment = "production";
        raw.app.services.api.image = "bookstore/api:latest";
        const problems = problemsOf(raw);
        assert.strictEqual(problems.length, 3, problems.join("\n"));
        const err = (() => { try { parseStackConfig(raw); } catch (e) { return e as Error; } })()!;
        assert.match(err.message, /^Invalid stack configuration \(3 problems\):/);
    });

    it("rejects maxReplicas below minReplicas", () => {
        const raw = valid();
        raw.app.services.api.minReplicas = 4;
        raw.app.services.api.maxReplicas = 3;
        assert.deepStrictEqual(problemsOf(raw), ["bookstore:app.services.api.maxReplicas: expected an integer >= minReplicas (4), got 3"]);
    });

    it("checks the VNet layout: subnets inside the space, no overlap, a /27 or larger for Container Apps", () => {
        const raw = valid();
        raw.network = { addressSpace: "10.40.0.0/16", subnets: { containerApps: "10.40.0.0/28", aks: "10.50.0.0/22", postgres: "10.40.0.0/24" } };
        const problems = problemsOf(raw);
        assert.ok(problems.includes('bookstore:network.subnets.aks: expected a subnet inside the address space 10.40.0.0/16, got "10.50.0.0/22"'), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("bookstore:network.subnets.postgres: expected a range that does not overlap subnets.containerApps")), problems.join("\n"));
        assert.ok(problems.includes('bookstore:network.subnets.containerApps: expected a subnet of /27 or larger, got "10.40.0.0/28"'), problems.join("\n"));
    });

    it("never prints the value of a secret key", () => {
        const raw = valid();
        raw.tags = "s3cr3t-value";
        const problems = problemsOf(raw, new Set(["tags"]));
        assert.ok(problems[0].endsWith("got [secret]"), problems[0]);
        assert.ok(!problems.join("\n").includes("s3cr3t-value"));
    });
});

describe("credentials in config", () => {
    it("refuses a Cloudflare token set in plain text, without echoing it", () => {
        const raw = valid();
        raw.cloudflareApiToken = "cf-plain-token-123";
        const problems = problemsOf(raw);
        assert.deepStrictEqual(problems, [
            "bookstore:cloudflareApiToken: expected a secret (set it with `pulumi config set --secret bookstore:cloudflareApiToken <value>`), got a plain-text value",
        ]);
        assert.ok(!problems.join("\n").includes("cf-plain-token-123"));
    });

    it("accepts the token when it was set as a secret", () => {
        const raw = valid();
        raw.cloudflareApiToken = "cf-secret-token-123";
        assert.strictEqual(parseStackConfig(raw, new Set(["cloudflareApiToken"])).cloudflareApiToken, "cf-secret-token-123");
    });
});

describe("image pinning", () => {
    it("accepts tags and digests", () => {
        assert.strictEqual(imagePinProblem("acr.io/api:1.2.3"), undefined);
        assert.strictEqual(imagePinProblem("localhost:5000/api:1.2.3"), undefined);
        assert.strictEqual(imagePinProblem(`acr.io/api@sha256:${"a".repeat(64)}`), undefined);
    });
    it("rejects latest and untagged references", () => {
        assert.strictEqual(imagePinProblem("acr.io/api:latest"), 'uses the mutable tag "latest"');
        assert.strictEqual(imagePinProblem("acr.io/api"), "has no tag or digest");
        assert.strictEqual(imagePinProblem("localhost:5000/api"), "has no tag or digest");
    });
    it("accepts a tag with a digest, and only a digest of sha256: and 64 lowercase hex digits", () => {
        const hex = "0123456789abcdef".repeat(4);
        assert.strictEqual(imagePinProblem(`acr.io/api:1.2.3@sha256:${hex}`), undefined);
        const malformed = "has a malformed digest (expected @sha256: and 64 lowercase hex digits)";
        for (const digest of ["sha256:junk", `sha256:${hex.slice(1)}`, `sha256:${hex}0`, `sha256:${hex.toUpperCase()}`, `md5:${hex}`, ""]) {
            assert.strictEqual(imagePinProblem(`acr.io/api@${digest}`), malformed, digest);
        }
    });
    it("refuses a malformed digest in the stack config, naming the key", () => {
        const raw = valid();
        raw.app.services.api.image = "acr.example.io/api@sha256:junk";
        assert.deepStrictEqual(problemsOf(raw), [
            'bookstore:app.services.api.image: expected an image pinned to a tag or digest (has a malformed digest (expected @sha256: and 64 lowercase hex digits)), got "acr.example.io/api@sha256:junk"',
        ]);
    });
});
