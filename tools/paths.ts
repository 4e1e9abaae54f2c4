import * as path from "path";

/**
 * The project's root directory. Kept in a file one level below the root, like the plan's
 * bundle (.build/plan.js), so `__dirname` resolves the same under tsx and in the bundle.
 */
export const PROJECT_DIR = path.resolve(__dirname, "..");
