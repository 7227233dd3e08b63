import { CompiledQuery, sql } from 'kysely';
import type { Db } from '../store/db.js';
import type { EventResource } from '../services/service.js';

/** One row of event history as written. */
export interface StoredEvent {
  readonly eventId: string;
  readonly accountId: string;
  readonly region: string;
  readonly eventTime: Date;
  readonly eventName: string;
  readonly eventSource: string;
  readonly readOnly: boolean;
  readonly username: string | null;
  readonly accessKeyId: string | null;
  readonly resources: readonly EventResource[];
  /** The CloudTrail record as JSON text. */
  readonly record: string;
  /** False for a data event: kept for the trails that asked for it, never in event history. */
  readonly management?: boolean;
}

/** The events table's row for an event, columns in the order the compiled insert takes them. */
function eventRow(event: StoredEvent) {
  return {
    event_id: event.eventId,
    account_id: event.accountId,
    region: event.region,
    event_time: event.eventTime.getTime(),
    event_name: event.eventName,
    event_source: event.eventSource,
    read_only: event.readOnly ? 1 : 0,
    username: event.username,
    access_key_id: event.accessKeyId,
    record: event.record,
    management: event.management === false ? 0 : 1,
  };
}

/**
 * Every call inserts an event, so the insert is built and compiled once per
 * dialect and then only run with new values.
 */
const compiledInserts = new Map<unknown, string>();

function insertSql(db: Db, row: ReturnType<typeof eventRow>): string {
  const dialect = db.getExecutor().adapter.constructor;
  let text = compiledInserts.get(dialect);
  if (text === undefined) {
    text = db.insertInto('events').values(row).returning('seq').compile().sql;
    compiledInserts.set(dialect, text);
  }
  return text;
}

/** Writes one event and its resources; runs inside the caller's transaction. */
export async function insertEvent(db: Db, event: StoredEvent): Promise<void> {
  const row = eventRow(event);
  const eventTime = row.event_time;
  const result = await db.executeQuery<{ seq: number }>(
    CompiledQuery.raw(insertSql(db, row), Object.values(row)),
  );
  const seq = result.rows[0]?.seq;
  if (seq === undefined) throw new Error('event insert returned no sequence number');

  // Data events are looked up by trails only, never by resource in the event history.
  if (event.resources.length === 0 || event.management === false) return;
  await db
    .insertInto('event_resources')
    .values(
      event.resources.map((resource) => ({
        seq,
        account_id: event.accountId,
        region: event.region,
        event_time: eventTime,
        resource_type: resource.type,
        resource_name: resource.arn ?? resource.name,
      })),
    )
    .execute();
}

/** A filter on a column of the events table. */
export type EventColumnFilter =
  | {
      readonly column: 'event_id' | 'event_name' | 'event_source' | 'username' | 'access_key_id';
      readonly value: string;
    }
  | { readonly column: 'read_only'; readonly value: number };

/** A filter on the resources an event names. */
export interface ResourceFilter {
  readonly column: 'resource_type' | 'resource_name';
  readonly value: string;
}

/** The one attribute a lookup may filter on, already checked. */
export type EventFilter = EventColumnFilter | ResourceFilter;

function isResourceFilter(filter: EventFilter): filter is ResourceFilter {
  return filter.column === 'resource_type' || filter.column === 'resource_name';
}

/** Where a page starts: just after (older than) this event. */
export interface EventCursor {
  readonly eventTime: number;
  readonly seq: number;
}

/** A lookup over one account and region's history, newest first. */
export interface EventQuery {
  readonly accountId: string;
  readonly region: string;
  readonly startTime: number;
  readonly endTime: number;
  readonly filter?: EventFilter;
  readonly after?: EventCursor;
  readonly limit: number;
}

/** A found event: its record text and where it sits for paging. */
export interface FoundEvent {
  readonly seq: number;
  readonly eventTime: number;
  readonly record: string;
}

/**
 * Finds events newest first. Each filter uses an index that starts with
 * (account, region, attribute) and ends with (time, seq), so a page is one
 * index range scan whatever the history's size.
 */
export async function findEvents(db: Db, query: EventQuery): Promise<FoundEvent[]> {
  const filter = query.filter;
  if (filter && isResourceFilter(filter)) return findByResource(db, query, filter);

  let select = db
    .selectFrom('events')
    .select(['seq', 'event_time as eventTime', 'record'])
    .where('account_id', '=', query.accountId)
    .where('region', '=', query.region)
    .where('event_time', '>=', query.startTime)
    .where('event_time', '<=', query.endTime)
    .where('management', '=', 1);
  if (filter) select = select.where(filter.column, '=', filter.value);
  if (query.after) {
    select = select.where(
      sql<boolean>`(event_time, seq) < (${query.after.eventTime}, ${query.after.seq})`,
    );
  }
  return select.orderBy('event_time', 'desc').orderBy('seq', 'desc').limit(query.limit).execute();
}

async function findByResource(
  db: Db,
  query: EventQuery,
  filter: ResourceFilter,
): Promise<FoundEvent[]> {
  // One event may name the same resource twice; DISTINCT keeps it one result.
  let select = db
    .selectFrom('event_resources as r')
    .innerJoin('events as e', 'e.seq', 'r.seq')
    .select(['e.seq', 'e.event_time as eventTime', 'e.record'])
    .distinct()
    .where('r.account_id', '=', query.accountId)
    .where('r.region', '=', query.region)
    .where(`r.${filter.column}`, '=', filter.value)
    .where('r.event_time', '>=', query.startTime)
    .where('r.event_time', '<=', query.endTime);
  if (query.after) {
    select = select.where(
      sql<boolean>`(r.event_time, r.seq) < (${query.after.eventTime}, ${query.after.seq})`,
    );
  }
  return select
    .orderBy('e.event_time', 'desc')
    .orderBy('e.seq', 'desc')
    .limit(query.limit)
    .execute();
}

const SWEEP_CHUNK = 1000;

/**
 * Deletes the events of one account and region older than `before` (epoch ms),
 * a chunk at a time along the (account, region, time) index, so a large
 * backlog never holds the store for long. Answers how many went.
 */
export async function deleteEventsBefore(
  db: Db,
  accountId: string,
  region: string,
  before: number,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const rows = await db
      .selectFrom('events')
      .select('seq')
      .where('account_id', '=', accountId)
      .where('region', '=', region)
      .where('event_time', '<', before)
      .orderBy('event_time')
      .limit(SWEEP_CHUNK)
      .execute();
    if (rows.length === 0) return deleted;

    const seqs = rows.map((row) => row.seq);
    await db.deleteFrom('event_resources').where('seq', 'in', seqs).execute();
    await db.deleteFrom('events').where('seq', 'in', seqs).execute();
    deleted += seqs.length;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * The regions in which an account has any event, in name order. Each step is
 * one seek on the (account, region, time) index, so it costs a handful of
 * lookups however long the history is.
 */
export async function eventRegions(db: Db, accountId: string): Promise<string[]> {
  const regions: string[] = [];
  for (;;) {
    const previous = regions.at(-1);
    let select = db
      .selectFrom('events')
      .select('region')
      .where('account_id', '=', accountId)
      .orderBy('region')
      .limit(1);
    if (previous !== undefined) select = select.where('region', '>', previous);
    const row = await select.executeTakeFirst();
    if (!row) return regions;
    regions.push(row.region);
  }
}
