import { sql } from 'kysely';
import type { AdvancedEventSelector, EventSelector } from '../model/generated/cloudtrail.js';
import type { Db } from '../store/db.js';
import type { TrailsTable } from '../store/schema.js';

/**
 * Trails as the store keeps them. A trail is one row in its home region; a
 * multi-region trail's shadows in the partition's other regions are computed
 * on read, never stored, so they cannot drift from their trail.
 */

/** What a trail was created or updated with. */
export interface TrailSettings {
  readonly s3BucketName: string;
  readonly s3KeyPrefix?: string;
  readonly includeGlobalServiceEvents: boolean;
  readonly isMultiRegionTrail: boolean;
  readonly logFileValidationEnabled: boolean;
}

/** A trail with its status. */
export interface StoredTrail {
  readonly arn: string;
  readonly accountId: string;
  readonly name: string;
  readonly homeRegion: string;
  readonly settings: TrailSettings;
  /** Undefined while the trail has CloudTrail's default selector. */
  readonly eventSelectors?: EventSelector[];
  readonly advancedEventSelectors?: AdvancedEventSelector[];
  readonly createdAt: Date;
  readonly logging: boolean;
  readonly startLoggingAt?: Date;
  readonly stopLoggingAt?: Date;
  readonly deliveredSeq: number;
  readonly latestDeliveryAt?: Date;
  readonly latestDeliveryAttemptAt?: Date;
  readonly latestDeliveryError?: string;
  readonly latestDigestAt?: Date;
  readonly latestDigestError?: string;
}

/** The trail with this ARN, whatever region asks. */
export async function findTrail(db: Db, arn: string): Promise<StoredTrail | undefined> {
  const row = await db
    .selectFrom('trails')
    .selectAll()
    .where('trail_arn', '=', arn)
    .executeTakeFirst();
  return row && fromRow(row);
}

/** Every trail of an account, in every region, by name. */
export async function accountTrails(db: Db, accountId: string): Promise<StoredTrail[]> {
  const rows = await db
    .selectFrom('trails')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('name')
    .orderBy('home_region')
    .execute();
  return rows.map(fromRow);
}

/** Every trail of every account, for the delivery worker. */
export async function allTrails(db: Db): Promise<StoredTrail[]> {
  const rows = await db.selectFrom('trails').selectAll().orderBy('trail_arn').execute();
  return rows.map(fromRow);
}

/** Stores a new trail, not logging. */
export async function insertTrail(
  db: Db,
  trail: Pick<StoredTrail, 'arn' | 'accountId' | 'name' | 'homeRegion' | 'settings' | 'createdAt'>,
): Promise<void> {
  await db
    .insertInto('trails')
    .values({
      trail_arn: trail.arn,
      account_id: trail.accountId,
      name: trail.name,
      home_region: trail.homeRegion,
      settings: JSON.stringify(trail.settings),
      event_selectors: null,
      advanced_event_selectors: null,
      created_at: trail.createdAt.getTime(),
      logging: 0,
      start_logging_at: null,
      stop_logging_at: null,
      delivered_seq: 0,
      latest_delivery_at: null,
      latest_delivery_attempt_at: null,
      latest_delivery_error: null,
      latest_digest_at: null,
      latest_digest_error: null,
    })
    .execute();
}

/** Replaces a trail's settings. */
export async function writeSettings(db: Db, arn: string, settings: TrailSettings): Promise<void> {
  await db
    .updateTable('trails')
    .set({ settings: JSON.stringify(settings) })
    .where('trail_arn', '=', arn)
    .execute();
}

/** Replaces a trail's selectors: exactly one of the two kinds is set, or neither (the default). */
export async function writeSelectors(
  db: Db,
  arn: string,
  selectors: { basic?: EventSelector[]; advanced?: AdvancedEventSelector[] },
): Promise<void> {
  await db
    .updateTable('trails')
    .set({
      event_selectors: selectors.basic ? JSON.stringify(selectors.basic) : null,
      advanced_event_selectors: selectors.advanced ? JSON.stringify(selectors.advanced) : null,
    })
    .where('trail_arn', '=', arn)
    .execute();
}

