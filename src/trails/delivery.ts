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
 * new log files, and every digest interval its digests, into the outbox,
 * then writes the outbox to the buckets in order. A failed write stays
 * planned, shows as the trail's LatestDeliveryError and is tried again on
 * the next round, before anything the trail planned after it.
 */
export class TrailDelivery {
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<void> | undefined;
  private again = false;
  private digestsDue = false;

  constructor(private readonly options: DeliveryOptions) {}

  /** Starts the timers and writes what a previous run left planned. */
  start(): void {
    const { deliveryIntervalMs, digestIntervalMs } = this.options;
    this.timers.push(setInterval(() => void this.round(false), deliveryIntervalMs));
    this.timers.push(setInterval(() => void this.round(true), digestIntervalMs));
    for (const timer of this.timers) timer.unref();
    void this.round(false);
  }

  /** Runs one full round now (logs, digests when due, outbox), for tests and shutdown. */
  async flush(withDigests = true): Promise<void> {
    await this.round(withDigests);
    if (this.running) await this.running;
  }

  /** Stops the timers and waits for the round in progress. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.again = false;
    if (this.running) await this.running;
  }

  /** One round at a time; a round asked for meanwhile runs once the current one ends. */
  private async round(digests: boolean): Promise<void> {
    this.digestsDue ||= digests;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const digests = this.digestsDue;
      this.digestsDue = false;
      try {
        await this.planLogs();
        if (digests) await this.planAllDigests();
        await this.drain();
      } catch (err) {
        this.options.logger.error({ err }, 'trail delivery round failed');
      }
    } while (this.again);
  }

  private async planLogs(): Promise<void> {
    const { commits, clock } = this.options;
    const trails = await commits.run((db) => allTrails(db));
    for (const listed of trails) {
      let more = true;
      while (more) {
        more = await commits.run(async (db) => {
          const trail = await findTrail(db, listed.arn);
          return trail ? planLogFiles(db, trail, clock.now()) : false;
        });
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

  /** Writes planned objects oldest first; a trail whose write failed waits for the next round. */
  private async drain(): Promise<void> {
    const { commits } = this.options;
    const failed = new Set<string>();
    for (const { id, trailArn } of await commits.run((db) => pendingIds(db))) {
      if (failed.has(trailArn)) continue;
      const object = await commits.run((db) => readPending(db, id));
      if (!object) continue;
      if (!(await this.write(object))) failed.add(trailArn);
    }
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
