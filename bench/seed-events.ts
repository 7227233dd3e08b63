import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { openSqliteStore } from '../src/store/db.js';
import { makeCallers, RecordFactory, type SeedRow } from './event-records.js';
import { Random } from './random.js';

/** What to seed. */
export interface SeedPlan {
  readonly file: string;
  readonly count: number;
  readonly accountId: string;
  readonly region: string;
  /** Events spread evenly (with jitter) over [startMs, endMs], oldest first. */
  readonly startMs: number;
  readonly endMs: number;
}

/** What seeding wrote. */
export interface SeedStats {
  readonly count: number;
  readonly seconds: number;
  readonly averageRecordBytes: number;
  readonly usernames: readonly string[];
}

const BATCH = 10_000;
const PROGRESS_EVERY = 100_000;
const INSERT = `INSERT INTO events
  (event_id, account_id, region, event_time, event_name, event_source, read_only,
   username, access_key_id, record)
  VALUES (@eventId, @accountId, @region, @eventTime, @eventName, @eventSource, @readOnly,
   @username, @accessKeyId, @record)`;

/**
 * Creates the store with fedgate's own migrations (so schema and indexes are
 * the real ones), then writes `count` events straight into it in
 * transactions of 10,000, printing progress to stderr.
 */
export async function seedEvents(plan: SeedPlan): Promise<SeedStats> {
  await (await openSqliteStore(plan.file)).destroy();
  const db = new BetterSqlite3(plan.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  try {
    return writeEvents(db, plan);
  } finally {
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  }
}

function writeEvents(db: BetterSqlite3.Database, plan: SeedPlan): SeedStats {
  const started = performance.now();
  const random = new Random(0x5eed);
  const callers = makeCallers(random);
  const factory = new RecordFactory(random, plan.accountId, plan.region, callers);
  const insert = db.prepare(INSERT);
  const insertBatch = db.transaction((rows: SeedRow[]) => {
    for (const row of rows) insert.run({ ...row, accountId: plan.accountId, region: plan.region });
  });

  let recordBytes = 0;
  const step = (plan.endMs - plan.startMs) / plan.count;
  for (let done = 0; done < plan.count;) {
    const size = Math.min(BATCH, plan.count - done);
    const rows = Array.from({ length: size }, (_, i) =>
      factory.row(Math.floor(plan.startMs + (done + i + random.next()) * step)),
    );
    insertBatch(rows);
    for (const row of rows) recordBytes += row.record.length;
    done += size;
    if (done % PROGRESS_EVERY === 0 || done === plan.count) progress(done, plan.count, started);
  }
  return {
    count: plan.count,
    seconds: (performance.now() - started) / 1000,
    averageRecordBytes: Math.round(recordBytes / plan.count),
    usernames: callers.map((caller) => caller.userName),
  };
}

function progress(done: number, total: number, started: number): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(
    `  seeded ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} events (${seconds} s)\n`,
  );
}
