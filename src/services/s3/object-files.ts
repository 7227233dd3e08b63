import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Db } from '../../store/db.js';
import type { Database } from '../../store/schema.js';

const ID_SHAPE = /^[0-9a-f]{32}$/;
const TEMP_SUFFIX = '.tmp';

/**
 * The bytes of S3 objects and multipart parts, one file each under a directory. A file is
 * written completely and made durable (temp file, fsync, rename, fsync of the directory) before
 * the row that names it commits, so a committed row never names a missing or partial file.
 * Files no committed row names are removed: those a call settled once its transaction has
 * ended, and any others (a crash between write and commit) by the sweep at startup.
 */
export class ObjectFiles {
  private readonly unsettled = new Set<string>();
  /** Files written ahead of their transaction, by the very Buffer they hold. */
  private readonly staged = new WeakMap<Buffer, string>();
  private flushing: Promise<void> | undefined;

  /**
   * @param dir where the files live; created when missing.
   * @param store the store itself (not a transaction): when given, settled files are removed
   *   as soon as a query on it, which waits for the open transaction, finds them unnamed.
   */
  constructor(
    readonly dir: string,
    private readonly store?: Kysely<Database>,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /**
   * Writes the bytes durably to a new file and answers its id; at once, without writing, for
   * a Buffer staged with `stage` and not yet written or discarded.
   */
  async write(bytes: Buffer): Promise<string> {
    const staged = this.staged.get(bytes);
    if (staged !== undefined) {
      this.staged.delete(bytes);
      return staged;
    }
    const id = randomUUID().replace(/-/g, '');
    const temp = this.path(id) + TEMP_SUFFIX;
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }

    await rename(temp, this.path(id));
    await this.syncDir();
    return id;
  }

  /**
   * Writes the bytes durably now, before the transaction that will store them opens, so that
   * transaction (which every other call waits for) does not wait for the disk too: its `write`
   * of this same Buffer then takes the staged file. Call `discardStaged` once that transaction
   * has ended, whatever its outcome.
   */
  async stage(bytes: Buffer): Promise<void> {
    const id = await this.write(bytes);
    this.staged.set(bytes, id);
  }

  /**
   * Ends a staging: a file the transaction did not take is settled (so removed, as no row names
   * it); one it took was settled by the call that named it.
   */
  discardStaged(bytes: Buffer): void {
    const id = this.staged.get(bytes);
    if (id === undefined) return;
    this.staged.delete(bytes);
    this.settle(id);
  }

  /** The whole file. */
  async read(id: string): Promise<Buffer> {
    const handle = await open(this.path(id), 'r');
    try {
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  /** Bytes `start` to `end` inclusive, as an HTTP byte range counts them. */
  async readRange(id: string, start: number, end: number): Promise<Buffer> {
    const length = Math.max(0, end - start + 1);
    const buffer = Buffer.alloc(length);
    const handle = await open(this.path(id), 'r');
    try {
      const { bytesRead } = await handle.read(buffer, 0, length, start);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  /** The file's size in bytes, or undefined when it does not exist. */
  async stat(id: string): Promise<{ size: number } | undefined> {
    try {
      return { size: (await stat(this.path(id))).size };
    } catch {
      return undefined;
    }
  }

  /** Removes the file now; only for files no row can name (a write whose call failed). */
  async remove(id: string): Promise<void> {
    await rm(this.path(id), { force: true });
  }

  /**
   * Removes the file once the current transaction has ended, if no committed row names it
   * then: call it for a file whose row the transaction deletes or replaces, and for a file just
   * written and named, which then survives only if its row commits.
   */
  settle(id: string): void {
    this.unsettled.add(id);
    if (this.store === undefined || this.flushing) return;
    this.flushing = new Promise((resolve) => setImmediate(resolve)).then(() =>
      this.flushUnsettled(),
    );
  }

  /** Resolves once every file settled so far has been kept or removed. */
  async settled(): Promise<void> {
    await this.flushing;
  }

  /** Removes every file (and stale temp file) that no row names; run before serving. */
  async sweepOrphans(db: Db): Promise<number> {
    const named = await namedIds(db);
    let removed = 0;
    for (const name of await readdir(this.dir)) {
      const id = name.endsWith(TEMP_SUFFIX) ? undefined : name;
      if (id !== undefined && named.has(id)) continue;
      if (id !== undefined && !ID_SHAPE.test(id)) continue;
      await rm(join(this.dir, name), { force: true });
      removed += 1;
    }
    return removed;
  }

  private async flushUnsettled(): Promise<void> {
    try {
      while (this.unsettled.size > 0 && this.store !== undefined) {
        const batch = [...this.unsettled];
        this.unsettled.clear();
        // This query waits for the open transaction, so it reads the committed outcome.
        const named = await namedIds(this.store, batch);
        for (const id of batch) if (!named.has(id)) await this.remove(id);
      }
    } catch {
      // The store is closing; whatever was not removed is swept at the next start.
    } finally {
      this.flushing = undefined;
    }
  }

  private path(id: string): string {
    if (!ID_SHAPE.test(id)) throw new Error(`not an object file id: ${id}`);
    return join(this.dir, id);
  }

  /** The rename is durable only once the directory entry itself is on disk. */
  private async syncDir(): Promise<void> {
    const handle = await open(this.dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/** The file ids rows name, among `ids` when given, else all of them. */
async function namedIds(db: Db, ids?: string[]): Promise<Set<string>> {
  if (ids !== undefined && ids.length === 0) return new Set();
  let objects = db.selectFrom('objects').select('file_id');
  let parts = db.selectFrom('multipart_parts').select('file_id');
  if (ids !== undefined) {
    objects = objects.where('file_id', 'in', ids);
    parts = parts.where('file_id', 'in', ids);
  }
  const rows = [...(await objects.execute()), ...(await parts.execute())];
  return new Set(rows.map((row) => row.file_id));
}
