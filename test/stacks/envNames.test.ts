import * as assert from "assert";
import { parseStackConfig, StackConfig } from "../../stacks/config";
import { tierEnvNames } from "../../stacks/schema/envNames";
import { stackConfigOf } from "../../tools/offline/stackFile";
import { inputs, plannedRun, planOf, resourcesOfType, stackVariant, nonEmpty } from "../helpers/plan";
import { problemsOf, valid } from "../helpers/config";

/** Keys that exist on every plain object through Object.prototype. */
const PROTOTYPE_KEYS = ["toString", "constructor", "valueOf", "hasOwnProperty"];

describe("stack config: environment variable names", () => {
    it("refuses a variable a tier sets, with the other problems, in the one ConfigError", () => {
        const raw = valid();
        raw.app.services.api.env = { ConnectionStrings__redis: "mine", FEATURE: "on" };
        raw.app.services.web.secretEnv = { ConnectionStrings__bookstore: "my-secret", "ConnectionStrings__bookstore-replica-2": "other" };
        raw.app.services.api.minReplicas = 5;
        raw.app.services.api.maxReplicas = 3;
        const problems = problemsOf(raw);
        assert.ok(problems.includes("bookstore:app.services.api.maxReplicas: expected an integer >= minReplicas (5), got 3"), problems.join("\n"));
        assert.deepStrictEqual(problems.filter((p) => p.includes("expected a name no other tier sets")), [
            'bookstore:app.services.api.env.ConnectionStrings__redis: expected a name no other tier sets (ConnectionStrings__redis is set by the platform or another tier), got "mine"',
            'bookstore:app.services.web.secretEnv.ConnectionStrings__bookstore: expected a name no other tier sets (ConnectionStrings__bookstore is set by the platform or another tier), got "my-secret"',
            'bookstore:app.services.web.secretEnv.ConnectionStrings__bookstore-replica-2: expected a name no other tier sets (ConnectionStrings__bookstore-replica-2 is set by the platform or another tier), got "other"',
        ]);
    });

    it("refuses a name set in both env and secretEnv of one service", () => {
        const raw = valid();
        raw.app.services.api.env = { Stripe__Key: "plain" };
        raw.app.services.api.secretEnv = { Stripe__Key: "stripe-key" };
        assert.deepStrictEqual(problemsOf(raw), ['bookstore:app.services.api.secretEnv.Stripe__Key: expected a name not also set in env (env.Stripe__Key), got "stripe-key"']);
    });

    it("accepts names that only look like tier names on the other platform", () => {
        const raw = valid();
        raw.platform = "aks";
        raw.app.aks = { kubernetesVersion: "1.36" };
        raw.app.services.api.env = { AZURE_CLIENT_ID: "x" };
        raw.app.services.web.env = { Azure__SignalR__ConnectionString: "y" }; // aks defaults to the Redis backplane
        assert.doesNotThrow(() => parseStackConfig(raw));
    });

    it("treats Object.prototype names as plain keys: kept, never reported as duplicates", () => {
        const raw = valid();
        raw.app.services.api.env = Object.fromEntries(PROTOTYPE_KEYS.map((k) => [k, `v-${k}`]).concat([["__proto__", "p"]]));
        raw.app.services.web.secretEnv = { toString: "ts-secret" };
        raw.app.services.web.env = { constructor: "c" };
        raw.tags.extra = Object.fromEntries(PROTOTYPE_KEYS.map((k) => [k, `t-${k}`]));
        const config = parseStackConfig(raw);
        assert.deepStrictEqual(Object.keys(config.app.services.api.env), [...PROTOTYPE_KEYS, "__proto__"]);
        assert.strictEqual(config.app.services.api.env["__proto__"], "p");
        assert.deepStrictEqual(Object.entries(config.tags.extra), PROTOTYPE_KEYS.map((k) => [k, `t-${k}`]));
    });

    it("names a tag called __proto__ instead of dropping it silently", () => {
        const raw = valid();
        raw.tags.extra = JSON.parse('{"__proto__": "x"}');
        assert.deepStrictEqual(problemsOf(raw), [
            'bookstore:tags.extra.__proto__: expected another tag name (the Pulumi SDK drops a key named __proto__ when it sends inputs), got "x"',
        ]);
    });

    it("lists exactly the names the shipped stacks' plans set beside the services' own", () => {
        for (const stack of ["prod", "prod-aks"]) {
            const config = stackConfigOf({ stack });
            const doc = planOf(stack);
            const perService = envNamesInPlan(doc, config.platform as "aks" | "containerapps");
            assert.ok(perService.size > 0, `no app env found in the plan of ${stack}`);
            for (const [service, names] of perService) {
                const own = new Set([...Object.keys(config.app.services[service].env), ...Object.keys(config.app.services[service].secretEnv)]);
                const tiers = [...names].filter((n) => !own.has(n)).sort();
                assert.deepStrictEqual(tiers, [...tierEnvNames(config as StackConfig, service)].sort(), `${stack}/${service}`);
            }
        }
    });
});

describe("offline plan: Object.prototype names in maps", () => {
    const edit = (c: Record<string, any>) => {
        c["bookstore:tags"].extra = { toString: "a", constructor: "b", valueOf: "c" };
        c["bookstore:app"].services.api.env = { toString: "x", constructor: "y", ["__proto__"]: "z" };
    };

    const prototypeNames = plannedRun("prod", { stackFile: stackVariant("prod", edit) });
    const prototypeNamesAndSecret = plannedRun("prod", { stackFile: stackVariant("prod", (c) => {
        edit(c);
        c["bookstore:tags"].owner = { secure: "AAABAGNpcGhlcnRleHQ=" };
    }) });

    it("plans a stack whose tags and env use them, and carries the values through", () => {
        const run = prototypeNames();
        assert.strictEqual(run.exitCode, 0, run.stderr);
        const rg = resourcesOfType(run.document!, "azure-native:resources:ResourceGroup").map(inputs)[0];
        assert.deepStrictEqual([rg.tags.toString, rg.tags.constructor, rg.tags.valueOf], ["a", "b", "c"]);
        const api = resourcesOfType(run.document!, "azure-native:app:ContainerApp").map(inputs).find((a) => a.containerAppName === "bookstore-api");
        const env = Object.fromEntries(api.template.containers[0].env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
        assert.deepStrictEqual([env.toString, env.constructor, env["__proto__"]], ["x", "y", "z"]);
    });

    it("plans it too when secret config makes the program rewrite every input (stack transformation)", () => {
        const run = prototypeNamesAndSecret();
        assert.strictEqual(run.exitCode, 0, run.stderr);
    });
});

/** Env names per service as the plan's Container Apps or Deployments set them. */
function envNamesInPlan(doc: ReturnType<typeof planOf>, platform: string): Map<string, Set<string>> {
    const result = new Map<string, Set<string>>();
    if (platform === "containerapps") {
        for (const app of nonEmpty(resourcesOfType(doc, "azure-native:app:ContainerApp"))) {
            result.set(app.name, new Set(inputs(app).template.containers[0].env.map((e: any) => e.name)));
        }
    } else {
        for (const dep of nonEmpty(resourcesOfType(doc, "kubernetes:apps/v1:Deployment").map(inputs))) {
            const service = dep.metadata.labels["app.kubernetes.io/name"];
            if (service === "pgbouncer") continue;
            result.set(service, new Set(dep.spec.template.spec.containers[0].env.map((e: any) => e.name)));
        }
    }
    return result;
}
