/**
 * A stack file's misspelled namespace or a region the cloud does not have would otherwise plan
 * cleanly (the providers accept any string) and fail mid-deployment, or silently deploy to the
 * default region: both are refused before anything is planned, naming the key.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, OTHER_CONFIG_NAMESPACES, type ParsedStackConfig } from "../../stacks/config";
import { stackConfigOf } from "../../tools/offline/stackFile";
import { PROJECT_DIR } from "../helpers/planJobs";

/** The validated config of a copy of a shipped stack file, edited. */
function configOfEdited(stack: string, edit: (text: string) => string): ParsedStackConfig {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bookstore-config-"));
    try {
        const file = path.join(dir, `Pulumi.${stack}.yaml`);
        fs.writeFileSync(file, edit(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")));
        return stackConfigOf({ stack, stackFile: file });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The problems an edited copy of a shipped stack file is refused with. */
function problemsOfEdited(stack: string, edit: (text: string) => string): string[] {
    try {
        configOfEdited(stack, edit);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
        return err.problems;
    }
    return assert.fail("the edited stack file was accepted");
}

/** Adds lines at the top of the stack file's `config:`. */
const adding = (...lines: string[]) => (text: string) => text.replace("config:\n", `config:\n${lines.map((l) => `  ${l}\n`).join("")}`);

describe("config namespaces", () => {
    it("refuses a misspelled namespace, naming the key and the one meant", () => {
        const problems = problemsOfEdited("prod", adding("bookstre:location: westeurope"));
        assert.strictEqual(problems.length, 1);
        assert.match(problems[0], /^bookstre:location: unknown config namespace "bookstre" \(did you mean "bookstore:location"\?/);
    });

    it("reports it in the same error as the other bad keys", () => {
        const problems = problemsOfEdited("prod", adding("bookstre:location: westeurope", "bookstore:namePrefix: Bad"));
        assert.deepStrictEqual(problems.map((p) => p.split(":").slice(0, 2).join(":")), ["bookstre:location", "bookstore:namePrefix"]);
    });

    it("allows exactly the namespaces of the provider packages the program depends on, and pulumi's own", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")) as { dependencies: Record<string, string> };
        const providers = Object.keys(pkg.dependencies).flatMap((name) => {
            const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "node_modules", name, "package.json"), "utf8")) as { pulumi?: { resource?: boolean; name?: string } };
            return manifest.pulumi?.resource ? [manifest.pulumi.name!] : [];
        });
        assert.deepStrictEqual([...OTHER_CONFIG_NAMESPACES].sort(), [...providers, "pulumi"].sort());
    });

    it("accepts the providers' own settings", () => {
        const config = configOfEdited("prod", adding("azure-native:subscriptionId: 00000000-0000-0000-0000-000000000000", "pulumi:tags:", "  team: books"));
        assert.strictEqual(config.location, "eastus2");
    });
});

describe("regions", () => {
    it("refuses an Azure region that does not exist, naming the key and the closest real one", () => {
        const problems = problemsOfEdited("prod", (text) => text.replace("bookstore:location: eastus2", "bookstore:location: eastus3"));
        assert.strictEqual(problems.length, 1);
        assert.match(problems[0], /^bookstore:location: expected an Azure region .*did you mean "eastus"\?.*, got "eastus3"$/);
    });

    it("refuses a secondary region that does not exist", () => {
        const problems = problemsOfEdited("prod", (text) => text.replace("bookstore:secondaryLocation: westus2", "bookstore:secondaryLocation: westus4"));
        assert.match(problems[0], /^bookstore:secondaryLocation: expected an Azure region .*, got "westus4"$/);
    });

    it("accepts a real region the shipped stacks do not use", () => {
        assert.strictEqual(configOfEdited("prod", (text) => text.replace("bookstore:location: eastus2", "bookstore:location: swedencentral")).location, "swedencentral");
    });

    it("refuses an AWS region that does not exist, and one of a partition the program does not write ARNs for", () => {
        const withRegion = (region: string) => (text: string) => text.replace(/^(\s+)region: us-east-1$/m, `$1region: ${region}`);
        assert.match(problemsOfEdited("prod-eks", withRegion("us-east-7"))[0], /^bookstore:aws\.region: expected an AWS region .*, got "us-east-7"$/);
        assert.match(problemsOfEdited("prod-eks", withRegion("us-gov-west-1"))[0], /^bookstore:aws\.region: expected an AWS region .*, got "us-gov-west-1"$/);
    });
});
