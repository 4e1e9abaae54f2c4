import { z } from "zod";
import type { StackCheck } from "./checks";

/** Database tier settings (PostgreSQL Flexible Server, replicas, pooler). Filled by the database tier. */
export const DatabaseSchema = z.strictObject({});

export type DatabaseConfig = z.infer<typeof DatabaseSchema>;

/** Cross-key rules of the database tier. */
export const databaseChecks: StackCheck[] = [];
