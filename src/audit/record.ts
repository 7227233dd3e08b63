import { principalArn, principalId, type Principal } from '../auth/principal.js';
import type { Region } from '../partitions.js';
import type { EventResource } from '../services/service.js';

/** CloudTrail's record format version fedgate writes: that of AWS's sample event. */
export const EVENT_VERSION = '1.08';

/** Limits CloudTrail applies to a record's fields. */
const USER_AGENT_LIMIT = 1024;
const ERROR_MESSAGE_LIMIT = 1024;
const REQUEST_PARAMETERS_LIMIT = 100 * 1024;

/** The TLS facts of a call that arrived over HTTPS. */
export interface TlsDetails {
  readonly tlsVersion: string;
  readonly cipherSuite: string;
  readonly clientProvidedHostHeader: string;
}

/** What happened in one call, as the gateway saw it. */
export interface CallFacts {
  readonly principal: Principal;
  readonly region: Region;
  readonly eventSource: string;
  readonly eventName: string;
  readonly eventTime: Date;
  readonly eventId: string;
  readonly requestId: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly readOnly: boolean;
  readonly requestParameters: Record<string, unknown> | null;
  readonly responseElements: Record<string, unknown> | null;
  readonly error?: { readonly code: string; readonly message: string };
  readonly resources: readonly EventResource[];
  readonly tls?: TlsDetails;
  /** Management unless said otherwise; data events are S3 object calls a trail asked for. */
  readonly category?: 'Management' | 'Data';
}

/** A CloudTrail record (`eventType: AwsApiCall`), member order as CloudTrail writes it. */
export type CloudTrailRecord = Record<string, unknown>;

/** Builds the CloudTrail record of one API call. */
export function buildRecord(facts: CallFacts): CloudTrailRecord {
  const record: CloudTrailRecord = {
    eventVersion: EVENT_VERSION,
    userIdentity: userIdentity(facts.principal, facts.region),
    eventTime: cloudTrailTime(facts.eventTime),
    eventSource: facts.eventSource,
    eventName: facts.eventName,
    awsRegion: facts.region.name,
    sourceIPAddress: facts.sourceIp,
    userAgent: facts.userAgent.slice(0, USER_AGENT_LIMIT),
  };

  if (facts.error) {
    record.errorCode = facts.error.code;
    record.errorMessage = facts.error.message.slice(0, ERROR_MESSAGE_LIMIT);
  }
  record.requestParameters = boundedParameters(facts.requestParameters);
  record.responseElements = facts.error || facts.readOnly ? null : facts.responseElements;

  Object.assign(record, {
    requestID: facts.requestId,
    eventID: facts.eventId,
    readOnly: facts.readOnly,
  });
  if (facts.resources.length > 0) record.resources = recordResources(facts);
  Object.assign(record, {
    eventType: 'AwsApiCall',
    managementEvent: facts.category !== 'Data',
    recipientAccountId: facts.principal.accountId,
    eventCategory: facts.category ?? 'Management',
  });
  if (facts.tls) record.tlsDetails = { ...facts.tls };
  return record;
}

/** CloudTrail writes event times in UTC to the second: `2023-03-01T21:45:18Z`. */
export function cloudTrailTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The name LookupEvents shows as Username: the IAM user name, or "root". */
export function lookupUsername(principal: Principal): string {
  return principal.type === 'Root' ? 'root' : (principal.userName ?? '');
}

function userIdentity(principal: Principal, region: Region): Record<string, unknown> {
  const identity: Record<string, unknown> = {
    type: principal.type,
    principalId: principalId(principal),
    arn: principalArn(principal, region.partition),
    accountId: principal.accountId,
    accessKeyId: principal.accessKeyId,
  };
  if (principal.type === 'IAMUser') identity.userName = principal.userName;
  return identity;
}

/**
 * CloudTrail drops request parameters over 100 KB; fedgate records that it
 * did so rather than a cut, unparseable JSON document.
 */
function boundedParameters(parameters: Record<string, unknown> | null): unknown {
  if (parameters === null) return null;
  if (JSON.stringify(parameters).length <= REQUEST_PARAMETERS_LIMIT) return parameters;
  return { omitted: true, reason: 'requestParameters too large' };
}

function recordResources(facts: CallFacts): Record<string, unknown>[] {
  return facts.resources.map((resource) => ({
    accountId: facts.principal.accountId,
    type: resource.type,
    ARN: resource.arn ?? resource.name,
  }));
}
