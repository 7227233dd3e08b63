import { once } from 'node:events';
import { createWriteStream, existsSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import BetterSqlite3 from 'better-sqlite3';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { Kysely, SqliteDialect } from 'kysely';
import { defaultAccountId } from '../auth/identity-store.js';
import { ATTRIBUTE_COLUMNS } from '../services/cloudtrail/event-history.js';
import {
  eventRegions,
  findEvents,
  type EventCursor,
  type EventFilter,
  type EventQuery,
  type FoundEvent,
} from '../audit/event-store.js';
import { cloudTrailTime } from '../audit/record.js';
import { dataFiles } from '../data-dir.js';
import { allRegions, findRegion } from '../partitions.js';
import { RETENTION_MS } from '../services/cloudtrail/event-history.js';
import type { Database } from '../store/schema.js';

/** Events read from the store per query, per region; also how often output is flushed. */
const PAGE_SIZE = 1000;

const EXAMPLES = `
Event history keeps 90 days; a --start before that is treated as 90 days ago.
Times are ISO 8601 (a time without a zone is UTC) or epoch seconds; both ends are inclusive.
Filter keys (one --filter, as in LookupEvents and the console):
  EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId

Examples:
  $ fedgate events export --format csv --output events.csv
  $ fedgate events export --format json --region us-gov-east-1 --output events.json
  $ fedgate events export --format csv --filter EventName=PutAccountSettingDefault
  $ fedgate events export --format json --start 2025-06-01 --end 2025-06-30T23:59:59Z
  $ fedgate events export --format csv --filter ReadOnly=false --start 1748736000 | less -S

JSON is {"Records":[...]}, the body of a CloudTrail log file, one record per line, newest first.
CSV has the console's download columns. Works while \`fedgate serve\` runs (it only reads).`;

/** Adds `fedgate events export`: event history as a file, like the console's "Download events". */
export function registerEventCommands(program: Command, dataDir: Option): void {
  const events = program.command('events').description('Work with CloudTrail event history.');
  events
    .command('export')
    .description('Write event history as CloudTrail JSON or as the console CSV, newest first.')
    .addOption(
      new Option('--format <format>', 'json or csv').choices(['json', 'csv']).makeOptionMandatory(),
    )
    .addOption(dataDir)
    .option('--account <id>', 'account whose events to export (default: the first account)')
    .option('--region <region>', 'only this region (default: every region)', regionArgument)
    .option('--start <time>', 'oldest event time (default: 90 days ago)', timeArgument)
    .option('--end <time>', 'newest event time (default: now)', timeArgument)
    .option('--filter <key=value>', 'only events whose attribute has this value', filterArgument)
    .option('--output <file>', 'write to this file instead of standard output')
    .addHelpText('after', EXAMPLES)
    .action(async (options: ExportOptions) => runExport(options));
}

/** The options `events export` parsed. */
interface ExportOptions {
  format: 'json' | 'csv';
  dataDir: string;
  account?: string;
  region?: string;
  start?: number;
  end?: number;
  filter?: EventFilter;
  output?: string;
}

/** A problem the user can fix; printed without a stack. */
class ExportError extends Error {}

async function runExport(options: ExportOptions): Promise<void> {
  try {
    await exportEvents(options);
  } catch (err) {
    if (isBrokenPipe(err)) return;
    const text = err instanceof ExportError ? err.message : `export failed: ${errorText(err)}`;
    process.stderr.write(`fedgate: ${text}\n`);
    process.exitCode = 1;
  }
}

async function exportEvents(options: ExportOptions): Promise<void> {
  const window = timeWindow(options.start, options.end, Date.now());
  const db = openStoreReadOnly(resolve(options.dataDir));
  try {
    const accountId = await exportAccount(db, options.account);
    const regions = options.region ? [options.region] : await eventRegions(db, accountId);
    const query = { accountId, ...window, filter: options.filter };
    const events = newestFirst(regions.map((region) => regionEvents(db, { ...query, region })));
    await writeAll(events, FORMATS[options.format], options.output);
  } finally {
    await db.destroy();
  }
}

// --- Arguments ---------------------------------------------------------------------------------

const TIME_HELP = 'Use ISO 8601 (2025-06-01, 2025-06-01T12:00:00Z) or epoch seconds (1748779200)';
const EPOCH_SECONDS = /^\d+(\.\d+)?$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/i;

/** Parses --start/--end into epoch milliseconds. */
function timeArgument(text: string): number {
  const value = text.trim();
  if (EPOCH_SECONDS.test(value)) return Math.round(Number(value) * 1000);
  const match = ISO_8601.exec(value);
  if (!match) throw new InvalidArgumentError(`${TIME_HELP}.`);
  // A date-only text is UTC in JavaScript, a date-time without a zone local: make both UTC.
  const zoned = match[1] && !match[4] ? `${value}Z` : value;
  const time = Date.parse(zoned.replace(' ', 'T'));
  if (Number.isNaN(time)) throw new InvalidArgumentError(`Not a valid date. ${TIME_HELP}.`);
  return time;
}

function regionArgument(name: string): string {
  if (findRegion(name)) return name;
  const names = allRegions().map((region) => region.name);
  throw new InvalidArgumentError(`Regions served: ${names.join(', ')}.`);
}

const FILTER_KEYS =
  'EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId';

/** Parses one --filter Key=Value with LookupEvents' attribute keys. */
function filterArgument(text: string, previous: EventFilter | undefined): EventFilter {
  if (previous)
    throw new InvalidArgumentError(
      'Give one --filter: event history filters on one key at a time.',
    );
  const split = text.indexOf('=');
  const key = split < 0 ? text : text.slice(0, split);
  const value = split < 0 ? '' : text.slice(split + 1);
  if (key === 'ReadOnly') return readOnlyFilter(value);
  if (!Object.hasOwn(ATTRIBUTE_COLUMNS, key)) {
    throw new InvalidArgumentError(`Use Key=Value with one of the keys ${FILTER_KEYS}.`);
  }
  if (value === '') throw new InvalidArgumentError(`Give a value: ${key}=VALUE.`);
  return { column: ATTRIBUTE_COLUMNS[key as keyof typeof ATTRIBUTE_COLUMNS], value };
}

function readOnlyFilter(value: string): EventFilter {
  if (value !== 'true' && value !== 'false') {
    throw new InvalidArgumentError('Use ReadOnly=true or ReadOnly=false.');
  }
  return { column: 'read_only', value: value === 'true' ? 1 : 0 };
}

/** The inclusive window LookupEvents would use: at most the last 90 days, up to now. */
function timeWindow(start: number | undefined, end: number | undefined, now: number) {
  if (start !== undefined && end !== undefined && start > end) {
    const [from, to] = [new Date(start).toISOString(), new Date(end).toISOString()];
    throw new ExportError(`--start (${from}) is after --end (${to}): swap them.`);
  }
  const oldest = now - RETENTION_MS;
  return { startTime: Math.max(start ?? oldest, oldest), endTime: end ?? now };
}

// --- The store ---------------------------------------------------------------------------------

/**
 * Opens the data directory's store read-only: nothing is created, migrated or
 * written, and WAL lets it read while `fedgate serve` writes.
 */
function openStoreReadOnly(dataDir: string): Kysely<Database> {
  const file = dataFiles(dataDir).database;
  if (!existsSync(file)) {
    throw new ExportError(
      `no store at ${file}: pass the --data-dir (or FEDGATE_DATA_DIR) that \`fedgate serve\` uses.`,
    );
  }
  const sqlite = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

async function exportAccount(db: Kysely<Database>, requested?: string): Promise<string> {
  if (requested === undefined) {
    const first = await defaultAccountId(db);
    if (first) return first;
    throw new ExportError('no account yet: start `fedgate serve` once with this --data-dir.');
  }
  const found = await db
    .selectFrom('accounts')
    .select('account_id')
    .where('account_id', '=', requested)
    .executeTakeFirst();
  if (found) return requested;
  throw new ExportError(`no account ${requested} in this data directory: check --account.`);
}

/** One region's events newest first, read a page at a time. */
async function* regionEvents(
  db: Kysely<Database>,
  query: Omit<EventQuery, 'after' | 'limit'>,
): AsyncGenerator<FoundEvent> {
  let after: EventCursor | undefined;
  for (;;) {
    const page = await findEvents(db, { ...query, after, limit: PAGE_SIZE });
    yield* page;
    const last = page.at(-1);
    if (!last || page.length < PAGE_SIZE) return;
    after = { eventTime: last.eventTime, seq: last.seq };
  }
}

/** The next event of one source, and the source to read the one after from. */
interface Head {
  readonly source: AsyncGenerator<FoundEvent>;
  event: FoundEvent;
}

/** Merges newest-first sequences into one, newest first (ties: the later write first). */
async function* newestFirst(sources: AsyncGenerator<FoundEvent>[]): AsyncGenerator<FoundEvent> {
  const heads: Head[] = [];
  for (const source of sources) {
    const first = await source.next();
    if (!first.done) heads.push({ source, event: first.value });
  }
  for (let head = newestHead(heads); head; head = newestHead(heads)) {
    yield head.event;
    const next = await head.source.next();
    if (next.done) heads.splice(heads.indexOf(head), 1);
    else head.event = next.value;
  }
}

function newestHead(heads: readonly Head[]): Head | undefined {
  return heads.reduce<Head | undefined>(
    (best, head) => (best && !newer(head.event, best.event) ? best : head),
    undefined,
  );
}

function newer(a: FoundEvent, b: FoundEvent): boolean {
  return a.eventTime > b.eventTime || (a.eventTime === b.eventTime && a.seq > b.seq);
}

// --- Formats -----------------------------------------------------------------------------------

/** How one output format frames the events. */
interface Format {
  readonly head: string;
  row(event: FoundEvent, first: boolean): string;
  tail(count: number): string;
}

/** The console's "Download events" CSV columns, in its order. */
const CSV_COLUMNS = [
  'Event ID',
  'Event time',
  'User name',
  'Event name',
  'Resource type',
  'Resource name',
  'AWS access key',
  'Event source',
  'AWS region',
  'Error code',
  'Source IP address',
  'Read only',
];

const FORMATS: Record<ExportOptions['format'], Format> = {
  json: {
    head: '{"Records":[',
    row: (event, first) => (first ? '\n' : ',\n') + event.record,
    tail: (count) => (count > 0 ? '\n]}\n' : ']}\n'),
  },
  csv: {
    head: csvLine(CSV_COLUMNS),
    row: (event) => csvLine(csvCells(event)),
    tail: () => '',
  },
};

/** The parts of a stored record the CSV shows. */
interface RecordView {
  eventID?: string;
  eventName?: string;
  eventSource?: string;
  awsRegion?: string;
  errorCode?: string;
  sourceIPAddress?: string;
  readOnly?: boolean;
  userIdentity?: { type?: string; userName?: string; accessKeyId?: string };
  resources?: { type?: string; ARN?: string }[];
}

function csvCells(event: FoundEvent): string[] {
  const record = JSON.parse(event.record) as RecordView;
  const identity = record.userIdentity ?? {};
  const resources = record.resources ?? [];
  return [
    record.eventID ?? '',
    cloudTrailTime(new Date(event.eventTime)),
    identity.type === 'Root' ? 'root' : (identity.userName ?? ''),
    record.eventName ?? '',
    resources.map((resource) => resource.type ?? '').join(', '),
    resources.map((resource) => resource.ARN ?? '').join(', '),
    identity.accessKeyId ?? '',
    record.eventSource ?? '',
    record.awsRegion ?? '',
    record.errorCode ?? '',
    record.sourceIPAddress ?? '',
    String(record.readOnly ?? ''),
  ];
}

/** One RFC 4180 line: fields with a comma, quote or line break are quoted, quotes doubled. */
function csvLine(cells: readonly string[]): string {
  return (
    cells
      .map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell))
      .join(',') + '\r\n'
  );
}

