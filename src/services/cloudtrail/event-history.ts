import { createHash } from 'node:crypto';
import {
  findEvents,
  type EventCursor,
  type EventFilter,
  type FoundEvent,
} from '../../audit/event-store.js';
import type {
  Event,
  LookupAttribute,
  LookupEventsRequest,
  LookupEventsResponse,
} from '../../model/generated/cloudtrail.js';
import { ThrottlingException } from '../../protocol/common-errors.js';
import type { OperationContext } from '../service.js';
import {
  InvalidLookupAttributesException,
  InvalidMaxResultsException,
  InvalidNextTokenException,
  InvalidTimeRangeException,
} from './errors.js';

/** Event history keeps the last 90 days. */
export const RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

const DEFAULT_MAX_RESULTS = 50;
const VALUE_LIMIT = 2000;

/**
 * LookupEvents: the account's management events in the caller's region,
 * newest first, narrowed by at most one attribute and a time range.
 */
export async function lookupEvents(
  ctx: OperationContext,
  input: LookupEventsRequest,
): Promise<LookupEventsResponse> {
  throttle(ctx);
  const filter = lookupFilter(input.LookupAttributes ?? []);
  const { startTime, endTime } = timeRange(ctx, input);
  const limit = maxResults(input.MaxResults);
  const after = input.NextToken === undefined ? undefined : readToken(input.NextToken, input);

  // fedgate produces no Insights events, so asking for that category finds none.
  if (input.EventCategory === 'insight') return { Events: [] };

  const found = await findEvents(ctx.db, {
    accountId: ctx.principal.accountId,
    region: ctx.region.name,
    startTime,
    endTime,
    filter,
    after,
    limit: limit + 1,
  });
  const events = found.slice(0, limit);
  const last = events.at(-1);
  const more = found.length > limit && last !== undefined;
  return { Events: events.map(toEvent), ...(more ? { NextToken: makeToken(last, input) } : {}) };
}

/** AWS allows 2 LookupEvents requests per second per account and region. */
function throttle(ctx: OperationContext) {
  const rate = ctx.shared.lookupEventsRate;
  const bucket = `LookupEvents:${ctx.principal.accountId}:${ctx.region.name}`;
  if (!ctx.shared.takeToken(bucket, rate, rate)) throw new ThrottlingException('Rate exceeded');
}

/** The events column each LookupEvents attribute (but ReadOnly) filters on. */
export const ATTRIBUTE_COLUMNS = {
  EventId: 'event_id',
  EventName: 'event_name',
  EventSource: 'event_source',
  Username: 'username',
  AccessKeyId: 'access_key_id',
  ResourceType: 'resource_type',
  ResourceName: 'resource_name',
} as const;

function lookupFilter(attributes: LookupAttribute[]): EventFilter | undefined {
  if (attributes.length > 1) {
    throw new InvalidLookupAttributesException(
      'You can specify only one lookup attribute per request.',
    );
  }
  const [attribute] = attributes;
  if (!attribute) return undefined;

  const { AttributeKey: key, AttributeValue: value } = attribute;
  if (weightedLength(value) > VALUE_LIMIT) {
    throw new InvalidLookupAttributesException(
      `The value of ${key} is longer than ${VALUE_LIMIT} characters.`,
    );
  }
  if (key === 'ReadOnly') {
    if (value !== 'true' && value !== 'false') {
      throw new InvalidLookupAttributesException(
        "The value of ReadOnly must be 'true' or 'false'.",
      );
    }
    return { column: 'read_only', value: value === 'true' ? 1 : 0 };
  }
  return { column: ATTRIBUTE_COLUMNS[key], value };
}

/** CloudTrail counts `_`, space, `,` and newline twice toward the value's 2000 characters. */
function weightedLength(value: string): number {
  let length = value.length;
  for (const char of value)
    if (char === '_' || char === ' ' || char === ',' || char === '\n') length += 1;
  return length;
}

function timeRange(ctx: OperationContext, input: LookupEventsRequest) {
  const now = ctx.clock.now().getTime();
  const oldest = now - RETENTION_MS;
  const startTime = Math.max(input.StartTime?.getTime() ?? oldest, oldest);
  const endTime = input.EndTime?.getTime() ?? now;

  if (input.StartTime && input.EndTime && input.StartTime.getTime() > input.EndTime.getTime()) {
    throw new InvalidTimeRangeException('The start time must not be after the end time.');
  }
  return { startTime, endTime };
}

function maxResults(requested: number | undefined): number {
  const value = requested ?? DEFAULT_MAX_RESULTS;
  if (!Number.isInteger(value) || value < 1 || value > DEFAULT_MAX_RESULTS) {
    throw new InvalidMaxResultsException('MaxResults must be between 1 and 50.');
  }
  return value;
}

function toEvent(found: FoundEvent): Event {
  const record = JSON.parse(found.record) as RecordView;
  const event: Event = {
    EventId: record.eventID,
    EventName: record.eventName,
    ReadOnly: String(record.readOnly),
    AccessKeyId: record.userIdentity.accessKeyId,
    EventTime: new Date(found.eventTime),
    EventSource: record.eventSource,
    Username: record.userIdentity.type === 'Root' ? 'root' : record.userIdentity.userName,
    Resources: (record.resources ?? []).map((r) => ({ ResourceType: r.type, ResourceName: r.ARN })),
    CloudTrailEvent: found.record,
  };
  return event;
}

/** The parts of a stored record LookupEvents lifts into its Event summary. */
interface RecordView {
  eventID: string;
  eventName: string;
  eventSource: string;
  readOnly: boolean;
  userIdentity: { type: string; accessKeyId?: string; userName?: string };
  resources?: { type: string; ARN: string }[];
}

/**
 * A NextToken names the last event of the page and the query it belongs to:
 * AWS accepts it only with the same other parameters.
 */
function queryHash(input: LookupEventsRequest): string {
  const parts = [
    input.LookupAttributes ?? [],
    input.StartTime?.getTime(),
    input.EndTime?.getTime(),
    input.EventCategory,
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);
}

function makeToken(last: FoundEvent, input: LookupEventsRequest): string {
  const token = { t: last.eventTime, s: last.seq, q: queryHash(input) };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function readToken(token: string, input: LookupEventsRequest): EventCursor {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const { t, s, q } = parsed;
    if (Number.isInteger(t) && Number.isInteger(s) && q === queryHash(input)) {
      return { eventTime: t as number, seq: s as number };
    }
  } catch {
    // Not a token of ours: answered below like any other invalid token.
  }
  throw new InvalidNextTokenException(
    'Invalid NextToken: use the token with the same parameters it came with.',
  );
}
