import * as assert from "assert";
import fc from "fast-check";
import { BudgetInput, connectionBudget, sharedServerCap } from "../../policy/shared/budget";

const service = fc.record({
    name: fc.constantFrom("api", "web", "worker"),
    maxReplicas: fc.integer({ min: 1, max: 100 }),
    dbPoolSize: fc.integer({ min: 1, max: 200 }),
});
const pooler = fc.record({
    kind: fc.constantFrom("builtin" as const, "deployment" as const),
    replicas: fc.integer({ min: 1, max: 10 }),
    maxClientConn: fc.integer({ min: 1, max: 50000 }),
    defaultPoolSize: fc.integer({ min: 1, max: 500 }),
    reservePoolSize: fc.integer({ min: 0, max: 100 }),
    maxDbConnections: fc.integer({ min: 0, max: 1000 }),
    maxUnavailable: fc.integer({ min: 0, max: 3 }),
});
const budgetInput: fc.Arbitrary<BudgetInput> = fc.record({
    services: fc.array(service, { maxLength: 4 }),
    pooler,
    readReplicas: fc.integer({ min: 0, max: 5 }),
    maxConnections: fc.integer({ min: 25, max: 5000 }),
    reservedConnections: fc.integer({ min: 0, max: 100 }),
});

/** The seed: api 10×20 and web 8×20 behind PgBouncer 1000 / 25 + 5 / 100, max_connections 200, 15 reserved. */
const seed = (kind: "builtin" | "deployment"): BudgetInput => ({
    services: [{ name: "api", maxReplicas: 10, dbPoolSize: 20 }, { name: "web", maxReplicas: 8, dbPoolSize: 20 }],
    pooler: kind === "builtin"
        ? { kind, replicas: 1, maxUnavailable: 0, maxClientConn: 1000, defaultPoolSize: 25, reservePoolSize: 0, maxDbConnections: 0 }
        : { kind, replicas: 3, maxUnavailable: 1, maxClientConn: 1000, defaultPoolSize: 25, reservePoolSize: 5, maxDbConnections: 100 },
    readReplicas: 2,
    maxConnections: 200,
    reservedConnections: 15,
});

