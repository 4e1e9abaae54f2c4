// The AKS version support table lives in the policy pack (which must load on its own); re-exported for the program.
export * from "../policy/shared/aksVersions";
