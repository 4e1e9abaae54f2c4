import * as assert from "assert";
import { ConfigError, parseStackConfig } from "../../stacks/config";

/** The problems a config is rejected with; fails the test when it is accepted or fails otherwise. */
export function problemsOf(raw: Record<string, unknown>, secretKeys?: Set<string>): string[] {
    try {
        parseStackConfig(raw, secretKeys);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
        return err.problems;
    }
    assert.fail("expected the config to be rejected");
}
