import { sql } from 'kysely';
import { findRegion, regionsOf } from '../partitions.js';
import type { Db } from '../store/db.js';
import { buildLogFile, logFileUniqueId, logObjectKey } from './log-file.js';
import { enqueue } from './outbox.js';
import { selects } from './selectors.js';
import { lastEventSeq, writeStatus, type StoredTrail } from './trail-store.js';

/** A log file holds at most this many records; a busy trail gets several files per delivery. */
export const MAX_RECORDS_PER_FILE = 10_000;

/** A span of the event sequence a trail logged: (after, through]. */
interface Span {
  readonly after: number;
  readonly through: number | null;
}

interface Candidate {
  readonly seq: number;
  readonly region: string;
  readonly eventTime: number;
  readonly eventSource: string;
  readonly eventName: string;
  readonly readOnly: boolean;
  readonly category: 'Management' | 'Data';
  readonly record: string;
}

/**
 * Plans a trail's next log files: of up to MAX_RECORDS_PER_FILE events
 * recorded after its last delivery, those it logged and selects go into the
 * outbox, one file per region; the trail's delivered position moves past
 * them in the same transaction. Answers true while more may be waiting.
 */
export async function planLogFiles(db: Db, trail: StoredTrail, now: Date): Promise<boolean> {
  const spans = await loggingSpans(db, trail.arn);
  const first = spans[0];
  if (!first) return false;

  const from = Math.max(trail.deliveredSeq, first.after);
  const candidates = await eventsAfter(db, trail, from);
  const full = candidates.length === MAX_RECORDS_PER_FILE;
  const chosen = candidates.filter((event) => inSpans(event.seq, spans) && selected(trail, event));

  for (const [region, batch] of byRegion(chosen)) {
    await enqueueLogFile(db, trail, region, batch, now);
  }
  // Short of a full page, every event of the trail's account and regions has been seen.
  const through = full ? (candidates.at(-1)?.seq ?? from) : await lastEventSeq(db);
  await writeStatus(db, trail.arn, { delivered_seq: Math.max(through, trail.deliveredSeq) });
  return full;
}

function byRegion(events: Candidate[]): Map<string, Candidate[]> {
  const groups = new Map<string, Candidate[]>();
  for (const event of events) {
    const group = groups.get(event.region);
    if (group) group.push(event);
    else groups.set(event.region, [event]);
  }
  return groups;
}

async function enqueueLogFile(
  db: Db,
  trail: StoredTrail,
  region: string,
  batch: Candidate[],
  now: Date,
): Promise<void> {
  const file = buildLogFile(batch.map((event) => event.record));
  const bucket = trail.settings.s3BucketName;
  const key = logObjectKey({
    ...(trail.settings.s3KeyPrefix ? { prefix: trail.settings.s3KeyPrefix } : {}),
    accountId: trail.accountId,
    region,
    deliveredAt: now,
    unique: logFileUniqueId(),
  });

  await enqueue(
    db,
    { trailArn: trail.arn, kind: 'log', bucket, key, body: file.gzipped, metadata: {} },
    now,
  );
  if (trail.settings.logFileValidationEnabled) {
    const times = batch.map((event) => event.eventTime);
    await db
      .insertInto('trail_log_files')
      .values({
        trail_arn: trail.arn,
        region,
        bucket,
        object_key: key,
        sha256: file.sha256Hex,
        oldest_event_at: Math.min(...times),
        newest_event_at: Math.max(...times),
        planned_at: now.getTime(),
      })
      .execute();
  }
}

async function loggingSpans(db: Db, arn: string): Promise<Span[]> {
  const rows = await db
    .selectFrom('trail_logging_spans')
    .select(['after_seq', 'through_seq'])
    .where('trail_arn', '=', arn)
    .orderBy('after_seq')
    .execute();
  return rows.map((row) => ({
    after: Number(row.after_seq),
    through: row.through_seq === null ? null : Number(row.through_seq),
  }));
}

async function eventsAfter(db: Db, trail: StoredTrail, from: number): Promise<Candidate[]> {
  const rows = await db
    .selectFrom('events')
    .select([
      'seq',
      'region',
      'event_time',
      'event_source',
      'event_name',
      'read_only',
      'management',
      'record',
    ])
    // The unary plus keeps SQLite off the (account_id, region, …) indexes: with them it reads
    // every event of the account and sorts them all to find the next page (seconds a page at a
    // million events); walking the primary key from `from` reads only the page, and any other
    // accounts' events among it.
    .where(sql<string>`+account_id`, '=', trail.accountId)
    .where(sql<string>`+region`, 'in', regionNames(trail))
    .where('seq', '>', from)
    .orderBy('seq')
    .limit(MAX_RECORDS_PER_FILE)
    .execute();
  return rows.map((row) => ({
    seq: Number(row.seq),
    region: row.region,
    eventTime: Number(row.event_time),
    eventSource: row.event_source,
    eventName: row.event_name,
    readOnly: row.read_only === 1,
    category: row.management === 1 ? 'Management' : 'Data',
    record: row.record,
  }));
}

/** A single-region trail records its home region; a multi-region one its whole partition. */
function regionNames(trail: StoredTrail): string[] {
  const home = findRegion(trail.homeRegion);
  if (!home || !trail.settings.isMultiRegionTrail) return [trail.homeRegion];
  return regionsOf(home.partition).map((region) => region.name);
}

function inSpans(seq: number, spans: Span[]): boolean {
  return spans.some((span) => seq > span.after && (span.through === null || seq <= span.through));
}

/** Selectors test a record's error code and a data event's resource only when they need to. */
function selected(trail: StoredTrail, event: Candidate): boolean {
  if (!trail.advancedEventSelectors && event.category === 'Management') {
    return selects(trail, event);
  }
  const record = JSON.parse(event.record) as {
    errorCode?: string;
    resources?: { type?: string; ARN?: string }[];
  };
  const resource = record.resources?.[0];
  return selects(trail, {
    ...event,
    ...(record.errorCode ? { errorCode: record.errorCode } : {}),
    ...(resource?.type ? { resourceType: resource.type } : {}),
    ...(resource?.ARN ? { resourceArn: resource.ARN } : {}),
  });
}
