import { createPublicKey, sign, verify } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { datePath, isoParts, keyPrefix, sha256Hex } from './log-file.js';
import type { SigningKey } from './signing-keys.js';

/** The only algorithm CloudTrail signs digests with, as digests and S3 metadata name it. */
export const DIGEST_SIGNATURE_ALGORITHM = 'SHA256withRSA';

/** How digests name the hash of log files and of the previous digest. */
const HASH_ALGORITHM = 'SHA-256';

/** Where a digest file is delivered. */
export interface DigestObjectKeyInput {
  /** The trail's S3 key prefix, without a trailing slash; none when empty. */
  prefix?: string;
  accountId: string;
  region: string;
  trailName: string;
  homeRegion: string;
  /** The digest's end time: it dates both the folder and the file name, in UTC. */
  endTime: Date;
}

/** The digest before this one in the chain, as it was delivered. */
export interface PreviousDigest {
  bucket: string;
  key: string;
  /** Hex SHA-256 of its uncompressed bytes. */
  sha256Hex: string;
  /** Its hex signature. */
  signature: string;
}

/** A log file delivered during the digest's interval. */
export interface DigestLogFile {
  bucket: string;
  key: string;
  /** Hex SHA-256 of the log file's uncompressed bytes. */
  sha256Hex: string;
  newestEventTime: Date;
  oldestEventTime: Date;
}

/** What a digest covers and where it goes. */
export interface DigestInput {
  accountId: string;
  /** The bucket the digest is delivered to. */
  bucket: string;
  /** The digest's own S3 key, as from `digestObjectKey`. */
  key: string;
  start: Date;
  end: Date;
  /** The region's key valid at delivery, as from `currentSigningKey`. */
  signingKey: SigningKey;
  /** Absent for the first digest of a chain. */
  previous?: PreviousDigest;
  /** Possibly none: a digest is delivered for every interval, logs or not. */
  logFiles: DigestLogFile[];
}

/** A signed digest file, ready to put with its metadata. */
export interface Digest {
  /** The digest JSON, uncompressed: what is hashed and chained. */
  json: Buffer;
  /** `json` as one gzip member: the S3 object's body. */
  gzipped: Buffer;
  /** Hex SHA-256 of `json`; the next digest's `previousDigestHashValue`. */
  sha256Hex: string;
  /** Hex RSA signature; the next digest's `previousDigestSignature`. */
  signature: string;
  /** The S3 user metadata the digest object must carry: `signature`, `signature-algorithm`. */
  metadata: Record<string, string>;
}

/**
 * The S3 key of a digest file:
 * `[prefix/]AWSLogs/<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/<acct>_CloudTrail-Digest_<region>_<trail>_<homeRegion>_<YYYYMMDDTHHMMSSZ>.json.gz`.
 * The AWS CLI reads the digest's time from the 16 characters before `.json.gz`.
 */
export function digestObjectKey(input: DigestObjectKeyInput): string {
  const { accountId, region, trailName, homeRegion, endTime } = input;
  const name = `${accountId}_CloudTrail-Digest_${region}_${trailName}_${homeRegion}_${compactSecond(endTime)}.json.gz`;
  const folder = `AWSLogs/${accountId}/CloudTrail-Digest/${region}/${datePath(endTime)}`;
  return `${keyPrefix(input.prefix)}${folder}/${name}`;
}

/** Builds, hashes and signs the digest of `input.logFiles`, chained to `input.previous`. */
export function buildDigest(input: DigestInput): Digest {
  const json = Buffer.from(JSON.stringify(digestDocument(input)), 'utf8');
  const hash = sha256Hex(json);
  const signed = stringToSign({
    endTime: cloudTrailTime(input.end),
    bucket: input.bucket,
    key: input.key,
    sha256Hex: hash,
    previousSignature: input.previous?.signature ?? null,
  });
  const signature = sign('sha256', signed, input.signingKey.privateKey).toString('hex');
  return {
    json,
    gzipped: gzipSync(json),
    sha256Hex: hash,
    signature,
    metadata: { signature, 'signature-algorithm': DIGEST_SIGNATURE_ALGORITHM },
  };
}

