/**
 * The `role` tag of a read replica promoted to a standalone writer by `bookstore-infra failover`
 * (components/aws/database.ts sets it; policy/aws/data.ts reads it). No imports: the pack stays self-contained.
 */
export const PROMOTED_REPLICA_ROLE = "promoted-replica";
