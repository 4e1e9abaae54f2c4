import * as assert from "assert";
import { armIdentity, uuid } from "../../tools/offline/mocks";
import { inputs, oneOfType, planned, plannedManifests, Resource, stackVariant } from "../helpers/plan";
import { prodAksBehindCloudflare } from "../helpers/variants";

const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const PROFILE = "azure-native:cdn:Profile";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const matchesOf = (route: Resource) => inputs(route).spec.rules.map((r: any) => r.matches);

describe("edge lock: the AKS web route behind Front Door (plan of prod-aks)", () => {
    const doc = planned("prod-aks");

    it("matches only requests whose X-Azure-FDID is exactly this stack's Front Door id", () => {
        const route = oneOfType(doc(), ROUTE, "web-route");
        const profile = oneOfType(doc(), PROFILE, "frontdoor-profile");
        // The id Azure returns for this profile, as the offline cloud answers it (a GUID).
        const frontDoorId = uuid(`${armIdentity(PROFILE, profile.name, inputs(profile)).id}/frontDoorId`);
        assert.match(frontDoorId, GUID);
        assert.deepStrictEqual(matchesOf(route), [[{
            path: { type: "PathPrefix", value: "/" },
            headers: [{ type: "Exact", name: "X-Azure-FDID", value: frontDoorId }],
        }]]);
    });

    it("is created after the Front Door profile, whose id it reads (no cycle: the origins come later)", () => {
        const route = oneOfType(doc(), ROUTE, "web-route");
        const profile = oneOfType(doc(), PROFILE, "frontdoor-profile");
        assert.ok(route.dependencies.includes(profile.urn), "the route does not wait for the profile");
        const origin = oneOfType(doc(), "azure-native:cdn:AFDOrigin", "web-origin");
        assert.strictEqual(inputs(origin).hostName, "www.bookstore.example", "the web origin is the host the AGC listener serves");
        assert.ok(!profile.dependencies.some((urn) => urn.includes("KubernetesAppTier")), "the profile must not wait for the app tier");
    });

    const withManifests = plannedManifests("prod-aks").run;
    it("plans clean, and the HTTPRoute with its header match validates against the pinned Gateway API schema", () => {
        const run = withManifests();
        assert.strictEqual(run.exitCode, 0, run.stderr);
        const plan = run.document as any;
        assert.deepStrictEqual([plan.policy.violations, plan.specRules.violations], [[], []]);
        const route = plan.manifests.resources.filter((m: any) => m.kind === "HTTPRoute");
        assert.deepStrictEqual(route.map((m: any) => [m.validation, m.errors, m.unknownFields]), [["valid", [], []]]);
    });
});

describe("edge lock: without an edge in front of the web app (prod-aks variants)", () => {
    const noFrontDoorWebRoute = planned("prod-aks", { stackFile: stackVariant("prod-aks", (config) => { config["bookstore:frontDoor"] = { webRoute: false }; }) });
    const noCdn = planned("prod-aks", { stackFile: stackVariant("prod-aks", (config) => { config["bookstore:cdn"] = "none"; }) });

    it("requires no header when Front Door fronts only the static assets, or when there is no CDN", () => {
        for (const [label, doc] of [["frontDoor.webRoute false", noFrontDoorWebRoute], ["cdn none", noCdn]] as const) {
            const route = oneOfType(doc(), ROUTE, "web-route");
            assert.deepStrictEqual(matchesOf(route), [[{ path: { type: "PathPrefix", value: "/" } }]], label);
            assert.ok(!route.dependencies.some((urn) => urn.includes("FrontDoorCdn")), label);
        }
    });
});

describe("edge lock: the AKS web route behind Cloudflare Enterprise (prod-aks variant)", () => {
    const doc = prodAksBehindCloudflare();

    it("has Cloudflare set a generated secret header on the web host, and the route require that same value", () => {
        const secret = oneOfType(doc(), "random:index/randomPassword:RandomPassword", "cloudflare-origin-header-value");
        assert.deepStrictEqual([inputs(secret).length, inputs(secret).special], [48, false]);
        const ruleset = oneOfType(doc(), "cloudflare:index/ruleset:Ruleset", "cloudflare-origin-header");
        assert.deepStrictEqual([inputs(ruleset).phase, inputs(ruleset).kind], ["http_request_late_transform", "zone"]);
        const [rule] = inputs(ruleset).rules;
        assert.deepStrictEqual([rule.expression, rule.action, Object.keys(rule.actionParameters.headers)],
            ['(http.host eq "shop.bookstore.example")', "rewrite", ["X-Bookstore-Edge-Key"]]);
        assert.strictEqual(rule.actionParameters.headers["X-Bookstore-Edge-Key"].operation, "set");
        const route = oneOfType(doc(), ROUTE, "web-route");
        const [[match]] = matchesOf(route);
        assert.deepStrictEqual([match.headers.length, match.headers[0].type, match.headers[0].name], [1, "Exact", "X-Bookstore-Edge-Key"]);
        // Both read the one generated value (unknown until it is created, so the plan shows the wiring).
        for (const reader of [ruleset, route]) assert.ok(reader.dependencies.includes(secret.urn), `${reader.name} does not read the secret`);
    });

    it("creates no Front Door profile and no X-Azure-FDID match", () => {
        assert.ok(!doc().resources.some((r) => r.type === PROFILE));
        assert.ok(!JSON.stringify(matchesOf(oneOfType(doc(), ROUTE, "web-route"))).includes("X-Azure-FDID"));
    });
});
