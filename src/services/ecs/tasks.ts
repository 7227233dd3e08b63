import type {
  DescribeTasksRequest,
  DescribeTasksResponse,
  Failure,
  ListTasksRequest,
  ListTasksResponse,
  RunTaskRequest,
  RunTaskResponse,
  StopTaskRequest,
  StopTaskResponse,
  Task,
} from '../../model/generated/ecs.js';
import type { OperationContext } from '../service.js';
import { isOwnArn, parseEcsArn } from './arns.js';
import { resolveCluster, type ClusterRecord } from './clusters.js';
import { ClientException, InvalidParameterException } from './errors.js';
import { pageLimit, pageOf, readPageToken } from './page-tokens.js';
import { addTags } from './tags.js';
import { readTags } from './tags-store.js';
import { newTaskArn, newTaskId, newTaskView, planLaunch } from './task-launch.js';
import { findTaskDefinition } from './task-definitions.js';
import { insertTask, listTaskArns, readTask, saveTask, type StoredTask } from './tasks-store.js';

/** AWS's limit on RunTask's `count`. */
const MAX_COUNT = 10;

/**
 * RunTask: records `count` tasks that should be RUNNING; the reconciler starts their
 * containers once the call has committed. Every check happens before any task is written, so
 * a refused call launches nothing.
 */
export async function runTask(
  ctx: OperationContext,
  input: RunTaskRequest,
): Promise<RunTaskResponse> {
  const count = input.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new InvalidParameterException(`count must be between 1 and ${MAX_COUNT}.`);
  }

  const cluster = await resolveCluster(ctx, input.cluster);
  const definition = await findTaskDefinition(ctx, input.taskDefinition);
  if (!definition) throw new ClientException('TaskDefinition not found.');
  if (definition.status !== 'ACTIVE') throw new ClientException('TaskDefinition is inactive');
  const plan = await planLaunch(ctx, cluster, definition, input);

  const tasks: Task[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = newTaskId(ctx);
    const arn = newTaskArn(ctx, plan, cluster, id);
    const task = newTaskView(ctx, { plan, cluster, definition }, id, arn, input);
    await insertTask(ctx.db, stored(ctx, { id, cluster, plan, definition, task }));
    await addTags(ctx.db, arn, input.tags ?? []);
    noteTask(ctx, arn);
    tasks.push(input.tags?.length ? { ...task, tags: input.tags } : task);
  }

  ctx.shared.tasks?.nudge();
  return { tasks, failures: [] };
}

function stored(
  ctx: OperationContext,
  parts: Pick<StoredTask, 'id' | 'task' | 'definition'> & {
    cluster: ClusterRecord;
    plan: { launchType: string; fips: boolean };
  },
): StoredTask {
  return {
    id: parts.id,
    accountId: ctx.principal.accountId,
    region: ctx.region.name,
    clusterArn: parts.cluster.arn,
    family: parts.definition.family ?? '',
    ...(parts.task.startedBy === undefined ? {} : { startedBy: parts.task.startedBy }),
    launchType: parts.plan.launchType,
    fips: parts.plan.fips,
    createdAt: ctx.clock.now(),
    task: parts.task,
    definition: parts.definition,
    pids: {},
  };
}

/**
 * StopTask: the task should be STOPPED. Its containers get SIGTERM, then SIGKILL after their
 * stopTimeout, from the reconciler. Stopping a task that is already stopping changes nothing.
 */
export async function stopTask(
  ctx: OperationContext,
  input: StopTaskRequest,
): Promise<StopTaskResponse> {
  const cluster = await resolveCluster(ctx, input.cluster);
  const found = await findTask(ctx, cluster, input.task);
  if (!found) throw new InvalidParameterException('The referenced task was not found.');

  noteTask(ctx, found.task.taskArn ?? '');
  if (found.task.desiredStatus === 'STOPPED') return { task: found.task };

  const task: Task = {
    ...found.task,
    desiredStatus: 'STOPPED',
    stopCode: 'UserInitiated',
    stoppedReason: input.reason ?? 'Task stopped by user',
    version: (found.task.version ?? 0) + 1,
  };
  await saveTask(ctx.db, { ...found, task });
  ctx.shared.tasks?.nudge();
  return { task };
}

