import type { Region } from '../../partitions.js';
import type { DataEventTarget } from '../service.js';

/**
 * S3's CloudTrail records name their parameters after the REST API, not the model: the
 * bucket as `bucketName`, the Host header as `Host`, a sub-resource as an empty member
 * (`location`, `policy`) and a bucket policy as the parsed document under `bucketPolicy`.
 */

/**
 * Object-level calls are CloudTrail data events: trails log them only when asked to and the
 * event history never shows them (S3 user guide, "Amazon S3 CloudTrail events").
 */
const DATA_EVENTS = new Set([
  'AbortMultipartUpload',
  'CompleteMultipartUpload',
  'CreateMultipartUpload',
  'DeleteObject',
  'GetObject',
  'HeadObject',
  'ListObjects',
  'ListObjectsV2',
  'PutObject',
  'UploadPart',
]);

/** True for S3 calls CloudTrail treats as data events. */
export function isS3DataEvent(operation: string): boolean {
  return DATA_EVENTS.has(operation);
}

/** The sub-resource each bucket call names in its query string, recorded as an empty member. */
const SUBRESOURCES: Record<string, string> = {
  GetBucketLocation: 'location',
  PutBucketPolicy: 'policy',
  GetBucketPolicy: 'policy',
  DeleteBucketPolicy: 'policy',
};

/** The requestParameters of an S3 management event, as S3 writes them. */
export function s3RequestParameters(
  operation: string,
  input: Record<string, unknown>,
  host: string | undefined,
): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  if (operation === 'CreateBucket') addBucketConfiguration(out, input.CreateBucketConfiguration);
  if (operation === 'PutBucketPolicy') out.bucketPolicy = parsedPolicy(input.Policy);
  if (typeof input.Bucket === 'string') out.bucketName = input.Bucket;
  if (typeof input.Key === 'string') out.key = input.Key;
  if (host !== undefined) out.Host = host;
  const subresource = SUBRESOURCES[operation];
  if (subresource !== undefined) out[subresource] = '';
  return Object.keys(out).length === 0 ? null : out;
}

function addBucketConfiguration(out: Record<string, unknown>, configuration: unknown): void {
  if (typeof configuration !== 'object' || configuration === null) return;
  const constraint = (configuration as Record<string, unknown>).LocationConstraint;
  out.CreateBucketConfiguration = {
    ...(typeof constraint === 'string' ? { LocationConstraint: constraint } : {}),
    xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
  };
}

/** The policy as a JSON value when it parses (S3 records the document, not its text). */
function parsedPolicy(policy: unknown): unknown {
  if (typeof policy !== 'string') return null;
  try {
    return JSON.parse(policy) as unknown;
  } catch {
    return policy;
  }
}

/**
 * The object a data event acts on. A listing acts on the bucket's objects as a whole:
 * `arn:…:s3:::bucket/`, which a selector for the bucket (or a prefix it starts with) matches.
 */
export function s3DataEventTarget(
  _operation: string,
  input: Record<string, unknown>,
  region: Region,
): DataEventTarget | undefined {
  if (typeof input.Bucket !== 'string') return undefined;

  const bucketArn = `arn:${region.partition}:s3:::${input.Bucket}`;
  const key = typeof input.Key === 'string' ? input.Key : undefined;
  const arn = `${bucketArn}/${key ?? ''}`;
  const bucket = { type: 'AWS::S3::Bucket', name: bucketArn, arn: bucketArn };
  const resources =
    key === undefined ? [bucket] : [{ type: 'AWS::S3::Object', name: arn, arn }, bucket];
  return { type: 'AWS::S3::Object', arn, resources };
}
