/**
 * What the offline plan's policy section (./policy.ts) gives the analyzer's RPC handlers for a
 * resource: the policies that can apply to its type, and its properties as a Struct.
 *
 * The policies: a validation made by `validateResourceOfType` carries its type token
 * (`__pulumiType`) and, for any other type, only throws the analyzer's "not applicable" error;
 * the analyzer still deserializes the resource's properties for each such call (its fast path
 * covers only a single typed validation, not an array of them). The plan reports diagnostics,
 * never the not-applicable list, so leaving those validations out changes no finding; every
 * validation without a type token, or with this type's, still runs.
 */
import type { Policies, Policy, ResourceValidation, ResourceValidationPolicy } from "@pulumi/policy";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

const typeOf = (validation: ResourceValidation): string | undefined => {
    const token = (validation as { __pulumiType?: unknown }).__pulumiType;
    return typeof token === "string" && token.length > 0 ? token : undefined;
};

const appliesTo = (validation: ResourceValidation, type: string): boolean => {
    const token = typeOf(validation);
    return token === undefined || token === type;
};

/** `policies` with the validations that cannot apply to `type` left out (order kept). */
export function policiesFor(policies: Policies, type: string): Policies {
    const kept: Policy[] = [];
    for (const policy of policies) {
        if (!("validateResource" in policy) || !policy.validateResource) {
            kept.push(policy);
            continue;
        }
        const validations = policy.validateResource;
        if (!Array.isArray(validations)) {
            if (appliesTo(validations, type)) kept.push(policy);
            continue;
        }
        const applicable = validations.filter((v) => appliesTo(v, type));
        if (applicable.length === validations.length) kept.push(policy);
        else if (applicable.length > 0) kept.push({ ...policy, validateResource: applicable } as ResourceValidationPolicy);
    }
    return kept;
}

/**
 * A protobuf Struct that stands for `value` (a wire-format object, as `toJavaScript()` gave it):
 * the analyzer only ever calls `toJavaScript()` on the properties it is sent, and then copies what
 * it reads (deserializeProperties), so the Struct's fields are never filled in. Converting each
 * resource's inputs and state to protobuf fields and back was most of the section's own cost.
 */
class WireStruct extends Struct {
    constructor(private readonly value: Record<string, unknown>) {
        super();
    }

    override toJavaScript(): ReturnType<Struct["toJavaScript"]> {
        return this.value as ReturnType<Struct["toJavaScript"]>;
    }
}

export function wireStruct(value: Record<string, unknown>): Struct {
    return new WireStruct(value);
}
