/**
 * The load test's one definition (loadtest/profile.json): the requests each virtual user makes, its
 * think time, the staged user count and the pass thresholds. The k6 script, the Azure Load Testing
 * files and the local runner all read it, so the three cannot drift apart. Every request is one of
 * the api's endpoints (API_ROUTES): the run targets the api's own entry, not the web.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { PROJECT_DIR } from "../paths";

export const LOADTEST_DIR = path.join(PROJECT_DIR, "loadtest");
export const PROFILE_FILE = path.join(LOADTEST_DIR, "profile.json");

const StageSchema = z.strictObject({
    /** Seconds the stage lasts; the user count moves linearly from the previous target to this one (k6 `stages`). */
    durationSeconds: z.number().int().positive(),
    target: z.number().int().min(0),
});

const NAME = z.string().regex(/^[a-z][a-z0-9-]*$/);
const VARIABLE = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/);

const RequestSchema = z.strictObject({
    /** Request name in reports (Locust's `name`, Azure Load Testing's per-request criteria). */
    name: NAME,
    /** Path and query, relative to the api's base URL; `{variable}` takes a value the setup request collected. */
    path: z.string().startsWith("/"),
});

/**
 * One request made once before the users start (k6 `setup()`, Locust `on_start`): it checks the
 * target answers and collects the ids the other requests use, e.g. real book ids for the detail page.
 */
const SetupSchema = RequestSchema.extend({
    collect: z.strictObject({
        /** The variable the ids fill in request paths (`{bookId}`). */
        as: VARIABLE,
        /** The JSON response's array property (the app's PagedListDto `items`) and each element's id property. */
        list: VARIABLE,
        field: VARIABLE,
    }),
});

export const LoadTestSpecSchema = z.strictObject({
    $comment: z.string().optional(),
    setup: SetupSchema.optional(),
    requests: z.array(RequestSchema).min(1),
    /** Pause after each request (the seed's `sleep(1)`). */
    thinkTimeSeconds: z.number().positive(),
    thresholds: z.strictObject({
        /** The run fails unless the 95th percentile response time is below this (ms). */
        p95Ms: z.number().int().positive(),
        /** The run fails unless fewer than this percent of requests failed. */
        failedPercent: z.number().positive().max(100),
    }),
    profiles: z.record(NAME, z.array(StageSchema).min(1)),
}).superRefine((spec, ctx) => {
    spec.requests.forEach((request, i) => {
        for (const variable of pathVariables(request.path)) {
            if (variable !== spec.setup?.collect.as) {
                ctx.addIssue({ code: "custom", path: ["requests", i, "path"], message: `{${variable}} is not collected by setup.collect.as` });
            }
        }
    });
});

/** The `{variable}` names in a request path. */
export function pathVariables(requestPath: string): string[] {
    return [...requestPath.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
}

export type LoadTestSpec = z.infer<typeof LoadTestSpecSchema>;
export type Stage = z.infer<typeof StageSchema>;
export type SetupRequest = z.infer<typeof SetupSchema>;

/** One named profile resolved from the spec: what a run needs. */
export interface LoadProfile {
    name: string;
    stages: Stage[];
    setup?: SetupRequest;
    requests: LoadTestSpec["requests"];
    thinkTimeSeconds: number;
    thresholds: LoadTestSpec["thresholds"];
}

export class LoadTestInputError extends Error {}

/** Parses a spec document; a bad one names the first offending key. */
export function parseSpec(document: unknown, source: string): LoadTestSpec {
    const result = LoadTestSpecSchema.safeParse(document);
    if (!result.success) {
        const issue = result.error.issues[0];
        throw new LoadTestInputError(`${source}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    }
    return result.data;
}

export function readSpec(file = PROFILE_FILE): LoadTestSpec {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new LoadTestInputError(`cannot read ${file}: ${(err as Error).message}`);
    }
    try {
        return parseSpec(JSON.parse(text), file);
    } catch (err) {
        if (err instanceof LoadTestInputError) throw err;
        throw new LoadTestInputError(`${file}: not JSON (${(err as Error).message})`);
    }
}

/**
 * `--profile`: a profile name of loadtest/profile.json ("seed", "smoke"), or a JSON file holding a
 * whole spec whose first profile is run (for custom or shortened runs).
 */
export function resolveProfile(choice: string, specFile = PROFILE_FILE): LoadProfile {
    const fromFile = choice.endsWith(".json");
    const spec = readSpec(fromFile ? choice : specFile);
    const name = fromFile ? Object.keys(spec.profiles)[0] : choice;
    const stages = spec.profiles[name];
    if (!stages) throw new LoadTestInputError(`unknown profile "${choice}" (expected one of ${Object.keys(spec.profiles).join(", ")}, or a .json file)`);
    return { name, stages, setup: spec.setup, requests: spec.requests, thinkTimeSeconds: spec.thinkTimeSeconds, thresholds: spec.thresholds };
}

export function totalSeconds(stages: readonly Stage[]): number {
    return stages.reduce((sum, stage) => sum + stage.durationSeconds, 0);
}

/** Virtual users at `t` seconds after the start: linear within a stage, from 0 (k6's ramping-vus semantics). */
export function usersAt(stages: readonly Stage[], t: number): number {
    let from = 0;
    let start = 0;
    for (const stage of stages) {
        if (t < start + stage.durationSeconds) return from + ((stage.target - from) * (t - start)) / stage.durationSeconds;
        from = stage.target;
        start += stage.durationSeconds;
    }
    return from;
}

/** k6's duration notation: 120 → "2m", 90 → "90s". */
export function k6Duration(seconds: number): string {
    return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}
