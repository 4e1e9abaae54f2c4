// Image references of every runtime, resolved against the stack's registry.
import * as pulumi from "@pulumi/pulumi";
import { imageHost } from "../policy/shared/images";

/**
 * The reference a runtime pulls: a relative image ("bookstore/api:1.4.2") becomes a repository of
 * the stack's registry (`<loginServer>/bookstore/api:1.4.2`); a reference with a registry host
 * (registry.existing or an allowed public registry, as the config check made sure) stays as written.
 */
export function resolveImage(image: string, stackLoginServer: pulumi.Input<string>): pulumi.Input<string> {
    return imageHost(image) === undefined ? pulumi.interpolate`${stackLoginServer}/${image}` : image;
}
