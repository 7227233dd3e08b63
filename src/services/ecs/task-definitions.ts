import { principalArn } from '../../auth/principal.js';
import type {
  DeleteTaskDefinitionsRequest,
  DeleteTaskDefinitionsResponse,
  DeregisterTaskDefinitionRequest,
  DeregisterTaskDefinitionResponse,
  DescribeTaskDefinitionRequest,
  DescribeTaskDefinitionResponse,
  Failure,
  ListTaskDefinitionFamiliesRequest,
  ListTaskDefinitionFamiliesResponse,
  ListTaskDefinitionsRequest,
  ListTaskDefinitionsResponse,
  RegisterTaskDefinitionRequest,
  RegisterTaskDefinitionResponse,
  TaskDefinition,
} from '../../model/generated/ecs.js';
import type { OperationContext } from '../service.js';
import { isOwnArn, parseEcsArn, taskDefinitionArn } from './arns.js';
import { ClientException, InvalidParameterException } from './errors.js';
import { pageLimit, pageOf, readPageToken } from './page-tokens.js';
import { addTags } from './tags.js';
import { deleteTags, readTags } from './tags-store.js';
import { buildTaskDefinition } from './task-definition-rules.js';
import {
  insertTaskDefinition,
  listFamilies,
  listRevisions,
  markInactive,
  nextRevision,
  readLatestActive,
  readTaskDefinition,
  removeTaskDefinition,
  type RevisionKey,
  type StoredTaskDefinition,
  type TaskDefinitionScope,
} from './task-definitions-store.js';

/** RegisterTaskDefinition: checks the definition and stores it as the family's next revision. */
export async function registerTaskDefinition(
  ctx: OperationContext,
  input: RegisterTaskDefinitionRequest,
): Promise<RegisterTaskDefinitionResponse> {
  const stored = await storeRevision(ctx, input.family, buildTaskDefinition(input));
  const arn = arnOf(ctx, stored);
  noteTaskDefinition(ctx, arn);

  // Tags are checked after the insert; a refusal undoes the call, revision number included.
  const tags = input.tags ?? [];
  if (tags.length === 0) return { taskDefinition: present(stored) };
  await addTags(ctx.db, arn, tags);
  return { taskDefinition: present(stored), tags };
}

/** Gives a checked definition the family's next revision and stores it as ACTIVE. */
async function storeRevision(
  ctx: OperationContext,
  family: string,
  built: TaskDefinition,
): Promise<StoredTaskDefinition> {
  const revision = await nextRevision(ctx.db, scopeOf(ctx), family);
  const definition: TaskDefinition = {
    ...built,
    taskDefinitionArn: taskDefinitionArn(ctx, family, revision),
    family,
    revision,
    registeredBy: principalArn(ctx.principal, ctx.region.partition),
  };

  const stored = { family, revision, status: 'ACTIVE' as const, registeredAt: ctx.clock.now() };
  await insertTaskDefinition(ctx.db, scopeOf(ctx), { ...stored, definition });
  return { ...stored, definition };
}

/**
 * DescribeTaskDefinition: a family names its newest ACTIVE revision;
 * family:revision or an ARN names one revision, INACTIVE ones too.
 */
export async function describeTaskDefinition(
  ctx: OperationContext,
  input: DescribeTaskDefinitionRequest,
): Promise<DescribeTaskDefinitionResponse> {
  const stored = await findStored(ctx, input.taskDefinition);
  if (stored === undefined) throw new ClientException('Unable to describe task definition.');

  const taskDefinition = present(stored);
  noteTaskDefinition(ctx, arnOf(ctx, stored));
  if (!input.include?.includes('TAGS')) return { taskDefinition };
  return { taskDefinition, tags: await readTags(ctx.db, arnOf(ctx, stored)) };
}

/** DeregisterTaskDefinition: marks one revision INACTIVE; again on an INACTIVE one is harmless. */
export async function deregisterTaskDefinition(
  ctx: OperationContext,
  input: DeregisterTaskDefinitionRequest,
): Promise<DeregisterTaskDefinitionResponse> {
  const key = exactRevision(ctx, input.taskDefinition);
  if (key === 'no revision') throw new ClientException(REVISION_REQUIRED);
  const stored = key === 'foreign' ? undefined : await readOne(ctx, key);
  if (stored === undefined) throw new ClientException(NOT_FOUND);

  noteTaskDefinition(ctx, arnOf(ctx, stored));
  if (stored.status !== 'ACTIVE') return { taskDefinition: present(stored) };

  const at = ctx.clock.now();
  await markInactive(ctx.db, scopeOf(ctx), stored, at);
  return { taskDefinition: present({ ...stored, status: 'INACTIVE', deregisteredAt: at }) };
}

