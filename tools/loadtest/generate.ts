/** Regenerates the k6 and Azure Load Testing files from loadtest/profile.json: `npx tsx tools/loadtest/generate.ts`. */
import * as fs from "fs";
import * as path from "path";
import { generatedFiles } from "./artifacts";
import { LOADTEST_DIR, readSpec } from "./profile";

for (const [file, text] of Object.entries(generatedFiles(readSpec()))) {
    const target = path.join(LOADTEST_DIR, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
    console.log(`wrote loadtest/${file}`);
}
