import { createHash } from 'node:crypto';
import type { Db } from '../../store/db.js';
import type { OperationContext } from '../service.js';
import { objectFiles, ownedBucket } from './access.js';
import { md5ETag, putObject } from './bucket-store.js';
import {
  EntityTooSmall,
  InvalidArgument,
  InvalidPart,
  InvalidPartOrder,
  NoSuchUpload,
} from './errors.js';
import { MalformedXML } from '../../protocol/rest-xml.js';
import type { ObjectFiles } from './object-files.js';
import { checkIntegrity } from './objects.js';
import type {
  AbortMultipartUploadRequest,
  CompleteMultipartUploadOutput,
  CompleteMultipartUploadRequest,
  CreateMultipartUploadOutput,
  CreateMultipartUploadRequest,
  UploadPartOutput,
  UploadPartRequest,
} from './types.js';

/** Every part but the last must be at least this large, as in S3. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;
const UPLOAD_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-';

/** CreateMultipartUpload: remembers the object's headers until the upload completes. */
export async function createMultipartUpload(
  ctx: OperationContext,
  input: CreateMultipartUploadRequest,
): Promise<CreateMultipartUploadOutput> {
  await ownedBucket(ctx, input.Bucket);
  const uploadId = ctx.ids.chars(UPLOAD_ID_ALPHABET, 64);
  await ctx.db
    .insertInto('multipart_uploads')
    .values({
      upload_id: uploadId,
      bucket: input.Bucket,
      key: input.Key,
      content_type: input.ContentType ?? null,
      content_encoding: input.ContentEncoding ?? null,
      metadata: JSON.stringify(input.Metadata ?? {}),
      created_at: ctx.clock.now().getTime(),
    })
    .execute();
  return { Bucket: input.Bucket, Key: input.Key, UploadId: uploadId };
}

/** UploadPart: stores one part; uploading a part number again replaces it. */
export async function uploadPart(
  ctx: OperationContext,
  input: UploadPartRequest,
): Promise<UploadPartOutput> {
  await ownedBucket(ctx, input.Bucket);
  await findUpload(ctx.db, input.UploadId, input.Bucket, input.Key);
  if (!(input.PartNumber >= 1 && input.PartNumber <= MAX_PART_NUMBER)) {
    throw new InvalidArgument(
      'Part number must be an integer between 1 and 10000, inclusive',
      'partNumber',
      String(input.PartNumber),
    );
  }
  const body = input.Body ?? Buffer.alloc(0);
  checkIntegrity(body, input.ContentMD5, input);

  const files = objectFiles(ctx);
  const fileId = await files.write(body);
  const etag = md5ETag(body);
  const previous = await ctx.db
    .selectFrom('multipart_parts')
    .select('file_id')
    .where('upload_id', '=', input.UploadId)
    .where('part_number', '=', input.PartNumber)
    .executeTakeFirst();
  const row = { size: body.length, etag, file_id: fileId };
  await ctx.db
    .insertInto('multipart_parts')
    .values({ upload_id: input.UploadId, part_number: input.PartNumber, ...row })
    .onConflict((conflict) => conflict.columns(['upload_id', 'part_number']).doUpdateSet(row))
    .execute();

  files.settle(fileId);
  if (previous) files.settle(previous.file_id);
  return { ETag: etag };
}

/**
 * CompleteMultipartUpload: joins the listed parts into the object. Its ETag is S3's multipart
 * form, the MD5 of the parts' binary MD5s and the part count (a format, not a security use).
 */
export async function completeMultipartUpload(
  ctx: OperationContext,
  input: CompleteMultipartUploadRequest,
): Promise<CompleteMultipartUploadOutput> {
  await ownedBucket(ctx, input.Bucket);
  const upload = await findUpload(ctx.db, input.UploadId, input.Bucket, input.Key);
  const listed = input.MultipartUpload?.Parts ?? [];
  if (listed.length === 0) throw new MalformedXML();

  const parts = await uploadedParts(ctx.db, input.UploadId);
  const chosen = listed.map((part, index) => {
    const number = part.PartNumber ?? 0;
    const previous = listed[index - 1]?.PartNumber ?? 0;
    if (index > 0 && number <= previous) throw new InvalidPartOrder();
    const stored = parts.get(number);
    if (!stored || !sameETag(part.ETag, stored.etag)) throw new InvalidPart();
    return stored;
  });
  if (chosen.slice(0, -1).some((part) => part.size < MIN_PART_BYTES)) throw new EntityTooSmall();

  const files = objectFiles(ctx);
  const body = Buffer.concat(await Promise.all(chosen.map((part) => files.read(part.file_id))));
  const digests = chosen.map((part) => Buffer.from(part.etag.replace(/"/g, ''), 'hex'));
  const etag = `"${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${chosen.length}"`;
  await putObject(ctx.db, files, {
    bucket: input.Bucket,
    key: input.Key,
    body,
    etag,
    ...(upload.content_type === null ? {} : { contentType: upload.content_type }),
    ...(upload.content_encoding === null ? {} : { contentEncoding: upload.content_encoding }),
    metadata: JSON.parse(upload.metadata) as Record<string, string>,
    lastModified: ctx.clock.now(),
  });
  await dropUpload(ctx.db, files, input.UploadId);
  return {
    Location: `/${input.Bucket}/${input.Key}`,
    Bucket: input.Bucket,
    Key: input.Key,
    ETag: etag,
  };
}

/** AbortMultipartUpload: drops the upload and its parts. */
export async function abortMultipartUpload(
  ctx: OperationContext,
  input: AbortMultipartUploadRequest,
): Promise<Record<string, never>> {
  await ownedBucket(ctx, input.Bucket);
  await findUpload(ctx.db, input.UploadId, input.Bucket, input.Key);
  await dropUpload(ctx.db, objectFiles(ctx), input.UploadId);
  return {};
}

/** Drops every unfinished upload of a bucket (DeleteBucket). */
export async function abortUploadsOf(db: Db, files: ObjectFiles, bucket: string): Promise<void> {
  const uploads = await db
    .selectFrom('multipart_uploads')
    .select('upload_id')
    .where('bucket', '=', bucket)
    .execute();
  for (const upload of uploads) await dropUpload(db, files, upload.upload_id);
}

async function findUpload(db: Db, uploadId: string, bucket: string, key: string) {
  const upload = await db
    .selectFrom('multipart_uploads')
    .selectAll()
    .where('upload_id', '=', uploadId)
    .executeTakeFirst();
  if (!upload || upload.bucket !== bucket || upload.key !== key) throw new NoSuchUpload(uploadId);
  return upload;
}

async function uploadedParts(db: Db, uploadId: string) {
  const rows = await db
    .selectFrom('multipart_parts')
    .selectAll()
    .where('upload_id', '=', uploadId)
    .execute();
  return new Map(rows.map((row) => [row.part_number, row]));
}

async function dropUpload(db: Db, files: ObjectFiles, uploadId: string): Promise<void> {
  const parts = await db
    .selectFrom('multipart_parts')
    .select('file_id')
    .where('upload_id', '=', uploadId)
    .execute();
  await db.deleteFrom('multipart_parts').where('upload_id', '=', uploadId).execute();
  await db.deleteFrom('multipart_uploads').where('upload_id', '=', uploadId).execute();
  for (const part of parts) files.settle(part.file_id);
}

function sameETag(listed: string | undefined, stored: string): boolean {
  return listed !== undefined && listed.replace(/"/g, '') === stored.replace(/"/g, '');
}
