import type { Task, TaskDefinition } from '../../model/generated/ecs.js';
import type { Db } from '../../store/db.js';
import type { TasksTable } from '../../store/schema.js';

/** A task as fedgate keeps it: ECS's view of it and what the reconciler needs to run it. */
export interface StoredTask {
  readonly id: string;
  readonly accountId: string;
  readonly region: string;
  readonly clusterArn: string;
  readonly family: string;
  readonly startedBy?: string;
  readonly launchType: string;
  /** Launched with fargateFIPSMode enabled; containers see fips_enabled = 1 for life. */
  readonly fips: boolean;
  readonly createdAt: Date;
  /** What DescribeTasks answers (timestamps as ISO-8601 text, which the encoder accepts). */
  readonly task: Task;
  /** The task definition as it was when the task was launched. */
  readonly definition: TaskDefinition;
  /** Host pids of the running containers' sandboxes, by container name. */
  readonly pids: Readonly<Record<string, number>>;
}

/** Where tasks live: one account in one region. */
export interface TaskScope {
  readonly accountId: string;
  readonly region: string;
}

/** Writes a new task. */
export async function insertTask(db: Db, stored: StoredTask): Promise<void> {
  await db.insertInto('tasks').values(toRow(stored)).execute();
}

/** Rewrites a task's state (its view, desired and last status). */
export async function saveTask(db: Db, stored: StoredTask): Promise<void> {
  const row = toRow(stored);
  await db
    .updateTable('tasks')
    .set({
      desired_status: row.desired_status,
      last_status: row.last_status,
      task: row.task,
      pids: row.pids,
    })
    .where('task_id', '=', stored.id)
    .execute();
}

/** One task of the scope by id; undefined when there is none. */
export async function readTask(
  db: Db,
  scope: TaskScope,
  taskId: string,
): Promise<StoredTask | undefined> {
  const row = await db
    .selectFrom('tasks')
    .selectAll()
    .where('task_id', '=', taskId)
    .where('account_id', '=', scope.accountId)
    .where('region', '=', scope.region)
    .executeTakeFirst();
  return row && fromRow(row);
}

/** A task by id in any scope: the reconciler and `fedgate logs` work across accounts. */
export async function readTaskById(db: Db, taskId: string): Promise<StoredTask | undefined> {
  const row = await db
    .selectFrom('tasks')
    .selectAll()
    .where('task_id', '=', taskId)
    .executeTakeFirst();
  return row && fromRow(row);
}

/** What ListTasks filters by; every member but the cluster is optional. */
export interface TaskQuery {
  readonly clusterArn: string;
  readonly family?: string;
  readonly startedBy?: string;
  readonly desiredStatus: 'RUNNING' | 'STOPPED';
  readonly launchType?: string;
}

/** ARNs of the matching tasks after task id `after`, in id order, at most `limit`. */
export async function listTaskArns(
  db: Db,
  query: TaskQuery,
  after: string | undefined,
  limit: number,
): Promise<{ id: string; arn: string }[]> {
  let select = db
    .selectFrom('tasks')
    .select(['task_id', 'task_arn'])
    .where('cluster_arn', '=', query.clusterArn)
    .where('desired_status', '=', query.desiredStatus);
  if (query.family !== undefined) select = select.where('family', '=', query.family);
  if (query.startedBy !== undefined) select = select.where('started_by', '=', query.startedBy);
  if (query.launchType !== undefined) select = select.where('launch_type', '=', query.launchType);
  if (after !== undefined) select = select.where('task_id', '>', after);

  const rows = await select.orderBy('task_id').limit(limit).execute();
  return rows.map((row) => ({ id: row.task_id, arn: row.task_arn }));
}

/** Tasks of a cluster not yet STOPPED, or only those whose last status is `state`. */
export async function countTasks(
  db: Db,
  clusterArn: string,
  state?: 'RUNNING' | 'PENDING',
): Promise<number> {
  let select = db
    .selectFrom('tasks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('cluster_arn', '=', clusterArn);
  select =
    state === undefined
      ? select.where('last_status', '!=', 'STOPPED')
      : select.where('last_status', '=', state);
  const row = await select.executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Every task whose last status is not STOPPED: the reconciler's work list. */
export async function unfinishedTasks(db: Db): Promise<StoredTask[]> {
  const rows = await db
    .selectFrom('tasks')
    .selectAll()
    .where('last_status', '!=', 'STOPPED')
    .orderBy('created_at')
    .execute();
  return rows.map(fromRow);
}

function toRow(stored: StoredTask): TasksTable {
  return {
    task_id: stored.id,
    account_id: stored.accountId,
    region: stored.region,
    cluster_arn: stored.clusterArn,
    task_arn: stored.task.taskArn ?? '',
    family: stored.family,
    started_by: stored.startedBy ?? null,
    launch_type: stored.launchType,
    desired_status: stored.task.desiredStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
    last_status: stored.task.lastStatus ?? 'PROVISIONING',
    fips: stored.fips ? 1 : 0,
    created_at: stored.createdAt.getTime(),
    task: JSON.stringify(stored.task),
    definition: JSON.stringify(stored.definition),
    pids: JSON.stringify(stored.pids),
  };
}

function fromRow(row: TasksTable): StoredTask {
  return {
    id: row.task_id,
    accountId: row.account_id,
    region: row.region,
    clusterArn: row.cluster_arn,
    family: row.family,
    ...(row.started_by === null ? {} : { startedBy: row.started_by }),
    launchType: row.launch_type,
    fips: row.fips === 1,
    createdAt: new Date(row.created_at),
    // JSON this module wrote from the typed records, so reading it back as them is sound.
    task: JSON.parse(row.task) as Task,
    definition: JSON.parse(row.definition) as TaskDefinition,
    pids: JSON.parse(row.pids) as Record<string, number>,
  };
}
