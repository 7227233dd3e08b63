/**
 * AWS Signature Version 4 verification for requests that real AWS clients (aws-cli/botocore,
 * the AWS SDK for JavaScript v3) sign unchanged: Authorization-header requests and presigned
 * URLs, algorithm AWS4-HMAC-SHA256 only.
 *
 * The canonical request is rebuilt from the request exactly as it arrived (raw path, raw query,
 * Node's rawHeaders), because any normalization a framework applies before this point could
 * make a correct signature fail or, worse, let two different requests share one signature.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { AuthFailure } from './errors.js';

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

const ALGORITHM = 'AWS4-HMAC-SHA256';
const TERMINATOR = 'aws4_request';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const MINUTE_MS = 60_000;
const MAX_AGE_MINUTES = 15;
const MAX_LEAD_MINUTES = 5;
const MAX_PRESIGNED_SECONDS = 604_800;
const SIGNING_KEY_CACHE_SIZE = 1024;
const PRESIGNED_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
] as const;

const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. ' +
  'Consult the service documentation for details.';

/** A query parameter, decoded for reading and re-encoded for the canonical query. */
interface QueryParam {
  name: string;
  value: string;
  canonicalName: string;
  canonicalValue: string;
}

/** Header values by lowercase name, in order of appearance. */
type HeaderIndex = Map<string, string[]>;

/** The SigV4 parameters the client sent, from the Authorization header or the query. */
interface Authentication {
  presigned: boolean;
  scope: CredentialScope;
  terminator: string;
  signedHeaders: string[];
  signature: string;
  /** X-Amz-Date of a presigned URL; header authentication reads its date from the headers. */
  presignedDate?: string;
  expiresSeconds?: number;
}

/** The parsed request every step of the verification reads from. */
interface ParsedRequest {
  request: IncomingSignedRequest;
  headers: HeaderIndex;
  params: QueryParam[];
}

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
// Finding and parsing the authentication parameters

function findAuthentication(parsed: ParsedRequest): Authentication | undefined {
  const authorization = parsed.headers.get('authorization');
  const presigned = parsed.params.some((param) => param.name === 'X-Amz-Signature');
  if (authorization === undefined) {
    return presigned ? parsePresigned(parsed.params) : undefined;
  }

  // Two mechanisms at once would leave it open which one the caller meant to be checked.
  if (presigned) {
    throw incomplete(
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, ' +
        'Signature query string parameter or the Authorization header should be specified.',
    );
  }
  if (authorization.length > 1) {
    throw incomplete('Only one Authorization header is allowed.');
  }
  return parseAuthorization(authorization[0] ?? '');
}

function parseAuthorization(header: string): Authentication {
  const [algorithm = '', ...parts] = header.trim().split(/[\s,]+/);
  checkAlgorithm(algorithm);

  const fields = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq > 0 && !fields.has(part.slice(0, eq))) {
      fields.set(part.slice(0, eq), part.slice(eq + 1));
    }
  }

  const [credential, signedHeaders, signature] = requireParts(
    fields,
    ['Credential', 'SignedHeaders', 'Signature'] as const,
    (name) => `Authorization header requires '${name}' parameter.`,
  );
  return {
    presigned: false,
    ...parseCredential(credential),
    signedHeaders: parseSignedHeaders(signedHeaders),
    signature,
  };
}

function parsePresigned(params: QueryParam[]): Authentication {
  const found = new Map<string, string>();
  for (const name of PRESIGNED_PARAMS) {
    found.set(name, queryValue(params, name) ?? '');
  }

  const [algorithm, credential, date, expires, signedHeaders, signature] = requireParts(
    found,
    PRESIGNED_PARAMS,
    (name) => `Query-string authentication requires the '${name}' parameter.`,
  );
  checkAlgorithm(algorithm);
  return {
    presigned: true,
    ...parseCredential(credential),
    signedHeaders: parseSignedHeaders(signedHeaders),
    signature,
    presignedDate: date,
    expiresSeconds: parseExpires(expires),
  };
}

/** Returns the named values in order, or fails listing every one that is missing or empty. */
function requireParts<const Names extends readonly string[]>(
  found: Map<string, string>,
  names: Names,
  describe: (name: string) => string,
): { [K in keyof Names]: string } {
  const missing = names.filter((name) => !found.get(name));
  if (missing.length > 0) {
    throw incomplete(missing.map(describe).join(' '));
  }
  return names.map((name) => found.get(name) ?? '') as { [K in keyof Names]: string };
}

