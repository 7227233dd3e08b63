import type {
  AddTagsRequest,
  AddTagsResponse,
  ListTagsRequest,
  ListTagsResponse,
  RemoveTagsRequest,
  RemoveTagsResponse,
  Tag,
} from '../../model/generated/cloudtrail.js';
import type { Db } from '../../store/db.js';
import { findTrail } from '../../trails/trail-store.js';
import { deleteTags, readTags, writeTags } from '../ecs/tags-store.js';
import type { OperationContext } from '../service.js';
import {
  InvalidTagParameterException,
  ResourceNotFoundException,
  TagsLimitExceededException,
} from './errors.js';
import { parseTrailArn } from './trail-lookup.js';

/** CloudTrail's tag limit per resource. */
const MAX_TAGS = 50;

/** AddTags: tags on a trail of the caller's, named by ARN from any region. */
export async function addTags(
  ctx: OperationContext,
  input: AddTagsRequest,
): Promise<AddTagsResponse> {
  const arn = await ownTrailArn(ctx, input.ResourceId);
  checkTags(input.TagsList);

  const keys = new Set([
    ...(await readTags(ctx.db, arn)).map((t) => t.key),
    ...input.TagsList.map((t) => t.Key),
  ]);
  if (keys.size > MAX_TAGS) throw new TagsLimitExceededException(arn);

  await addTrailTags(ctx.db, arn, input.TagsList);
  ctx.resources.push({ type: 'AWS::CloudTrail::Trail', name: arn, arn });
  return {};
}

/** RemoveTags: removes the keys given (their values are not compared). */
export async function removeTags(
  ctx: OperationContext,
  input: RemoveTagsRequest,
): Promise<RemoveTagsResponse> {
  const arn = await ownTrailArn(ctx, input.ResourceId);
  checkTags(input.TagsList);

  await deleteTags(
    ctx.db,
    arn,
    input.TagsList.map((tag) => tag.Key),
  );
  ctx.resources.push({ type: 'AWS::CloudTrail::Trail', name: arn, arn });
  return {};
}

/** ListTags: the tags of each trail named, in the order given. */
export async function listTags(
  ctx: OperationContext,
  input: ListTagsRequest,
): Promise<ListTagsResponse> {
  const list = [];
  for (const id of input.ResourceIdList) {
    const arn = await ownTrailArn(ctx, id);
    const tags = await readTags(ctx.db, arn);
    list.push({
      ResourceId: arn,
      TagsList: tags.map((t) => ({ Key: t.key ?? '', Value: t.value ?? '' })),
    });
  }
  return { ResourceTagList: list };
}

/** Stores tags on a trail (CreateTrail's TagsList too). */
export async function addTrailTags(db: Db, arn: string, tags: readonly Tag[]): Promise<void> {
  checkTags(tags);
  await writeTags(
    db,
    arn,
    tags.map((tag) => ({ key: tag.Key, value: tag.Value ?? '' })),
  );
}

/** The ARN, when it names a trail of the caller's account. */
async function ownTrailArn(ctx: OperationContext, arn: string): Promise<string> {
  const parsed = parseTrailArn(arn);
  const trail =
    parsed.accountId === ctx.principal.accountId ? await findTrail(ctx.db, arn) : undefined;
  if (!trail) throw new ResourceNotFoundException(arn);
  return trail.arn;
}

function checkTags(tags: readonly Tag[]): void {
  if (tags.length > MAX_TAGS) {
    throw new InvalidTagParameterException(`A resource can have at most ${MAX_TAGS} tags.`);
  }
  for (const tag of tags) {
    if (tag.Key.length < 1 || tag.Key.length > 128 || tag.Key.startsWith('aws:')) {
      throw new InvalidTagParameterException(
        `Tag key '${tag.Key}' is not valid: keys are 1–128 characters and cannot start with aws:.`,
      );
    }
    if ((tag.Value ?? '').length > 256) {
      throw new InvalidTagParameterException(
        `The value of tag '${tag.Key}' is longer than 256 characters.`,
      );
    }
  }
}
