import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { createOnlyPaths, putBodySchema } from "../../../tools/review/generateCreateOnly";
import table from "../../../tools/review/createOnly.azure.json";
import { diffPlans } from "../../../tools/review/diff";
import { renderDiff } from "../../../tools/review/render";
import { secretDigestsOf } from "../../../tools/review/secretDigests";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "../../../tools/offline/capture";

/** Modelled on the PostgreSQL spec's Server PUT (2025-08-01): flattened properties, a nested object, a common-types parent. */
const SPEC = {
    paths: {
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}": {
            put: { parameters: [{ name: "parameters", in: "body", schema: { $ref: "#/definitions/Server" } }] },
        },
    },
    definitions: {
        Server: {
            properties: { properties: { $ref: "#/definitions/ServerProperties", "x-ms-client-flatten": true }, sku: { $ref: "#/definitions/Sku" } },
            allOf: [{ $ref: "../../../../../common-types/resource-management/v6/types.json#/definitions/TrackedResource" }],
        },
        ServerProperties: {
            properties: {
                administratorLogin: { type: "string", "x-ms-mutability": ["read", "create"] },
                administratorLoginPassword: { type: "string", "x-ms-mutability": ["update", "create"] },
                version: { type: "string" },
                minorVersion: { type: "string", readOnly: true },
                availabilityZone: { type: "string", "x-ms-mutability": ["read", "create"] },
                pointInTimeUTC: { type: "string", "x-ms-mutability": ["create"] },
                network: { $ref: "#/definitions/Network" },
            },
        },
        Network: { properties: { delegatedSubnetResourceId: { type: "string", "x-ms-mutability": ["read", "create"] } } },
        Sku: { properties: { name: { type: "string" } } },
    },
};

describe("review: create-only table", () => {
    it("the generator lists x-ms-mutability without update, flattened as the SDK names inputs, plus TrackedResource location", () => {
        const schema = putBodySchema(SPEC, "/flexibleServers/{serverName}");
        assert.deepEqual(createOnlyPaths(SPEC, schema), ["administratorLogin", "availabilityZone", "location", "network.delegatedSubnetResourceId", "pointInTimeUTC"]);
    });

    it("the table records the spec file, API version and commit of each type", () => {
        const pg = table.types["azure-native:dbforpostgresql:Server"];
        assert.equal(pg.apiVersion, "2025-08-01");
        assert.match(pg.file, /stable\/2025-08-01\/openapi\.json$/);
        assert.match(pg.commit, /^[0-9a-f]{40}$/);
        assert.ok(pg.createOnly.includes("administratorLogin"));
    });

    it("every entry's apiVersion is the one azure-native uses for the type (its module's 'Uses Azure REST API version')", () => {
        for (const [type, entry] of Object.entries(table.types)) {
            const [, module, cls] = type.split(":");
            const dir = path.join(path.dirname(require.resolve("@pulumi/azure-native/package.json")), module);
            // Module files are the class name in lower camel case (AFDEndpoint -> afdEndpoint.js): matched without case.
            const file = path.join(dir, fs.readdirSync(dir).find((f) => f.toLowerCase() === `${cls.toLowerCase()}.js`) ?? `${cls}.js`);
            const used = /Uses Azure REST API version ([0-9a-z-]+)/.exec(fs.readFileSync(file, "utf8"))?.[1];
            assert.equal(entry.apiVersion, used, type);
        }
    });

    it("a storage account whose blob encryption keyType (create-only in storage.json 2024-01-01) changes is replaced and flagged stateful", () => {
        const type = "azure-native:storage:StorageAccount";
        const account = (keyType: string) => ({
            urn: `urn:pulumi:prod::bookstore::${type}::st`,
            type,
            name: "st",
            options: { protect: true },
            inputs: { kind: "StorageV2", encryption: { keySource: "Microsoft.Storage", services: { blob: { enabled: true, keyType } } } },
        });
        const diff = diffPlans({ stack: "prod", resources: [account("Service")] }, { stack: "prod", resources: [account("Account")] });
        assert.equal(diff.changes[0].op, "replace");
        assert.deepEqual(diff.changes[0].replaceReasons, [{ path: "encryption.services.blob.keyType", rule: "create-only in the Azure REST spec" }]);
        assert.equal(diff.guardedReplacements.length, 1);
        assert.match(renderDiff(diff).join("\n"), /^ \+- azure-native:storage:StorageAccount {2}st {2}\[protect\] \[stateful\]$/m);
    });
});

describe("review: secret digests", () => {
    const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });

    it("digests secret inputs with the comparison's key; equal values match, other values and keys don't, unknowns are skipped", () => {
        const key = "00".repeat(32);
        const a = secretDigestsOf({ env: [{ value: secret("p1") }], token: secret(UNKNOWN) }, key);
        const b = secretDigestsOf({ env: [{ value: secret("p1") }] }, key);
        const c = secretDigestsOf({ env: [{ value: secret("p2") }] }, key);
        assert.deepEqual(Object.keys(a), ["env[0].value"]);
        assert.equal(a["env[0].value"], b["env[0].value"]);
        assert.notEqual(a["env[0].value"], c["env[0].value"]);
        assert.notEqual(a["env[0].value"], secretDigestsOf({ env: [{ value: secret("p1") }] }, "11".repeat(32))["env[0].value"]);
        assert.ok(!JSON.stringify(a).includes("p1"));
    });
});
