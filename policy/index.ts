// The pack's entry point: constructing a PolicyPack starts the analyzer server, so nothing but
// `pulumi preview --policy-pack` may import this module (tests and the plan import ./catalogue).
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./catalogue";

new PolicyPack(PACK_NAME, { enforcementLevel: "mandatory", policies });
