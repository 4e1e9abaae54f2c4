// Stack variants more than one test file reads: each is written and planned once per run.
import { planned, stackVariant } from "./plan";
import type { PlanDocument } from "../../tools/offline/types";

let prodAksCloudflare: (() => PlanDocument) | undefined;

/** prod-aks behind Cloudflare on an Enterprise zone (the only plan Cloudflare fronts AKS on). */
export function prodAksBehindCloudflare(): () => PlanDocument {
    return prodAksCloudflare ??= planned("prod-aks", {
        stackFile: stackVariant("prod-aks", (config) => {
            config["bookstore:cdn"] = "cloudflare";
            config["bookstore:cloudflare"] = {
                zoneId: "0123456789abcdef0123456789abcdef", webHostname: "shop.bookstore.example",
                staticHostname: "static.bookstore.example", plan: "enterprise",
            };
            config["bookstore:cloudflareApiToken"] = { secure: "v1:AAAAAAAAAAAAAAAA:cGxhY2Vob2xkZXItY2lwaGVydGV4dC1zZXQtdGhlLXJlYWwtdG9rZW4=" };
        }),
    });
}
