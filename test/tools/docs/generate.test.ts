import { strict as assert } from "assert";
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { z } from "zod";
import { ConfigError, stackConfigFromEntries } from "../../../stacks/config";
import { configJsonSchema, stackFileJsonSchema } from "../../../tools/docs/configSchema";
import { configReference } from "../../../tools/docs/configReference";
import { SCHEMA_FILE, staleDocs } from "../../../tools/docs/generate";
import { stacksIn } from "../../../tools/offline/stackFile";
import { PROJECT_DIR } from "../../../tools/paths";

const committedSchema = () => JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, SCHEMA_FILE), "utf8"));
const stackFile = (stack: string) => parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8"));
const compile = (schema: object) => new Ajv({ allErrors: true, strict: true }).compile(schema);
const problems = (validate: ReturnType<typeof compile>) =>
    (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}${e.params && "additionalProperty" in e.params ? ` ${e.params.additionalProperty}` : ""}`);

describe("docs: configuration reference and stack-file JSON Schema, generated from the config schema", () => {
    let committed: ReturnType<typeof compile>;
    const validateCommitted = () => (committed ??= compile(committedSchema()));

    it("the committed docs/config-reference.md and schema/stack.schema.json are what the generator makes (regenerate: npm run docs)", () => {
        assert.deepEqual(staleDocs(), []);
    });

    it("the JSON Schema accepts every shipped stack file", () => {
        const validate = validateCommitted();
        for (const stack of stacksIn(PROJECT_DIR)) {
            assert.ok(validate(stackFile(stack)), `Pulumi.${stack}.yaml: ${problems(validate).join("; ")}`);
        }
    });

    it("rejects a misspelled key (top level, nested, or in the namespace), a value outside an enum and a credential in plain text", () => {
        const validate = validateCommitted();
        const cases: [string, (config: Record<string, any>) => void, RegExp][] = [
            ["misspelled key", (c) => { c["bookstore:locaton"] = "eastus2"; }, /^\/config must NOT have additional properties bookstore:locaton$/],
            ["misspelled namespace", (c) => { c["bookstre:location"] = "westeurope"; }, /^\/config must NOT have additional properties bookstre:location$/],
            ["misspelled nested key", (c) => { c["bookstore:app"].services.api.minReplica = 3; }, /^\/config\/bookstore:app\/services\/api must NOT have additional properties minReplica$/],
            ["unknown platform", (c) => { c["bookstore:platform"] = "gke"; }, /^\/config\/bookstore:platform must be equal to one of the allowed values$/],
            ["plain-text credential", (c) => { c["bookstore:cloudflareApiToken"] = "abc123"; }, /^\/config\/bookstore:cloudflareApiToken must be object$/],
        ];
        for (const [name, change, expected] of cases) {
            const file = stackFile("prod");
            change(file.config);
            assert.equal(validate(file), false, `${name}: accepted`);
            assert.ok(problems(validate).some((p) => expected.test(p)), `${name}: ${problems(validate).join("; ")}`);
        }
    });

    it("accepts what Pulumi writes besides bookstore keys: provider settings and secure values", () => {
        const validate = validateCommitted();
        const file = stackFile("prod");
        file.config["azure-native:subscriptionId"] = "00000000-0000-0000-0000-000000000000";
        file.config["pulumi:tags"] = { team: "platform" };
        file.config["bookstore:cloudflareApiToken"] = { secure: "v1:AAAA:ciphertext" };
        file.encryptionsalt = "v1:salt";
        assert.ok(validate(file), problems(validate).join("; "));
    });

    it("a nested misspelling the editor flags is one the program refuses too", () => {
        const file = stackFile("prod");
        file.config["bookstore:app"].services.api.minReplica = 3;
        // As the engine hands the config to the program: structured values as JSON text.
        const entries = Object.fromEntries(Object.entries(file.config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
        assert.throws(() => stackConfigFromEntries(entries, () => false),
            (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.startsWith("bookstore:app.services.api.minReplica: unknown key")));
    });

    it("follows a per-platform (discriminated union) schema: rows name their platform, and the stack file is checked per platform", () => {
        const schema = z.discriminatedUnion("platform", [
            z.strictObject({ platform: z.literal("aks"), environment: z.enum(["dev", "prod"]), location: z.string().default("eastus2").describe("Azure region.") }),
            z.strictObject({ platform: z.literal("eks"), environment: z.enum(["dev", "prod"]), aws: z.strictObject({ region: z.string().default("us-east-1") }) }),
        ]);
        const config = configJsonSchema(schema);
        const reference = configReference(config);
        assert.match(reference, /^\| `platform` \| `aks` \\\| `eks` \| \(required\) \|/m);
        assert.match(reference, /^\| `location` \| string \| `eastus2` \| platform = aks \| Azure region\. \|$/m);
        assert.match(reference, /^\| `aws\.region` \| string \| `us-east-1` \| platform = eks \|/m);
        const validate = compile(stackFileJsonSchema(config, ["pulumi", "aws"]));
        assert.ok(validate({ config: { "bookstore:platform": "eks", "bookstore:environment": "dev", "bookstore:aws": { region: "eu-west-1" } } }), problems(validate).join("; "));
        assert.equal(validate({ config: { "bookstore:platform": "eks", "bookstore:environment": "dev", "bookstore:location": "westeurope" } }), false);
    });
});
