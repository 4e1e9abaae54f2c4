/**
 * Container registry helpers the components and the config share: image hosts (the rules live in
 * the policy pack, which must load on its own) and the parts of a registry's resource id.
 */

/** An Azure Container Registry resource id: subscription, resource group and registry name. */
export const REGISTRY_ID = /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/([-\w._()]+)\/providers\/Microsoft\.ContainerRegistry\/registries\/([a-zA-Z0-9]{5,50})$/i;

/** Subscription, resource group and name of a registry id (validated by RegistrySchema). */
export function parseRegistryId(resourceId: string): { subscriptionId: string; resourceGroup: string; name: string } {
    const match = REGISTRY_ID.exec(resourceId);
    if (!match) throw new Error(`not a container registry resource id: ${resourceId}`);
    return { subscriptionId: match[1], resourceGroup: match[2], name: match[3] };
}
