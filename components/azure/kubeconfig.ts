// Non-interactive kubelogin: rewrites the AKS kubeconfig's exec arguments to the configured sign-in mode.
import { parse, stringify } from "yaml";

/**
 * How kubelogin gets the Entra token for the Kubernetes provider without a person at a prompt:
 * - `azurecli`: the `az login` session of whoever runs `pulumi up` (a developer, or CI after `az login`);
 * - `workloadidentity`: a federated token (GitHub Actions OIDC, a pod), from AZURE_CLIENT_ID,
 *   AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE and AZURE_AUTHORITY_HOST;
 * - `spn`: a service principal secret, from AAD_SERVICE_PRINCIPAL_CLIENT_ID / _CLIENT_SECRET (or AZURE_CLIENT_ID / _SECRET).
 */
export const KUBELOGIN_MODES = ["azurecli", "workloadidentity", "spn"] as const;
export type KubeloginMode = typeof KUBELOGIN_MODES[number];

/** `["--a", "1", "--b", "2"]` → {a: "1", b: "2"} (kubelogin's flags all take a value). */
function flagsOf(args: string[]): Record<string, string> {
    const flags: Record<string, string> = {};
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (!arg.startsWith("--")) continue;
        const eq = arg.indexOf("=");
        if (eq > 0) flags[arg.slice(2, eq)] = arg.slice(eq + 1);
        else if (i + 1 < args.length && !args[i + 1].startsWith("--")) flags[arg.slice(2)] = args[++i];
    }
    return flags;
}

/**
 * kubelogin's `get-token` arguments for `mode`, keeping what identifies the cluster's Entra app
 * (`--server-id`) and, for `spn`, the cloud and tenant. The CLI app's `--client-id` that
 * `listClusterUserCredential` writes belongs to device-code login only, so it is dropped (for
 * `spn` the principal's own id comes from the environment). Mirrors `kubelogin convert-kubeconfig -l <mode>`
 * (https://azure.github.io/kubelogin/concepts/login-modes.html).
 */
export function kubeloginArgs(args: string[], mode: KubeloginMode): string[] {
    const flags = flagsOf(args);
    const serverId = flags["server-id"];
    if (!serverId) throw new Error(`kubeconfig exec arguments have no --server-id: ${args.join(" ")}`);
    const out = ["get-token", "--login", mode, "--server-id", serverId];
    if (mode === "spn") {
        if (flags.environment) out.push("--environment", flags.environment);
        if (flags["tenant-id"]) out.push("--tenant-id", flags["tenant-id"]);
    }
    return out;
}

/**
 * Rewrites every kubelogin user of a kubeconfig (as `listManagedClusterUserCredentials` with
 * format "exec" returns it: `kubelogin get-token ... --login devicecode`) to the non-interactive
 * `mode`. Users that are not kubelogin exec users are left as they are.
 */
export function nonInteractiveKubeconfig(kubeconfig: string, mode: KubeloginMode): string {
    if (kubeconfig.trim() === "") return kubeconfig;
    const doc = parse(kubeconfig) as { users?: { user?: { exec?: { command?: string; args?: string[] } } }[] };
    for (const entry of doc.users ?? []) {
        const exec = entry.user?.exec;
        if (!exec || !/(^|[\\/])kubelogin(\.exe)?$/.test(exec.command ?? "")) continue;
        exec.args = kubeloginArgs(exec.args ?? [], mode);
    }
    return stringify(doc);
}
