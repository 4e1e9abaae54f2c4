import * as assert from "assert";
import { parse } from "yaml";
import { kubeloginArgs, nonInteractiveKubeconfig } from "../../../components/azure/kubeconfig";

/** The user section `listManagedClusterUserCredentials` (format "exec") returns for an Entra-only cluster. */
const AKS_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: bookstore-prod-aks
  cluster:
    certificate-authority-data: LS0t
    server: https://bookstore-prod-abc.hcp.eastus2.azmk8s.io:443
contexts:
- name: bookstore-prod-aks
  context:
    cluster: bookstore-prod-aks
    user: clusterUser_bookstore-prod-rg_bookstore-prod-aks
current-context: bookstore-prod-aks
users:
- name: clusterUser_bookstore-prod-rg_bookstore-prod-aks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - 6dae42f8-4368-4678-94ff-3960e28e3630
      - --client-id
      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a
      - --tenant-id
      - 11111111-1111-1111-1111-111111111111
      - --login
      - devicecode
      env: null
      provideClusterInfo: false
`;

const execOf = (kubeconfig: string) => parse(kubeconfig).users[0].user.exec;

describe("non-interactive kubeconfig (kubelogin)", () => {
    it("replaces device-code login with the deployer's Azure CLI session", () => {
        const exec = execOf(nonInteractiveKubeconfig(AKS_KUBECONFIG, "azurecli"));
        assert.deepStrictEqual(exec.args, ["get-token", "--login", "azurecli", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"]);
        assert.strictEqual(exec.command, "kubelogin");
        assert.ok(!exec.args.includes("devicecode"));
    });

    it("uses the federated token of the environment in workloadidentity mode (no CLI client id)", () => {
        assert.deepStrictEqual(execOf(nonInteractiveKubeconfig(AKS_KUBECONFIG, "workloadidentity")).args,
            ["get-token", "--login", "workloadidentity", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"]);
    });

    it("keeps cloud and tenant but not the Azure CLI's client id for a service principal", () => {
        const args: string[] = execOf(nonInteractiveKubeconfig(AKS_KUBECONFIG, "spn")).args;
        assert.deepStrictEqual(args, ["get-token", "--login", "spn", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630",
            "--environment", "AzurePublicCloud", "--tenant-id", "11111111-1111-1111-1111-111111111111"]);
        assert.ok(!args.includes("80faf920-1908-4b52-b5ef-a8e7bedfc67a"));
    });

    it("leaves clusters, contexts and non-kubelogin users untouched", () => {
        const withToken = AKS_KUBECONFIG.replace("users:\n", "users:\n- name: static\n  user:\n    token: abc\n");
        const out = parse(nonInteractiveKubeconfig(withToken, "azurecli"));
        assert.deepStrictEqual(out.users[0], { name: "static", user: { token: "abc" } });
        assert.deepStrictEqual(out.clusters, parse(AKS_KUBECONFIG).clusters);
        assert.strictEqual(out["current-context"], "bookstore-prod-aks");
    });

    it("accepts --flag=value and refuses arguments without the cluster's server id", () => {
        assert.deepStrictEqual(kubeloginArgs(["get-token", "--server-id=abc", "--login=devicecode"], "azurecli"), ["get-token", "--login", "azurecli", "--server-id", "abc"]);
        assert.throws(() => kubeloginArgs(["get-token", "--login", "devicecode"], "azurecli"), /no --server-id/);
    });
});
