/** Container Apps arithmetic the component and the config checks share: memory units and app names. */

/** Memory quantity ("512Mi", "1.5Gi") in GiB. */
export function memoryGi(quantity: string): number {
    const value = Number(quantity.slice(0, -2));
    return quantity.endsWith("Mi") ? value / 1024 : value;
}

/** The Container App's resource name; Azure allows at most 32 characters. */
export const containerAppName = (namePrefix: string, service: string) => `${namePrefix}-${service}`;
