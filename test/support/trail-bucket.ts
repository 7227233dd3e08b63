import {
  CreateBucketCommand,
  PutBucketPolicyCommand,
  S3Client,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import type { ClientTarget } from './clients.js';

/** An S3 client of the AWS SDK for JavaScript v3, path-style, for trail buckets. */
export function trailS3Client(target: ClientTarget): S3Client {
  return new S3Client({
    endpoint: target.endpoint,
    region: target.region,
    credentials: target.credentials,
    forcePathStyle: true,
    maxAttempts: 1,
  });
}

/** The bucket policy AWS documents for CloudTrail, for one account's logs under a prefix. */
export function cloudTrailBucketPolicy(options: {
  bucket: string;
  accountId: string;
  partition: string;
  prefix?: string;
}): string {
  const { bucket, accountId, partition } = options;
  const bucketArn = `arn:${partition}:s3:::${bucket}`;
  const logs = `${bucketArn}/${options.prefix ? `${options.prefix}/` : ''}AWSLogs/${accountId}/*`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSCloudTrailAclCheck',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: bucketArn,
      },
      {
        Sid: 'AWSCloudTrailWrite',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: logs,
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
      },
    ],
  });
}

/** Creates a bucket in the target's region with CloudTrail's policy for the account. */
export async function createTrailBucket(
  target: ClientTarget,
  options: { bucket: string; accountId: string; prefix?: string; withPolicy?: boolean },
): Promise<void> {
  const s3 = trailS3Client(target);
  const constraint = target.region as BucketLocationConstraint;
  await s3.send(
    new CreateBucketCommand({
      Bucket: options.bucket,
      ...(target.region === 'us-east-1'
        ? {}
        : { CreateBucketConfiguration: { LocationConstraint: constraint } }),
    }),
  );
  if (options.withPolicy === false) return;

  const partition = target.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  const policy = cloudTrailBucketPolicy({ ...options, partition });
  await s3.send(new PutBucketPolicyCommand({ Bucket: options.bucket, Policy: policy }));
}
