import type { PartitionName } from '../partitions.js';

/**
 * The check CreateTrail and UpdateTrail make, and delivery repeats, before
 * CloudTrail writes to a bucket: its policy must let the service principal
 * `cloudtrail.amazonaws.com` read the bucket's ACL and put objects under
 * `[prefix/]AWSLogs/<account>/`.
 *
 * Statements are matched on Effect, Principal, Action and Resource with IAM's
 * `*` and `?` wildcards. Conditions are not evaluated: CloudTrail's own
 * requests carry `x-amz-acl: bucket-owner-full-control` and the trail's
 * `aws:SourceArn`, which the conditions AWS documents for this policy test,
 * so an Allow with conditions counts as granting and a Deny with conditions
 * as not applying. `NotPrincipal`, `NotAction` and `NotResource` never grant.
 */

/** Where CloudTrail will write. */
export interface DeliveryTarget {
  readonly partition: PartitionName;
  readonly bucket: string;
  /** The trail's S3 key prefix; none when undefined or empty. */
  readonly prefix: string | undefined;
  readonly accountId: string;
}

const SERVICE = 'cloudtrail.amazonaws.com';

interface Statement {
  readonly Effect?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: unknown;
}

/** True when the bucket policy lets CloudTrail deliver the account's logs to the target. */
export function policyAllowsCloudTrail(
  policy: string | undefined,
  target: DeliveryTarget,
): boolean {
  const statements = readStatements(policy);
  const bucketArn = `arn:${target.partition}:s3:::${target.bucket}`;
  const base = `${bucketArn}/${target.prefix ? `${target.prefix}/` : ''}AWSLogs/${target.accountId}/`;
  const objectArns = [`${base}CloudTrail/x.json.gz`, `${base}CloudTrail-Digest/x.json.gz`];

  return (
    permits(statements, 's3:GetBucketAcl', [bucketArn]) &&
    permits(statements, 's3:PutObject', objectArns)
  );
}

/** Allowed for every resource by some statement, and denied for none. */
function permits(statements: Statement[], action: string, resources: string[]): boolean {
  return resources.every((resource) => {
    const applies = statements.filter((s) => appliesTo(s, action, resource));
    const denied = applies.some((s) => s.Effect === 'Deny' && s.Condition === undefined);
    return !denied && applies.some((s) => s.Effect === 'Allow');
  });
}

function appliesTo(statement: Statement, action: string, resource: string): boolean {
  if (statement.NotPrincipal !== undefined || statement.NotAction !== undefined) return false;
  if (statement.NotResource !== undefined) return false;

  return (
    namesCloudTrail(statement.Principal) &&
    list(statement.Action).some((pattern) =>
      matches(pattern.toLowerCase(), action.toLowerCase()),
    ) &&
    list(statement.Resource).some((pattern) => matches(pattern, resource))
  );
}

function namesCloudTrail(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;

  const record = principal as Record<string, unknown>;
  return list(record.Service).includes(SERVICE) || list(record.AWS).includes('*');
}

function readStatements(policy: string | undefined): Statement[] {
  if (policy === undefined) return [];
  try {
    const parsed = JSON.parse(policy) as { Statement?: unknown };
    const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
    return statements.filter((s): s is Statement => typeof s === 'object' && s !== null);
  } catch {
    return [];
  }
}

function list(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** IAM's wildcard match: `*` any run of characters, `?` any one character. */
function matches(pattern: string, text: string): boolean {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(text);
}
