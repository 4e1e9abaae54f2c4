/**
 * Body rules of the spec table (closed enums, string patterns) that the sparse mirror now holds for
 * storage, Key Vault, PostgreSQL, the container registry and resource groups: each test is a value the provider's Check or
 * ARM would refuse, which the plan let through while those bodies were `unresolved`.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { CapturedResource } from "../../tools/offline/capture";
import { formatSpecViolation, specViolations } from "../../tools/offline/specRules";
import { rulesFor } from "../../tools/specs/generate";
import { sdkKeepsProperties } from "../../tools/specs/sdk";

function resource(type: string, name: string, inputs: Record<string, unknown>): CapturedResource {
    return {
        urn: `urn:pulumi:prod::bookstore::bookstore:test:Parent$${type}::${name}`, type, name, custom: true, dependencies: [],
        options: { protect: false, ignoreChanges: [], retainOnDelete: false, deleteBeforeReplace: false },
        wireInputs: inputs, wireState: inputs,
    };
}

/** The one violation of a resource, formatted as the plan prints it. */
function only(r: CapturedResource): string {
    const violations = specViolations([r]);
    assert.strictEqual(violations.length, 1, JSON.stringify(violations));
    return formatSpecViolation(violations[0]);
}

describe("spec table body rules (storage, Key Vault, PostgreSQL, container registry, resource groups)", () => {
    it("refuses a storage account access tier outside the closed enum (storage.json AccessTier, modelAsString false)", () => {
        const account = (accessTier: string) => resource("azure-native:storage:StorageAccount", "static-assets", {
            resourceGroupName: "rg", accountName: "bookstoreprodst", kind: "StorageV2", sku: { name: "Standard_ZRS" }, accessTier,
        });
        assert.deepStrictEqual(specViolations([account("Hot")]), []);
        const message = only(account("Archive"));
        assert.strictEqual(message, `${account("Archive").urn}: accessTier "Archive" breaks the API spec: expected one of "Hot", "Cool", "Premium", "Cold" (closed enum in specification/storage/resource-manager/Microsoft.Storage/stable/2024-01-01/storage.json (API 2024-01-01, specs commit 5a2abff0f2e6))`);
        // Open enums stay open: a kind or SKU the spec lists with modelAsString true is not refused offline.
        assert.deepStrictEqual(specViolations([{ ...account("Hot"), wireInputs: { ...account("Hot").wireInputs, kind: "StorageV3", sku: { name: "Standard_XRS" } } }]), []);
    });

    it("checks a storage account's network rule set under the SDK's name for it (x-ms-client-name `NetworkRuleSet`, not the wire's `networkAcls`)", () => {
        const account = (networkRuleSet: Record<string, unknown>) => resource("azure-native:storage:StorageAccount", "static-assets", {
            resourceGroupName: "rg", accountName: "bookstoreprodst", networkRuleSet,
        });
        assert.deepStrictEqual(specViolations([account({ defaultAction: "Deny", ipRules: [{ iPAddressOrRange: "203.0.113.0/24", action: "Allow" }] })]), []);
        assert.match(only(account({ defaultAction: "Block" })), /networkRuleSet\.defaultAction "Block" breaks the API spec: expected one of "Allow", "Deny" \(closed enum in .*\/storage\.json/);
        assert.match(only(account({ defaultAction: "Deny", ipRules: [{ iPAddressOrRange: "203.0.113.0/24", action: "Deny" }] })), /networkRuleSet\.ipRules\[\]\.action "Deny" breaks the API spec: expected one of "Allow"/);
    });

    it("refuses a blob container public access level outside None, Container, Blob (blob.json PublicAccess)", () => {
        const container = (publicAccess: string) => resource("azure-native:storage:BlobContainer", "static-container", {
            resourceGroupName: "rg", accountName: "st", containerName: "static", publicAccess,
        });
        assert.deepStrictEqual(specViolations([container("Blob")]), []);
        assert.match(only(container("Public")), /static-container: publicAccess "Public" breaks the API spec: expected one of "Container", "Blob", "None" \(closed enum in .*\/blob\.json/);
    });

    it("checks a Key Vault SKU name under the SDK's own `properties` input (the provider keeps it unflattened)", () => {
        const vault = (name: string) => resource("azure-native:keyvault:Vault", "vault", {
            resourceGroupName: "rg", vaultName: "bookstorekv", properties: { tenantId: "t", sku: { family: "A", name } },
        });
        assert.deepStrictEqual(specViolations([vault("standard")]), []);
        assert.deepStrictEqual(specViolations([vault("Premium")]), [], "ARM compares enum values case-insensitively");
        assert.match(only(vault("basic")), /::vault: properties\.sku\.name "basic" breaks the API spec: expected one of "standard", "premium" \(closed enum in .*keyvault.*\/2024-11-01\/openapi\.json/);
        // createMode is closed too (recover, default): a "restore" would fail the PUT.
        const mode = (createMode: string) => ({ ...vault("standard"), wireInputs: { ...vault("standard").wireInputs, properties: { tenantId: "t", sku: { family: "A", name: "standard" }, createMode } } });
        assert.deepStrictEqual(specViolations([mode("recover")]), []);
        assert.match(only(mode("restore")), /properties\.createMode "restore" breaks the API spec: expected one of "recover", "default"/);
    });

    it("refuses a PostgreSQL database charset or collation the spec's pattern refuses", () => {
        const database = (charset: string, collation: string) => resource("azure-native:dbforpostgresql:Database", "app-database", {
            resourceGroupName: "rg", serverName: "bookstore-prod-pg", databaseName: "bookstore", charset, collation,
        });
        assert.deepStrictEqual(specViolations([database("UTF8", "en_US.utf8")]), []);
        assert.match(only(database("UTF-8", "en_US.utf8")), /app-database: charset "UTF-8" breaks the API spec: expected pattern \^\[a-zA-Z\]\+\\w\*\$ \(.*postgresql.*\/2025-08-01\/openapi\.json/);
        assert.match(only(database("UTF8", "en-US@icu")), /collation "en-US@icu" breaks the API spec: expected pattern/);
    });

    it("refuses a PostgreSQL virtual endpoint name ending in a dash (virtualEndpointName pattern with a lookbehind)", () => {
        const endpoint = (virtualEndpointName: string) => resource("azure-native:dbforpostgresql:VirtualEndpoint", "db-endpoint", {
            resourceGroupName: "rg", serverName: "bookstore-prod-pg", virtualEndpointName, endpointType: "ReadWrite",
        });
        assert.deepStrictEqual(specViolations([endpoint("bookstore-prod-db")]), []);
        assert.match(only(endpoint("bookstore-prod-db-")), /virtualEndpointName "bookstore-prod-db-" breaks the API spec: expected pattern .*\(\?<!-\)\$ \(virtualEndpointName in/);
    });

    it("refuses a container registry identity type spelled as other providers spell it (ACR's closed enum has a space: \"SystemAssigned, UserAssigned\")", () => {
        const registry = (type: string) => resource("azure-native:containerregistry:Registry", "registry", {
            resourceGroupName: "rg", registryName: "bookstoreprodacr", sku: { name: "Premium" }, identity: { type },
        });
        assert.deepStrictEqual(specViolations([registry("SystemAssigned, UserAssigned")]), []);
        assert.match(only(registry("SystemAssigned,UserAssigned")), /identity\.type "SystemAssigned,UserAssigned" breaks the API spec: expected one of "SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned", "None" \(closed enum in .*containerregistry\.json/);
    });

    it("refuses a resource group name with a space or past 90 characters (resources.json 2024-03-01)", () => {
        const group = (resourceGroupName: string) => resource("azure-native:resources:ResourceGroup", "rg", { resourceGroupName, location: "eastus2" });
        assert.deepStrictEqual(specViolations([group("bookstore-prod-rg")]), []);
        assert.match(only(group("bookstore prod rg")), /resourceGroupName "bookstore prod rg" breaks the API spec: expected pattern .* \(resourceGroupName in .*\/resources\.json/);
        assert.match(only(group("g".repeat(91))), /maxLength 90 \(got 91\)/);
    });
});

describe("spec table generator and the SDK's input shape", () => {
    it("reads from the SDK whether azure-native keeps a body's `properties` (Key Vault) or flattens it (storage)", () => {
        assert.strictEqual(sdkKeepsProperties("azure-native:keyvault:Vault"), true);
        assert.strictEqual(sdkKeepsProperties("azure-native:keyvault:Secret"), true);
        assert.strictEqual(sdkKeepsProperties("azure-native:storage:StorageAccount"), false);
        assert.strictEqual(sdkKeepsProperties("azure-native:dbforpostgresql:Server"), false);
    });

    it("keys body rules by the SDK's input names: a property's x-ms-client-name, first letter lower-cased", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "specs-"));
        const file = "specification/storage/resource-manager/Microsoft.Storage/stable/2024-01-01/storage.json";
        const spec = {
            paths: {
                "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}": {
                    put: { parameters: [{ name: "accountName", in: "path" }, { name: "parameters", in: "body", schema: { $ref: "#/definitions/Account" } }] },
                },
            },
            definitions: {
                Account: { properties: { properties: { "x-ms-client-flatten": true, "x-ms-client-name": "Ignored", $ref: "#/definitions/Props" } } },
                Props: { properties: { networkAcls: { "x-ms-client-name": "NetworkRuleSet", properties: { defaultAction: { type: "string", enum: ["Allow", "Deny"], "x-ms-enum": { modelAsString: false } } } } } },
            },
        };
        fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), JSON.stringify(spec));
        assert.deepStrictEqual(rulesFor(dir, "azure-native:storage:StorageAccount", file, "2024-01-01", "4".repeat(40)).enums, { "networkRuleSet.defaultAction": ["Allow", "Deny"] });
    });

    it("keys body rules under `properties.` when the SDK keeps it, and flattened otherwise", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "specs-"));
        const file = "specification/keyvault/resource-manager/Microsoft.KeyVault/stable/2024-11-01/openapi.json";
        const spec = {
            info: { version: "2024-11-01" },
            paths: {
                "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.KeyVault/vaults/{vaultName}": {
                    put: { parameters: [{ name: "vaultName", in: "path" }, { name: "parameters", in: "body", schema: { $ref: "#/definitions/Vault" } }] },
                },
            },
            definitions: {
                Vault: { properties: { properties: { "x-ms-client-flatten": true, $ref: "#/definitions/Props" } } },
                Props: { properties: { sku: { properties: { name: { type: "string", enum: ["standard", "premium"], "x-ms-enum": { modelAsString: false } } } } } },
            },
        };
        fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), JSON.stringify(spec));
        const commit = "3".repeat(40);
        assert.deepStrictEqual(rulesFor(dir, "azure-native:keyvault:Vault", file, "2024-11-01", commit, undefined, true).enums, { "properties.sku.name": ["standard", "premium"] });
        assert.deepStrictEqual(rulesFor(dir, "azure-native:keyvault:Vault", file, "2024-11-01", commit).enums, { "sku.name": ["standard", "premium"] });
    });
});
