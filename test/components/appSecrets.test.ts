/**
 * The app's generated secrets meet what the app requires of them (components/appContract.ts, from
 * the app's source): every value the generator can produce, down to its worst case, passes the
 * app's own rules, and values the app refuses are refused here too.
 */
import * as assert from "assert";
import { contractEntry, type SecretEntry } from "../../components/appContract";
import { appSecretEntries, secretGenerator, secretProblem } from "../../components/appSecrets";

const entry = (id: string) => contractEntry(id) as SecretEntry;

/** The least varied value the arguments allow: one character of each required class, the rest one repeated letter. */
function worstCase(args: ReturnType<typeof secretGenerator>): string {
    const length = Number(args.length);
    const required = [
        ...Array(Number(args.minLower ?? 0)).fill("a"), ...Array(Number(args.minUpper ?? 0)).fill("A"),
        ...Array(Number(args.minNumeric ?? 0)).fill("0"), ...Array(Number(args.minSpecial ?? 0)).fill(String(args.overrideSpecial)[0]),
    ];
    return required.join("") + "a".repeat(length - required.length);
}

describe("app secrets: generated to the app's rules", () => {
    it("covers the JWT signing key and the seeded admins' password", () => {
        assert.deepStrictEqual(appSecretEntries().map((e) => e.env), ["Jwt__SecretKey", "Seeding__AdminPassword"]);
    });

    for (const e of appSecretEntries()) {
        it(`${e.env}: the generator's least varied value passes the app's checks`, () => {
            const args = secretGenerator(e);
            assert.strictEqual(secretProblem(e, worstCase(args)), undefined);
            assert.ok(Number(args.length) >= e.requires.minLength && Number(args.length) <= (e.requires.maxLength ?? Infinity));
            // Specials that need no quoting anywhere the value travels (env, shell, YAML).
            assert.match(String(args.overrideSpecial), /^[-_.]+$/);
        });
    }

    it("refuses what the api refuses at start: a JWT key under 32 bytes, or of fewer than 4 distinct characters", () => {
        assert.match(secretProblem(entry("jwt-signing-key"), "Ab1-".repeat(7) + "Ab1")!, /31 bytes, the app needs at least 32/);
        assert.match(secretProblem(entry("jwt-signing-key"), "ab".repeat(20))!, /fewer than 4 distinct/);
        assert.strictEqual(secretProblem(entry("jwt-signing-key"), "abcd".repeat(8)), undefined);
    });

    it("refuses an admin password Identity's options would refuse: too short, too long, a class missing", () => {
        const admin = entry("seed-admin-password");
        assert.match(secretProblem(admin, "Ab1-Ab1-Ab1")!, /11 bytes, the app needs at least 12/);
        assert.match(secretProblem(admin, `Ab1-${"a".repeat(125)}`)!, /129 characters, the app allows at most 128/);
        assert.match(secretProblem(admin, "Abcdefghijk1")!, /lacks nonAlphanumeric/);
        assert.match(secretProblem(admin, "abcdefghij1-")!, /lacks upper/);
        assert.strictEqual(secretProblem(admin, "Abcdefghij1-"), undefined);
    });
});
