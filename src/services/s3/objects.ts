import { createHash } from 'node:crypto';
import { ChunkedBodyError, checkChecksum } from '../../auth/sigv4-chunked.js';
import { RestXmlError } from '../../protocol/rest-xml.js';
import type { OperationContext } from '../service.js';
import { objectFiles, ownedBucket } from './access.js';
import { deleteObject, findObject, putObject, type StoredObject } from './bucket-store.js';
import { BadDigest, InvalidDigest, InvalidRange, NoSuchKey, PreconditionFailed } from './errors.js';
import type {
  ChecksumMembers,
  GetObjectOutput,
  GetObjectRequest,
  HeadObjectOutput,
  ObjectRequest,
  PutObjectOutput,
  PutObjectRequest,
} from './types.js';

/** What S3 stores as an object's type when the upload named none. */
const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/** PutObject: stores the bytes after checking Content-MD5 and any checksum header. */
export async function putObjectOp(
  ctx: OperationContext,
  input: PutObjectRequest,
): Promise<PutObjectOutput> {
  await ownedBucket(ctx, input.Bucket);
  const body = input.Body ?? Buffer.alloc(0);
  checkIntegrity(body, input.ContentMD5, input);

  const { etag } = await putObject(ctx.db, objectFiles(ctx), {
    bucket: input.Bucket,
    key: input.Key,
    body,
    ...(input.ContentType === undefined ? {} : { contentType: input.ContentType }),
    ...(input.ContentEncoding === undefined ? {} : { contentEncoding: input.ContentEncoding }),
    ...(input.Metadata === undefined ? {} : { metadata: input.Metadata }),
    lastModified: ctx.clock.now(),
  });
  return { ETag: etag, ...echoedChecksums(input) };
}

/** Content-MD5 (base64 of 16 bytes) and x-amz-checksum-* headers must match the bytes. */
export function checkIntegrity(body: Buffer, md5: string | undefined, sums: ChecksumMembers) {
  if (md5 !== undefined) {
    const declared = Buffer.from(md5, 'base64');
    if (declared.length !== 16 || declared.toString('base64') !== md5) throw new InvalidDigest();
    if (!declared.equals(createHash('md5').update(body).digest())) throw new BadDigest();
  }

  const checks: [string, string | undefined][] = [
    ['crc32', sums.ChecksumCRC32],
    ['sha1', sums.ChecksumSHA1],
    ['sha256', sums.ChecksumSHA256],
  ];
  for (const [algorithm, value] of checks) {
    if (value === undefined) continue;
    try {
      checkChecksum(algorithm, body, value);
    } catch (thrown) {
      if (thrown instanceof ChunkedBodyError) throw new BadDigest(thrown.message);
      throw thrown;
    }
  }
}

function echoedChecksums(input: ChecksumMembers): ChecksumMembers {
  const out: ChecksumMembers = {};
  if (input.ChecksumCRC32 !== undefined) out.ChecksumCRC32 = input.ChecksumCRC32;
  if (input.ChecksumCRC32C !== undefined) out.ChecksumCRC32C = input.ChecksumCRC32C;
  if (input.ChecksumSHA1 !== undefined) out.ChecksumSHA1 = input.ChecksumSHA1;
  if (input.ChecksumSHA256 !== undefined) out.ChecksumSHA256 = input.ChecksumSHA256;
  return out;
}

/** GetObject: the bytes (or the requested range, 206) with the stored headers. */
export async function getObjectOp(
  ctx: OperationContext,
  input: GetObjectRequest,
): Promise<GetObjectOutput> {
  const { stored, head } = await readHead(ctx, input);
  const files = objectFiles(ctx);
  const range = input.Range === undefined ? undefined : parseRange(input.Range, stored.size);
  if (!range) return { ...head, Body: await files.read(stored.fileId) };

  const body = await files.readRange(stored.fileId, range.start, range.end);
  return {
    ...head,
    ContentLength: body.length,
    ContentRange: `bytes ${range.start}-${range.end}/${stored.size}`,
    Body: body,
  };
}

