import type { Kysely } from 'kysely';

/**
 * ECS tasks: one row per task, holding the task as ECS answers it (JSON, rewritten on every
 * state change), the task definition it was launched from (a snapshot, so deregistering or
 * deleting the definition never changes a running task), and the columns that ListTasks and
 * the reconciler look tasks up by.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tasks')
    .addColumn('task_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('cluster_arn', 'text', (c) => c.notNull())
    .addColumn('task_arn', 'text', (c) => c.notNull().unique())
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('started_by', 'text')
    .addColumn('launch_type', 'text', (c) => c.notNull())
    .addColumn('desired_status', 'text', (c) => c.notNull())
    .addColumn('last_status', 'text', (c) => c.notNull())
    .addColumn('fips', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('pids', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();

  // ListTasks and activeTaskCount read one cluster's tasks in id order.
  await db.schema
    .createIndex('tasks_cluster')
    .on('tasks')
    .columns(['cluster_arn', 'desired_status', 'task_id'])
    .execute();

  // The reconciler looks for tasks whose last status is not STOPPED.
  await db.schema.createIndex('tasks_last_status').on('tasks').columns(['last_status']).execute();
}
