/**
 * AWS Signature Version 4 verification for requests that real AWS clients (aws-cli/botocore,
 * the AWS SDK for JavaScript v3) sign unchanged: Authorization-header requests and presigned
 * URLs, algorithm AWS4-HMAC-SHA256 only.
 *
 * The canonical request is rebuilt from the request exactly as it arrived (raw path, raw query,
 * Node's rawHeaders), because any normalization a framework applies before this point could
 * make a correct signature fail or, worse, let two different requests share one signature.
 *
 * This module is the public API: the request and result types, readCredentialScope, verifySigV4
 * and the checks that need no secret. Parsing the authentication parameters, the canonical
 * request and the signing live in sigv4-authorization.ts, sigv4-canonical.ts and sigv4-signing.ts.
 */
import { AuthFailure } from './errors.js';
import { findAuthentication, type Authentication } from './sigv4-authorization.js';
import {
  canonicalRequest,
  headerValue,
  incomplete,
  indexHeaders,
  parseQuery,
  queryValue,
  readDeclaredPayloadHash,
  resolvePayloadHash,
  type HeaderIndex,
  type ParsedRequest,
} from './sigv4-canonical.js';
import { basicTimestamp, checkSignature, sign, TERMINATOR } from './sigv4-signing.js';

/** A request as received, before anything has been decoded or normalized. */
export interface IncomingSignedRequest {
  method: string;
  /** The raw request target path, without the query string, exactly as received (still percent-encoded). */
  path: string;
  /** The raw query string without the leading '?', exactly as received ('' if none). */
  query: string;
  /** Node's `req.rawHeaders` (alternating name, value) so duplicates and original spacing are visible. */
  rawHeaders: string[];
  body: Buffer;
}

/** The `keyid/date/region/service` part of a SigV4 credential. */
export interface CredentialScope {
  accessKeyId: string;
  /** YYYYMMDD */
  date: string;
  region: string;
  service: string;
}

/** What a successful verification established about the request. */
export interface VerifiedRequest {
  scope: CredentialScope;
  signedAt: Date;
  presigned: boolean;
  /** The session token the client sent (x-amz-security-token / X-Amz-Security-Token). */
  securityToken?: string;
  /** The lowercase names of the headers the signature covers, sorted. */
  signedHeaders: string[];
}

/** How to verify: the clock, the key store and the service's canonicalization rules. */
export interface VerifyOptions {
  now: Date;
  /** The secret for an access key id, or undefined when unknown. */
  lookupSecret: (accessKeyId: string) => string | undefined | Promise<string | undefined>;
  /** S3 semantics: path is not normalized and not double-encoded; the payload hash is taken from x-amz-content-sha256 (which may be UNSIGNED-PAYLOAD or STREAMING-*) — other services hash the body. */
  s3?: boolean;
  /** When set, a scope naming another service fails with 'badScope'. */
  expectedService?: string;
}

const MINUTE_MS = 60_000;
const MAX_AGE_MINUTES = 15;
const MAX_LEAD_MINUTES = 5;

/**
 * Reads the credential scope from the Authorization header or X-Amz-Credential without
 * verifying anything; undefined when the request carries no SigV4 authentication; throws
 * AuthFailure('incomplete') when present but malformed. Used by the router to pick the service
 * and region before verification.
 */
export function readCredentialScope(req: IncomingSignedRequest): CredentialScope | undefined {
  return findAuthentication(parseRequest(req))?.scope;
}

/**
 * Verifies the request's SigV4 signature (header or presigned) and returns what it proved.
 * Throws AuthFailure on any failure; never logs.
 */
export async function verifySigV4(
  req: IncomingSignedRequest,
  options: VerifyOptions,
): Promise<VerifiedRequest> {
  const parsed = parseRequest(req);
  const auth = findAuthentication(parsed);
  if (auth === undefined) {
    throw new AuthFailure('missing', 'Missing Authentication Token');
  }

  checkScope(auth, options.expectedService);
  const signedAt = readSigningTime(auth, parsed.headers);
  const declaredPayload = readDeclaredPayloadHash(parsed, auth, options.s3 === true);
  checkSignedHeaders(auth, parsed.headers);
  checkFreshness(auth, signedAt, options.now);

  const secret = await options.lookupSecret(auth.scope.accessKeyId);
  if (secret === undefined) {
    throw new AuthFailure('unknownKey', 'The security token included in the request is invalid.');
  }

  const payloadHash = resolvePayloadHash(req.body, declaredPayload, options.s3 === true);
  const canonical = canonicalRequest(parsed, auth, payloadHash, options.s3 === true);
  const expected = sign(secret, auth, signedAt, canonical);
  checkSignature(auth.signature, expected);
  return verifiedRequest(parsed, auth, signedAt);
}

