import type { Kysely } from 'kysely';

/**
 * ECS Exec sessions: who opened a shell into which container, and when it began and ended.
 * Never the command or what was typed: those can hold secrets, and CloudTrail's
 * ExecuteCommand record already names the call.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('exec_sessions')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('task_arn', 'text', (c) => c.notNull())
    .addColumn('container_name', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .execute();
}