/** DescribeTasks: tasks by id or ARN; the ones not found are MISSING failures. */
export async function describeTasks(
  ctx: OperationContext,
  input: DescribeTasksRequest,
): Promise<DescribeTasksResponse> {
  if (input.tasks.length === 0 || input.tasks.length > 100) {
    throw new InvalidParameterException('Tasks cannot be empty and can hold at most 100 tasks.');
  }
  const cluster = await resolveCluster(ctx, input.cluster);
  const withTags = input.include?.includes('TAGS') ?? false;

  const tasks: Task[] = [];
  const failures: Failure[] = [];
  for (const reference of input.tasks) {
    const found = await findTask(ctx, cluster, reference);
    if (!found) {
      failures.push({ arn: reference, reason: 'MISSING' });
      continue;
    }
    const arn = found.task.taskArn ?? '';
    noteTask(ctx, arn);
    tasks.push(withTags ? { ...found.task, tags: await readTags(ctx.db, arn) } : found.task);
  }
  return { tasks, failures };
}

/** ListTasks: ARNs of a cluster's tasks, RUNNING (desired) unless asked for STOPPED ones. */
export async function listTasks(
  ctx: OperationContext,
  input: ListTasksRequest,
): Promise<ListTasksResponse> {
  const limit = pageLimit(input.maxResults);
  const cluster = await resolveCluster(ctx, input.cluster);
  const desiredStatus = input.desiredStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING';
  // fedgate has no services or container instances: those filters match no task.
  if (input.serviceName !== undefined || input.containerInstance !== undefined) {
    return { taskArns: [] };
  }

  const query = {
    clusterArn: cluster.arn,
    desiredStatus,
    ...(input.family === undefined ? {} : { family: input.family }),
    ...(input.startedBy === undefined ? {} : { startedBy: input.startedBy }),
    ...(input.launchType === undefined ? {} : { launchType: input.launchType }),
  } as const;
  const after = input.nextToken ? readPageToken(input.nextToken, query, isId) : undefined;
  const rows = await listTaskArns(ctx.db, query, after, limit + 1);

  const arns = new Map(rows.map((row) => [row.id, row.arn]));
  const page = pageOf([...arns.keys()], limit, query);
  const taskArns = page.items.map((id) => arns.get(id) ?? '');
  return page.nextToken === undefined ? { taskArns } : { taskArns, nextToken: page.nextToken };
}

/**
 * The task a reference names in `cluster`: a task id, or a task ARN (long or short format) of
 * the caller's account and region. Anything else names no task.
 */
export async function findTask(
  ctx: OperationContext,
  cluster: ClusterRecord,
  reference: string,
): Promise<StoredTask | undefined> {
  const id = taskIdOf(ctx, cluster, reference);
  if (id === undefined) return undefined;

  const scope = { accountId: ctx.principal.accountId, region: ctx.region.name };
  const found = await readTask(ctx.db, scope, id);
  return found?.clusterArn === cluster.arn ? found : undefined;
}

function taskIdOf(
  ctx: OperationContext,
  cluster: ClusterRecord,
  reference: string,
): string | undefined {
  if (!reference.startsWith('arn:')) return isId(reference) ? reference : undefined;

  const arn = parseEcsArn(reference);
  if (!arn || arn.resourceType !== 'task' || !isOwnArn(ctx, arn)) return undefined;
  const parts = arn.resourceId.split('/');
  if (parts.length === 2 && parts[0] !== cluster.name) return undefined;
  const id = parts.at(-1) ?? '';
  return parts.length <= 2 && isId(id) ? id : undefined;
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{32}$/.test(value);
}

/** Names a task in the call's CloudTrail record, once. */
export function noteTask(ctx: OperationContext, arn: string): void {
  if (ctx.resources.some((resource) => resource.arn === arn)) return;
  ctx.resources.push({ type: 'AWS::ECS::Task', name: arn, arn });
}
