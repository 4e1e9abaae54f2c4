import * as assert from "assert";
import { aksWebInboundRule, CLOUDFLARE_IPV4_RANGES, parseCidr } from "../../lib/network";
import { aksWebEdge } from "../../stacks/schema/edge";
import { inputs, oneOfType, planOf, prefetchPlans, stackVariant } from "../helpers/plan";

describe("AKS subnet NSG: the web Gateway's inbound rule", () => {
    it("lets in only Front Door's backends on 443 when Front Door fronts the web app", () => {
        const rule = aksWebInboundRule("frontdoor");
        assert.deepStrictEqual([rule.sourceAddressPrefix, rule.sourceAddressPrefixes, rule.destinationPortRanges], ["AzureFrontDoor.Backend", undefined, ["443"]]);
        assert.deepStrictEqual([rule.direction, rule.access, rule.protocol, rule.destinationAddressPrefix], ["Inbound", "Allow", "Tcp", "*"]);
    });

    it("lets in only Cloudflare's published IPv4 ranges on 443 behind Cloudflare", () => {
        const rule = aksWebInboundRule("cloudflare");
        assert.deepStrictEqual([rule.sourceAddressPrefix, rule.sourceAddressPrefixes, rule.destinationPortRanges], [undefined, [...CLOUDFLARE_IPV4_RANGES], ["443"]]);
        for (const range of CLOUDFLARE_IPV4_RANGES) assert.strictEqual(parseCidr(range).start % 2 ** (32 - parseCidr(range).prefix), 0, range);
    });

    it("lets browsers in on 80 and 443 when nothing fronts the Gateway", () => {
        const rule = aksWebInboundRule("direct");
        assert.deepStrictEqual([rule.sourceAddressPrefix, rule.destinationPortRanges], ["Internet", ["80", "443"]]);
    });
});

describe("which edge reaches the AKS Gateway", () => {
    const view = (cdn: "frontdoor" | "cloudflare" | "none", tls: boolean, webRoute?: boolean) =>
        ({ platform: "aks" as const, cdn, frontDoor: { webRoute }, aksTlsCertificate: tls ? "pem" : undefined });
    it("is Front Door only when its web route is on, Cloudflare when it proxies, else the browsers", () => {
        assert.strictEqual(aksWebEdge(view("frontdoor", true)), "frontdoor");
        assert.strictEqual(aksWebEdge(view("frontdoor", true, false)), "direct");
        assert.strictEqual(aksWebEdge(view("frontdoor", false)), "direct");
        assert.strictEqual(aksWebEdge(view("cloudflare", true)), "cloudflare");
        assert.strictEqual(aksWebEdge(view("none", true)), "direct");
    });
});

describe("nsg-aks in the plans", () => {
    const nsgRules = (stack: string, stackFile?: string) =>
        inputs(oneOfType(planOf(stack, stackFile ? { stackFile } : {}), "azure-native:network:NetworkSecurityGroup", "nsg-aks")).securityRules;

    it("prod-aks (Front Door web route): AzureFrontDoor.Backend to 443", () => {
        const [rule, ...rest] = nsgRules("prod-aks");
        assert.deepStrictEqual(rest, []);
        assert.deepStrictEqual([rule.name, rule.priority, rule.sourceAddressPrefix, rule.destinationPortRanges], ["allow-web-ingress", 100, "AzureFrontDoor.Backend", ["443"]]);
    });

    const withoutCertificate = stackVariant("prod-aks", (config) => {
        delete config["bookstore:aksTlsCertificate"];
        delete config["bookstore:aksTlsPrivateKey"];
    });
    prefetchPlans([{ stack: "prod-aks", stackFile: withoutCertificate }]);
    it("prod-aks without the Gateway certificate (browsers reach the origin): Internet to 80 and 443", () => {
        const [rule] = nsgRules("prod-aks", withoutCertificate);
        assert.deepStrictEqual([rule.sourceAddressPrefix, rule.destinationPortRanges], ["Internet", ["80", "443"]]);
    });

    it("leaves the unused AKS subnet closed on Container Apps stacks", () => {
        assert.deepStrictEqual(nsgRules("prod"), []);
    });
});
