import type { Logger } from 'pino';
import type { SecretBox } from '../auth/secret-box.js';
import type { GroupCommit } from '../store/group-commit.js';
import type { Clock } from '../util/clock.js';
import { countAttempt, pendingIds, readPending, settle, type OutboxObject } from './outbox.js';
import { planDigests } from './plan-digests.js';
import { planLogFiles } from './plan-logs.js';
import type { KeyRotation } from './signing-keys.js';
import { allTrails, findTrail, writeStatus } from './trail-store.js';
import type { Db } from '../store/db.js';

/** Writes a planned object to its bucket. */
export interface ObjectSink {
  /**
   * Writes the object. `settleIn` must run in the transaction that makes the
   * write visible, when the sink writes through the store; otherwise right
   * after the write has succeeded.
   */
  put(object: OutboxObject, settleIn: (db: Db) => Promise<void>): Promise<void>;
}

/** How the delivery worker is set up. */
export interface DeliveryOptions {
  readonly commits: GroupCommit;
  readonly box: SecretBox;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sink: ObjectSink;
  /** Between log deliveries (AWS: about 5 minutes). */
  readonly deliveryIntervalMs: number;
  /** Between digests of one chain (AWS: an hour). */
  readonly digestIntervalMs: number;
  readonly keyRotation?: KeyRotation;
}

/**
 * The trail delivery worker. Every delivery interval it plans each trail's
 * new log files into the outbox, writing them as they are planned; every
 * round it also plans the digests that have fallen due, then writes what the
 * outbox still holds to the buckets in order. A failed write stays
 * planned, shows as the trail's LatestDeliveryError and is tried again on
 * the next round, before anything the trail planned after it.
 */
export class TrailDelivery {
  private timers: NodeJS.Timeout[] = [];
  /** The round asked for and not started yet: further requests join it. */
  private queued: Promise<void> | undefined;
  /** The last round asked for: each round starts once the one before has ended. */
  private tail: Promise<void> = Promise.resolve();
  private logsDue = false;

  constructor(private readonly options: DeliveryOptions) {}

  /**
   * Starts the timers and writes what a previous run left planned. Log files are planned on
   * the delivery timer; digests on every round, as each chain knows when its next one is due,
   * so a digest is written within the shorter of the two intervals of falling due.
   */
  start(): void {
    const { deliveryIntervalMs, digestIntervalMs } = this.options;
    this.timers.push(setInterval(() => void this.round(true), deliveryIntervalMs));
    this.timers.push(
      setInterval(() => void this.round(false), Math.min(deliveryIntervalMs, digestIntervalMs)),
    );
    for (const timer of this.timers) timer.unref();
    void this.round(true);
  }

  /** Runs one full round now (logs, digests when due, outbox), for tests and shutdown. */
  flush(): Promise<void> {
    return this.round(true);
  }

  /** Stops the timers and waits for the rounds asked for. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.tail;
  }

  /**
   * One round at a time. A request while a round runs queues the next one (so nothing recorded
   * before the request is left for a later timer); requests while one is queued join it.
   */
  private round(logs: boolean): Promise<void> {
    this.logsDue ||= logs;
    if (this.queued) return this.queued;

    const next = this.tail.then(() => {
      this.queued = undefined;
      return this.once();
    });
    this.queued = next;
    this.tail = next;
    return next;
  }

  private async once(): Promise<void> {
    const logs = this.logsDue;
    this.logsDue = false;
    try {
      // A trail whose write failed waits for the next round, for the whole of this one.
      const failed = new Set<string>();
      if (logs) await this.planLogsWhileWriting(failed);
      await this.planAllDigests();
      await this.drain(failed);
    } catch (err) {
      this.options.logger.error({ err }, 'trail delivery round failed');
    }
  }

  /**
   * Plans log files and writes them as they are planned: a large backlog reaches the buckets
   * file by file rather than after all of it is planned, the outbox stays short, and the
   * writes' disk waits overlap the planning.
   */
  private async planLogsWhileWriting(failed: Set<string>): Promise<void> {
    let planning = true;
    let wake = () => {};
    const planned = this.planLogs(() => wake()).finally(() => {
      planning = false;
      wake();
    });
    // Awaited below; until then this keeps a planning failure from counting as unhandled.
    planned.catch(() => undefined);
    try {
      while (planning) {
        // Armed before the outbox is read, so a file planned meanwhile is not missed.
        const next = new Promise<void>((resolve) => (wake = resolve));
        if ((await this.drain(failed)) === 0) await next;
      }
    } finally {
      await planned;
    }
  }