const MAX_DELETE = 10;

/**
 * DeleteTaskDefinitions: up to ten INACTIVE revisions. Each is answered as
 * DELETE_IN_PROGRESS, the status AWS gives it while tasks still use it; no task
 * can use a revision fedgate deletes, so it is removed at once, with its tags,
 * and its number stays taken. Any other reference becomes a failure.
 */
export async function deleteTaskDefinitions(
  ctx: OperationContext,
  input: DeleteTaskDefinitionsRequest,
): Promise<DeleteTaskDefinitionsResponse> {
  const references = input.taskDefinitions;
  if (references.length < 1 || references.length > MAX_DELETE) {
    throw new InvalidParameterException(
      `taskDefinitions must name between 1 and ${MAX_DELETE} task definitions.`,
    );
  }

  const taskDefinitions: TaskDefinition[] = [];
  const failures: Failure[] = [];
  for (const reference of references) {
    const outcome = await deleteOne(ctx, reference);
    if ('reason' in outcome) failures.push(outcome);
    else taskDefinitions.push(outcome);
  }
  return { taskDefinitions, failures };
}

/** Deletes one INACTIVE revision, or answers why it cannot as a Failure. */
async function deleteOne(ctx: OperationContext, reference: string) {
  let key: ReturnType<typeof exactRevision>;
  try {
    key = exactRevision(ctx, reference);
  } catch (error) {
    // One unreadable reference ("web:latest") fails alone, like any other entry of the batch.
    if (!(error instanceof ClientException)) throw error;
    return failure(reference, 'INVALID_TASK_DEFINITION', error.message);
  }
  if (key === 'no revision') {
    return failure(reference, 'INVALID_TASK_DEFINITION', REVISION_REQUIRED);
  }
  const stored = key === 'foreign' ? undefined : await readOne(ctx, key);
  if (stored === undefined) return failure(reference, 'TASK_DEFINITION_NOT_FOUND', NOT_FOUND);
  if (stored.status === 'ACTIVE') {
    return failure(arnOf(ctx, stored), 'TASK_DEFINITION_NOT_INACTIVE', NOT_INACTIVE);
  }

  // TODO: keep a deleted revision describable as DELETE_IN_PROGRESS while a task still uses it,
  // because AWS does (tasks keep their own copy, so nothing breaks meanwhile); remove when
  // deletion waits for those tasks to stop.
  await removeTaskDefinition(ctx.db, scopeOf(ctx), stored);
  await deleteTags(ctx.db, arnOf(ctx, stored));
  noteTaskDefinition(ctx, arnOf(ctx, stored));
  const deleted = { ...present(stored), status: 'DELETE_IN_PROGRESS' as const };
  return { ...deleted, deleteRequestedAt: ctx.clock.now() };
}

/**
 * ListTaskDefinitions: ARNs of one status (ACTIVE unless asked), by family
 * name then revision number, ascending unless sort is DESC. familyPrefix is
 * the full family name, as AWS documents it for this operation.
 */
export async function listTaskDefinitions(
  ctx: OperationContext,
  input: ListTaskDefinitionsRequest,
): Promise<ListTaskDefinitionsResponse> {
  const limit = pageLimit(input.maxResults);
  const query = {
    status: input.status ?? 'ACTIVE',
    family: input.familyPrefix,
    sort: input.sort ?? 'ASC',
  } as const;
  const after =
    input.nextToken === undefined ? undefined : readPageToken(input.nextToken, query, isKey);

  const keys = await listRevisions(ctx.db, scopeOf(ctx), {
    ...query,
    descending: query.sort === 'DESC',
    after,
    limit: limit + 1,
  });
  const page = pageOf(keys, limit, query);
  const taskDefinitionArns = page.items.map((key) => arnOf(ctx, key));
  return page.nextToken === undefined
    ? { taskDefinitionArns }
    : { taskDefinitionArns, nextToken: page.nextToken };
}

/**
 * ListTaskDefinitionFamilies: family names starting with familyPrefix; status
 * ACTIVE keeps families with an ACTIVE revision, INACTIVE those without one,
 * ALL (the default) both. A family whose revisions are all deleted is gone.
 */
