/**
 * The trail delivery scenario: a fedgate of its own whose multi-region trail (log file
 * validation on) is logging when the seeded events are recorded; timed from spawning fedgate
 * until every event is in a delivered log file and every log file in a delivered digest; then
 * `aws cloudtrail validate-logs` over the result; then what moto does with the same trail.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { onCleanup } from './children.js';
import { REGION } from './operations.js';
import { startFedgate, type Peer } from './peers.js';
import type { Credentials } from './sign.js';
import { appendSeededEvents, createLoggingTrail, listedObjects } from './trail-setup.js';
import { trailClients, trailStatus, type TrailPlan } from './trail-setup.js';
import { measureMotoTrail, type MotoTrailResult } from './trail-moto.js';
import { runValidateLogs, type ValidateResult } from './trail-validate.js';

/** What the trail scenario is given. */
export interface TrailSettings {
  readonly root: string;
  readonly workDir: string;
  readonly accountId: string;
  readonly credentials: Credentials;
  /** The seeded store whose events are recorded while the trail logs. */
  readonly seedDatabase: string;
  readonly events: number;
  readonly moto: Peer;
  /** How long moto is watched for a delivery. */
  readonly motoWatchSeconds: number;
}

/** What the trail scenario measured. */
export interface TrailResult {
  readonly events: number;
  /** Seconds to record the events in the stopped fedgate's store (setup, not timed below). */
  readonly recordSeconds: number;
  readonly deliveryIntervalSeconds: number;
  readonly digestIntervalSeconds: number;
  /** Spawning fedgate to GET /health answering 200 (part of deliverSeconds). */
  readonly startSeconds: number;
  /** Spawning fedgate to every event delivered and every log file in a delivered digest. */
  readonly deliverSeconds: number;
  readonly eventsPerSecond: number;
  readonly logFiles: number;
  readonly logBytes: number;
  readonly digests: number;
  readonly latestDeliveryError?: string;
  readonly validate: ValidateResult;
  readonly moto: MotoTrailResult;
}

const PLAN: Omit<TrailPlan, 'accountId'> = {
  partition: 'aws-us-gov',
  region: REGION,
  bucket: 'bench-trail-logs',
  trailName: 'bench-audit',
};
const INTERVAL_SECONDS = 1;
const POLL_MS = 100;
const DELIVERY_TIMEOUT_MS = 30 * 60_000;