  private async planLogs(onPlanned: () => void): Promise<void> {
    const { commits, clock } = this.options;
    const trails = await commits.run((db) => allTrails(db));
    for (const listed of trails) {
      let more = true;
      while (more) {
        await stepAside();
        more = await commits.run(async (db) => {
          const trail = await findTrail(db, listed.arn);
          return trail ? planLogFiles(db, trail, clock.now()) : false;
        });
        onPlanned();
      }
    }
  }

  private async planAllDigests(): Promise<void> {
    const { commits, clock, box, digestIntervalMs, keyRotation } = this.options;
    const trails = await commits.run((db) => allTrails(db));
    for (const listed of trails) {
      await commits.run(async (db) => {
        const trail = await findTrail(db, listed.arn);
        if (!trail) return;
        await planDigests(db, trail, {
          box,
          now: clock.now(),
          intervalMs: digestIntervalMs,
          ...(keyRotation ? { rotation: keyRotation } : {}),
        });
      });
    }
  }

  /**
   * Writes planned objects oldest first, skipping the trails in `failed` and adding those whose
   * write fails; answers how many objects it wrote.
   */
  private async drain(failed: Set<string>): Promise<number> {
    const { commits } = this.options;
    let written = 0;
    for (const { id, trailArn } of await commits.run((db) => pendingIds(db))) {
      if (failed.has(trailArn)) continue;
      await yieldToIo();
      const object = await commits.run((db) => readPending(db, id));
      if (!object) continue;
      if (await this.write(object)) written += 1;
      else failed.add(trailArn);
    }
    return written;
  }

  private async write(object: OutboxObject): Promise<boolean> {
    const { commits, clock, sink, logger } = this.options;
    const attemptAt = clock.now().getTime();
    try {
      await sink.put(object, async (db) => {
        await settle(db, object.id);
        await writeStatus(db, object.trailArn, delivered(object, clock.now().getTime(), attemptAt));
      });
      return true;
    } catch (err) {
      const message = deliveryError(err);
      logger.warn(
        { trail: object.trailArn, key: object.key, error: message },
        'trail delivery failed',
      );
      await commits.run(async (db) => {
        await countAttempt(db, object.id);
        await writeStatus(db, object.trailArn, failedStatus(object, message, attemptAt));
      });
      return false;
    }
  }
}

/**
 * Lets pending I/O (API requests) run before the next job. The store's driver is synchronous,
 * so job after job would otherwise chain through promise callbacks alone and starve the event
 * loop for the whole backlog: no request could even be read, let alone join a transaction.
 */
function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A page of log files takes a transaction of a tenth of a second or more. An API call needs a
 * few short jobs one after another; pausing between pages lets it finish between two pages
 * instead of waiting behind one page per job, for a few seconds over a million events.
 */
const PAGE_PAUSE_MS = 20;

function stepAside(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, PAGE_PAUSE_MS));
}

function delivered(object: OutboxObject, at: number, attemptAt: number) {
  return object.kind === 'log'
    ? { latest_delivery_at: at, latest_delivery_attempt_at: attemptAt, latest_delivery_error: null }
    : { latest_digest_at: at, latest_digest_error: null };
}

function failedStatus(object: OutboxObject, message: string, attemptAt: number) {
  return object.kind === 'log'
    ? { latest_delivery_attempt_at: attemptAt, latest_delivery_error: message }
    : { latest_digest_error: message };
}

/** The error as GetTrailStatus shows it: S3's error code, as AWS does (`NoSuchBucket`). */
function deliveryError(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const named = err as { code?: unknown; name?: unknown; Code?: unknown };
    for (const value of [named.code, named.Code, named.name]) {
      if (typeof value === 'string' && value !== 'Error') return value;
    }
  }
  return err instanceof Error ? err.message : String(err);
}
