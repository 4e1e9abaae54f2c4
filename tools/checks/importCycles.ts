/**
 * Import-cycle check: reads every .ts file of the repository (node_modules, dot-folders and out/
 * excluded), resolves its imports with the TypeScript compiler's own module resolution and the
 * root tsconfig's options, and lists every cycle. Type-only imports count too: a cycle of types
 * still couples two files both ways. Usage: `npx tsx tools/checks/importCycles.ts [root]`;
 * exit 0 when there is no cycle, 1 when there is one (each printed), 2 on a usage error.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const SKIPPED_DIRECTORIES = new Set(["node_modules", "out"]);

/** Every .ts source file under `root` (declaration files and skipped folders left out), sorted. */
export function sourceFiles(root: string): string[] {
    const found: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            if (entry.name.startsWith(".") || SKIPPED_DIRECTORIES.has(entry.name)) continue;
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) found.push(full);
        }
    };
    walk(root);
    return found.sort();
}

/** Compiler options of `root`/tsconfig.json, or plain CommonJS/node resolution when there is none. */
function compilerOptions(root: string): ts.CompilerOptions {
    const configPath = path.join(root, "tsconfig.json");
    if (!fs.existsSync(configPath)) return { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 };
    const read = ts.readConfigFile(configPath, ts.sys.readFile);
    return ts.parseJsonConfigFileContent(read.config ?? {}, ts.sys, root).options;
}

/** The project files each file imports (import, export … from, import(), require), keyed by path. */
export function importGraph(root: string, files = sourceFiles(root)): Map<string, string[]> {
    const options = compilerOptions(root);
    const inProject = new Set(files);
    const graph = new Map<string, string[]>();
    for (const file of files) {
        const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
        const targets = new Set<string>();
        for (const imported of info.importedFiles) {
            const resolved = ts.resolveModuleName(imported.fileName, file, options, ts.sys).resolvedModule;
            const target = resolved && path.resolve(resolved.resolvedFileName);
            if (target && inProject.has(target) && target !== file) targets.add(target);
        }
        graph.set(file, [...targets].sort());
    }
    return graph;
}

/**
 * The import cycles of a graph: one per strongly connected component of more than one file
 * (Tarjan's algorithm), each given as a closed path `a → b → … → a` through that component.
 */
export function findCycles(graph: Map<string, string[]>): string[][] {
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const components: string[][] = [];

    const connect = (node: string) => {
        index.set(node, counter);
        low.set(node, counter);
        counter++;
        stack.push(node);
        onStack.add(node);
        for (const next of graph.get(node) ?? []) {
            if (!index.has(next)) {
                connect(next);
                low.set(node, Math.min(low.get(node)!, low.get(next)!));
            } else if (onStack.has(next)) {
                low.set(node, Math.min(low.get(node)!, index.get(next)!));
            }
        }
        if (low.get(node) === index.get(node)) {
            const component: string[] = [];
            let member: string;
            do {
                member = stack.pop()!;
                onStack.delete(member);
                component.push(member);
            } while (member !== node);
            if (component.length > 1) components.push(component.sort());
        }
    };
    for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
    return components.map((component) => cycleThrough(graph, component)).sort((a, b) => a[0].localeCompare(b[0]));
}

/** A shortest closed path from the component's first file back to itself, inside the component. */
function cycleThrough(graph: Map<string, string[]>, component: string[]): string[] {
    const members = new Set(component);
    const start = component[0];
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
        const node = queue.shift()!;
        for (const next of graph.get(node) ?? []) {
            if (!members.has(next)) continue;
            if (next === start) {
                const cycle = [start];
                for (let at = node; at !== start; at = previous.get(at)!) cycle.splice(1, 0, at);
                return [...cycle, start];
            }
            if (!previous.has(next)) {
                previous.set(next, node);
                queue.push(next);
            }
        }
    }
    return [...component, start];
}

/** One line per cycle, paths relative to `root`. */
export function describeCycles(root: string, cycles: string[][]): string[] {
    return cycles.map((cycle) => cycle.map((file) => path.relative(root, file)).join(" → "));
}

function main(argv: string[]): number {
    if (argv.length > 1) {
        console.error("usage: importCycles [root]");
        return 2;
    }
    const root = path.resolve(argv[0] ?? path.join(__dirname, "..", ".."));
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
        console.error(`importCycles: ${root} is not a directory`);
        return 2;
    }
    const files = sourceFiles(root);
    const cycles = describeCycles(root, findCycles(importGraph(root, files)));
    if (cycles.length === 0) {
        console.log(`no import cycles in ${files.length} files`);
        return 0;
    }
    console.error(`${cycles.length} import ${cycles.length === 1 ? "cycle" : "cycles"}:`);
    for (const cycle of cycles) console.error(`  ${cycle}`);
    return 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
