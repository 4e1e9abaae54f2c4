import * as assert from "assert";
import { SYSTEM_POOL_TAINT } from "../../../components/azure/aksCluster";
import { topologySpread } from "../../../components/kubernetes/scheduling";

interface Node { name: string; zone: string; taints: string[] }
type Constraint = ReturnType<typeof topologySpread>[number];

/**
 * The scheduler's PodTopologySpread filter for one hard (DoNotSchedule) zone constraint, as the
 * Kubernetes docs define it: skew = pods in the candidate's domain + 1 - the fewest pods in any
 * eligible domain; eligible domains come from nodes the pod could run on, and with
 * `nodeTaintsPolicy: Honor` only from nodes whose taints it tolerates (untolerated taints otherwise count).
 */
function zonesThatAcceptOneMore(c: Constraint, nodes: Node[], podsPerZone: Record<string, number>, tolerated: string[]): string[] {
    const tolerates = (n: Node) => n.taints.every((t) => tolerated.includes(t));
    const eligible = nodes.filter((n) => c.nodeTaintsPolicy === "Honor" ? tolerates(n) : true);
    const domains = [...new Set(eligible.map((n) => n.zone))];
    const fewest = Math.min(...domains.map((z) => podsPerZone[z] ?? 0));
    const candidates = [...new Set(nodes.filter(tolerates).map((n) => n.zone))];
    return candidates.filter((z) => (podsPerZone[z] ?? 0) + 1 - fewest <= (c.maxSkew as number)).sort();
}

describe("zone spread of the app's pods", () => {
    // prod-aks at its floor: the tainted system pool in zones 1-3, the user pool's two nodes in zones 1 and 2.
    const nodes: Node[] = [
        ...["1", "2", "3"].map((zone) => ({ name: `system-${zone}`, zone, taints: [SYSTEM_POOL_TAINT] })),
        { name: "user-1", zone: "1", taints: [] },
        { name: "user-2", zone: "2", taints: [] },
    ];
    const twoRunning = { "1": 1, "2": 1 };
    const zone = topologySpread({ app: "web" }, true)[0];

    it("schedules a third replica on the user nodes while zone 3 has only system nodes", () => {
        assert.deepStrictEqual([zone.topologyKey, zone.whenUnsatisfiable, zone.nodeTaintsPolicy], ["topology.kubernetes.io/zone", "DoNotSchedule", "Honor"]);
        assert.deepStrictEqual(zonesThatAcceptOneMore(zone, nodes, twoRunning, []), ["1", "2"]);
    });

    it("would leave it Pending if the system pool's zone counted (the default nodeTaintsPolicy: Ignore)", () => {
        assert.deepStrictEqual(zonesThatAcceptOneMore({ ...zone, nodeTaintsPolicy: "Ignore" }, nodes, twoRunning, []), []);
    });

    it("keeps the host spread soft and the zone spread soft on single-zone clusters", () => {
        const [zoneSoft, host] = topologySpread({ app: "web" }, false);
        assert.deepStrictEqual([zoneSoft.whenUnsatisfiable, host.topologyKey, host.whenUnsatisfiable, host.nodeTaintsPolicy],
            ["ScheduleAnyway", "kubernetes.io/hostname", "ScheduleAnyway", "Honor"]);
    });
});