/** Runs the scenario end to end; its fedgate and data directory are gone afterwards. */
export async function measureTrails(settings: TrailSettings): Promise<TrailResult> {
  const plan: TrailPlan = { ...PLAN, accountId: settings.accountId };
  const dataDir = join(settings.workDir, `trails-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  try {
    const { trailArn, startTime } = await prepareTrail(settings, plan, dataDir);
    process.stderr.write(`bench: trails: recording ${fmt(settings.events)} events\n`);
    const database = join(dataDir, 'fedgate.db');
    const recordSeconds = appendSeededEvents(database, settings.seedDatabase, settings.events);
    const delivered = await deliver(settings, plan, dataDir, { trailArn, startTime });
    const moto = await measureMotoTrail(settings.moto, settings.credentials, plan, {
      watchSeconds: settings.motoWatchSeconds,
    });
    return { events: settings.events, recordSeconds, ...delivered, moto };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Creates bucket and trail on a fresh fedgate, starts logging, and stops that fedgate. */
async function prepareTrail(
  settings: TrailSettings,
  plan: TrailPlan,
  dataDir: string,
): Promise<{ trailArn: string; startTime: Date }> {
  process.stderr.write('bench: trails: creating bucket and trail\n');
  const fedgate = await startFedgate({ ...fedgateSetup(settings, dataDir), extraArgs: [] });
  try {
    const startTime = new Date(Date.now() - 60_000);
    const clients = trailClients(fedgate.target, settings.credentials, plan.region);
    const trailArn = await createLoggingTrail(clients, plan);
    return { trailArn, startTime };
  } finally {
    await fedgate.stop();
  }
}

function fedgateSetup(settings: TrailSettings, dataDir: string) {
  const { root, accountId, credentials } = settings;
  return { root, dataDir, accountId, credentials };
}

type Delivered = Omit<TrailResult, 'events' | 'recordSeconds' | 'moto'>;

async function deliver(
  settings: TrailSettings,
  plan: TrailPlan,
  dataDir: string,
  trail: { trailArn: string; startTime: Date },
): Promise<Delivered> {
  const store = new DeliveryProgress(join(dataDir, 'fedgate.db'), trail.trailArn);
  process.stderr.write('bench: trails: starting fedgate and timing delivery\n');
  const spawned = performance.now();
  const interval = String(INTERVAL_SECONDS);
  const fedgate = await startFedgate({
    ...fedgateSetup(settings, dataDir),
    extraArgs: ['--trail-delivery-interval', interval, '--digest-interval', interval],
  });
  try {
    const startSeconds = (performance.now() - spawned) / 1000;
    await store.waitUntilDone(fedgate);
    const deliverSeconds = (performance.now() - spawned) / 1000;
    store.close();

    const clients = trailClients(fedgate.target, settings.credentials, plan.region);
    const prefix = `AWSLogs/${plan.accountId}/`;
    const logs = await listedObjects(clients.s3, plan.bucket, `${prefix}CloudTrail/`);
    const digests = await listedObjects(clients.s3, plan.bucket, `${prefix}CloudTrail-Digest/`);
    const status = await trailStatus(clients.cloudTrail, plan.trailName);
    const validate = await runValidateLogs(fedgate.target, settings.credentials, {
      trailArn: trail.trailArn,
      startTime: trail.startTime,
      region: plan.region,
    });
    return {
      deliveryIntervalSeconds: INTERVAL_SECONDS,
      digestIntervalSeconds: INTERVAL_SECONDS,
      startSeconds,
      deliverSeconds,
      eventsPerSecond: settings.events / deliverSeconds,
      logFiles: logs.count,
      logBytes: logs.bytes,
      digests: digests.count,
      ...(status.LatestDeliveryError ? { latestDeliveryError: status.LatestDeliveryError } : {}),
      validate,
    };
  } finally {
    store.close();
    await fedgate.stop();
  }
}

/**
 * Reads fedgate's store (read-only, beside the running server, as WAL allows) for how far
 * delivery has come: cheaper than listing a growing bucket over HTTP every 100 ms, and it
 * sees the outbox, which no API shows.
 */
class DeliveryProgress {
  private db: BetterSqlite3.Database | undefined;
  private readonly target: number;

  constructor(
    private readonly file: string,
    private readonly trailArn: string,
  ) {
    const db = new BetterSqlite3(file, { readonly: true });
    try {
      const row = db.prepare('SELECT max(seq) AS seq FROM events').get() as { seq: number };
      this.target = row.seq;
    } finally {
      db.close();
    }
  }

  /** Resolves once every event is planned, the outbox is empty and every log file digested. */
  async waitUntilDone(fedgate: Peer): Promise<void> {
    const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
    let reported = 0;
    for (;;) {
      fedgate.checkAlive();
      const state = this.read();
      if (state.done) return;
      if (state.deliveredSeq - reported >= 100_000) {
        reported = state.deliveredSeq;
        process.stderr.write(`  planned through seq ${fmt(state.deliveredSeq)}\n`);
      }
      if (Date.now() > deadline) throw new Error('trail delivery did not finish in 30 minutes');
      await delay(POLL_MS);
    }
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }

  private read(): { done: boolean; deliveredSeq: number } {
    const db = (this.db ??= new BetterSqlite3(this.file, { readonly: true, fileMustExist: true }));
    const count = (table: string) => {
      const row = db.prepare(`SELECT count(*) AS n FROM ${table} WHERE trail_arn = ?`);
      return (row.get(this.trailArn) as { n: number }).n;
    };
    const trail = db
      .prepare('SELECT delivered_seq FROM trails WHERE trail_arn = ?')
      .get(this.trailArn) as { delivered_seq: number } | undefined;
    const deliveredSeq = trail?.delivered_seq ?? 0;
    const done =
      deliveredSeq >= this.target && count('trail_outbox') === 0 && count('trail_log_files') === 0;
    return { done, deliveredSeq };
  }
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
