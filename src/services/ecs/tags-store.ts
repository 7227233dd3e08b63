import type { Tag } from '../../model/generated/ecs.js';
import type { Db } from '../../store/db.js';

/**
 * Tags of any ECS resource, by its ARN. The ARN carries the resource's account and region,
 * so these functions trust their caller to have checked that the ARN is the caller's own
 * (see `isOwnArn`); they never take an ARN from a request unchecked.
 */

/** A resource's tags in the order they were first added. */
export async function readTags(db: Db, arn: string): Promise<Tag[]> {
  const rows = await db
    .selectFrom('tags')
    .select(['tag_key', 'tag_value'])
    .where('resource_arn', '=', arn)
    .orderBy('position')
    .execute();
  return rows.map((row) => ({ key: row.tag_key, value: row.tag_value }));
}

/**
 * Adds tags to a resource; a key it already has takes the new value and keeps its place.
 * Checking the tags (AWS's rules) is the caller's job: see `addTags` in tags.ts.
 */
export async function writeTags(db: Db, arn: string, tags: readonly Tag[]): Promise<void> {
  let next = (await lastPosition(db, arn)) + 1;

  for (const tag of tags) {
    const value = tag.value ?? '';
    await db
      .insertInto('tags')
      .values({ resource_arn: arn, tag_key: tag.key ?? '', tag_value: value, position: next })
      .onConflict((conflict) =>
        conflict.columns(['resource_arn', 'tag_key']).doUpdateSet({ tag_value: value }),
      )
      .execute();
    next += 1;
  }
}

/** Removes the given keys of a resource's tags, or all of them when no keys are given. */
export async function deleteTags(db: Db, arn: string, keys?: readonly string[]): Promise<void> {
  if (keys !== undefined && keys.length === 0) return;

  let query = db.deleteFrom('tags').where('resource_arn', '=', arn);
  if (keys !== undefined) query = query.where('tag_key', 'in', [...keys]);
  await query.execute();
}

async function lastPosition(db: Db, arn: string): Promise<number> {
  const row = await db
    .selectFrom('tags')
    .select((eb) => eb.fn.max('position').as('last'))
    .where('resource_arn', '=', arn)
    .executeTakeFirst();
  return Number(row?.last ?? 0);
}
