import type { OperationContext } from '../service.js';
import { accountOwner, ownedBucket } from './access.js';
import { listObjectsPage, type StoredObject } from './bucket-store.js';
import { InvalidArgument } from './errors.js';
import { continuationToken, readContinuationToken, urlEncodeValue } from './listing.js';
import type {
  ListedObject,
  ListObjectsOutput,
  ListObjectsRequest,
  ListObjectsV2Output,
  ListObjectsV2Request,
  Owner,
} from './types.js';

/** S3 answers at most this many keys per page, whatever MaxKeys asks for. */
const PAGE_LIMIT = 1000;

/** ListObjects (v1): Marker in, NextMarker out when a delimiter rolls keys up. */
export async function listObjects(
  ctx: OperationContext,
  input: ListObjectsRequest,
): Promise<ListObjectsOutput> {
  await ownedBucket(ctx, input.Bucket);
  const encode = encoder(input.EncodingType);
  const maxKeys = pageSize(input.MaxKeys);
  const page = await listObjectsPage(ctx.db, input.Bucket, {
    prefix: input.Prefix ?? '',
    maxKeys,
    ...(input.Delimiter ? { delimiter: input.Delimiter } : {}),
    ...(input.Marker ? { after: input.Marker } : {}),
  });

  const owner = accountOwner(ctx.principal.accountId);
  return {
    Name: input.Bucket,
    Prefix: encode(input.Prefix ?? ''),
    Marker: encode(input.Marker ?? ''),
    MaxKeys: input.MaxKeys ?? PAGE_LIMIT,
    ...(input.Delimiter === undefined ? {} : { Delimiter: encode(input.Delimiter) }),
    IsTruncated: page.isTruncated,
    ...(page.isTruncated && input.Delimiter && page.last !== undefined
      ? { NextMarker: encode(page.last) }
      : {}),
    ...contents(page.contents, encode, owner),
    ...commonPrefixes(page.commonPrefixes, encode),
    ...(input.EncodingType === undefined ? {} : { EncodingType: input.EncodingType }),
  };
}

/** ListObjectsV2: opaque continuation tokens, StartAfter, KeyCount and optional owners. */
export async function listObjectsV2(
  ctx: OperationContext,
  input: ListObjectsV2Request,
): Promise<ListObjectsV2Output> {
  await ownedBucket(ctx, input.Bucket);
  const encode = encoder(input.EncodingType);
  const maxKeys = pageSize(input.MaxKeys);
  const after = startAfter(input);
  const page = await listObjectsPage(ctx.db, input.Bucket, {
    prefix: input.Prefix ?? '',
    maxKeys,
    ...(input.Delimiter ? { delimiter: input.Delimiter } : {}),
    ...(after ? { after } : {}),
  });

  const owner = input.FetchOwner ? accountOwner(ctx.principal.accountId) : undefined;
  return {
    Name: input.Bucket,
    Prefix: encode(input.Prefix ?? ''),
    MaxKeys: input.MaxKeys ?? PAGE_LIMIT,
    KeyCount: page.contents.length + page.commonPrefixes.length,
    ...(input.Delimiter === undefined ? {} : { Delimiter: encode(input.Delimiter) }),
    IsTruncated: page.isTruncated,
    ...(input.ContinuationToken === undefined
      ? {}
      : { ContinuationToken: input.ContinuationToken }),
    ...(page.isTruncated && page.last !== undefined
      ? { NextContinuationToken: continuationToken(page.last) }
      : {}),
    ...(input.StartAfter === undefined ? {} : { StartAfter: encode(input.StartAfter) }),
    ...contents(page.contents, encode, owner),
    ...commonPrefixes(page.commonPrefixes, encode),
    ...(input.EncodingType === undefined ? {} : { EncodingType: input.EncodingType }),
  };
}

/** A continuation token wins over StartAfter, as in S3. */
function startAfter(input: ListObjectsV2Request): string | undefined {
  if (input.ContinuationToken === undefined) return input.StartAfter || undefined;
  const after = readContinuationToken(input.ContinuationToken);
  if (after === undefined) {
    throw new InvalidArgument(
      'The continuation token provided is incorrect',
      'continuation-token',
      input.ContinuationToken,
    );
  }
  return after;
}

function pageSize(maxKeys: number | undefined): number {
  if (maxKeys === undefined) return PAGE_LIMIT;
  if (maxKeys < 0 || maxKeys > 2147483647) {
    throw new InvalidArgument(
      'Argument maxKeys must be an integer between 0 and 2147483647',
      'maxKeys',
      String(maxKeys),
    );
  }
  return Math.min(maxKeys, PAGE_LIMIT);
}

function encoder(encodingType: string | undefined): (value: string) => string {
  if (encodingType === undefined) return (value) => value;
  if (encodingType !== 'url') {
    throw new InvalidArgument(
      'Invalid Encoding Method specified in Request',
      'encoding-type',
      encodingType,
    );
  }
  return urlEncodeValue;
}

function contents(
  rows: StoredObject[],
  encode: (value: string) => string,
  owner: Owner | undefined,
): { Contents?: ListedObject[] } {
  if (rows.length === 0) return {};
  return {
    Contents: rows.map((row) => ({
      Key: encode(row.key),
      LastModified: row.lastModified,
      ETag: row.etag,
      Size: row.size,
      StorageClass: 'STANDARD',
      ...(owner === undefined ? {} : { Owner: owner }),
    })),
  };
}

function commonPrefixes(prefixes: string[], encode: (value: string) => string) {
  return prefixes.length === 0
    ? {}
    : { CommonPrefixes: prefixes.map((prefix) => ({ Prefix: encode(prefix) })) };
}
