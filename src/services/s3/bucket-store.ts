/**
 * The S3 store: buckets and object rows in the database, object bytes in ObjectFiles. These
 * functions check no caller's permissions; the operations do. fedgate's own CloudTrail delivery
 * uses findBucket and putObject directly, inside its group-commit job.
 */
import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db } from '../../store/db.js';
import type { ObjectsTable } from '../../store/schema.js';
import { NoSuchBucket } from './errors.js';
import { KeyListing, type ListingOptions, type ListingPage } from './listing.js';
import type { ObjectFiles } from './object-files.js';

/** A bucket as stored. */
export interface StoredBucket {
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly createdAt: Date;
  readonly policy?: string;
}

/** An object's row: everything but its bytes. */
export interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** Quoted, as S3 answers it. */
  readonly etag: string;
  readonly contentType?: string;
  readonly contentEncoding?: string;
  readonly metadata: Record<string, string>;
  readonly lastModified: Date;
  readonly fileId: string;
}

/** An object to store. */
export interface ObjectPut {
  readonly bucket: string;
  readonly key: string;
  readonly body: Buffer;
  readonly contentType?: string;
  readonly contentEncoding?: string;
  readonly metadata?: Record<string, string>;
  /** Defaults to now; the S3 API passes its clock's time. */
  readonly lastModified?: Date;
  /** A precomputed ETag (multipart uploads); the MD5 of the body otherwise. */
  readonly etag?: string;
}

/** The bucket of that name, in any account, or undefined. */
export async function findBucket(db: Db, name: string): Promise<StoredBucket | undefined> {
  const row = await db
    .selectFrom('buckets')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    name: row.name,
    accountId: row.account_id,
    region: row.region,
    createdAt: new Date(row.created_at),
    ...(row.policy === null ? {} : { policy: row.policy }),
  };
}

/** The account's buckets, by name. */
export async function listAccountBuckets(db: Db, accountId: string): Promise<StoredBucket[]> {
  const rows = await db
    .selectFrom('buckets')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('name')
    .execute();
  return rows.map((row) => ({
    name: row.name,
    accountId: row.account_id,
    region: row.region,
    createdAt: new Date(row.created_at),
  }));
}

/** Inserts a new bucket row. */
export async function insertBucket(db: Db, bucket: StoredBucket): Promise<void> {
  await db
    .insertInto('buckets')
    .values({
      name: bucket.name,
      account_id: bucket.accountId,
      region: bucket.region,
      created_at: bucket.createdAt.getTime(),
      policy: null,
    })
    .execute();
}

/** Deletes the bucket row (its objects must be gone). */
export async function deleteBucketRow(db: Db, name: string): Promise<void> {
  await db.deleteFrom('buckets').where('name', '=', name).execute();
}

/** True when the bucket holds at least one object. */
export async function bucketHasObjects(db: Db, name: string): Promise<boolean> {
  const row = await db
    .selectFrom('objects')
    .select('key')
    .where('bucket', '=', name)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Sets or clears (null) the bucket policy text. */
export async function setBucketPolicy(db: Db, name: string, policy: string | null) {
  await db.updateTable('buckets').set({ policy }).where('name', '=', name).execute();
}

/**
 * S3's ETag of a single-part object: the quoted hex MD5 of its bytes. This is S3's wire
 * format, which clients compare against; it serves no security purpose.
 */
export function md5ETag(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

/**
 * Stores an object, replacing any object of that key; no access check. The bytes are on disk
 * before the row is written; the replaced object's file is removed once the transaction has
 * committed. Throws NoSuchBucket when the bucket does not exist.
 */
export async function putObject(
  db: Db,
  files: ObjectFiles,
  put: ObjectPut,
): Promise<{ etag: string }> {
  if (!(await findBucket(db, put.bucket))) throw new NoSuchBucket(put.bucket);

  const fileId = await files.write(put.body);
  const etag = put.etag ?? md5ETag(put.body);
  const previous = await findObject(db, put.bucket, put.key);
  const row = {
    size: put.body.length,
    etag,
    content_type: put.contentType ?? null,
    content_encoding: put.contentEncoding ?? null,
    metadata: JSON.stringify(put.metadata ?? {}),
    last_modified: (put.lastModified ?? new Date()).getTime(),
    file_id: fileId,
  };
  await db
    .insertInto('objects')
    .values({ bucket: put.bucket, key: put.key, ...row })
    .onConflict((conflict) => conflict.columns(['bucket', 'key']).doUpdateSet(row))
    .execute();

  files.settle(fileId);
  if (previous) files.settle(previous.fileId);
  return { etag };
}

/** An object's row, or undefined. */
export async function findObject(
  db: Db,
  bucket: string,
  key: string,
): Promise<StoredObject | undefined> {
  const row = await db
    .selectFrom('objects')
    .selectAll()
    .where('bucket', '=', bucket)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    bucket: row.bucket,
    key: row.key,
    size: row.size,
    etag: row.etag,
    ...(row.content_type === null ? {} : { contentType: row.content_type }),
    ...(row.content_encoding === null ? {} : { contentEncoding: row.content_encoding }),
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    lastModified: new Date(row.last_modified),
    fileId: row.file_id,
  };
}

/** An object with its bytes, or undefined when the key does not exist; throws NoSuchBucket. */
export async function getObject(
  db: Db,
  files: ObjectFiles,
  bucket: string,
  key: string,
): Promise<(StoredObject & { body: Buffer }) | undefined> {
  if (!(await findBucket(db, bucket))) throw new NoSuchBucket(bucket);
  const found = await findObject(db, bucket, key);
  return found && { ...found, body: await files.read(found.fileId) };
}

/** Deletes an object if it exists (true when it did); throws NoSuchBucket. */
export async function deleteObject(
  db: Db,
  files: ObjectFiles,
  bucket: string,
  key: string,
): Promise<boolean> {
  if (!(await findBucket(db, bucket))) throw new NoSuchBucket(bucket);
  const found = await findObject(db, bucket, key);
  if (!found) return false;

  await db.deleteFrom('objects').where('bucket', '=', bucket).where('key', '=', key).execute();
  files.settle(found.fileId);
  return true;
}

const LIST_BATCH = 1000;

/** One page of the bucket's keys, read in UTF-8 binary order in batches. */
export async function listObjectsPage(
  db: Db,
  bucket: string,
  options: ListingOptions,
): Promise<ListingPage<StoredObject>> {
  const listing = new KeyListing<StoredObject>(options);
  // Both bounds in SQL, so that they compare in the store's byte order, not JavaScript's.
  let cursor = options.after;

  for (;;) {
    let query = db
      .selectFrom('objects')
      .selectAll()
      .where('bucket', '=', bucket)
      .where('key', '>=', options.prefix);
    if (cursor !== undefined) query = query.where('key', '>', cursor);
    const rows = await query.orderBy('key').limit(LIST_BATCH).execute();

    for (const row of rows) {
      if (!listing.offer(toStored(row))) return listing.page();
    }
    const last = rows[rows.length - 1];
    if (rows.length < LIST_BATCH || last === undefined) return listing.page();
    cursor = last.key;
  }
}

/** A listed object: the row without the columns listings never show. */
function toStored(row: Selectable<ObjectsTable>): StoredObject {
  return {
    bucket: row.bucket,
    key: row.key,
    size: row.size,
    etag: row.etag,
    metadata: {},
    lastModified: new Date(row.last_modified),
    fileId: row.file_id,
  };
}
