import { sql, type Kysely } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './schema.js';

/**
 * Work that runs inside the shared transaction, on the connection it is given.
 * `undo` rolls back everything the work wrote so far, and it may go on writing.
 */
export type Work<T> = (db: Db, undo: () => Promise<void>) => Promise<T>;

interface Job {
  readonly work: Work<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * Group commit. Calls that arrive while a transaction is open join it, so many
 * calls share one commit (and one write of the pages they all touch) instead
 * of paying for one each. Every call runs in its own savepoint: one that fails
 * is rolled back alone while the others commit. No call is answered before the
 * transaction that holds its change has committed, so an acknowledged call is
 * durable, and a crash loses only calls nobody was answered for.
 *
 * Work must use the connection it is given, never the store itself: the
 * transaction holds the store's only connection until it commits.
 */
export class GroupCommit {
  private readonly pending: Job[] = [];
  private draining = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxBatch = 256,
  ) {}

  /** Runs `work` in the next transaction; resolves or rejects once that transaction has ended. */
  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.draining) return;
      // With a synchronous driver a transaction would otherwise begin and commit inside the
      // turn that brought its first call; waiting for the end of this turn lets every call
      // that arrived with it join.
      this.draining = true;
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) await this.commitBatch();
    } finally {
      this.draining = false;
    }
  }

  /** One transaction: takes jobs, including ones that arrive meanwhile, up to maxBatch. */
  private async commitBatch(): Promise<void> {
    const settle: (() => void)[] = [];
    // The first job is taken before BEGIN, so a store that cannot even begin fails it
    // instead of spinning on it.
    const first = this.pending.shift();
    const taken: Job[] = first ? [first] : [];
    try {
      await this.db.connection().execute(async (conn) => {
        await sql`BEGIN`.execute(conn);
        try {
          for (let job = first; job; job = this.nextJob(taken)) {
            settle.push(await runInSavepoint(conn, job));
          }
          await sql`COMMIT`.execute(conn);
        } catch (err) {
          await sql`ROLLBACK`.execute(conn).catch(() => undefined);
          throw err;
        }
      });
    } catch (err) {
      for (const job of taken) job.reject(err);
      return;
    }
    for (const answer of settle) answer();
  }

  private nextJob(taken: Job[]): Job | undefined {
    const job = taken.length < this.maxBatch ? this.pending.shift() : undefined;
    if (job) taken.push(job);
    return job;
  }
}

/** Runs one job in a savepoint; answers how to settle it once the transaction commits. */
async function runInSavepoint(conn: Db, job: Job): Promise<() => void> {
  await sql`SAVEPOINT job`.execute(conn);
  const undo = async () => {
    await sql`ROLLBACK TO job`.execute(conn);
  };
  try {
    const value = await job.work(conn, undo);
    await sql`RELEASE job`.execute(conn);
    return () => job.resolve(value);
  } catch (err) {
    await sql`ROLLBACK TO job`.execute(conn);
    await sql`RELEASE job`.execute(conn);
    return () => job.reject(err);
  }
}
