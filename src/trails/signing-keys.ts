import { createHash, createPrivateKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { SecretBox } from '../auth/secret-box.js';
import type { Db } from '../store/db.js';
import type { TrailSigningKeysTable } from '../store/schema.js';

const generateRsaKeyPair = promisify(generateKeyPair);

/** How long a region's digest-signing key signs before a new one replaces it: 30 days. */
export const DEFAULT_KEY_ROTATION_MS = 30 * 24 * 60 * 60 * 1000;

/** AWS signs digests with RSA-2048; the AWS CLI's validator expects that size. */
const RSA_MODULUS_BITS = 2048;

/** A region's digest-signing key pair, with the private key opened. */
export interface SigningKey {
  /** Hex MD5 of `publicDer`, as digests' `digestPublicKeyFingerprint` name the key. */
  fingerprint: string;
  privateKey: KeyObject;
  /** The PKCS#1 RSAPublicKey DER. */
  publicDer: Buffer;
  validFrom: Date;
  /** The first instant the key no longer signs. */
  validUntil: Date;
}

/** One entry of ListPublicKeys' `PublicKeyList`. */
export interface PublicKeyInfo {
  /** Base64 of the PKCS#1 RSAPublicKey DER. */
  value: string;
  fingerprint: string;
  validityStart: Date;
  validityEnd: Date;
}

/** How often keys rotate. */
export interface KeyRotation {
  periodMs: number;
}

/**
 * The region's key valid at `now`, creating the first one, or a new one once the last has
 * expired (the old key keeps its window, so ListPublicKeys still lists it for old digests).
 * Runs inside the caller's transaction: the new key commits or rolls back with the digest
 * it signs.
 */
export async function currentSigningKey(
  db: Db,
  box: SecretBox,
  region: string,
  now: Date,
  rotation: KeyRotation = { periodMs: DEFAULT_KEY_ROTATION_MS },
): Promise<SigningKey> {
  const existing = await findValidKey(db, region, now);
  if (existing) return openKey(box, existing);

  // Generation takes tens of milliseconds off the event loop; a caller that interleaved with
  // this one on the same store may have stored a key meanwhile, and one key per window is
  // what keeps the listing short, so look again before storing.
  const generated = await newKeyRow(box, region, now, rotation.periodMs);
  const raced = await findValidKey(db, region, now);
  if (raced) return openKey(box, raced);

  await db.insertInto('trail_signing_keys').values(generated).execute();
  return openKey(box, generated);
}

/**
 * The region's public keys whose validity overlaps [start, end], oldest first. `end` may lie
 * in the future; a key valid up to exactly `start` does not overlap (validity ends exclusive).
 */
export async function listPublicKeys(
  db: Db,
  region: string,
  start: Date,
  end: Date,
): Promise<PublicKeyInfo[]> {
  const rows = await db
    .selectFrom('trail_signing_keys')
    .select(['fingerprint', 'public_der', 'valid_from', 'valid_until'])
    .where('region', '=', region)
    .where('valid_from', '<=', end.getTime())
    .where('valid_until', '>', start.getTime())
    .orderBy('valid_from')
    .orderBy('fingerprint')
    .execute();
  return rows.map((row) => ({
    value: row.public_der,
    fingerprint: row.fingerprint,
    validityStart: fromEpochMs(row.valid_from),
    validityEnd: fromEpochMs(row.valid_until),
  }));
}

/**
 * The fingerprint AWS gives a digest key: hex MD5 of its PKCS#1 DER. MD5 only because the
 * format demands it; the fingerprint names the key, it does not protect anything.
 */
export function keyFingerprint(publicDer: Buffer): string {
  return createHash('md5').update(publicDer).digest('hex');
}

async function findValidKey(
  db: Db,
  region: string,
  now: Date,
): Promise<TrailSigningKeysTable | undefined> {
  // Newest first, so should two keys ever cover `now`, every caller signs with the same one.
  return db
    .selectFrom('trail_signing_keys')
    .selectAll()
    .where('region', '=', region)
    .where('valid_from', '<=', now.getTime())
    .where('valid_until', '>', now.getTime())
    .orderBy('valid_from', 'desc')
    .orderBy('fingerprint')
    .limit(1)
    .executeTakeFirst();
}

async function newKeyRow(
  box: SecretBox,
  region: string,
  now: Date,
  periodMs: number,
): Promise<TrailSigningKeysTable> {
  if (!(periodMs > 0)) throw new RangeError(`key rotation period must be positive: ${periodMs}`);
  const { publicKey, privateKey } = await generateRsaKeyPair('rsa', {
    modulusLength: RSA_MODULUS_BITS,
  });
  const publicDer = publicKey.export({ type: 'pkcs1', format: 'der' });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    fingerprint: keyFingerprint(publicDer),
    region,
    public_der: publicDer.toString('base64'),
    private_key_sealed: box.seal(privatePem),
    valid_from: now.getTime(),
    valid_until: now.getTime() + periodMs,
  };
}

function openKey(box: SecretBox, row: TrailSigningKeysTable): SigningKey {
  return {
    fingerprint: row.fingerprint,
    privateKey: createPrivateKey(box.open(row.private_key_sealed)),
    publicDer: Buffer.from(row.public_der, 'base64'),
    validFrom: fromEpochMs(row.valid_from),
    validUntil: fromEpochMs(row.valid_until),
  };
}

/** PostgreSQL's driver returns bigint columns as text; SQLite's as numbers. */
function fromEpochMs(ms: number | string): Date {
  return new Date(Number(ms));
}
