import * as assert from "assert";
import { httpRouteSpec } from "../../../components/kubernetes/webGateway";

describe("web HTTPRoute: the edge's header (pure)", () => {
    it("matches only requests carrying the edge's header with exactly its value", () => {
        const spec = httpRouteSpec("web", "www.bookstore.example", { name: "X-Azure-FDID", value: "55ce4ed1-4b06-4bf1-b40e-4638452104da" }) as any;
        assert.deepStrictEqual(spec.rules[0].matches, [{
            path: { type: "PathPrefix", value: "/" },
            headers: [{ type: "Exact", name: "X-Azure-FDID", value: "55ce4ed1-4b06-4bf1-b40e-4638452104da" }],
        }]);
        assert.deepStrictEqual(spec.rules[0].backendRefs, [{ group: "", kind: "Service", name: "web", port: 80 }]);
    });

    it("without an edge in front, matches every path with no header condition", () => {
        const spec = httpRouteSpec("web", "www.bookstore.example") as any;
        assert.deepStrictEqual(spec.rules[0].matches, [{ path: { type: "PathPrefix", value: "/" } }]);
    });
});
