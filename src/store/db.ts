import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  SqliteDialect,
  type Migration,
  type SqliteDatabase,
  type Transaction,
} from 'kysely';
import * as initial from './migrations/0001-initial.js';
import * as clustersAndTags from './migrations/0002-clusters-and-tags.js';
import * as taskDefinitions from './migrations/0003-task-definitions.js';
import * as tasks from './migrations/0004-tasks.js';
import * as execSessions from './migrations/0005-exec-sessions.js';
import * as s3BucketsAndObjects from './migrations/0006-s3-buckets-and-objects.js';
import * as trailSigningKeys from './migrations/0007-trail-signing-keys.js';
import * as trails from './migrations/0008-trails.js';
import * as eventCategory from './migrations/0009-event-category.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import type { Database } from './schema.js';

/** A connection to the store, or a transaction on it: what repositories take. */
export type Db = Kysely<Database> | Transaction<Database>;

/** The migrations in the order they apply; names never change once released. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-clusters-and-tags': clustersAndTags,
  '0003-task-definitions': taskDefinitions,
  '0004-tasks': tasks,
  '0005-exec-sessions': execSessions,
  '0006-s3-buckets-and-objects': s3BucketsAndObjects,
  '0007-trail-signing-keys': trailSigningKeys,
  '0008-trails': trails,
  '0009-event-category': eventCategory,
};

/**
 * Opens (creating if needed) the embedded SQLite store at `file` and brings its
 * schema up to date. WAL with synchronous=NORMAL keeps every committed
 * transaction across a crash of the process, which is what an acknowledged
 * write promises; busy_timeout lets CLI commands write while a server runs.
 */
export async function openSqliteStore(
  file: string,
  options: { backgroundCheckpoints?: boolean } = {},
): Promise<Kysely<Database>> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Every call adds to seven indexes of the event history, one keyed by random event ids:
  // a page cache of 64 MiB keeps their hot pages in memory at a million events.
  sqlite.pragma('cache_size = -65536');

  const checkpointer =
    options.backgroundCheckpoints && file !== ':memory:' ? startCheckpointer(file) : undefined;
  if (checkpointer) sqlite.pragma('wal_autocheckpoint = 0');

  const database = withStatementCache(sqlite, checkpointer);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  closings.set(db, database);
  await migrate(db);
  return db;
}

/** What closing each store takes beyond Kysely's destroy, which does not wait for it. */
const closings = new WeakMap<Kysely<Database>, { closed(): Promise<void> }>();

/**
 * Closes a store and waits until its file is let go: Kysely's `destroy` starts closing the
 * connection without waiting, and the background checkpointer's thread may still hold the
 * file then (a data directory removed meanwhile would lose a checkpoint mid-write).
 */
export async function closeStore(db: Kysely<Database>): Promise<void> {
  await db.destroy();
  await closings.get(db)?.closed();
}

const STATEMENT_CACHE_SIZE = 512;

/**
 * Kysely prepares every query anew; preparing costs more than running the small
 * statements fedgate makes, so prepared statements are kept by their SQL text
 * (a bounded, least-recently-used set). better-sqlite3 runs them synchronously,
 * so one statement is never in use twice at once.
 */
function withStatementCache(
  sqlite: BetterSqlite3.Database,
  checkpointer?: Checkpointer,
): SqliteDatabase & { closed(): Promise<void> } {
  const statements = new Map<string, BetterSqlite3.Statement>();
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await checkpointer?.stop();
      sqlite.close();
    })());
  return {
    close,
    closed: () => closing ?? Promise.resolve(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (statement) {
        statements.delete(text);
      } else {
        statement = sqlite.prepare(text);
        if (statements.size >= STATEMENT_CACHE_SIZE)
          statements.delete(statements.keys().next().value ?? '');
      }
      statements.set(text, statement);
      return statement;
    },
  };
}

async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw new Error('store migration failed', { cause: error });
}