export async function listTaskDefinitionFamilies(
  ctx: OperationContext,
  input: ListTaskDefinitionFamiliesRequest,
): Promise<ListTaskDefinitionFamiliesResponse> {
  const limit = pageLimit(input.maxResults);
  const query = { status: input.status ?? 'ALL', prefix: input.familyPrefix } as const;
  const after =
    input.nextToken === undefined ? undefined : readPageToken(input.nextToken, query, isName);

  const names = await listFamilies(ctx.db, scopeOf(ctx), { ...query, after, limit: limit + 1 });
  const page = pageOf(names, limit, query);
  return page.nextToken === undefined
    ? { families: page.items }
    : { families: page.items, nextToken: page.nextToken };
}

/**
 * The task definition a RunTask, CreateService or DescribeTaskDefinition
 * reference names in the caller's account and region, or undefined.
 */
export async function findTaskDefinition(
  ctx: OperationContext,
  reference: string,
): Promise<TaskDefinition | undefined> {
  const stored = await findStored(ctx, reference);
  return stored && present(stored);
}

const REVISION_REQUIRED =
  'A revision is required: name the task definition as family:revision or by its full ARN.';
const NOT_FOUND = 'The specified task definition does not exist.';
const NOT_INACTIVE =
  'The task definition is ACTIVE: deregister it (DeregisterTaskDefinition) before deleting it.';

async function findStored(ctx: OperationContext, reference: string) {
  const key = parseReference(ctx, reference);
  if (key === 'malformed' || key === 'foreign') return undefined;
  if (key.revision === undefined) return readLatestActive(ctx.db, scopeOf(ctx), key.family);
  return readOne(ctx, { family: key.family, revision: key.revision });
}

async function readOne(ctx: OperationContext, key: RevisionKey) {
  return readTaskDefinition(ctx.db, scopeOf(ctx), key);
}

/** A reference that must name one revision (Deregister, Delete): its key, or why it has none. */
function exactRevision(
  ctx: OperationContext,
  reference: string,
): RevisionKey | 'no revision' | 'foreign' {
  const key = parseReference(ctx, reference);
  if (key === 'foreign') return key;
  if (key === 'malformed' || key.revision === undefined) return 'no revision';
  return { family: key.family, revision: key.revision };
}

/**
 * Reads `family`, `family:revision` or a task definition ARN. An ARN of another
 * account, region or partition is `foreign`: it names nothing this caller may see.
 * A revision that is not a positive whole number is AWS's "Invalid revision number".
 */
function parseReference(
  ctx: OperationContext,
  reference: string,
): { family: string; revision?: number } | 'malformed' | 'foreign' {
  let text = reference;
  if (reference.startsWith('arn:')) {
    const arn = parseEcsArn(reference);
    if (arn === undefined || arn.resourceType !== 'task-definition') return 'malformed';
    if (!isOwnArn(ctx, arn)) return 'foreign';
    text = arn.resourceId;
  }

  const [family = '', revision, ...rest] = text.split(':');
  if (family === '' || rest.length > 0) return 'malformed';
  if (revision === undefined) return { family };
  if (!/^[1-9]\d*$/.test(revision)) {
    throw new ClientException(`Invalid revision number. Number: ${revision}`);
  }
  return { family, revision: Number(revision) };
}

/** A stored revision as AWS answers it: the definition with its status and times. */
function present(stored: StoredTaskDefinition): TaskDefinition {
  return {
    ...stored.definition,
    status: stored.status,
    registeredAt: stored.registeredAt,
    ...(stored.deregisteredAt === undefined ? {} : { deregisteredAt: stored.deregisteredAt }),
  };
}

function failure(arn: string, reason: string, detail: string): Failure & { reason: string } {
  return { arn, reason, detail };
}

function noteTaskDefinition(ctx: OperationContext, arn: string): void {
  if (ctx.resources.some((resource) => resource.arn === arn)) return;
  ctx.resources.push({ type: 'AWS::ECS::TaskDefinition', name: arn, arn });
}

function scopeOf(ctx: OperationContext): TaskDefinitionScope {
  return { accountId: ctx.principal.accountId, region: ctx.region.name };
}

function arnOf(ctx: OperationContext, key: RevisionKey): string {
  return taskDefinitionArn(ctx, key.family, key.revision);
}

function isKey(value: unknown): value is RevisionKey {
  if (typeof value !== 'object' || value === null) return false;
  const { family, revision } = value as Record<string, unknown>;
  return typeof family === 'string' && typeof revision === 'number';
}

function isName(value: unknown): value is string {
  return typeof value === 'string';
}
