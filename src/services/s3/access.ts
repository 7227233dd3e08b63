import { createHash } from 'node:crypto';
import { InternalFailure } from '../../protocol/errors.js';
import type { OperationContext } from '../service.js';
import { findBucket, type StoredBucket } from './bucket-store.js';
import { AccessDenied, NoSuchBucket } from './errors.js';
import type { ObjectFiles } from './object-files.js';
import type { Owner } from './types.js';

/**
 * The named bucket when the caller's account owns it. Another account's bucket answers
 * AccessDenied: fedgate evaluates no bucket policies, so no cross-account grant exists.
 */
export async function ownedBucket(ctx: OperationContext, name: string): Promise<StoredBucket> {
  const bucket = await findBucket(ctx.db, name);
  if (!bucket) throw new NoSuchBucket(name);
  if (bucket.accountId !== ctx.principal.accountId) throw new AccessDenied();
  recordBucket(ctx, name);
  return bucket;
}

/** Names the bucket in the call's CloudTrail record. */
export function recordBucket(ctx: OperationContext, name: string): void {
  const arn = `arn:${ctx.region.partition}:s3:::${name}`;
  ctx.resources.push({ type: 'AWS::S3::Bucket', name: arn, arn });
}

/** The object files of the server; every server that serves S3 has them. */
export function objectFiles(ctx: OperationContext): ObjectFiles {
  const files = ctx.shared.objects;
  if (!files) throw new InternalFailure({ cause: new Error('S3 object storage is not set up') });
  return files;
}

/**
 * The account's canonical user id as S3 listings show it: 64 hex digits, stable per account.
 * S3 draws its own; this one is derived so that it needs no table.
 */
export function accountOwner(accountId: string): Owner {
  return { ID: createHash('sha256').update(`s3-canonical-user:${accountId}`).digest('hex') };
}
