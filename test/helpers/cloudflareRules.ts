/**
 * Evaluates Cloudflare Rules-language expressions of the forms the cache rules use, against a
 * request, so tests can check what the edge would do instead of comparing strings. Supported:
 * `and`, `or`, `not`, parentheses, `<field> in {"a" "b"}`, `<field> eq "x"`, `<field> contains "x"`,
 * `starts_with(<field or lower(field)>, "x")`, `any(<array field>[*] eq "x")`,
 * `any(lower(<array field>[*])[*] eq "x")` and the boolean field `ssl`. Anything else throws, so a
 * rule written in an unsupported form fails the test rather than passing silently.
 * Field semantics follow Cloudflare's reference: `http.request.uri.path.extension` is the lowercased
 * extension without the dot; `http.request.headers.names` keeps the case the client sent
 * (https://developers.cloudflare.com/ruleset-engine/rules-language/fields/reference/http.request.headers.names/).
 */
export interface EdgeRequest {
    host: string;
    path: string;
    /** Header names exactly as the client sent them. */
    headers?: Record<string, string>;
    cookie?: string;
    /** Default "https". */
    scheme?: "http" | "https";
    /** `cf.tls_version`; default "TLSv1.3" on https, "none" on http. */
    tlsVersion?: string;
}

type Value = string | string[];

function fieldValue(field: string, req: EdgeRequest): Value {
    switch (field) {
        case "http.host": return req.host;
        case "http.request.uri.path": return req.path;
        case "http.request.uri.path.extension": {
            const last = req.path.split("/").pop() ?? "";
            const dot = last.lastIndexOf(".");
            return dot > 0 ? last.slice(dot + 1).toLowerCase() : "";
        }
        case "http.cookie": return req.cookie ?? "";
        case "http.request.headers.names": return Object.keys(req.headers ?? {});
        case "cf.tls_version": return req.tlsVersion ?? ((req.scheme ?? "https") === "https" ? "TLSv1.3" : "none");
        default: throw new Error(`unsupported field ${field}`);
    }
}

function tokenize(expr: string): string[] {
    const tokens: string[] = [];
    const re = /\s*("(?:[^"\\]|\\.)*"|[(){},]|\[\*\]|[A-Za-z_][A-Za-z0-9_.]*)/y;
    let pos = 0;
    while (pos < expr.length) {
        if (/^\s*$/.test(expr.slice(pos))) break;
        re.lastIndex = pos;
        const m = re.exec(expr);
        if (!m) throw new Error(`cannot parse expression at: ${expr.slice(pos)}`);
        tokens.push(m[1]);
        pos = re.lastIndex;
    }
    return tokens;
}

export function evaluate(expression: string, req: EdgeRequest): boolean {
    const tokens = tokenize(expression);
    let i = 0;
    const peek = () => tokens[i];
    const next = () => tokens[i++];
    const expect = (t: string) => { if (next() !== t) throw new Error(`expected ${t} at token ${i - 1} of ${expression}`); };
    const literal = (): string => JSON.parse(next());

    const operand = (): Value => {
        const t = next();
        if (t === "lower") {
            expect("(");
            const v = operand();
            expect(")");
            if (typeof v !== "string") throw new Error("lower() of an array");
            return v.toLowerCase();
        }
        return fieldValue(t, req);
    };

    const comparison = (left: Value): boolean => {
        const op = next();
        if (op === "in") {
            expect("{");
            const set: string[] = [];
            while (peek() !== "}") set.push(literal());
            expect("}");
            return typeof left === "string" && set.includes(left);
        }
        const right = literal();
        if (typeof left !== "string") throw new Error(`operator ${op} on an array`);
        if (op === "eq") return left === right;
        if (op === "contains") return left.includes(right);
        throw new Error(`unsupported operator ${op}`);
    };

    const primary = (): boolean => {
        const t = peek();
        if (t === "(") {
            next();
            const v = or();
            expect(")");
            return v;
        }
        if (t === "not") { next(); return !primary(); }
        if (t === "starts_with") {
            next(); expect("(");
            const v = operand();
            expect(",");
            const prefix = literal();
            expect(")");
            if (typeof v !== "string") throw new Error("starts_with() of an array");
            return v.startsWith(prefix);
        }
        if (t === "ssl") { next(); return (req.scheme ?? "https") === "https"; }
        if (t === "any") {
            next(); expect("(");
            let arr: Value;
            if (peek() === "lower") {
                next(); expect("(");
                const inner = fieldValue(next(), req);
                expect("[*]"); expect(")");
                if (!Array.isArray(inner)) throw new Error("lower(...[*]) of a string");
                arr = inner.map((v) => v.toLowerCase());
            } else {
                arr = fieldValue(next(), req);
            }
            expect("[*]");
            if (next() !== "eq") throw new Error("any() supports eq only");
            const wanted = literal();
            expect(")");
            if (!Array.isArray(arr)) throw new Error("any() of a string");
            return arr.includes(wanted);
        }
        return comparison(operand());
    };

    const and = (): boolean => {
        let v = primary();
        while (peek() === "and") { next(); const r = primary(); v = v && r; }
        return v;
    };
    function or(): boolean {
        let v = and();
        while (peek() === "or") { next(); const r = and(); v = v || r; }
        return v;
    }

    const result = or();
    if (i !== tokens.length) throw new Error(`unparsed tokens: ${tokens.slice(i).join(" ")}`);
    return result;
}

export interface CacheRuleLike {
    expression: string;
    enabled?: boolean;
    actionParameters?: { cache?: boolean; edgeTtl?: { mode: string; default?: number } };
}

/**
 * What the zone's cache rules decide for a request: Cache Rules stack, the last matching rule wins.
 * `undefined` means no rule matched (Cloudflare's default behaviour applies).
 */
export function cacheDecision(rules: CacheRuleLike[], req: EdgeRequest): { cache: boolean; edgeTtlSeconds?: number } | undefined {
    let decision: { cache: boolean; edgeTtlSeconds?: number } | undefined;
    for (const rule of rules) {
        if (rule.enabled === false || !evaluate(rule.expression, req)) continue;
        decision = { cache: Boolean(rule.actionParameters?.cache), edgeTtlSeconds: rule.actionParameters?.edgeTtl?.default };
    }
    return decision;
}

/** Evaluates a string-valued expression of the form `concat("lit" | field, ...)` (a redirect's target URL). */
export function evaluateValue(expression: string, req: EdgeRequest): string {
    const tokens = tokenize(expression);
    let i = 0;
    const next = () => tokens[i++];
    if (next() !== "concat" || next() !== "(") throw new Error(`unsupported value expression ${expression}`);
    let out = "";
    for (;;) {
        const t = next();
        const v = t.startsWith("\"") ? JSON.parse(t) : fieldValue(t, req);
        if (typeof v !== "string") throw new Error(`concat of an array in ${expression}`);
        out += v;
        const sep = next();
        if (sep === ")") break;
        if (sep !== ",") throw new Error(`expected , or ) in ${expression}`);
    }
    if (i !== tokens.length) throw new Error(`unparsed tokens: ${tokens.slice(i).join(" ")}`);
    return out;
}