/** HeadObject: GetObject's headers without the body; a missing key is a bare 404. */
export async function headObject(
  ctx: OperationContext,
  input: GetObjectRequest,
): Promise<HeadObjectOutput> {
  const { stored, head } = await readHead(ctx, input);
  if (input.Range === undefined) return head;
  const range = parseRange(input.Range, stored.size);
  if (!range) return head;
  return {
    ...head,
    ContentLength: range.end - range.start + 1,
    ContentRange: `bytes ${range.start}-${range.end}/${stored.size}`,
  };
}

async function readHead(ctx: OperationContext, input: GetObjectRequest) {
  await ownedBucket(ctx, input.Bucket);
  const stored = await findObject(ctx.db, input.Bucket, input.Key);
  if (!stored) throw new NoSuchKey(input.Key);
  checkConditions(stored, input);

  const head: HeadObjectOutput = {
    AcceptRanges: 'bytes',
    LastModified: stored.lastModified,
    ContentLength: stored.size,
    ETag: stored.etag,
    ContentType: input.ResponseContentType ?? stored.contentType ?? DEFAULT_CONTENT_TYPE,
    ...contentEncoding(input.ResponseContentEncoding ?? stored.contentEncoding),
    ...(Object.keys(stored.metadata).length === 0 ? {} : { Metadata: stored.metadata }),
  };
  return { stored, head };
}

function contentEncoding(value: string | undefined): { ContentEncoding?: string } {
  return value === undefined ? {} : { ContentEncoding: value };
}

/** If-Match / If-Unmodified-Since fail with 412; If-None-Match / If-Modified-Since with 304. */
function checkConditions(stored: StoredObject, input: GetObjectRequest): void {
  const modified = Math.floor(stored.lastModified.getTime() / 1000) * 1000;
  if (input.IfMatch !== undefined && !etagMatches(input.IfMatch, stored.etag)) {
    throw new PreconditionFailed('If-Match');
  }
  if (
    input.IfMatch === undefined &&
    input.IfUnmodifiedSince &&
    modified > input.IfUnmodifiedSince.getTime()
  ) {
    throw new PreconditionFailed('If-Unmodified-Since');
  }
  if (input.IfNoneMatch !== undefined && etagMatches(input.IfNoneMatch, stored.etag)) {
    throw new NotModified();
  }
  if (
    input.IfNoneMatch === undefined &&
    input.IfModifiedSince &&
    modified <= input.IfModifiedSince.getTime()
  ) {
    throw new NotModified();
  }
}

function etagMatches(condition: string, etag: string): boolean {
  return condition
    .split(',')
    .map((part) => part.trim())
    .some((part) => part === '*' || part === etag || `"${part}"` === etag);
}

/** 304: the object has not changed since the caller's copy (sent with no body). */
class NotModified extends RestXmlError {
  constructor() {
    super('NotModified', 'Not Modified', 304);
  }
}

/**
 * A single `bytes=` range, clamped to the object; undefined when the header is not one S3
 * honours (S3 then sends the whole object). Unsatisfiable ranges answer 416 InvalidRange.
 */
export function parseRange(
  header: string,
  size: number,
): { start: number; end: number } | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;

  const first = match[1] ?? '';
  const last = match[2] ?? '';
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw new InvalidRange(header, size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }

  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) throw new InvalidRange(header, size);
  return { start, end };
}

/** DeleteObject: 204 whether or not the key existed. */
export async function deleteObjectOp(
  ctx: OperationContext,
  input: ObjectRequest,
): Promise<Record<string, never>> {
  await ownedBucket(ctx, input.Bucket);
  await deleteObject(ctx.db, objectFiles(ctx), input.Bucket, input.Key);
  return {};
}
