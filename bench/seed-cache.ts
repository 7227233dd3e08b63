import { createHash } from 'node:crypto';
import { closeSync, constants, copyFileSync, existsSync, fsyncSync, mkdirSync } from 'node:fs';
import { openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { sql } from 'kysely';
import { openSqliteStore } from '../src/store/db.js';
import { seedEvents, type SeedStats } from './seed-events.js';

/** Bump when the seeded data changes shape, so old caches are not reused. */
export const SEED_VERSION = 1;

const DAY_MS = 24 * 60 * 60 * 1000;
const SPAN_DAYS = 80;
/** fedgate deletes events older than 90 days; reseed before seeded ones get close. */
const MAX_CACHE_AGE_DAYS = 7;

/** A seeded store in the cache: its database file and how it was made. */
export interface SeededStore {
  readonly dir: string;
  readonly database: string;
  readonly meta: SeedMeta;
  /** Set when this run seeded it; undefined when it came from the cache. */
  readonly seededNow?: SeedStats;
}

/** Written beside the seeded database once seeding finished. */
export interface SeedMeta {
  readonly seedVersion: number;
  readonly migrations: readonly string[];
  readonly count: number;
  readonly accountId: string;
  readonly region: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly seededAt: string;
  readonly seedSeconds: number;
  readonly averageRecordBytes: number;
  readonly usernames: readonly string[];
}

/** What the cache is asked for. */
export interface SeedRequest {
  readonly cacheDir: string;
  readonly count: number;
  readonly accountId: string;
  readonly region: string;
  readonly reseed: boolean;
}

/**
 * The seeded store for `request`, from the cache when one was made with the
 * same seed version, migrations, count and account less than a week ago;
 * otherwise seeded now (into a temporary directory, renamed when complete).
 */
export async function seededStore(request: SeedRequest): Promise<SeededStore> {
  const { migrations, schema } = await freshSchema();
  const dir = join(request.cacheDir, cacheKey(request, schema));
  const cached = request.reseed ? undefined : readMeta(dir);
  if (cached && isFresh(cached)) return { dir, database: databaseIn(dir), meta: cached };
  if (cached)
    process.stderr.write(`bench: cached events are over ${MAX_CACHE_AGE_DAYS} days old\n`);
  return seedInto(dir, request, migrations);
}

/**
 * What a fresh store looks like: the names of fedgate's migrations and every
 * CREATE statement they ran, so any schema change gives a new cache key.
 */
async function freshSchema(): Promise<{ migrations: string[]; schema: string }> {
  const db = await openSqliteStore(':memory:');
  try {
    const names = await sql<{ name: string }>`
      SELECT name FROM kysely_migration ORDER BY name`.execute(db);
    const objects = await sql<{ sql: string | null }>`
      SELECT sql FROM sqlite_master WHERE name NOT LIKE 'kysely_%' ORDER BY type, name`.execute(db);
    const schema = objects.rows.map((row) => row.sql ?? '').join(';\n');
    return { migrations: names.rows.map((row) => row.name), schema };
  } finally {
    await db.destroy();
  }
}

function cacheKey(request: SeedRequest, schema: string): string {
  const hash = createHash('sha256').update(schema).digest('hex').slice(0, 10);
  return `events-v${SEED_VERSION}-${hash}-${request.accountId}-${request.count}`;
}

function databaseIn(dir: string): string {
  return join(dir, 'fedgate.db');
}

function readMeta(dir: string): SeedMeta | undefined {
  const file = join(dir, 'meta.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as SeedMeta;
}

function isFresh(meta: SeedMeta): boolean {
  return Date.now() - Date.parse(meta.seededAt) < MAX_CACHE_AGE_DAYS * DAY_MS;
}

async function seedInto(
  dir: string,
  request: SeedRequest,
  migrations: readonly string[],
): Promise<SeededStore> {
  const scratch = `${dir}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const endMs = Date.now() - 60_000;
  const startMs = endMs - SPAN_DAYS * DAY_MS;
  const { count, accountId, region } = request;
  process.stderr.write(`bench: seeding ${count.toLocaleString('en-US')} events into ${dir}\n`);
  const stats = await seedEvents({
    file: databaseIn(scratch),
    count,
    accountId,
    region,
    startMs,
    endMs,
  });

  const meta: SeedMeta = {
    seedVersion: SEED_VERSION,
    migrations,
    count,
    accountId,
    region,
    startMs,
    endMs,
    seededAt: new Date().toISOString(),
    seedSeconds: stats.seconds,
    averageRecordBytes: stats.averageRecordBytes,
    usernames: stats.usernames,
  };
  writeFileSync(join(scratch, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(scratch, dir);
  removeOutdatedSeeds(dir);
  return { dir, database: databaseIn(dir), meta, seededNow: stats };
}

/** Removes caches of the same account and count made by another seed version or schema. */
function removeOutdatedSeeds(current: string): void {
  const parent = dirname(current);
  const suffix = basename(current).replace(/^events-v\d+-[0-9a-f]+/, '');
  for (const name of readdirSync(parent)) {
    if (name.startsWith('events-v') && name.endsWith(suffix) && join(parent, name) !== current) {
      rmSync(join(parent, name), { recursive: true, force: true });
    }
  }
}

/**
 * Copies the seeded database into `workDir` (a reflink where the file system
 * allows), so the benchmark's own writes never reach the cache. The copy is
 * flushed to disk before fedgate starts: otherwise fedgate's first WAL
 * checkpoint fsyncs ~2 GB of freshly copied pages and stalls for most of a second.
 */
export function workingCopy(store: SeededStore, workDir: string): string {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const file = join(workDir, 'fedgate.db');
  copyFileSync(store.database, file, constants.COPYFILE_FICLONE);
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return workDir;
}

/**
 * Removes working copies (`run-<pid>`) left behind by runs that were killed
 * outright, so they do not pile up at 2 GB each.
 */
export function removeStaleCopies(cacheDir: string): void {
  if (!existsSync(cacheDir)) return;
  for (const name of readdirSync(cacheDir)) {
    const pid = /^run-(\d+)$/.exec(name)?.[1];
    if (pid !== undefined && !isRunning(Number(pid))) {
      rmSync(join(cacheDir, name), { recursive: true, force: true });
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
