/**
 * Import cycles and layering are checked by the linter (eslint.config.mjs: import-x/no-cycle,
 * import-x/no-restricted-paths); this entry point remains because the team's landing gate runs it.
 * It runs `eslint .` and exits with its status. Prefer `npm run lint`.
 */
import { spawnSync } from "child_process";
import { PROJECT_DIR } from "../paths";

const result = spawnSync("npx", ["--no-install", "eslint", "."], { cwd: PROJECT_DIR, stdio: "inherit" });
process.exit(result.status ?? 1);
