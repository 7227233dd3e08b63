import { once } from 'node:events';
import { createWriteStream, watch, type FSWatcher, type WriteStream } from 'node:fs';
import { access, mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import type { Clock } from '../util/clock.js';
import type { ContainerExit } from './driver.js';

/** Which of a container's outputs a line came from. */
export type LogStream = 'stdout' | 'stderr';

/** One line of output, as `events.log` stores it (one JSON object per line). */
export interface LogEvent {
  /** When fedgate read the line: ISO 8601, UTC, milliseconds. */
  readonly t: string;
  readonly stream: LogStream;
  /** The line without its newline, decoded as UTF-8. */
  readonly line: string;
}

/** The files of a log directory. */
export const LOG_FILES = {
  stdout: 'stdout.log',
  stderr: 'stderr.log',
  events: 'events.log',
  /** Written last, once the container has ended: `{t, exitCode, signal, reason?}`. */
  exit: 'exit.json',
} as const;

// Docker's json-file driver cuts lines at 16 KiB; a longer line becomes several events.
const MAX_LINE_BYTES = 16 * 1024;

// How much of events.log one read takes, so a long history does not fill memory at once.
const READ_CHUNK_BYTES = 1024 * 1024;

// How long a follower sleeps when no file-change notice comes (they can be missed).
const FOLLOW_POLL_MS = 250;

const NEWLINE = 0x0a;

/**
 * Writes a container's output: each stream's bytes unchanged to `stdout.log` / `stderr.log`
 * (appended, so a restarted container continues its files) and each line to `events.log`.
 * Lines of the two streams interleave in the order fedgate reads them, which is not always the
 * order the container wrote them.
 */
export class ContainerLogWriter {
  private readonly files: Record<LogStream | 'events', WriteStream>;
  private readonly partial: Record<LogStream, Buffer> = {
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
  };
  private readonly last: Record<LogStream, string> = { stdout: '', stderr: '' };
  private readonly sources: Promise<void>[] = [];

  private constructor(
    private readonly logDir: string,
    private readonly clock: Clock,
  ) {
    const append = (name: string) => {
      const file = createWriteStream(join(logDir, name), { flags: 'a' });
      // A full disk must not crash fedgate; the container runs on and its output is lost.
      file.on('error', () => undefined);
      return file;
    };
    this.files = {
      stdout: append(LOG_FILES.stdout),
      stderr: append(LOG_FILES.stderr),
      events: append(LOG_FILES.events),
    };
  }

  /** Creates `logDir` if needed and opens its files for appending. */
  static async open(logDir: string, clock: Clock): Promise<ContainerLogWriter> {
    await mkdir(logDir, { recursive: true });
    return new ContainerLogWriter(logDir, clock);
  }

  /** Copies `source` into the logs until it ends. */
  attach(stream: LogStream, source: Readable): void {
    const ended = new Promise<void>((resolve) => {
      source.on('data', (chunk: Buffer) => this.write(stream, chunk, source));
      source.once('close', () => {
        this.flushPartial(stream);
        resolve();
      });
      // A read error ends the stream like EOF does; the container's exit is what matters.
      source.on('error', () => undefined);
    });
    this.sources.push(ended);
  }

  /** The last line `stream` produced. */
  lastLine(stream: LogStream): string {
    return this.last[stream];
  }

  /** Settles once every attached source has ended and its lines are handed to the files. */
  async drained(): Promise<void> {
    await Promise.all(this.sources);
  }

  /** Waits until every source has ended, closes the files and then writes `exit.json`. */
  async close(exit: ContainerExit): Promise<void> {
    await this.drained();

    const files = Object.values(this.files);
    for (const file of files) file.end();
    await Promise.all(files.map((file) => finished(file).catch(() => undefined)));

    const record = { t: this.clock.now().toISOString(), ...exit };
    await writeFile(join(this.logDir, LOG_FILES.exit), JSON.stringify(record) + '\n');
  }

  private write(stream: LogStream, chunk: Buffer, source: Readable): void {
    this.files[stream].write(chunk);

    let pending = Buffer.concat([this.partial[stream], chunk]);
    for (let end = pending.indexOf(NEWLINE); end >= 0; end = pending.indexOf(NEWLINE)) {
      this.emit(stream, pending.subarray(0, end));
      pending = pending.subarray(end + 1);
    }
    while (pending.length >= MAX_LINE_BYTES) {
      this.emit(stream, pending.subarray(0, MAX_LINE_BYTES));
      pending = pending.subarray(MAX_LINE_BYTES);
    }
    this.partial[stream] = Buffer.from(pending);

    this.applyBackpressure(source);
  }

  /** Stops reading the container's output while the disk is behind, so memory stays bounded. */
  private applyBackpressure(source: Readable): void {
    const files = Object.values(this.files);
    const behind = files.filter((file) => file.writableNeedDrain && !file.destroyed);
    if (behind.length === 0) return;

    // A file that fails will never drain: reading goes on (and its output is lost) rather than
    // the container blocking on a full pipe forever.
    source.pause();
    void Promise.all(behind.map((file) => once(file, 'drain')))
      .catch(() => undefined)
      .then(() => source.resume());
  }

  private flushPartial(stream: LogStream): void {
    if (this.partial[stream].length > 0) this.emit(stream, this.partial[stream]);
    this.partial[stream] = Buffer.alloc(0);
  }

  private emit(stream: LogStream, bytes: Buffer): void {
    for (let start = 0; start === 0 || start < bytes.length; start += MAX_LINE_BYTES) {
      const line = bytes.subarray(start, start + MAX_LINE_BYTES).toString('utf8');
      this.last[stream] = line;

      const event: LogEvent = { t: this.clock.now().toISOString(), stream, line };
      this.files.events.write(JSON.stringify(event) + '\n');
    }
  }
}

/** Options of `readLogs`. */
export interface ReadLogsOptions {
  /** Keep yielding new lines until the container has ended (its `exit.json` exists). */
  readonly follow?: boolean;
  /** Only lines read at or after this time. */
  readonly since?: Date;
  /** Ends a follow early. */
  readonly signal?: AbortSignal;
}

/**
 * The lines in `logDir/events.log`, oldest first. With `follow` it then waits for more and ends
 * when the container has ended and every line is out, or when `signal` aborts. A follower of a
 * container whose fedgate died waits until aborted: no `exit.json` will come.
 */
export async function* readLogs(
  logDir: string,
  options: ReadLogsOptions = {},
): AsyncGenerator<LogEvent> {
  const since = options.since?.getTime() ?? -Infinity;
  const tail = new EventsTail(join(logDir, LOG_FILES.events));
  const changes = options.follow ? new DirectoryChanges(logDir) : undefined;

  try {
    for (;;) {
      // Checked before reading: every line was written before exit.json was.
      const ended = !changes || (await exists(join(logDir, LOG_FILES.exit)));
      changes?.reset();

      for (const event of await tail.readNew()) {
        if (Date.parse(event.t) >= since) yield event;
      }
      if (tail.behind) continue;
      if (ended || !changes || options.signal?.aborted) return;

      await changes.wait(FOLLOW_POLL_MS, options.signal);
    }
  } finally {
    changes?.close();
  }
}

/** Reads the complete lines appended to `events.log` since the last call, a chunk at a time. */
class EventsTail {
  /** True when the file holds more than the last call read. */
  behind = false;
  private offset = 0;
  private partial = '';
  // Keeps a character cut by a chunk boundary until its last bytes arrive.
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly path: string) {}

  async readNew(): Promise<LogEvent[]> {
    const file = await open(this.path, 'r').catch(() => undefined);
    if (!file) return [];

    try {
      const { size } = await file.stat();
      const length = Math.min(Math.max(0, size - this.offset), READ_CHUNK_BYTES);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, this.offset);

      this.offset += bytesRead;
      this.behind = this.offset < size;
      return this.parse(this.decoder.write(buffer.subarray(0, bytesRead)));
    } finally {
      await file.close();
    }
  }

  private parse(text: string): LogEvent[] {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    return lines.flatMap((line) => {
      const event = parseEvent(line);
      return event ? [event] : [];
    });
  }
}

function parseEvent(line: string): LogEvent | undefined {
  try {
    const value: unknown = JSON.parse(line);
    const event = value as Partial<LogEvent>;
    const valid =
      typeof event.t === 'string' &&
      (event.stream === 'stdout' || event.stream === 'stderr') &&
      typeof event.line === 'string';
    return valid ? (value as LogEvent) : undefined;
  } catch {
    return undefined;
  }
}

/** Wakes a follower when something in a directory changes, or after a timeout. */
class DirectoryChanges {
  private readonly watcher: FSWatcher | undefined;
  private changed = false;
  private wake: (() => void) | undefined;

  constructor(dir: string) {
    try {
      this.watcher = watch(dir, () => {
        this.changed = true;
        this.wake?.();
      });
      // The directory went away: the timeout alone paces the follower from now on.
      this.watcher.on('error', () => undefined);
    } catch {
      // No directory yet, or no inotify: the timeout alone paces the follower.
      this.watcher = undefined;
    }
  }

  reset(): void {
    this.changed = false;
  }

  wait(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.changed) return Promise.resolve();

    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