function checkAlgorithm(algorithm: string): void {
  if (algorithm !== ALGORITHM) {
    throw incomplete(`Unsupported AWS 'algorithm'. Only '${ALGORITHM}' is supported.`);
  }
}

function parseCredential(credential: string): { scope: CredentialScope; terminator: string } {
  const parts = credential.split('/');
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = parts;
  if (parts.length !== 5 || parts.some((part) => part === '')) {
    throw incomplete(
      'Credential must have exactly 5 slash-delimited elements, ' +
        'e.g. keyid/date/region/service/term.',
    );
  }

  if (!/^\d{8}$/.test(date)) {
    throw incomplete('Credential date must be in the format YYYYMMDD.');
  }
  return { scope: { accessKeyId, date, region, service }, terminator };
}

function parseSignedHeaders(list: string): string[] {
  const names = list.split(';').map((name) => name.toLowerCase());
  if (names.some((name) => name === '')) {
    throw incomplete(`SignedHeaders must be a ';'-separated list of header names.`);
  }

  // The canonical request lists headers in sorted order; conforming signers already send them so.
  return names.sort();
}

function parseExpires(expires: string): number {
  const seconds = /^\d{1,7}$/.test(expires) ? Number(expires) : NaN;
  if (!(seconds >= 1 && seconds <= MAX_PRESIGNED_SECONDS)) {
    throw incomplete(
      `X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGNED_SECONDS}.`,
    );
  }
  return seconds;
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

// ---------------------------------------------------------------------------------------------
// Payload hash

/** What the client says the payload hash is, checked for shape before any key lookup. */
function readDeclaredPayloadHash(
  parsed: ParsedRequest,
  auth: Authentication,
  s3: boolean,
): string | undefined {
  const header = headerValue(parsed.headers, 'x-amz-content-sha256');
  if (!s3) {
    return header;
  }

  const declared = header ?? (auth.presigned ? presignedPayloadHash(parsed.params) : undefined);
  if (declared === undefined) {
    throw incomplete('Missing required header for this request: x-amz-content-sha256');
  }

  // Anything else would be signed as is and leave the body unauthenticated.
  if (!isSha256Hex(declared) && declared !== UNSIGNED_PAYLOAD && !isStreaming(declared)) {
    throw incomplete(
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-* or a valid sha256 value.',
    );
  }
  return declared;
}

/** The JS S3 presigner hoists x-amz-content-sha256 into the query; botocore leaves it out. */
function presignedPayloadHash(params: QueryParam[]): string {
  return queryValue(params, 'X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD;
}

/**
 * The payload hash line of the canonical request. A declared hash is checked against the body
 * so that the signature, which only covers the declared value, also covers the body.
 */
function resolvePayloadHash(body: Buffer, declared: string | undefined, s3: boolean): string {
  if (s3 && declared !== undefined && !isSha256Hex(declared)) {
    return declared;
  }

  const actual = sha256Hex(body);
  if (declared !== undefined && declared.toLowerCase() !== actual) {
    throw new AuthFailure(
      'badSignature',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  return declared ?? actual;
}

/** STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER and the like. */
function isStreaming(value: string): boolean {
  return value.startsWith('STREAMING-');
}

function isSha256Hex(value: string): boolean {
  return /^[0-9a-fA-F]{64}$/.test(value);
}

// ---------------------------------------------------------------------------------------------
// Canonical request

function canonicalRequest(
  parsed: ParsedRequest,
  auth: Authentication,
  payloadHash: string,
  s3: boolean,
): string {
  const headerLines = auth.signedHeaders.map(
    (name) => `${name}:${headerValue(parsed.headers, name) ?? ''}\n`,
  );

  return [
    parsed.request.method,
    s3 ? canonicalS3Path(parsed.request.path) : canonicalPath(parsed.request.path),
    canonicalQuery(parsed.params, auth.presigned),
    headerLines.join(''),
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

/**
 * Other services: dot segments removed (and, like botocore and @smithy/signature-v4, empty
 * segments dropped), then every segment encoded twice. Each segment is first decoded and
 * re-encoded so that the second encoding applies to the same canonical form a signer produced.
 */
function canonicalPath(path: string): string {
  return normalizePath(path)
    .split('/')
    .map((segment) => reencode(segment).replace(/%/g, '%25'))
    .join('/');
}

/** S3 signs the path as sent: no normalization, encoded once (spellings like %7E vs ~ agree). */
function canonicalS3Path(path: string): string {
  return (path === '' ? '/' : path).split('/').map(reencode).join('/');
}

/** RFC 3986 remove_dot_segments, dropping empty segments as the AWS signers do. */
function normalizePath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '..') {
      segments.pop();
    } else if (segment !== '' && segment !== '.') {
      segments.push(segment);
    }
  }

  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return `/${segments.join('/')}${trailing}`;
}

/** Sorted by encoded name, then encoded value; a presigned URL's signature is not signed. */
function canonicalQuery(params: QueryParam[], presigned: boolean): string {
  return params
    .filter((param) => !(presigned && param.name === 'X-Amz-Signature'))
    .map((param) => [param.canonicalName, param.canonicalValue] as const)
    .sort(
      ([nameA, valueA], [nameB, valueB]) =>
        compareStrings(nameA, nameB) || compareStrings(valueA, valueB),
    )
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseQuery(query: string): QueryParam[] {
  return query
    .split('&')
    .filter((part) => part !== '')
    .map(parseQueryParam);
}

/** A raw '+' stays a literal plus: the AWS signers encode spaces as %20, never as '+'. */
function parseQueryParam(part: string): QueryParam {
  const eq = part.indexOf('=');
  const name = percentDecode(eq === -1 ? part : part.slice(0, eq));
  const value = percentDecode(eq === -1 ? '' : part.slice(eq + 1));
  return {
    name: name.toString('utf8'),
    value: value.toString('utf8'),
    canonicalName: uriEncode(name),
    canonicalValue: uriEncode(value),
  };
}

function queryValue(params: QueryParam[], name: string): string | undefined {
  const matches = params.filter((param) => param.name === name);
  if (matches.length > 1) {
    throw incomplete(`Query-string parameter '${name}' must appear only once.`);
  }
  return matches[0]?.value;
}

function indexHeaders(rawHeaders: string[]): HeaderIndex {
  const index: HeaderIndex = new Map();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const values = index.get(name) ?? [];
    values.push(rawHeaders[i + 1] ?? '');
    index.set(name, values);
  }
  return index;
}

/** The canonical value: each occurrence trimmed with inner blank runs collapsed, joined by ','. */
function headerValue(headers: HeaderIndex, name: string): string | undefined {
  return headers
    .get(name)
    ?.map((value) => value.trim().replace(/[ \t]+/g, ' '))
    .join(',');
}

// ---------------------------------------------------------------------------------------------
// URI encoding, on bytes so that invalid UTF-8 or stray '%' cannot make decoding throw

const ENCODED_BYTES = Array.from({ length: 256 }, (_, byte) => {
  const char = String.fromCharCode(byte);
  return /^[A-Za-z0-9\-_.~]$/.test(char)
    ? char
    : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
});

function percentDecode(text: string): Buffer {
  const pieces = text.split(/(%[0-9A-Fa-f]{2})/);
  return Buffer.concat(
    pieces.map((piece, i) =>
      i % 2 === 1 ? Buffer.from([parseInt(piece.slice(1), 16)]) : Buffer.from(piece, 'utf8'),
    ),
  );
}

function uriEncode(bytes: Buffer): string {
  let encoded = '';
  for (const byte of bytes) {
    encoded += ENCODED_BYTES[byte] ?? '';
  }
  return encoded;
}

function reencode(text: string): string {
  return uriEncode(percentDecode(text));
}

// ---------------------------------------------------------------------------------------------
// Signing

function sign(secret: string, auth: Authentication, signedAt: Date, canonical: string): string {
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

/** Constant-time, so response timing reveals nothing about how much of a guess was right. */
function checkSignature(provided: string, expected: string): void {
  const a = Buffer.from(provided.toLowerCase(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new AuthFailure('badSignature', BAD_SIGNATURE);
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** YYYYMMDDTHHMMSSZ */
function basicTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/**
 * Messages quote no client text that was not validated first: a client that pastes its secret
 * into the wrong field must not find it in the response, the logs or the audit trail.
 */
function incomplete(message: string): AuthFailure {
  return new AuthFailure('incomplete', message);
}
