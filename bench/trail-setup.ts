import { closeSync, fsyncSync, openSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  CloudTrailClient,
  CreateTrailCommand,
  GetTrailStatusCommand,
  StartLoggingCommand,
  type GetTrailStatusCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import BetterSqlite3 from 'better-sqlite3';
import type { Credentials, Target } from './sign.js';

/** The SDK clients the trail scenario talks to one server with. */
export interface TrailClients {
  readonly s3: S3Client;
  readonly cloudTrail: CloudTrailClient;
}

/** What the trail scenario's bucket and trail are called, and where they live. */
export interface TrailPlan {
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  readonly bucket: string;
  readonly trailName: string;
}

/** Path-style SDK clients for `target`, one attempt per call (a retry would hide a failure). */
export function trailClients(target: Target, credentials: Credentials, region: string) {
  const endpoint = `http://${target.hostname}:${target.port}`;
  const common = { endpoint, region, credentials, maxAttempts: 1 };
  return {
    s3: new S3Client({ ...common, forcePathStyle: true }),
    cloudTrail: new CloudTrailClient(common),
  };
}

/**
 * Creates the bucket with the policy AWS documents for CloudTrail, then a multi-region trail
 * with log file validation into it, and starts it logging; answers the trail's ARN.
 */
export async function createLoggingTrail(clients: TrailClients, plan: TrailPlan): Promise<string> {
  const { s3, cloudTrail } = clients;
  await s3.send(
    new CreateBucketCommand({
      Bucket: plan.bucket,
      CreateBucketConfiguration: { LocationConstraint: plan.region as 'us-gov-west-1' },
    }),
  );
  await s3.send(new PutBucketPolicyCommand({ Bucket: plan.bucket, Policy: bucketPolicy(plan) }));
  const created = await cloudTrail.send(
    new CreateTrailCommand({
      Name: plan.trailName,
      S3BucketName: plan.bucket,
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
    }),
  );
  if (!created.TrailARN) throw new Error('CreateTrail answered no TrailARN');
  await cloudTrail.send(new StartLoggingCommand({ Name: plan.trailName }));
  return created.TrailARN;
}

/** The bucket policy AWS documents for a CloudTrail bucket, for the account's logs. */
function bucketPolicy(plan: TrailPlan): string {
  const bucketArn = `arn:${plan.partition}:s3:::${plan.bucket}`;
  const service = { Service: 'cloudtrail.amazonaws.com' };
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSCloudTrailAclCheck',
        Effect: 'Allow',
        Principal: service,
        Action: 's3:GetBucketAcl',
        Resource: bucketArn,
      },
      {
        Sid: 'AWSCloudTrailWrite',
        Effect: 'Allow',
        Principal: service,
        Action: 's3:PutObject',
        Resource: `${bucketArn}/AWSLogs/${plan.accountId}/*`,
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
      },
    ],
  });
}

/** The trail's status, or the HTTP status the server refused GetTrailStatus with. */
export async function trailStatus(
  cloudTrail: CloudTrailClient,
  name: string,
): Promise<GetTrailStatusCommandOutput> {
  return cloudTrail.send(new GetTrailStatusCommand({ Name: name }));
}

/** Count and total size of the objects under `prefix`. */
export async function listedObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ count: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      count += 1;
      bytes += object.Size ?? 0;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { count, bytes };
}

const EVENT_COLUMNS = [
  'event_id',
  'account_id',
  'region',
  'event_time',
  'event_name',
  'event_source',
  'read_only',
  'username',
  'access_key_id',
  'record',
].join(', ');

/**
 * Copies the first `count` seeded events into the stopped fedgate's store, after everything
 * it recorded so far: they get new sequence numbers past the trail's StartLogging, so the
 * trail logged them. The records are the seed's, byte for byte; the store is checkpointed and
 * flushed so fedgate starts on a settled file. Answers the seconds it took.
 */
export function appendSeededEvents(database: string, seed: string, count: number): number {
  const started = performance.now();
  const db = new BetterSqlite3(database);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    db.prepare('ATTACH DATABASE ? AS seed').run(seed);
    db.prepare(
      `INSERT INTO main.events (${EVENT_COLUMNS})
       SELECT ${EVENT_COLUMNS} FROM seed.events ORDER BY seq LIMIT ?`,
    ).run(count);
    db.exec('DETACH DATABASE seed');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  flush(database);
  return (performance.now() - started) / 1000;
}

/** Without this, fedgate's first checkpoint would fsync the freshly written gigabyte. */
function flush(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
