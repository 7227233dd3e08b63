import type { Db } from '../store/db.js';

/**
 * Objects a trail has planned and not yet written to its bucket. A log file
 * or digest enters the outbox in the same transaction that moves the trail's
 * delivery forward, and leaves it only once the bucket holds the object, so
 * a crash at any point neither loses a record nor delivers one twice: a
 * planned object is written again under the same key with the same bytes.
 */

/** One planned object. */
export interface OutboxObject {
  readonly id: number;
  readonly trailArn: string;
  readonly kind: 'log' | 'digest';
  readonly bucket: string;
  readonly key: string;
  readonly body: Buffer;
  readonly metadata: Record<string, string>;
  readonly attempts: number;
}

/** Plans an object for a trail. */
export async function enqueue(
  db: Db,
  object: Omit<OutboxObject, 'id' | 'attempts'>,
  now: Date,
): Promise<void> {
  await db
    .insertInto('trail_outbox')
    .values({
      trail_arn: object.trailArn,
      kind: object.kind,
      bucket: object.bucket,
      object_key: object.key,
      body: object.body,
      metadata: JSON.stringify(object.metadata),
      created_at: now.getTime(),
      attempts: 0,
    })
    .execute();
}

/** The ids of planned objects, oldest first; bodies are read one at a time. */
export async function pendingIds(db: Db): Promise<{ id: number; trailArn: string }[]> {
  const rows = await db
    .selectFrom('trail_outbox')
    .select(['id', 'trail_arn'])
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ id: Number(row.id), trailArn: row.trail_arn }));
}

/** One planned object with its body, or undefined once it is gone (delivered, trail deleted). */
export async function readPending(db: Db, id: number): Promise<OutboxObject | undefined> {
  const row = await db
    .selectFrom('trail_outbox')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: Number(row.id),
    trailArn: row.trail_arn,
    kind: row.kind,
    bucket: row.bucket,
    key: row.object_key,
    body: Buffer.from(row.body),
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    attempts: Number(row.attempts),
  };
}

/** The bucket has the object. */
export async function settle(db: Db, id: number): Promise<void> {
  await db.deleteFrom('trail_outbox').where('id', '=', id).execute();
}

/** Writing failed; the object stays planned. */
export async function countAttempt(db: Db, id: number): Promise<void> {
  await db
    .updateTable('trail_outbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}
