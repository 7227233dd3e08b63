import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  Tag,
  TagResourceRequest,
  TagResourceResponse,
  UntagResourceRequest,
  UntagResourceResponse,
} from '../../model/generated/ecs.js';
import type { AwsError } from '../../protocol/errors.js';
import type { Db } from '../../store/db.js';
import type { OperationContext } from '../service.js';
import { isOwnArn, noteCluster, parseEcsArn, type EcsArn } from './arns.js';
import { findCluster } from './clusters-store.js';
import {
  ClusterNotFoundException,
  InvalidParameterException,
  LimitExceededException,
} from './errors.js';
import { deleteTags, readTags, writeTags } from './tags-store.js';
import { readTask } from './tasks-store.js';

/** AWS's limit of user tags on one resource. */
export const MAX_TAGS = 50;

/** TagResource: adds tags to a resource or changes their values; other tags stay. */
export async function tagResource(
  ctx: OperationContext,
  input: TagResourceRequest,
): Promise<TagResourceResponse> {
  checkTags(input.tags);
  const arn = await taggableArn(ctx, input.resourceArn);

  await addTags(ctx.db, arn, input.tags);
  return {};
}

/** UntagResource: removes tags by key; a key the resource does not have is ignored. */
export async function untagResource(
  ctx: OperationContext,
  input: UntagResourceRequest,
): Promise<UntagResourceResponse> {
  input.tagKeys.forEach(checkNotReserved);
  const arn = await taggableArn(ctx, input.resourceArn);

  await deleteTags(ctx.db, arn, input.tagKeys);
  return {};
}

/** ListTagsForResource: a resource's tags, in the order they were added. */
export async function listTagsForResource(
  ctx: OperationContext,
  input: ListTagsForResourceRequest,
): Promise<ListTagsForResourceResponse> {
  const arn = await taggableArn(ctx, input.resourceArn);
  return { tags: await readTags(ctx.db, arn) };
}

/**
 * Checks tags by AWS's rules and adds them to a resource the caller owns, keeping it at 50
 * tags or fewer. Operations that create resources with tags (CreateCluster,
 * RegisterTaskDefinition, RunTask) call this after creating the resource.
 */
export async function addTags(db: Db, arn: string, tags: readonly Tag[]): Promise<void> {
  checkTags(tags);

  const existing = new Set((await readTags(db, arn)).map((tag) => tag.key));
  const added = tags.filter((tag) => !existing.has(tag.key)).length;
  const total = existing.size + added;
  if (total > MAX_TAGS) {
    throw new LimitExceededException(
      `A resource can have at most ${MAX_TAGS} tags; this request would give it ${total}.`,
    );
  }
  await writeTags(db, arn, tags);
}

/**
 * The rules the model cannot state: every tag has a key, no key twice in one request (AWS
 * says a key has one value; fedgate refuses rather than guess which one), and no key with the
 * reserved `aws:` prefix in any case. Lengths (key 1–128, value 0–256) and the 50 tags of one
 * request are checked against the model before an operation runs.
 */
function checkTags(tags: readonly Tag[]): void {
  const seen = new Set<string>();

  for (const tag of tags) {
    if (tag.key === undefined || tag.key === '') {
      throw new InvalidParameterException('Every tag must have a key.');
    }
    checkNotReserved(tag.key);
    if (seen.has(tag.key)) {
      throw new InvalidParameterException(
        `Duplicate tag key '${tag.key}': each tag key of a resource must be unique.`,
      );
    }
    seen.add(tag.key);
  }
}

function checkNotReserved(key: string): void {
  if (key.toLowerCase().startsWith('aws:')) {
    throw new InvalidParameterException(
      `Invalid tag key '${key}': keys starting with 'aws:' are reserved for AWS use.`,
    );
  }
}

/** How the tag operations find one type of ECS resource. */
interface Taggable {
  /** The error for an ARN of this type that names nothing of the caller's. */
  readonly notFound: () => AwsError;
  /** The resource's canonical ARN; throws unless it exists and can be tagged now. */
  readonly find: (ctx: OperationContext, arn: EcsArn) => Promise<string>;
}

/** The resource types fedgate tags, by the type part of their ARN. */
const TAGGABLE: Readonly<Record<string, Taggable>> = {
  cluster: { notFound: () => new ClusterNotFoundException(), find: findTaggableCluster },
  task: { notFound: taskNotFound, find: findTaggableTask },
};

function taskNotFound(): AwsError {
  return new InvalidParameterException('The specified task was not found.');
}

/** A task of the caller's, by its ARN (long or short format); stopped tasks keep their tags. */
async function findTaggableTask(ctx: OperationContext, arn: EcsArn): Promise<string> {
  const id = arn.resourceId.split('/').at(-1) ?? '';
  const task = await readTask(ctx.db, { accountId: arn.accountId, region: arn.region }, id);
  if (!task?.task.taskArn) throw taskNotFound();

  ctx.resources.push({ type: 'AWS::ECS::Task', name: task.task.taskArn, arn: task.task.taskArn });
  return task.task.taskArn;
}

/**
 * The ARN of a resource the caller may tag. An ARN of another account, region or partition
 * gets the same error as one that names nothing, so no account learns of another's resources.
 */
async function taggableArn(ctx: OperationContext, text: string): Promise<string> {
  const arn = parseEcsArn(text);
  if (!arn)
    throw new InvalidParameterException(`Invalid resourceArn: '${text}' is not an ECS ARN.`);

  const taggable = TAGGABLE[arn.resourceType];
  if (!taggable) {
    throw new InvalidParameterException(
      `fedgate cannot tag ECS resources of type '${arn.resourceType}' yet.`,
    );
  }
  if (!isOwnArn(ctx, arn)) throw taggable.notFound();
  return taggable.find(ctx, arn);
}

/** An ACTIVE cluster; AWS refuses to tag an INACTIVE one with InvalidParameterException. */
async function findTaggableCluster(ctx: OperationContext, arn: EcsArn): Promise<string> {
  const scope = { accountId: arn.accountId, region: arn.region };
  const cluster = await findCluster(ctx.db, scope, arn.resourceId);
  if (!cluster) throw new ClusterNotFoundException();

  noteCluster(ctx, cluster.arn);
  if (cluster.status !== 'ACTIVE') {
    throw new InvalidParameterException(
      'The specified cluster is inactive. Specify an active cluster and try again.',
    );
  }
  return cluster.arn;
}
