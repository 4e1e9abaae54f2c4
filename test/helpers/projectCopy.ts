/**
 * A copy of this project in a temporary directory (its files as the working tree has them, not ignored, this checkout's
 * node_modules linked in, the plan bundles copied when fresh), for commands that act on a whole
 * project: `diff --base` on a repository of our own, `cost` over every stack of a project.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "./planJobs";

/** The copy's directory; `keepStack` decides which Pulumi.<stack>.yaml files come along (default all). */
export function copyProject(options: { keepStack?: (stack: string) => boolean } = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "project-copy-"));
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: PROJECT_DIR, encoding: "utf8" }).split("\0").filter(Boolean);
    for (const file of files) {
        const stack = /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1];
        if (stack && options.keepStack && !options.keepStack(stack)) continue;
        if (!fs.existsSync(path.join(PROJECT_DIR, file))) continue;
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.copyFileSync(path.join(PROJECT_DIR, file), path.join(dir, file));
    }
    fs.symlinkSync(fs.realpathSync(path.join(PROJECT_DIR, "node_modules")), path.join(dir, "node_modules"), "dir");
    // The bundles are rebuilt only when the sources differ from those they were built from.
    if (fs.existsSync(path.join(PROJECT_DIR, ".build"))) fs.cpSync(path.join(PROJECT_DIR, ".build"), path.join(dir, ".build"), { recursive: true });
    return dir;
}
