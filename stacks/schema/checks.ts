/**
 * A cross-key rule: looks at the whole parsed config and reports problems against a key path
 * (relative to the `bookstore:` namespace, e.g. ["app", "services", "api", "maxReplicas"]).
 */
export type Report = (path: (string | number)[], message: string, input?: unknown) => void;

// The parsed config is typed loosely here so that tier schemas can import this file
// without a cycle through stacks/config.ts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StackCheck = (config: any, report: Report) => void;
