import type { OperationContext } from '../service.js';
import { accountOwner, objectFiles, ownedBucket, recordBucket } from './access.js';
import { isValidBucketName } from './bucket-names.js';
import {
  bucketHasObjects,
  deleteBucketRow,
  findBucket,
  insertBucket,
  listAccountBuckets,
  setBucketPolicy,
} from './bucket-store.js';
import {
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  BucketNotEmpty,
  IllegalLocationConstraintException,
  InvalidBucketName,
  InvalidLocationConstraint,
  MalformedPolicy,
  NoSuchBucketPolicy,
} from './errors.js';
import { abortUploadsOf } from './multipart.js';
import type {
  BucketRequest,
  CreateBucketOutput,
  CreateBucketRequest,
  GetBucketLocationOutput,
  GetBucketPolicyOutput,
  HeadBucketOutput,
  ListBucketsOutput,
  ListBucketsRequest,
  PutBucketPolicyRequest,
} from './types.js';

/** The one region whose buckets are created without a LocationConstraint. */
const US_EAST_1 = 'us-east-1';

/**
 * CreateBucket: names are global across accounts. Creating your own bucket again succeeds in
 * us-east-1 and answers BucketAlreadyOwnedByYou elsewhere, as S3 does.
 */
export async function createBucket(
  ctx: OperationContext,
  input: CreateBucketRequest,
): Promise<CreateBucketOutput> {
  const name = input.Bucket;
  if (!isValidBucketName(name)) throw new InvalidBucketName(name);
  const region = bucketRegion(ctx, input.CreateBucketConfiguration?.LocationConstraint);
  recordBucket(ctx, name);

  const existing = await findBucket(ctx.db, name);
  if (existing && existing.accountId !== ctx.principal.accountId) {
    throw new BucketAlreadyExists(name);
  }
  if (existing && region !== US_EAST_1) throw new BucketAlreadyOwnedByYou(name);
  if (!existing) {
    await insertBucket(ctx.db, {
      name,
      accountId: ctx.principal.accountId,
      region,
      createdAt: ctx.clock.now(),
    });
  }
  return { Location: `/${name}`, BucketArn: `arn:${ctx.region.partition}:s3:::${name}` };
}

/** The region a new bucket lives in: the endpoint's, which the constraint must name. */
function bucketRegion(ctx: OperationContext, constraint: string | undefined): string {
  const endpoint = ctx.region.name;
  if (constraint === undefined || constraint === '') {
    if (endpoint !== US_EAST_1) throw new IllegalLocationConstraintException('unspecified');
    return US_EAST_1;
  }
  if (constraint === US_EAST_1) throw new InvalidLocationConstraint();
  if (constraint !== endpoint) throw new IllegalLocationConstraintException(constraint);
  return constraint;
}

/** HeadBucket: 200 with the bucket's region, or 404/403 with no body. */
export async function headBucket(
  ctx: OperationContext,
  input: BucketRequest,
): Promise<HeadBucketOutput> {
  const bucket = await ownedBucket(ctx, input.Bucket);
  return { BucketRegion: bucket.region };
}

/** DeleteBucket: only an empty bucket; its unfinished multipart uploads go with it. */
export async function deleteBucket(
  ctx: OperationContext,
  input: BucketRequest,
): Promise<Record<string, never>> {
  await ownedBucket(ctx, input.Bucket);
  if (await bucketHasObjects(ctx.db, input.Bucket)) throw new BucketNotEmpty(input.Bucket);
  await abortUploadsOf(ctx.db, objectFiles(ctx), input.Bucket);
  await deleteBucketRow(ctx.db, input.Bucket);
  return {};
}

/** ListBuckets: the caller's account's buckets only, in every region. */
export async function listBuckets(
  ctx: OperationContext,
  input: ListBucketsRequest,
): Promise<ListBucketsOutput> {
  const prefix = input.Prefix ?? '';
  const buckets = (await listAccountBuckets(ctx.db, ctx.principal.accountId)).filter(
    (bucket) =>
      bucket.name.startsWith(prefix) &&
      (input.BucketRegion === undefined || bucket.region === input.BucketRegion),
  );
  return {
    Buckets: buckets.map((bucket) => ({
      Name: bucket.name,
      CreationDate: bucket.createdAt,
      BucketRegion: bucket.region,
    })),
    Owner: accountOwner(ctx.principal.accountId),
    ...(input.Prefix === undefined ? {} : { Prefix: input.Prefix }),
  };
}

/** GetBucketLocation: empty for us-east-1, the region's name elsewhere. */
export async function getBucketLocation(
  ctx: OperationContext,
  input: BucketRequest,
): Promise<GetBucketLocationOutput> {
  const bucket = await ownedBucket(ctx, input.Bucket);
  return bucket.region === US_EAST_1 ? {} : { LocationConstraint: bucket.region };
}

/**
 * PutBucketPolicy: the document is kept as sent once it is a JSON object with a Statement.
 * fedgate stores policies but does not evaluate them.
 */
export async function putBucketPolicy(
  ctx: OperationContext,
  input: PutBucketPolicyRequest,
): Promise<Record<string, never>> {
  await ownedBucket(ctx, input.Bucket);
  checkPolicy(input.Policy ?? '');
  await setBucketPolicy(ctx.db, input.Bucket, input.Policy ?? '');
  return {};
}

function checkPolicy(text: string): void {
  if (!text.trimStart().startsWith('{')) {
    throw new MalformedPolicy("Policies must be valid JSON and the first byte must be '{'");
  }

  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new MalformedPolicy("Policies must be valid JSON and the first byte must be '{'");
  }
  const statement = (document as Record<string, unknown>).Statement;
  if (statement === undefined) throw new MalformedPolicy('Missing required field Statement');
  const statements = Array.isArray(statement) ? statement : [statement];
  for (const entry of statements) {
    if (typeof entry !== 'object' || entry === null) {
      throw new MalformedPolicy('Statement is not a valid policy statement');
    }
    const effect = (entry as Record<string, unknown>).Effect;
    if (effect !== 'Allow' && effect !== 'Deny') {
      throw new MalformedPolicy('Invalid effect: ' + String(effect ?? ''));
    }
  }
}

/** GetBucketPolicy: the document as it was put. */
export async function getBucketPolicy(
  ctx: OperationContext,
  input: BucketRequest,
): Promise<GetBucketPolicyOutput> {
  const bucket = await ownedBucket(ctx, input.Bucket);
  if (bucket.policy === undefined) throw new NoSuchBucketPolicy(input.Bucket);
  return { Policy: bucket.policy };
}

/** DeleteBucketPolicy: 204 whether or not a policy was set. */
export async function deleteBucketPolicy(
  ctx: OperationContext,
  input: BucketRequest,
): Promise<Record<string, never>> {
  await ownedBucket(ctx, input.Bucket);
  await setBucketPolicy(ctx.db, input.Bucket, null);
  return {};
}
