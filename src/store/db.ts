import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration, type Transaction } from 'kysely';
import * as initial from './migrations/0001-initial.js';
import type { Database } from './schema.js';

/** A connection to the store, or a transaction on it: what repositories take. */
export type Db = Kysely<Database> | Transaction<Database>;

/** The migrations in the order they apply; names never change once released. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
};

/**
 * Opens (creating if needed) the embedded SQLite store at `file` and brings its
 * schema up to date. WAL with synchronous=NORMAL keeps every committed
 * transaction across a crash of the process, which is what an acknowledged
 * write promises; busy_timeout lets CLI commands write while a server runs.
 */
export async function openSqliteStore(file: string): Promise<Kysely<Database>> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');

  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db);
  return db;
}

async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw new Error('store migration failed', { cause: error });
}