/**
 * Checks `signature` over the uncompressed digest `json` with the PKCS#1 DER public key, the
 * way the AWS CLI does: the signed fields are read from the digest itself.
 */
export function verifyDigestSignature(json: Buffer, signature: string, publicDer: Buffer): boolean {
  const digest = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
  const signed = stringToSign({
    endTime: String(digest.digestEndTime),
    bucket: String(digest.digestS3Bucket),
    key: String(digest.digestS3Object),
    sha256Hex: sha256Hex(json),
    previousSignature:
      typeof digest.previousDigestSignature === 'string' ? digest.previousDigestSignature : null,
  });
  const publicKey = createPublicKey({ key: publicDer, format: 'der', type: 'pkcs1' });
  return verify('sha256', signed, publicKey, Buffer.from(signature, 'hex'));
}

/** A time as CloudTrail's digests write it: ISO-8601 to the second, in UTC (`2015-08-17T15:01:31Z`). */
export function cloudTrailTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** The fields in the order AWS writes them, so a digest reads like one delivered by AWS. */
function digestDocument(input: DigestInput): Record<string, unknown> {
  const { previous, logFiles } = input;
  const times = eventTimeRange(logFiles);
  return {
    awsAccountId: input.accountId,
    digestStartTime: cloudTrailTime(input.start),
    digestEndTime: cloudTrailTime(input.end),
    digestS3Bucket: input.bucket,
    digestS3Object: input.key,
    digestPublicKeyFingerprint: input.signingKey.fingerprint,
    digestSignatureAlgorithm: DIGEST_SIGNATURE_ALGORITHM,
    newestEventTime: times ? cloudTrailTime(times.newest) : null,
    oldestEventTime: times ? cloudTrailTime(times.oldest) : null,
    previousDigestS3Bucket: previous?.bucket ?? null,
    previousDigestS3Object: previous?.key ?? null,
    previousDigestHashValue: previous?.sha256Hex ?? null,
    previousDigestHashAlgorithm: previous ? HASH_ALGORITHM : null,
    previousDigestSignature: previous?.signature ?? null,
    logFiles: logFiles.map((file) => ({
      s3Bucket: file.bucket,
      s3Object: file.key,
      hashValue: file.sha256Hex,
      hashAlgorithm: HASH_ALGORITHM,
      newestEventTime: cloudTrailTime(file.newestEventTime),
      oldestEventTime: cloudTrailTime(file.oldestEventTime),
    })),
  };
}

function eventTimeRange(logFiles: DigestLogFile[]): { newest: Date; oldest: Date } | undefined {
  if (logFiles.length === 0) return undefined;
  let newest = -Infinity;
  let oldest = Infinity;
  for (const file of logFiles) {
    newest = Math.max(newest, file.newestEventTime.getTime());
    oldest = Math.min(oldest, file.oldestEventTime.getTime());
  }
  return { newest: new Date(newest), oldest: new Date(oldest) };
}

/**
 * The bytes a digest signature covers: end time, `bucket/key`, the digest's hash and the
 * previous signature (the text `null` for the first of a chain, as AWS's validator expects).
 */
function stringToSign(fields: {
  endTime: string;
  bucket: string;
  key: string;
  sha256Hex: string;
  previousSignature: string | null;
}): Buffer {
  const { endTime, bucket, key, sha256Hex: hash, previousSignature } = fields;
  return Buffer.from(
    `${endTime}\n${bucket}/${key}\n${hash}\n${previousSignature ?? 'null'}`,
    'utf8',
  );
}

function compactSecond(date: Date): string {
  const { date: ymd, time } = isoParts(date);
  return `${ymd.join('')}T${time.join('')}Z`;
}
