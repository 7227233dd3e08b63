import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker's code. It opens its own connection and runs a PASSIVE checkpoint
 * on a timer: it copies committed WAL pages into the database file and syncs
 * that file, without blocking writers.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage({ error: String(err) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/** A running background checkpointer. */
export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Moves SQLite's WAL checkpoints, and the fsync each one ends with, off the
 * request path into a worker thread. Commits stay durable against a crash of
 * the process (WAL with synchronous=NORMAL); they just no longer stop every
 * thousandth call for a sync of the database file.
 */
export function startCheckpointer(
  file: string,
  intervalMs = 1000,
  onError?: (message: string) => void,
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, driver, intervalMs },
  });
  worker.on('message', (message: { error?: string }) => {
    if (message.error) onError?.(message.error);
  });
  worker.unref();
  let exited = false;
  worker.once('exit', () => (exited = true));

  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        worker.once('exit', () => resolve());
        // Held by the process until it has gone, or a caller awaiting this would be left behind.
        worker.ref();
        worker.postMessage('stop');
      }),
  };
}
