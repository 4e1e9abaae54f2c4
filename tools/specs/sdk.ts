/**
 * What the azure-native SDK says about a type: the API version it uses (its module's doc comment)
 * and whether it keeps the body's `properties` as an input (its constructor's inputs).
 */
import * as fs from "fs";
import * as path from "path";

/** The SDK module of a type: its doc comment names the API version, its constructor the inputs. */
function sdkSource(type: string, sdkRoot: string): { file: string; text: string } {
    const [, module] = type.split(":");
    const dir = path.join(sdkRoot, module);
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".js"))) {
        const text = fs.readFileSync(path.join(dir, file), "utf8");
        if (text.includes(`__pulumiType = '${type}'`)) return { file: path.join(dir, file), text };
    }
    throw new Error(`no SDK file for ${type} in ${dir}`);
}

const SDK_ROOT = path.resolve(__dirname, "../../node_modules/@pulumi/azure-native");

/** The API version azure-native uses for a type, from its SDK module's doc comment. */
export function sdkApiVersion(type: string, sdkRoot = SDK_ROOT): string {
    const { file, text } = sdkSource(type, sdkRoot);
    const match = /Uses Azure REST API version (\S+?)\.?\s/.exec(text);
    if (!match) throw new Error(`${file} names no API version`);
    return match[1];
}

/**
 * Whether azure-native keeps the body's `properties` as an input of its own instead of flattening
 * it as `x-ms-client-flatten` says (Key Vault's vault and secret: `properties.sku.name`).
 */
export function sdkKeepsProperties(type: string, sdkRoot = SDK_ROOT): boolean {
    return /resourceInputs\["properties"\] = args/.test(sdkSource(type, sdkRoot).text);
}