// --- Output ------------------------------------------------------------------------------------

/** Where the export goes: standard output, or a file that appears only when complete. */
interface Output {
  write(chunk: string): Promise<void>;
  finish(): Promise<void>;
  abort(): void;
}

async function writeAll(events: AsyncIterable<FoundEvent>, format: Format, file?: string) {
  const output = file ? fileOutput(resolve(file)) : streamOutput(process.stdout);
  const progress = file && process.stderr.isTTY ? ttyProgress(file) : undefined;
  try {
    const count = await writeEvents(events, format, output, progress?.update);
    await output.finish();
    progress?.done(count);
  } catch (err) {
    output.abort();
    progress?.done(undefined);
    throw err;
  }
}

async function writeEvents(
  events: AsyncIterable<FoundEvent>,
  format: Format,
  output: Output,
  onFlush?: (count: number) => void,
): Promise<number> {
  let count = 0;
  let chunk = format.head;
  for await (const event of events) {
    chunk += format.row(event, count === 0);
    count += 1;
    if (count % PAGE_SIZE !== 0) continue;
    await output.write(chunk);
    chunk = '';
    onFlush?.(count);
  }
  await output.write(chunk + format.tail(count));
  return count;
}

/** Writes to a stream, waiting when it is full; its errors surface on the next write. */
function streamOutput(stream: Writable, end?: () => Promise<void>): Output {
  let failure: Error | undefined;
  stream.on('error', (err) => (failure = err));
  const check = () => {
    if (failure) throw failure;
  };
  return {
    write: async (chunk) => {
      check();
      if (!stream.write(chunk)) await once(stream, 'drain');
      check();
    },
    finish: async () => {
      check();
      await end?.();
    },
    abort: () => stream.destroy(),
  };
}

/** Writes beside `file` and renames it into place at the end, so a failed export leaves none. */
function fileOutput(file: string): Output {
  const partial = join(dirname(file), `.${basename(file)}.${process.pid}.partial`);
  let fd: number;
  try {
    fd = openSync(partial, 'wx', 0o600);
  } catch (err) {
    throw new ExportError(`cannot write ${file}: ${errorText(err)}`);
  }
  const stream = createWriteStream(partial, { fd });
  const output = streamOutput(stream, async () => {
    stream.end();
    await once(stream, 'finish');
    renameSync(partial, file);
  });
  return {
    ...output,
    abort: () => {
      output.abort();
      rmSync(partial, { force: true });
    },
  };
}

/** A running count on stderr for exports to a file from a terminal. */
function ttyProgress(file: string) {
  return {
    update: (count: number) => process.stderr.write(`\rexporting events: ${count}`),
    done: (count: number | undefined) =>
      process.stderr.write(count === undefined ? '\n' : `\rexported ${count} events to ${file}\n`),
  };
}

function isBrokenPipe(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'EPIPE';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
