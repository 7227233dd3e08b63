/**
 * SigV4 signing: the string to sign, the signing key derived per scope (with a bounded cache)
 * and the constant-time comparison of the signature.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { AuthFailure } from './errors.js';
import type { CredentialScope } from './sigv4.js';
import type { Authentication } from './sigv4-authorization.js';

/** The only signing algorithm supported, as named in the Authorization header and the scope. */
export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** The last element of every SigV4 credential scope. */
export const TERMINATOR = 'aws4_request';

const SIGNING_KEY_CACHE_SIZE = 1024;

const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. ' +
  'Consult the service documentation for details.';

// ---------------------------------------------------------------------------------------------
// Signing

/** The expected signature, lowercase hex, of the canonical request under the scope's key. */
export function sign(
  secret: string,
  auth: Authentication,
  signedAt: Date,
  canonical: string,
): string {
  const { date, region, service } = auth.scope;
  const stringToSign = [
    ALGORITHM,
    basicTimestamp(signedAt),
    `${date}/${region}/${service}/${TERMINATOR}`,
    sha256Hex(canonical),
  ].join('\n');
  return createHmac('sha256', signingKey(secret, auth.scope)).update(stringToSign).digest('hex');
}

/** Derived keys by scope; insertion order makes the Map's first key the least recently used. */
const signingKeys = new Map<string, Buffer>();

function signingKey(secret: string, scope: CredentialScope): Buffer {
  // The secret's hash keeps a rotated secret from reusing the old derived key.
  const { accessKeyId, date, region, service } = scope;
  const id = JSON.stringify([accessKeyId, sha256Hex(secret), date, region, service]);
  const cached = signingKeys.get(id);
  if (cached !== undefined) {
    signingKeys.delete(id);
    signingKeys.set(id, cached);
    return cached;
  }

  const key = deriveSigningKey(secret, scope);
  signingKeys.set(id, key);
  if (signingKeys.size > SIGNING_KEY_CACHE_SIZE) {
    signingKeys.delete(signingKeys.keys().next().value ?? '');
  }
  return key;
}

function deriveSigningKey(secret: string, scope: CredentialScope): Buffer {
  let key = Buffer.from(`AWS4${secret}`, 'utf8');
  for (const part of [scope.date, scope.region, scope.service, TERMINATOR]) {
    key = createHmac('sha256', key).update(part).digest();
  }
  return key;
}

/**
 * Fails with 'badSignature' unless the provided signature equals the expected one. Constant-time,
 * so response timing reveals nothing about how much of a guess was right.
 */
export function checkSignature(provided: string, expected: string): void {
  const a = Buffer.from(provided.toLowerCase(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new AuthFailure('badSignature', BAD_SIGNATURE);
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** The SHA-256 of the data, as lowercase hex. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The instant in ISO-8601 basic format, YYYYMMDDTHHMMSSZ, as SigV4 writes it. */
export function basicTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}