function parseRequest(request: IncomingSignedRequest): ParsedRequest {
  return { request, headers: indexHeaders(request.rawHeaders), params: parseQuery(request.query) };
}

function verifiedRequest(
  parsed: ParsedRequest,
  auth: Authentication,
  signedAt: Date,
): VerifiedRequest {
  const result: VerifiedRequest = {
    scope: auth.scope,
    signedAt,
    presigned: auth.presigned,
    signedHeaders: auth.signedHeaders,
  };

  const token =
    headerValue(parsed.headers, 'x-amz-security-token') ??
    queryValue(parsed.params, 'X-Amz-Security-Token');
  if (token !== undefined) {
    result.securityToken = token;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Checks that need no secret

function checkScope(auth: Authentication, expectedService: string | undefined): void {
  if (auth.terminator !== TERMINATOR) {
    throw new AuthFailure(
      'badScope',
      `Credential should be scoped with a valid terminator: '${TERMINATOR}'. `,
    );
  }

  if (expectedService !== undefined && auth.scope.service !== expectedService) {
    throw new AuthFailure(
      'badScope',
      `Credential should be scoped to correct service: '${expectedService}'. `,
    );
  }
}

/** The instant the client signed at; the scope's date must be that instant's UTC date. */
function readSigningTime(auth: Authentication, headers: HeaderIndex): Date {
  const signedAt = signingTimeSource(auth, headers);
  const timestamp = basicTimestamp(signedAt);
  if (auth.scope.date !== timestamp.slice(0, 8)) {
    throw new AuthFailure(
      'badScope',
      'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from ' +
        `HTTP: '${auth.scope.date}' != '${timestamp.slice(0, 8)}', from '${timestamp}'.`,
    );
  }
  return signedAt;
}

function signingTimeSource(auth: Authentication, headers: HeaderIndex): Date {
  if (auth.presignedDate !== undefined) {
    return parseBasicTimestamp(auth.presignedDate);
  }

  const amzDate = headerValue(headers, 'x-amz-date');
  if (amzDate !== undefined) {
    return parseBasicTimestamp(amzDate);
  }

  const date = headerValue(headers, 'date');
  if (date !== undefined) {
    return parseHttpDate(date);
  }
  throw incomplete(
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
  );
}

function parseBasicTimestamp(value: string): Date {
  const extended = value.replace(
    /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/,
    '$1-$2-$3T$4:$5:$6Z',
  );
  const date = new Date(extended);

  // The round trip rejects anything but the basic format, and dates like 20260230 that would
  // otherwise roll over into the next month.
  if (Number.isNaN(date.getTime()) || basicTimestamp(date) !== value) {
    throw incomplete("Date must be in ISO-8601 'basic format', e.g. 20150830T123600Z.");
  }
  return date;
}

/** RFC 1123 dates, as in the Date header; botocore writes the zone as "-0000" rather than GMT. */
function parseHttpDate(value: string): Date {
  const shape = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} (GMT|UTC|[+-]0000)$/;
  const date = new Date(value);
  if (!shape.test(value) || Number.isNaN(date.getTime())) {
    throw incomplete('Date header must be an RFC 1123 date, e.g. Sun, 30 Aug 2015 12:36:00 GMT.');
  }
  return date;
}

function checkSignedHeaders(auth: Authentication, headers: HeaderIndex): void {
  if (!auth.signedHeaders.includes('host')) {
    throw incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }

  for (const name of auth.signedHeaders) {
    if (!headers.has(name)) {
      throw incomplete('A header listed in SignedHeaders is not present in the request.');
    }
  }
}

function checkFreshness(auth: Authentication, signedAt: Date, now: Date): void {
  const latest = new Date(now.getTime() + MAX_LEAD_MINUTES * MINUTE_MS);
  if (signedAt > latest) {
    throw new AuthFailure(
      'notYetValid',
      `Signature not yet current: ${basicTimestamp(signedAt)} is still later than ` +
        `${basicTimestamp(latest)} (${basicTimestamp(now)} + ${MAX_LEAD_MINUTES} min.)`,
    );
  }

  // A presigned URL lives for its own X-Amz-Expires instead of the 15-minute window.
  const maxAgeSeconds = auth.expiresSeconds ?? MAX_AGE_MINUTES * 60;
  const earliest = new Date(now.getTime() - maxAgeSeconds * 1000);
  if (signedAt < earliest) {
    const window =
      auth.expiresSeconds === undefined ? `${MAX_AGE_MINUTES} min.` : `${maxAgeSeconds} sec.`;
    throw new AuthFailure(
      'expired',
      `Signature expired: ${basicTimestamp(signedAt)} is now earlier than ` +
        `${basicTimestamp(earliest)} (${basicTimestamp(now)} - ${window})`,
    );
  }
}