/** Writes status columns (delivery times and errors, logging flags). */
export async function writeStatus(
  db: Db,
  arn: string,
  status: Partial<
    Pick<
      TrailsTable,
      | 'logging'
      | 'start_logging_at'
      | 'stop_logging_at'
      | 'delivered_seq'
      | 'latest_delivery_at'
      | 'latest_delivery_attempt_at'
      | 'latest_delivery_error'
      | 'latest_digest_at'
      | 'latest_digest_error'
    >
  >,
): Promise<void> {
  await db.updateTable('trails').set(status).where('trail_arn', '=', arn).execute();
}

/** Removes a trail and everything its delivery kept, including objects not yet written. */
export async function deleteTrail(db: Db, arn: string): Promise<void> {
  await db.deleteFrom('trails').where('trail_arn', '=', arn).execute();
  await db.deleteFrom('trail_logging_spans').where('trail_arn', '=', arn).execute();
  await db.deleteFrom('trail_log_files').where('trail_arn', '=', arn).execute();
  await db.deleteFrom('trail_digest_chains').where('trail_arn', '=', arn).execute();
  await db.deleteFrom('trail_outbox').where('trail_arn', '=', arn).execute();
  await db.deleteFrom('tags').where('resource_arn', '=', arn).execute();
}

/** The newest event's sequence number: logging spans begin and end at one. */
export async function lastEventSeq(db: Db): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('seq').as('last'))
    .executeTakeFirst();
  return Number(row?.last ?? 0);
}

/** The last sequence number SQLite handed out for events, even if that event is gone. */
async function lastAssignedSeq(db: Db): Promise<number> {
  const { rows } = await sql<{ seq: number }>`
    SELECT seq FROM sqlite_sequence WHERE name = 'events'
  `.execute(db);
  return Number(rows[0]?.seq ?? 0);
}

/** Opens a logging span after the newest event. */
export async function openLoggingSpan(db: Db, arn: string): Promise<void> {
  const after = await lastEventSeq(db);
  await db
    .insertInto('trail_logging_spans')
    .values({ trail_arn: arn, after_seq: after, through_seq: null })
    .onConflict((conflict) => conflict.columns(['trail_arn', 'after_seq']).doNothing())
    .execute();
}

/**
 * Closes the open logging span, including the record about to be written for the call that
 * closes it (StopLogging is delivered by the trail it stops, as StartLogging is by the trail it
 * starts). The call's record is the next event the store numbers: it is written right after
 * the operation, in the same transaction, and SQLite numbers events from sqlite_sequence.
 */
export async function closeLoggingSpan(db: Db, arn: string): Promise<void> {
  const through = (await lastAssignedSeq(db)) + 1;
  await db
    .updateTable('trail_logging_spans')
    .set({ through_seq: through })
    .where('trail_arn', '=', arn)
    .where('through_seq', 'is', null)
    .execute();
}

function fromRow(row: TrailsTable): StoredTrail {
  return {
    arn: row.trail_arn,
    accountId: row.account_id,
    name: row.name,
    homeRegion: row.home_region,
    settings: JSON.parse(row.settings) as TrailSettings,
    ...(row.event_selectors === null
      ? {}
      : { eventSelectors: JSON.parse(row.event_selectors) as EventSelector[] }),
    ...(row.advanced_event_selectors === null
      ? {}
      : {
          advancedEventSelectors: JSON.parse(
            row.advanced_event_selectors,
          ) as AdvancedEventSelector[],
        }),
    createdAt: new Date(Number(row.created_at)),
    logging: row.logging === 1,
    ...optionalDate('startLoggingAt', row.start_logging_at),
    ...optionalDate('stopLoggingAt', row.stop_logging_at),
    deliveredSeq: Number(row.delivered_seq),
    ...optionalDate('latestDeliveryAt', row.latest_delivery_at),
    ...optionalDate('latestDeliveryAttemptAt', row.latest_delivery_attempt_at),
    ...(row.latest_delivery_error === null
      ? {}
      : { latestDeliveryError: row.latest_delivery_error }),
    ...optionalDate('latestDigestAt', row.latest_digest_at),
    ...(row.latest_digest_error === null ? {} : { latestDigestError: row.latest_digest_error }),
  };
}

function optionalDate<K extends string>(key: K, ms: number | null): { [P in K]?: Date } {
  return (ms === null ? {} : { [key]: new Date(Number(ms)) }) as { [P in K]?: Date };
}
