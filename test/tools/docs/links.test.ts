import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../../../tools/paths";

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, "").replace(/ /g, "-");
const withoutCode = (text: string) => text.replace(/```[\s\S]*?```/g, "");

function anchors(file: string): Set<string> {
    return new Set(withoutCode(fs.readFileSync(file, "utf8")).split("\n")
        .filter((line) => /^#+ /.test(line)).map((line) => slug(line.replace(/^#+ /, ""))));
}

const README = path.join(PROJECT_DIR, "README.md");
const docsPages = () => fs.readdirSync(path.join(PROJECT_DIR, "docs")).filter((file) => file.endsWith(".md")).sort();

describe("docs: the README is an entry page and every link in the documentation resolves", () => {
    it("the README stays within 300 lines and starts with the two commands", () => {
        const text = fs.readFileSync(README, "utf8");
        const lines = text.split("\n").length;
        assert.ok(lines <= 300, `README.md has ${lines} lines; move the depth into a docs/ page`);
        const firstBlock = /```bash\n([\s\S]*?)```/.exec(text)?.[1] ?? "";
        assert.match(firstBlock, /^npm ci && npm run plan\b/m);
        assert.match(firstBlock, /^npm test\b/m);
        assert.ok(text.indexOf(firstBlock) < text.indexOf("\n## "), "the commands come before the first section");
    });

    it("the README links every docs/ page", () => {
        const text = fs.readFileSync(README, "utf8");
        const missing = docsPages().filter((page) => !text.includes(`](docs/${page})`));
        assert.deepEqual(missing, [], "add a one-line link to each page in the README's Documentation list");
    });

    it("every relative link of README.md, docs/*.md and policy/README.md points at a file, and at a heading of it", () => {
        const files = [README, ...docsPages().map((page) => path.join(PROJECT_DIR, "docs", page)), path.join(PROJECT_DIR, "policy", "README.md")];
        const broken: string[] = [];
        for (const file of files) {
            for (const [, target] of withoutCode(fs.readFileSync(file, "utf8")).matchAll(/\]\(([^)\s]+)\)/g)) {
                if (/^[a-z]+:/.test(target)) continue;
                const [linked, anchor] = target.split("#");
                const resolved = linked ? path.resolve(path.dirname(file), linked) : file;
                const where = `${path.relative(PROJECT_DIR, file)}: ${target}`;
                if (!fs.existsSync(resolved)) broken.push(`${where} (no such file)`);
                else if (anchor && resolved.endsWith(".md") && !anchors(resolved).has(anchor)) broken.push(`${where} (no such heading)`);
            }
        }
        assert.deepEqual(broken, []);
    });
});
