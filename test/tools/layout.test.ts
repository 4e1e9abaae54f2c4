/**
 * The multi-cloud layout's rules, checked on the source tree: components own their
 * arguments (nothing under components/ refers to stacks/), the Kubernetes tier imports no cloud
 * SDK, and lib/ (pure arithmetic both sides share) imports neither components nor stacks.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { sourceFiles } from "../../tools/checks/importCycles";
import { PROJECT_DIR } from "../helpers/planJobs";

const filesUnder = (dir: string) => sourceFiles(path.join(PROJECT_DIR, dir)).map((f) => [path.relative(PROJECT_DIR, f), fs.readFileSync(f, "utf8")] as const);

describe("multi-cloud layout", () => {
    it("no component refers to stacks/ (components own their Args)", () => {
        const offenders = filesUnder("components").filter(([, text]) => text.includes("stacks/")).map(([file]) => file);
        assert.deepStrictEqual(offenders, []);
    });

    it("the Kubernetes tier imports no cloud SDK", () => {
        const offenders = filesUnder("components/kubernetes")
            .filter(([, text]) => /from "@pulumi\/(azure-native|aws|cloudflare)[/"]/.test(text)).map(([file]) => file);
        assert.deepStrictEqual(offenders, []);
    });

    it("the shared components (contracts, specs, wiring) and the Kubernetes tier import no cloud's components", () => {
        const shared = filesUnder("components").filter(([file]) => path.dirname(file) === "components" || file.startsWith("components/kubernetes/"));
        const offenders = shared.filter(([, text]) => /from "\.\.?\/(\.\.\/)?(azure|aws|cloudflare)\//.test(text)).map(([file]) => file);
        assert.deepStrictEqual(offenders, []);
    });

    it("lib/ imports neither components nor stacks", () => {
        const offenders = filesUnder("lib").filter(([, text]) => /from "\.\.\/(components|stacks)\//.test(text)).map(([file]) => file);
        assert.deepStrictEqual(offenders, []);
    });
});
