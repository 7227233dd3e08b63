import { createHash, randomInt } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** Where a CloudTrail log file is delivered, and what makes its name unique. */
export interface LogObjectKeyInput {
  /** The trail's S3 key prefix, without a trailing slash; none when empty. */
  prefix?: string;
  accountId: string;
  region: string;
  deliveredAt: Date;
  /** 16 characters, as from `logFileUniqueId`. */
  unique: string;
}

/** A log file's bytes, before and after compression, with the hash its digest records. */
export interface LogFile {
  /** `{"Records":[…]}` exactly as delivered, uncompressed. */
  json: Buffer;
  /** `json` as one gzip member: the S3 object's body. */
  gzipped: Buffer;
  /** Hex SHA-256 of `json`; digests hash the uncompressed bytes. */
  sha256Hex: string;
}

/**
 * The S3 key of a log file:
 * `[prefix/]AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz`,
 * dated by the delivery time in UTC.
 */
export function logObjectKey(input: LogObjectKeyInput): string {
  const { accountId, region, deliveredAt, unique } = input;
  const name = `${accountId}_CloudTrail_${region}_${compactMinute(deliveredAt)}_${unique}.json.gz`;
  const folder = `AWSLogs/${accountId}/CloudTrail/${region}/${datePath(deliveredAt)}`;
  return `${keyPrefix(input.prefix)}${folder}/${name}`;
}

/**
 * Log files are compressed while the transaction that plans them is open, so speed counts
 * more than the last bytes: on CloudTrail's JSON, level 3 is about three times as fast as the
 * default 6 and its files about a fifth larger. Digests hash the uncompressed bytes, so the
 * level changes no hash.
 */
const LOG_GZIP_LEVEL = 3;

/**
 * A log file of `records`, each already the JSON text of one record as stored. The texts are
 * spliced in, not parsed and serialized again, so every record's bytes stay as recorded.
 */
export function buildLogFile(records: string[]): LogFile {
  records.forEach(assertJsonObjectText);
  const json = Buffer.from(`{"Records":[${records.join(',')}]}`, 'utf8');
  return { json, gzipped: gzipSync(json, { level: LOG_GZIP_LEVEL }), sha256Hex: sha256Hex(json) };
}

const UNIQUE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UNIQUE_LENGTH = 16;

/**
 * The 16 random letters and digits that end a log file's name (`Xy3pQ8rT2mN5kL9a`), so two
 * files delivered in the same minute never collide. `randomInt` draws without modulo bias.
 */
export function logFileUniqueId(): string {
  let id = '';
  for (let i = 0; i < UNIQUE_LENGTH; i += 1)
    id += UNIQUE_ALPHABET[randomInt(UNIQUE_ALPHABET.length)];
  return id;
}

/** Hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `prefix/`, or nothing when there is no prefix. */
export function keyPrefix(prefix: string | undefined): string {
  return prefix ? `${prefix}/` : '';
}

/** `YYYY/MM/DD` of `date` in UTC: the folder a log or digest file lands in. */
export function datePath(date: Date): string {
  return isoParts(date).date.join('/');
}

function compactMinute(date: Date): string {
  const { date: ymd, time } = isoParts(date);
  return `${ymd.join('')}T${time.slice(0, 2).join('')}Z`;
}

/** UTC year, month, day and hour, minute, second, each zero-padded. */
export function isoParts(date: Date): { date: string[]; time: string[] } {
  const iso = date.toISOString();
  return {
    date: [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)],
    time: [iso.slice(11, 13), iso.slice(14, 16), iso.slice(17, 19)],
  };
}

/**
 * A cheap guard, not a parse: a record that is not an object's text would make the whole
 * file unreadable, and parsing every record would cost what splicing saves.
 */
function assertJsonObjectText(record: string, index: number): void {
  const text = record.trim();
  if (!text.startsWith('{') || !text.endsWith('}'))
    throw new TypeError(`record ${index} is not the JSON text of an object`);
}
