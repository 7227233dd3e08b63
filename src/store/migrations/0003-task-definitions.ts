import type { Kysely } from 'kysely';

/**
 * ECS task definitions: one row per revision, holding the whole definition as
 * JSON with the columns lookups need, and one row per family holding its last
 * revision number, so a revision is never handed out twice, even after delete.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('task_definition_families')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('last_revision', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('task_definition_families_pk', ['account_id', 'region', 'family'])
    .execute();

  await db.schema
    .createTable('task_definitions')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('registered_at', 'bigint', (c) => c.notNull())
    .addColumn('deregistered_at', 'bigint')
    .addColumn('definition', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('task_definitions_pk', ['account_id', 'region', 'family', 'revision'])
    .execute();

  // ListTaskDefinitions reads one status in (family, revision) order, either way round.
  await db.schema
    .createIndex('task_definitions_status')
    .on('task_definitions')
    .columns(['account_id', 'region', 'status', 'family', 'revision'])
    .execute();
}
