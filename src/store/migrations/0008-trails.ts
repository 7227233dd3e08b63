import type { Kysely } from 'kysely';

/**
 * CloudTrail trails and what their delivery worker needs to deliver every
 * record exactly once: the event sequence number delivered through, the spans
 * of the event sequence during which a trail was logging, the log files not
 * yet covered by a digest, each region's digest chain, and an outbox of
 * objects planned but not yet written to the bucket.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTrails(db);

  await db.schema
    .createTable('trail_logging_spans')
    .addColumn('trail_arn', 'text', (c) => c.notNull())
    .addColumn('after_seq', 'bigint', (c) => c.notNull())
    .addColumn('through_seq', 'bigint')
    .addPrimaryKeyConstraint('trail_logging_spans_pk', ['trail_arn', 'after_seq'])
    .execute();

  await db.schema
    .createTable('trail_log_files')
    .addColumn('trail_arn', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('object_key', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('oldest_event_at', 'bigint', (c) => c.notNull())
    .addColumn('newest_event_at', 'bigint', (c) => c.notNull())
    .addColumn('planned_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('trail_log_files_pk', ['trail_arn', 'object_key'])
    .execute();

  await db.schema
    .createTable('trail_digest_chains')
    .addColumn('trail_arn', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('last_end_at', 'bigint', (c) => c.notNull())
    .addColumn('last_bucket', 'text')
    .addColumn('last_key', 'text')
    .addColumn('last_sha256', 'text')
    .addColumn('last_signature', 'text')
    .addPrimaryKeyConstraint('trail_digest_chains_pk', ['trail_arn', 'region'])
    .execute();

  await db.schema
    .createTable('trail_outbox')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('trail_arn', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('object_key', 'text', (c) => c.notNull())
    .addColumn('body', 'blob', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .execute();
}

async function createTrails(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('trails')
    .addColumn('trail_arn', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('home_region', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('event_selectors', 'text')
    .addColumn('advanced_event_selectors', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('logging', 'integer', (c) => c.notNull())
    .addColumn('start_logging_at', 'bigint')
    .addColumn('stop_logging_at', 'bigint')
    .addColumn('delivered_seq', 'bigint', (c) => c.notNull())
    .addColumn('latest_delivery_at', 'bigint')
    .addColumn('latest_delivery_attempt_at', 'bigint')
    .addColumn('latest_delivery_error', 'text')
    .addColumn('latest_digest_at', 'bigint')
    .addColumn('latest_digest_error', 'text')
    .execute();

  await db.schema
    .createIndex('trails_account_name')
    .on('trails')
    .columns(['account_id', 'name'])
    .execute();
}
