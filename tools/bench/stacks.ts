import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";

/**
 * A copy of a stack file whose app tier has `count` services (clones of its `api` service,
 * named svc001...) beside its `web` service: the benchmark's measure of growth per service.
 * The clones scale to 3 replicas with a pool of 1 and the pooler takes 10000 clients, so even 100
 * services stay within the connection budget and the plan runs every section to the end.
 */
export function stackWithServices(stackFile: string, count: number): string {
    const doc = parse(fs.readFileSync(stackFile, "utf8"));
    const app = doc.config["bookstore:app"];
    const { api, web } = app.services;
    const services: Record<string, unknown> = {};
    for (let i = 1; i <= count - 1; i++) services[`svc${String(i).padStart(3, "0")}`] = { ...api, maxReplicas: 3, dbPoolSize: 1 };
    services.web = web;
    app.services = services;
    doc.config["bookstore:database"].pgbouncer.maxClientConn = 10000;
    return stringify(doc);
}

/** Writes the generated stack files into `dir`; returns service count → file. */
export function writeServiceStacks(projectDir: string, dir: string, counts: number[]): Map<number, string> {
    const files = new Map<number, string>();
    for (const count of counts) {
        const file = path.join(dir, `Pulumi.prod-${count}-services.yaml`);
        fs.writeFileSync(file, stackWithServices(path.join(projectDir, "Pulumi.prod.yaml"), count));
        files.set(count, file);
    }
    return files;
}