describe("connection budget", () => {
    it("fits the seed's values with the built-in pooler: 360 of 1000 clients, 25 of 185 server connections", () => {
        const budget = connectionBudget(seed("builtin"));
        assert.deepStrictEqual(
            [budget.ok, budget.clientConnections, budget.clientLimit, budget.serverConnections, budget.serverLimit],
            [true, 360, 1000, 25, 185]);
        assert.match(budget.lines.join("\n"), /api 10×20 \+ web 8×20 = 360/);
    });

    it("fits the seed's values with three PgBouncer pods, one of them drained: 1080 of 2000 clients, 90 of 185 server connections", () => {
        const budget = connectionBudget(seed("deployment"));
        assert.deepStrictEqual(
            [budget.ok, budget.clientConnections, budget.clientLimit, budget.serverConnectionsPerPooler, budget.serverConnections, budget.serverLimit],
            [true, 1080, 2000, 30, 90, 185]);
        assert.match(budget.lines[1], /max_client_conn 1000 × 2 PgBouncer replicas \(3 − 1 the PDB may take down\) = 2000/);
    });

    it("budgets clients against replicas − maxUnavailable: two pods with a PDB of one cannot carry 1080 clients", () => {
        const input = seed("deployment");
        input.pooler.replicas = 2;
        const budget = connectionBudget(input);
        assert.strictEqual(budget.ok, false);
        assert.deepStrictEqual(budget.problems, ["the app may open 1080 client connections but the pooler accepts 1000"]);
    });

    it("judges normal operation when the PDB may take every pod (an availability fault, not a budget one)", () => {
        const input = seed("deployment");
        input.pooler.replicas = 1;
        input.pooler.maxClientConn = 2000;
        assert.deepStrictEqual([connectionBudget(input).ok, connectionBudget(input).clientLimit], [true, 2000]);
    });

    it("names both numbers when the pooler's server connections exceed max_connections minus the reserve", () => {
        const input = seed("deployment");
        input.pooler.replicas = 7; // 7 × 30 = 210 > 185
        input.pooler.maxClientConn = 5000;
        const budget = connectionBudget(input);
        assert.strictEqual(budget.ok, false);
        assert.deepStrictEqual(budget.problems, ["the pooler may open 210 server connections but each server allows 185"]);
    });

    it("property: ok exactly when both sides fit, and the totals follow the formulas", () => {
        fc.assert(fc.property(budgetInput, (input) => {
            const b = connectionBudget(input);
            const perEndpoint = input.services.reduce((s, x) => s + x.maxReplicas * x.dbPoolSize, 0);
            const endpoints = input.pooler.kind === "deployment" ? 1 + input.readReplicas : 1;
            assert.strictEqual(b.clientConnections, perEndpoint * endpoints);
            const { replicas, maxUnavailable } = input.pooler;
            assert.strictEqual(b.clientLimit, input.pooler.maxClientConn * (replicas > maxUnavailable ? replicas - maxUnavailable : replicas));
            assert.strictEqual(b.serverLimit, input.maxConnections - input.reservedConnections);
            assert.strictEqual(b.ok, b.clientConnections <= b.clientLimit && b.serverConnections <= b.serverLimit);
            assert.strictEqual(b.problems.length === 0, b.ok);
        }));
    });

    it("property: a PgBouncer process never opens more than default + reserve, nor more than max_db_connections", () => {
        fc.assert(fc.property(budgetInput, (input) => {
            const b = connectionBudget(input);
            const { defaultPoolSize, reservePoolSize, maxDbConnections, replicas } = input.pooler;
            assert.ok(b.serverConnectionsPerPooler <= defaultPoolSize + reservePoolSize);
            if (maxDbConnections > 0) assert.ok(b.serverConnectionsPerPooler <= maxDbConnections);
            // ...and reaches whichever bound is lower: a full pool is what the server must have room for.
            assert.ok(b.serverConnectionsPerPooler === defaultPoolSize + reservePoolSize || b.serverConnectionsPerPooler === maxDbConnections);
            assert.strictEqual(b.serverConnections, b.serverConnectionsPerPooler * replicas);
        }));
    });

    it("property: more app replicas or bigger pools never turn a failing budget into a passing one", () => {
        fc.assert(fc.property(budgetInput, fc.integer({ min: 0, max: 50 }), (input, extra) => {
            fc.pre(input.services.length > 0);
            const grown = { ...input, services: input.services.map((s, i) => (i === 0 ? { ...s, maxReplicas: s.maxReplicas + extra } : s)) };
            const before = connectionBudget(input);
            const after = connectionBudget(grown);
            assert.ok(after.clientConnections >= before.clientConnections);
            if (!before.ok) assert.strictEqual(after.ok, false);
        }));
    });

    it("property: the printed arithmetic carries the computed totals", () => {
        fc.assert(fc.property(budgetInput, (input) => {
            const b = connectionBudget(input);
            const text = b.lines.join("\n");
            for (const n of [b.clientConnections, b.clientLimit, b.serverConnections, b.serverLimit]) {
                assert.match(text, new RegExp(`(?<![\\d-])${n}(?!\\d)`), `${n} missing from:\n${text}`);
            }
        }));
    });

    it("after a promotion the replica names share what the writer's pool leaves: 185/3 = 61 per process, 30 to bookstore, 15 each", () => {
        const input = seed("deployment");
        const cap = sharedServerCap(connectionBudget(input), input.pooler.replicas, input.readReplicas);
        assert.strictEqual(cap, 15);
        assert.ok((connectionBudget(input).serverConnectionsPerPooler + 2 * cap) * input.pooler.replicas <= 185);
    });

    it("property: with the shared cap, one server's connections from every name stay within max_connections minus the reserve", () => {
        fc.assert(fc.property(budgetInput.filter((i) => i.pooler.kind === "deployment" && i.readReplicas > 0), (input) => {
            const budget = connectionBudget(input);
            const cap = sharedServerCap(budget, input.pooler.replicas, input.readReplicas);
            fc.pre(budget.ok && cap >= 1);
            return (budget.serverConnectionsPerPooler + input.readReplicas * cap) * input.pooler.replicas <= budget.serverLimit;
        }));
    });
});
