// Types of tools/bin/automation.js: the Automation API library's own TypeScript declarations.
export * from "../automation";
