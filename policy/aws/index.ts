/** The pack's AWS rules (platform eks). Self-contained: nothing here imports the program. */
import type { Policies } from "@pulumi/policy";
import { awsClusterPolicies } from "./cluster";
import { awsDataPolicies } from "./data";
import { awsEdgePolicies } from "./edge";
import { awsPlatformPolicies } from "./platform";

export const awsPolicies: Policies = [...awsDataPolicies, ...awsClusterPolicies, ...awsEdgePolicies, ...awsPlatformPolicies];
